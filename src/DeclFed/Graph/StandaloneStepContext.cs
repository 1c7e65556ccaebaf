namespace DeclFed.Graph;

/// <summary>
/// Runs a declarative stage outside a pipeline: what the generator writes as the body of a stage's partial method, for code
/// that calls the method directly (tests, notebooks). Seed 0, no options, no services, no progress display, and a private
/// temporary work directory that is deleted afterwards (so nothing is resumed).
/// </summary>
public sealed class StandaloneStepContext : StepContext
{
    private readonly StepDescriptor _step;
    private readonly string _workDirectory;

    private StandaloneStepContext(StepDescriptor step, string workDirectory)
    {
        _step = step;
        _workDirectory = workDirectory;
    }

    /// <summary>Runs <paramref name="body"/> as step <paramref name="name"/> of kind <paramref name="kind"/> and waits for its result.</summary>
    /// <typeparam name="T">The artifact.</typeparam>
    /// <param name="name">The step's name (the method name).</param>
    /// <param name="kind">The stage's kind.</param>
    /// <param name="outputType">The artifact type as people read it.</param>
    /// <param name="body">Runs the stage with the given context.</param>
    public static T Run<T>(string name, string kind, string outputType, Func<StepContext, CancellationToken, ValueTask<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var step = new StepDescriptor(name, kind, outputType, [], [], CodeHash: string.Empty, Description: string.Empty);
        var directory = Path.Combine(Path.GetTempPath(), "declfed-standalone-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            // The stage runs on the thread pool; blocking here is safe outside a synchronization context, which is where
            // a synchronous partial method is called from.
            return Task.Run(() => body(new StandaloneStepContext(step, directory), CancellationToken.None).AsTask()).GetAwaiter().GetResult();
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file still open elsewhere keeps the temporary folder; the OS cleans the temp directory.
            }
        }
    }

    /// <inheritdoc/>
    public override StepDescriptor Step => _step;

    /// <inheritdoc/>
    public override IServiceProvider Services { get; } = new NoServices();

    /// <inheritdoc/>
    public override ulong Seed => 0;

    /// <inheritdoc/>
    public override ulong RunSeed => 0;

    /// <inheritdoc/>
    public override string WorkDirectory => _workDirectory;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Always: a standalone run has no configuration.</exception>
    public override T GetOption<T>(string name) =>
        throw new InvalidOperationException($"{_step.Name} runs outside a pipeline and has no option '{name}'; its settings are the attribute's values.");

    /// <inheritdoc/>
    public override void ReportProgress(StepProgress progress)
    {
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
