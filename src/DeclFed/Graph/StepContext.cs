namespace DeclFed.Graph;

/// <summary>
/// What a running step can reach: its options (already validated against the descriptor), the run's seed,
/// services, progress reporting and a work directory for its own intermediate checkpoints.
/// </summary>
public abstract class StepContext : IOptionSource
{
    /// <summary>The step being run.</summary>
    public abstract StepDescriptor Step { get; }

    /// <summary>The run's services (logging, configuration, user registrations).</summary>
    public abstract IServiceProvider Services { get; }

    /// <summary>
    /// This step's seed, derived deterministically from the run's seed (<c>--seed</c>) and <see cref="StepDescriptor.Name"/>:
    /// the same run seed always gives a step the same seed, and different steps get independent ones.
    /// </summary>
    public abstract ulong Seed { get; }

    /// <summary>The run's seed (<c>--seed</c>), from which every step's <see cref="Seed"/> is derived; for work that several steps must draw identically.</summary>
    public abstract ulong RunSeed { get; }

    /// <summary>
    /// A directory private to this step for checkpoints taken while it runs (for example one per federated round).
    /// It survives an interrupted run, so a resumed step continues from its last checkpoint, and is deleted once the step's artifact is stored.
    /// </summary>
    public abstract string WorkDirectory { get; }

    /// <inheritdoc/>
    public abstract T GetOption<T>(string name);

    /// <summary>Reports progress of a long step (shown live on an interactive console, logged otherwise).</summary>
    public abstract void ReportProgress(StepProgress progress);
}

/// <summary>A progress report: <paramref name="Completed"/> of <paramref name="Total"/> units, and a short status line.</summary>
public readonly record struct StepProgress(double Completed, double Total, string Status);
