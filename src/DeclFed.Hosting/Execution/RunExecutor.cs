using System.Diagnostics;
using DeclFed.Graph;
using DeclFed.Hosting.Configuration;
using DeclFed.Hosting.Runs;
using DeclFed.IO;
using Microsoft.Extensions.Logging;

namespace DeclFed.Hosting.Execution;

/// <summary>
/// The host's <see cref="IStepExecutor"/>: fingerprints each step, reuses a completed artifact with the same fingerprint
/// (from this run when resuming, else from the newest earlier run), otherwise runs the body and stores the output
/// atomically, recording every change of state in the run's manifest.
/// </summary>
internal sealed class RunExecutor : IStepExecutor
{
    private readonly RunDirectory _run;
    private readonly RunManifest _manifest;
    private readonly ResolvedOptions _options;
    private readonly ulong _runSeed;
    private readonly IReadOnlySet<string> _forced;
    private readonly IReadOnlyList<RunSummary> _earlierRuns;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly IRunProgress _progress;
    private readonly Dictionary<string, string> _fingerprints = new(StringComparer.Ordinal);
    private readonly Lock _manifestLock = new();

    /// <summary>Creates the executor of one run.</summary>
    /// <param name="run">The run folder (locked by the caller).</param>
    /// <param name="manifest">The run's manifest, holding a record for every step.</param>
    /// <param name="options">The validated options.</param>
    /// <param name="runSeed">The run seed.</param>
    /// <param name="forced">Steps to recompute even when a reusable artifact exists (<c>--from</c> and downstream).</param>
    /// <param name="earlierRuns">Earlier runs of the pipeline, newest first, searched for reusable artifacts.</param>
    /// <param name="services">The run's services, handed to step bodies.</param>
    /// <param name="logger">The run's logger.</param>
    /// <param name="progress">The progress display.</param>
    public RunExecutor(RunDirectory run, RunManifest manifest, ResolvedOptions options, ulong runSeed, IReadOnlySet<string> forced,
        IReadOnlyList<RunSummary> earlierRuns, IServiceProvider services, ILogger logger, IRunProgress progress)
    {
        _run = run;
        _manifest = manifest;
        _options = options;
        _runSeed = runSeed;
        _forced = forced;
        _earlierRuns = earlierRuns;
        _services = services;
        _logger = logger;
        _progress = progress;
    }

    /// <summary>How many steps were reused and how many computed so far.</summary>
    public (int Reused, int Computed) Counts { get; private set; }

    /// <inheritdoc/>
    public async ValueTask<T> RunAsync<T>(StepDescriptor step, Func<StepContext, CancellationToken, ValueTask<T>> body, CancellationToken cancellationToken)
        where T : IArtifact<T>
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(body);
        cancellationToken.ThrowIfCancellationRequested();

        var format = T.Format;
        var stepSeed = StepSeed.Derive(_runSeed, step.Name);
        var options = _options.For(step.Name);
        var fingerprint = StepFingerprint.Compute(step, format.Name, stepSeed, options, _fingerprints);
        var record = _manifest.FindStep(step.Name)
            ?? throw new InvalidOperationException($"The manifest of run {_run.RunId} has no record of step '{step.Name}'.");
        var artifactPath = _run.ArtifactPath(step.Name, format.Extension);

        if (!_forced.Contains(step.Name))
        {
            var reused = await TryReuseAsync(step, format, record, fingerprint, artifactPath, cancellationToken).ConfigureAwait(false);
            if (reused is not null)
            {
                _fingerprints[step.Name] = fingerprint;
                Counts = (Counts.Reused + 1, Counts.Computed);
                _progress.StepFinished(step, StepOutcome.Reused);
                return reused;
            }
        }

        var workDirectory = _run.WorkDirectory(step.Name);
        if (record.Fingerprint != fingerprint || _forced.Contains(step.Name))
        {
            // Checkpoints of a different configuration (or of a step being recomputed on purpose) must not leak into this one.
            AtomicFile.DeleteQuietly(workDirectory);
        }
        else if (Directory.Exists(workDirectory))
        {
            _logger.LogInformation("{Step}: resuming; checkpoints of the interrupted attempt are in its work directory", step.Name);
        }
        Directory.CreateDirectory(workDirectory);
        Update(record, r =>
        {
            r.Status = StepStatus.Running;
            r.Fingerprint = fingerprint;
            r.Started = DateTimeOffset.UtcNow;
            r.Ended = null;
            r.Seconds = null;
            r.Artifact = null;
            r.Format = null;
            r.ReusedFrom = null;
            r.Error = null;
        });
        _logger.LogInformation("{Step}: computing", step.Name);
        _progress.StepStarted(step);
        var clock = Stopwatch.StartNew();
        var context = new HostStepContext(step, _services, stepSeed, _runSeed, workDirectory, options, _progress);
        T value;
        try
        {
            value = await body(context, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the step returned null; a step must return a {step.OutputType}.");
            await AtomicFile.WriteAsync(artifactPath, format.Extension.Length == 0,
                (temporary, token) => format.WriteAsync(value, temporary, token), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Update(record, r => Finish(r, StepStatus.Cancelled, clock, error: "cancelled"));
            _progress.StepFinished(step, StepOutcome.Cancelled);
            _logger.LogWarning("{Step}: cancelled after {Seconds:0.00} s; no artifact was stored", step.Name, clock.Elapsed.TotalSeconds);
            throw;
        }
        catch (Exception e)
        {
            Update(record, r => Finish(r, StepStatus.Failed, clock, error: $"{e.GetType().Name}: {e.Message}"));
            _progress.StepFinished(step, StepOutcome.Failed);
            throw new StepFailedException(step.Name, e);
        }
        Update(record, r =>
        {
            Finish(r, StepStatus.Completed, clock, error: null);
            r.Artifact = Path.GetFileName(artifactPath);
            r.Format = format.Name;
        });
        AtomicFile.DeleteQuietly(workDirectory);
        _fingerprints[step.Name] = fingerprint;
        Counts = (Counts.Reused, Counts.Computed + 1);
        _progress.StepFinished(step, StepOutcome.Computed);
        _logger.LogInformation("{Step}: completed in {Seconds:0.00} s -> {Artifact}", step.Name, clock.Elapsed.TotalSeconds, Path.GetFileName(artifactPath));
        return value;
    }

    private async ValueTask<T?> TryReuseAsync<T>(StepDescriptor step, IArtifactFormat<T> format, StepRecord record, string fingerprint,
        string artifactPath, CancellationToken cancellationToken)
        where T : IArtifact<T>
    {
        // This run first (a resumed run keeps what it completed), then earlier runs, newest first.
        if (record.Status == StepStatus.Completed && record.Fingerprint == fingerprint && record.Format == format.Name && Exists(artifactPath))
        {
            var value = await TryReadAsync(step, format, artifactPath, cancellationToken).ConfigureAwait(false);
            if (value is not null)
            {
                _logger.LogInformation("{Step}: reused (completed earlier in this run)", step.Name);
                return value;
            }
        }
        foreach (var earlier in _earlierRuns)
        {
            var candidate = earlier.Manifest?.FindStep(step.Name);
            if (candidate is not { Status: StepStatus.Completed, Artifact: not null } || candidate.Fingerprint != fingerprint || candidate.Format != format.Name)
            {
                continue;
            }
            var source = Path.Combine(earlier.Directory.Path, candidate.Artifact);
            if (!Exists(source))
            {
                continue;
            }
            var value = await TryReadAsync(step, format, source, cancellationToken).ConfigureAwait(false);
            if (value is null)
            {
                continue;
            }
            var started = DateTimeOffset.UtcNow;
            await AtomicFile.CopyAsync(source, artifactPath, cancellationToken).ConfigureAwait(false);
            Update(record, r =>
            {
                r.Status = StepStatus.Completed;
                r.Fingerprint = fingerprint;
                r.Started = started;
                r.Ended = DateTimeOffset.UtcNow;
                r.Seconds = 0;
                r.Artifact = Path.GetFileName(artifactPath);
                r.Format = format.Name;
                r.ReusedFrom = earlier.RunId;
                r.Error = null;
            });
            _logger.LogInformation("{Step}: cache hit, reused from run {RunId}", step.Name, earlier.RunId);
            return value;
        }
        return default;
    }

    private async ValueTask<T?> TryReadAsync<T>(StepDescriptor step, IArtifactFormat<T> format, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await format.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or FormatException)
        {
            _logger.LogWarning("{Step}: the stored artifact '{Path}' cannot be read ({Message}); recomputing", step.Name, path, e.Message);
            return default;
        }
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static void Finish(StepRecord record, StepStatus status, Stopwatch clock, string? error)
    {
        record.Status = status;
        record.Ended = DateTimeOffset.UtcNow;
        record.Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        record.Error = error;
    }

    private void Update(StepRecord record, Action<StepRecord> change)
    {
        lock (_manifestLock)
        {
            change(record);
            _manifest.Updated = DateTimeOffset.UtcNow;
            _run.WriteManifest(_manifest);
        }
    }
}
