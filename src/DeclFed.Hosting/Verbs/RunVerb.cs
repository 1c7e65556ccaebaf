using System.Buffers;
using System.Globalization;
using System.Text.Json;
using DeclFed.Graph;
using DeclFed.Hosting.Configuration;
using DeclFed.Hosting.Console;
using DeclFed.Hosting.Execution;
using DeclFed.Hosting.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DeclFed.Hosting.Verbs;

/// <summary>
/// The <c>run</c> verb: validates every option, opens (or resumes) a run directory under its lock, then lets the
/// generated executor run each step through a <see cref="RunExecutor"/>.
/// </summary>
internal sealed class RunVerb(
    IPipelineDefinition pipeline,
    IConfigurationRoot configuration,
    Action<IEnumerable<KeyValuePair<string, string?>>> applyRecordedConfiguration,
    string workingDirectory,
    IServiceProvider services,
    ILogger logger,
    TextWriter output,
    IAnsiConsole? live)
{
    /// <summary>Runs the pipeline and returns the exit code.</summary>
    /// <exception cref="DeclFedUsageException">The configuration or the command line is invalid (nothing was run).</exception>
    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        var descriptor = pipeline.Descriptor;
        var settings = HostSettings.Read(configuration, workingDirectory);
        RunDirectory? resumed = null;
        RunManifest? resumedManifest = null;
        RunLock? resumedLock = null;
        if (settings.Resume is { } resumeId)
        {
            resumed = RunDirectory.Open(settings.RunsRoot, descriptor.Name, resumeId);
            resumedLock = resumed.Lock();
        }

        ResolvedOptions options;
        HashSet<string> forced;
        try
        {
            if (resumed is not null)
            {
                resumedManifest = ReadForResume(resumed, descriptor);
                // The run continues with the configuration it started with; the command line can still override it.
                applyRecordedConfiguration(RecordedConfiguration(resumedManifest, descriptor));
                settings = HostSettings.Read(configuration, workingDirectory);
            }
            options = OptionBinder.Bind(pipeline, configuration);
            forced = Downstream(descriptor, settings.From);
        }
        catch
        {
            resumedLock?.Dispose();
            throw;
        }

        var run = resumed ?? RunDirectory.Create(settings.RunsRoot, descriptor.Name, DateTimeOffset.UtcNow);
        var runLock = resumedLock ?? run.Lock();
        var manifest = resumedManifest ?? new RunManifest { Pipeline = descriptor.Name, RunId = run.RunId, Created = DateTimeOffset.UtcNow };

        using (runLock)
        {
            run.RemoveTemporaries();
            manifest.Status = RunStatus.Running;
            manifest.Error = null;
            manifest.Seed = settings.Seed;
            manifest.Configuration = CanonicalConfiguration(options);
            foreach (var step in descriptor.Steps)
            {
                if (manifest.FindStep(step.Name) is null)
                {
                    manifest.Steps.Add(new StepRecord { Name = step.Name, Status = StepStatus.Pending });
                }
            }
            manifest.Updated = DateTimeOffset.UtcNow;
            run.WriteManifest(manifest);

            var earlierRuns = RunCatalog.List(settings.RunsRoot, descriptor.Name).Where(r => r.RunId != run.RunId).ToList();
            logger.LogInformation("{Verb} run {RunId} of {Pipeline} (seed {Seed}) in {Path}",
                settings.Resume is null ? "Starting" : "Resuming", run.RunId, descriptor.Name, settings.Seed, run.Path);
            if (forced.Count > 0)
            {
                logger.LogInformation("Recomputing from {Step}: {Steps}", settings.From, string.Join(", ", descriptor.Steps.Where(s => forced.Contains(s.Name)).Select(s => s.Name)));
            }

            RunExecutor? executor = null;
            try
            {
                if (live is null)
                {
                    executor = new RunExecutor(run, manifest, options, settings.Seed, forced, earlierRuns, services, logger, new PlainRunProgress(logger));
                    await pipeline.ExecuteAsync(executor, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await live.Progress()
                        .AutoClear(false)
                        .HideCompleted(false)
                        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                        .StartAsync(async context =>
                        {
                            executor = new RunExecutor(run, manifest, options, settings.Seed, forced, earlierRuns, services, logger, new LiveRunProgress(context));
                            await pipeline.ExecuteAsync(executor, cancellationToken).ConfigureAwait(false);
                        }).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Finish(run, manifest, RunStatus.Cancelled, "cancelled");
                logger.LogWarning("Run {RunId} cancelled; continue it with --resume {RunId}", run.RunId, run.RunId);
                output.WriteLine(run.Path);
                return DeclFedExitCode.Cancelled;
            }
            catch (StepFailedException e)
            {
                Finish(run, manifest, RunStatus.Failed, e.Message);
                logger.LogError(e.InnerException, "{Message}", e.Message);
                logger.LogError("Run {RunId} failed; after fixing the cause, continue it with --resume {RunId}", run.RunId, run.RunId);
                output.WriteLine(run.Path);
                return DeclFedExitCode.StepFailed;
            }
            catch (Exception e) when (e is not DeclFedUsageException)
            {
                Finish(run, manifest, RunStatus.Failed, e.Message);
                logger.LogError(e, "Run {RunId} failed: {Message}", run.RunId, e.Message);
                output.WriteLine(run.Path);
                return DeclFedExitCode.StepFailed;
            }

            Finish(run, manifest, RunStatus.Completed, null);
            RemoveEmptyWorkFolder(run);
            var (reused, computed) = executor?.Counts ?? (0, 0);
            logger.LogInformation("Run {RunId} completed: {Computed} computed, {Reused} reused", run.RunId, computed, reused);
            output.WriteLine(run.Path);
            return DeclFedExitCode.Success;
        }
    }

    private static RunManifest ReadForResume(RunDirectory run, PipelineDescriptor descriptor)
    {
        RunManifest manifest;
        try
        {
            manifest = run.ReadManifest();
        }
        catch (InvalidDataException e)
        {
            throw new DeclFedUsageException($"--resume {run.RunId}: {e.Message}");
        }
        if (manifest.Pipeline != descriptor.Name)
        {
            throw new DeclFedUsageException($"--resume {run.RunId}: the run belongs to pipeline '{manifest.Pipeline}', not '{descriptor.Name}'.");
        }
        return manifest;
    }

    /// <summary>The recorded option values and seed of a run, as configuration entries (options the pipeline no longer has are dropped).</summary>
    internal static IEnumerable<KeyValuePair<string, string?>> RecordedConfiguration(RunManifest manifest, PipelineDescriptor descriptor)
    {
        yield return new(HostSettings.SeedKey, manifest.Seed.ToString(CultureInfo.InvariantCulture));
        foreach (var step in descriptor.Steps)
        {
            foreach (var option in step.Options)
            {
                var key = $"{step.Name}:{option.Name}";
                if (!manifest.Configuration.TryGetValue(key, out var value))
                {
                    continue;
                }
                switch (value.ValueKind)
                {
                    case JsonValueKind.String:
                        yield return new(key, value.GetString());
                        break;
                    case JsonValueKind.Number:
                        yield return new(key, value.GetRawText());
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        yield return new(key, value.ValueKind == JsonValueKind.True ? "true" : "false");
                        break;
                    case JsonValueKind.Array when value.GetArrayLength() == 0:
                        yield return new(key, "");
                        break;
                    case JsonValueKind.Array:
                        var index = 0;
                        foreach (var element in value.EnumerateArray())
                        {
                            var text = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
                            yield return new($"{key}:{index++.ToString(CultureInfo.InvariantCulture)}", text);
                        }
                        break;
                }
            }
        }
    }

    private static Dictionary<string, JsonElement> CanonicalConfiguration(ResolvedOptions options)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var option in options.All)
        {
            var buffer = new ArrayBufferWriter<byte>(64);
            using (var json = new Utf8JsonWriter(buffer))
            {
                OptionValues.WriteJson(json, option.Value);
            }
            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            result[option.Key] = document.RootElement.Clone();
        }
        return result;
    }

    /// <summary><paramref name="from"/> and every step that consumes its output, directly or not.</summary>
    private static HashSet<string> Downstream(PipelineDescriptor descriptor, string? from)
    {
        var forced = new HashSet<string>(StringComparer.Ordinal);
        if (from is null)
        {
            return forced;
        }
        var names = descriptor.Steps.Select(static s => s.Name).ToArray();
        var start = names.FirstOrDefault(n => string.Equals(n, from, StringComparison.OrdinalIgnoreCase))
            ?? throw new DeclFedUsageException($"--from {from}: not a step of {descriptor.Name}; steps are {string.Join(", ", names)}{NearestName.Hint(from, names)}");
        forced.Add(start);
        // Steps are in topological order, so one forward pass reaches every descendant.
        foreach (var step in descriptor.Steps)
        {
            if (step.Inputs.Any(input => forced.Contains(input.Producer)))
            {
                forced.Add(step.Name);
            }
        }
        return forced;
    }

    private static void Finish(RunDirectory run, RunManifest manifest, RunStatus status, string? error)
    {
        manifest.Status = status;
        manifest.Error = error;
        manifest.Updated = DateTimeOffset.UtcNow;
        run.WriteManifest(manifest);
    }

    private static void RemoveEmptyWorkFolder(RunDirectory run)
    {
        var work = Path.GetDirectoryName(run.WorkDirectory("step"))!;
        if (Directory.Exists(work) && !Directory.EnumerateFileSystemEntries(work).Any())
        {
            Directory.Delete(work);
        }
    }
}
