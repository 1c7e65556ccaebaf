using DeclFed.Graph;

namespace DeclFed.Hosting.Configuration;

/// <summary>
/// One step's validated options, read by name: what a running step's <see cref="StepContext.GetOption{T}"/> returns, and what
/// the start-up check of a stage's settings reads them from.
/// </summary>
internal sealed class BoundOptions(StepDescriptor step, IReadOnlyList<ResolvedOption> options) : IOptionSource
{
    /// <inheritdoc/>
    public T GetOption<T>(string name)
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
