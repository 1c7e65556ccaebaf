using DeclFed.Graph;

namespace DeclFed.Stages;

/// <summary>The options of one use of a stage: the stage's options with the attribute's written values as their defaults.</summary>
public static class StageOptions
{
    /// <summary>
    /// <paramref name="options"/>, each whose name <paramref name="written"/> gives taking that option text as its default
    /// (configuration may still override it).
    /// </summary>
    /// <param name="options">The stage's options (<see cref="IStageSettings{TSelf}.Options"/>).</param>
    /// <param name="written">The settings the attribute writes: name and option text (<c>("Ranks", "16,8,4")</c>).</param>
    /// <exception cref="ArgumentException">A written name is not an option of the stage.</exception>
    public static IReadOnlyList<OptionDescriptor> WithDefaults(IReadOnlyList<OptionDescriptor> options, params (string Name, string? Default)[] written)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(written);
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in written)
        {
            if (!options.Any(o => o.Name == name))
            {
                throw new ArgumentException($"'{name}' is not a setting of this stage; its settings are {string.Join(", ", options.Select(o => o.Name))}.", nameof(written));
            }
            defaults[name] = value;
        }
        return [.. options.Select(o => defaults.TryGetValue(o.Name, out var value) ? o with { DefaultValue = value } : o)];
    }
}
