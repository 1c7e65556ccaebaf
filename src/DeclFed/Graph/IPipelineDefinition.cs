namespace DeclFed.Graph;

/// <summary>
/// What the source generator emits for each pipeline: the descriptor and a typed executor that runs the
/// steps in topological order, handing outputs to inputs through typed locals.
/// </summary>
public interface IPipelineDefinition
{
    /// <summary>The static graph.</summary>
    PipelineDescriptor Descriptor { get; }

    /// <summary>
    /// Runs every step through <paramref name="executor"/>, which decides whether each one is computed or
    /// reused from the run directory.
    /// </summary>
    Task ExecuteAsync(IStepExecutor executor, CancellationToken cancellationToken);

    /// <summary>
    /// The problems of a declarative stage's settings as <paramref name="options"/> configure them
    /// (<see cref="Stages.StageSettings.Validate"/>); empty for an ordinary step. The host calls it for every step before
    /// any step runs, so an impossible override fails at start-up.
    /// </summary>
    /// <param name="step">The step.</param>
    /// <param name="options">The step's validated options.</param>
    IReadOnlyList<Stages.SettingProblem> CheckSettings(StepDescriptor step, IOptionSource options) => [];
}

/// <summary>
/// Runs one step on behalf of the generated executor: fingerprints it, reuses a completed artifact when the
/// fingerprint matches, otherwise invokes the body and stores its output atomically.
/// </summary>
public interface IStepExecutor
{
    /// <summary>Runs or reuses step <paramref name="step"/>, whose output is of type <typeparamref name="T"/>.</summary>
    /// <param name="step">The step's descriptor.</param>
    /// <param name="body">Computes the output; called only when no reusable artifact exists.</param>
    /// <param name="cancellationToken">Stops the run at the next safe point.</param>
    ValueTask<T> RunAsync<T>(StepDescriptor step, Func<StepContext, CancellationToken, ValueTask<T>> body, CancellationToken cancellationToken)
        where T : IArtifact<T>;
}
