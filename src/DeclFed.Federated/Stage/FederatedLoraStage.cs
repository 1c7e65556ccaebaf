using DeclFed.Data;
using DeclFed.Graph;
using DeclFed.Models;
using DeclFed.Federated.Randomness;
using DeclFed.Federated.Simulation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeclFed.Federated;

/// <summary>
/// The runtime of a <see cref="FederatedLoraAttribute"/> stage, called by the code the generator writes: checks the
/// settings against the base model, formats and tokenizes the records, splits them among the simulated clients, runs the
/// federated simulation (checkpointing every round in the step's work directory, so an interrupted run resumes), and
/// returns the fine-tuned model with its report.
/// </summary>
public static class FederatedLoraStage
{
    private const ulong RunScopedStream = 0x464C4F5241UL; // "FLORA"

    /// <summary>Runs the stage inside a pipeline: options, seed, work directory, logging and progress come from <paramref name="context"/>.</summary>
    /// <param name="context">The step's context.</param>
    /// <param name="settings">The stage's settings (the attribute's values after configuration overrides).</param>
    /// <param name="base">The frozen base model.</param>
    /// <param name="train">The training records; their category column drives the non-IID partitions.</param>
    /// <param name="validation">Records to measure the global model's validation loss on, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run; the completed clients of the round in progress are kept in the checkpoint.</param>
    /// <exception cref="ArgumentException">A setting cannot work with these settings or this base model (every problem is listed).</exception>
    /// <exception cref="Partitioning.PartitionException">The records cannot be split as asked (too few records, missing categories, …).</exception>
    public static async ValueTask<LoraModel> RunAsync(StepContext context, FederatedLoraSettings settings, LanguageModel @base,
        Dataset<Instruction> train, Dataset<Instruction>? validation = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var loggers = context.Services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
        var logger = loggers?.CreateLogger("DeclFed.Federated." + context.Step.Name) ?? NullLogger.Instance;
        ArgumentNullException.ThrowIfNull(settings);
        // A run-scoped seed is mixed with a constant, not used as is, so it stays independent of other uses of the run's seed.
        var seed = settings.SeedScope == SeedScope.Run ? DeterministicRandom.MixKeys(context.RunSeed, RunScopedStream) : context.Seed;
        var run = FederatedLoraRun.Prepare(context.Step.Name, settings, @base, train, validation, seed, context.WorkDirectory, logger);
        var progress = new StepProgressAdapter(context);
        // The simulation is CPU-bound and synchronous; keep it off the caller's thread.
        return await Task.Run(() => run.Execute(progress, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the stage outside a pipeline (tests, notebooks, code calling the declared method directly): seed 0, no
    /// checkpoints, no logging.
    /// </summary>
    /// <inheritdoc cref="RunAsync" path="/param[@name='settings']"/>
    /// <inheritdoc cref="RunAsync" path="/exception"/>
    public static LoraModel Run(FederatedLoraSettings settings, LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction>? validation = null) =>
        Run(settings, @base, train, validation, seed: 0);

    /// <summary>Runs the stage outside a pipeline with an explicit seed (no checkpoints, no logging).</summary>
    /// <param name="settings">The stage's settings.</param>
    /// <param name="base">The frozen base model.</param>
    /// <param name="train">The training records.</param>
    /// <param name="validation">Validation records, or <see langword="null"/>.</param>
    /// <param name="seed">The seed of partitioning, sampling, initialisation and data order.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static LoraModel Run(FederatedLoraSettings settings, LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction>? validation,
        ulong seed, CancellationToken cancellationToken = default) =>
        FederatedLoraRun.Prepare("FederatedLora", settings, @base, train, validation, seed, checkpointDirectory: null, NullLogger.Instance)
            .Execute(progress: null, cancellationToken);

    /// <summary>Forwards simulation progress to the step's progress display synchronously (not through a synchronization context).</summary>
    private sealed class StepProgressAdapter(StepContext context) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value)
        {
            var fraction = value.ClientsInRound == 0 ? 0 : (double)value.ClientsDone / value.ClientsInRound;
            var loss = value.MeanLoss is { } l ? $", loss {l:0.000}" : "";
            context.ReportProgress(new StepProgress(Math.Min(value.Round + fraction, value.Rounds), value.Rounds,
                $"round {Math.Min(value.Round + 1, value.Rounds)}/{value.Rounds}, clients {value.ClientsDone}/{value.ClientsInRound}{loss}, " +
                $"down {Communication.CommunicationLedger.FormatBytes(value.BytesDown)}, up {Communication.CommunicationLedger.FormatBytes(value.BytesUp)}"));
        }
    }
}
