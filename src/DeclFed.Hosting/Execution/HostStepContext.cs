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
    public override StepDescriptor Step => step;

    public override IServiceProvider Services => services;

    public override ulong Seed => seed;

    public override ulong RunSeed => runSeed;

    public override string WorkDirectory => workDirectory;

    public override T GetOption<T>(string name)
    {
        var option = Find(name);
        return option.Value switch
        {
            T typed => typed,
            null when default(T) is null => default!,
            null => throw new InvalidOperationException(
                $"Option {option.Key} is not set; it cannot be read as non-nullable {typeof(T).Name}."),
            var other => throw new InvalidOperationException(
                $"Option {option.Key} holds a {option.Option.Kind} ({other.GetType().Name}); it cannot be read as {typeof(T).Name}."),
        };
    }

    public override void ReportProgress(StepProgress report) => progress.StepProgressed(step, report);

    private ResolvedOption Find(string name)
    {
        foreach (var option in options)
        {
            if (string.Equals(option.Option.Name, name, StringComparison.Ordinal))
            {
                return option;
            }
        }
        foreach (var option in options)
        {
            if (string.Equals(option.Option.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return option;
            }
        }
        var names = options.Select(static o => o.Option.Name).ToArray();
        throw new InvalidOperationException(names.Length == 0
            ? $"Step '{step.Name}' has no options; '{name}' was requested."
            : $"Step '{step.Name}' has no option '{name}'; its options are {string.Join(", ", names)}{NearestName.Hint(name, names)}");
    }
}
