using DeclFed.Graph;
using DeclFed.Hosting.Configuration;

namespace DeclFed.Hosting.Execution;

/// <summary>The <see cref="StepContext"/> the host hands to a step body.</summary>
internal sealed class HostStepContext(
    StepDescriptor step,
    IServiceProvider services,
    ulong seed,
    ulong runSeed,
    string workDirectory,
    IReadOnlyList<ResolvedOption> options,
    IRunProgress progress) : StepContext
{
    private readonly BoundOptions _options = new(step, options);

    public override StepDescriptor Step => step;

    public override IServiceProvider Services => services;

    public override ulong Seed => seed;

    public override ulong RunSeed => runSeed;

    public override string WorkDirectory => workDirectory;

    public override T GetOption<T>(string name) => _options.GetOption<T>(name);

    public override void ReportProgress(StepProgress report) => progress.StepProgressed(step, report);
}
