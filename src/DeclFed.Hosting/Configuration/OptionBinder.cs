using System.Globalization;
using DeclFed;
using DeclFed.Graph;
using Microsoft.Extensions.Configuration;

namespace DeclFed.Hosting.Configuration;

/// <summary>One option's validated value.</summary>
/// <param name="Step">The step it belongs to.</param>
/// <param name="Option">Its descriptor.</param>
/// <param name="Value">The value, of the CLR type <see cref="StepContext.GetOption{T}"/> hands back.</param>
/// <param name="IsDefault">Whether no configuration source set it.</param>
internal sealed record ResolvedOption(string Step, OptionDescriptor Option, object? Value, bool IsDefault)
{
    /// <summary>The configuration key, <c>Step:Option</c>.</summary>
    public string Key => $"{Step}:{Option.Name}";
}

/// <summary>The validated options of every step of a pipeline.</summary>
internal sealed class ResolvedOptions(IReadOnlyDictionary<string, IReadOnlyList<ResolvedOption>> byStep)
{
    /// <summary>The options of <paramref name="step"/>, in descriptor order.</summary>
    public IReadOnlyList<ResolvedOption> For(string step) => byStep.TryGetValue(step, out var options) ? options : [];

    /// <summary>Every option, step by step.</summary>
    public IEnumerable<ResolvedOption> All => byStep.Values.SelectMany(static options => options);
}

/// <summary>
/// Binds and validates a pipeline's options against the configuration before any work starts: every key under a step
/// section must name an option, every section a step (or a host section), every value must parse for its kind, every
/// enum value must be an allowed member and every required option must be set. All problems are reported at once.
/// </summary>
internal static class OptionBinder
{
    // Keys HostApplicationBuilder itself puts into the configuration (content root, environment, application name).
    private static readonly HashSet<string> HostBuilderKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        Microsoft.Extensions.Hosting.HostDefaults.ContentRootKey,
        Microsoft.Extensions.Hosting.HostDefaults.EnvironmentKey,
        Microsoft.Extensions.Hosting.HostDefaults.ApplicationKey,
    };

    /// <summary>
    /// Binds the options of every step of <paramref name="definition"/>, then checks each declarative stage's settings as
    /// configured (<see cref="IPipelineDefinition.CheckSettings"/>), so an impossible override fails before any step runs.
    /// </summary>
    /// <exception cref="DeclFedUsageException">One or more problems, each naming the key or the stage.</exception>
    public static ResolvedOptions Bind(IPipelineDefinition definition, IConfigurationRoot configuration)
    {
        var pipeline = definition.Descriptor;
        var problems = new List<string>();
        CheckKeys(pipeline, configuration, problems);
        var byStep = new Dictionary<string, IReadOnlyList<ResolvedOption>>(StringComparer.Ordinal);
        foreach (var step in pipeline.Steps)
        {
            var options = new List<ResolvedOption>(step.Options.Count);
            foreach (var option in step.Options)
            {
                var key = $"{step.Name}:{option.Name}";
                var (found, scalar, elements) = Lookup(configuration, key);
                object? value;
                if (found)
                {
                    var problem = OptionValues.TryParse(option, scalar, elements, out value);
                    if (problem is not null)
                    {
                        problems.Add($"{key}: {problem}{(problem.EndsWith('?') || problem.EndsWith('.') ? "" : ".")}");
                        continue;
                    }
                    if (value is null && OptionValues.IsRequired(option))
                    {
                        problems.Add($"{key}: required option is set to nothing; give it a {OptionValues.Describe(option)}.");
                        continue;
                    }
                }
                else if (option.DefaultValue is not null)
                {
                    var problem = OptionValues.TryParse(option, option.DefaultValue, null, out value);
                    if (problem is not null)
                    {
                        problems.Add($"{key}: the declared default does not parse: {problem}.");
                        continue;
                    }
                }
                else if (OptionValues.IsRequired(option))
                {
                    problems.Add($"{key}: required option is not set; set it with --{key}=value, " +
                        $"the environment variable DECLFED_{step.Name}__{option.Name} or \"{step.Name}\": {{ \"{option.Name}\": ... }} in appsettings.json.");
                    continue;
                }
                else
                {
                    value = null;
                }
                options.Add(new ResolvedOption(step.Name, option, value, !found));
            }
            byStep[step.Name] = options;
            if (options.Count == step.Options.Count)
            {
                problems.AddRange(definition.CheckSettings(step, new BoundOptions(step, options)).Select(p => $"{step.Name}: {p.Message}."));
            }
        }
        if (problems.Count > 0)
        {
            throw new DeclFedUsageException(problems);
        }
        return new ResolvedOptions(byStep);
    }

    /// <summary>
    /// Finds <paramref name="key"/> in the highest-priority source that defines it, either as a scalar or as a list of
    /// indexed children (a JSON array), so a list from the command line is never mixed with a list from appsettings.json.
    /// </summary>
    private static (bool Found, string? Scalar, IReadOnlyList<string?>? Elements) Lookup(IConfigurationRoot configuration, string key)
    {
        var providers = configuration.Providers.ToArray();
        for (var p = providers.Length - 1; p >= 0; p--)
        {
            var provider = providers[p];
            if (provider.TryGet(key, out var scalar) && (scalar is { Length: > 0 } || !HasChildren(provider, key)))
            {
                return (true, scalar, null);
            }
            if (HasChildren(provider, key))
            {
                var children = provider.GetChildKeys([], key).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                var indices = new List<int>(children.Count);
                foreach (var child in children)
                {
                    // Non-index children are reported by CheckKeys; skip them here.
                    if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    {
                        indices.Add(index);
                    }
                }
                indices.Sort();
                var elements = new string?[indices.Count];
                for (var i = 0; i < indices.Count; i++)
                {
                    provider.TryGet($"{key}:{indices[i].ToString(CultureInfo.InvariantCulture)}", out elements[i]);
                }
                return (true, null, elements);
            }
        }
        return (false, null, null);
    }

    private static bool HasChildren(IConfigurationProvider provider, string key) => provider.GetChildKeys([], key).Any();

    private static void CheckKeys(PipelineDescriptor pipeline, IConfiguration configuration, List<string> problems)
    {
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var stepNames = pipeline.Steps.Select(static s => s.Name).ToArray();
        foreach (var (key, value) in configuration.AsEnumerable().OrderBy(static e => e.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (value is null)
            {
                continue;
            }
            var parts = key.Split(':');
            var section = parts[0];
            if (string.Equals(section, HostSettings.LoggingSection, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (string.Equals(section, HostSettings.Section, StringComparison.OrdinalIgnoreCase))
            {
                if (parts.Length != 2 || !HostSettings.Names.Contains(parts[1], StringComparer.OrdinalIgnoreCase))
                {
                    Report($"{key}: not a host setting; host settings are {string.Join(", ", HostSettings.Names.Select(n => $"{HostSettings.Section}:{n}"))}" +
                        NearestName.Hint(parts.Length > 1 ? parts[1] : key, HostSettings.Names), key);
                }
                continue;
            }
            var step = pipeline.Steps.FirstOrDefault(s => string.Equals(s.Name, section, StringComparison.OrdinalIgnoreCase));
            if (step is null && parts.Length == 1 && HostBuilderKeys.Contains(section))
            {
                continue;
            }
            if (step is null)
            {
                Report($"{section}: not a step of {pipeline.Name}; steps are {string.Join(", ", stepNames)}{NearestName.Hint(section, stepNames)}", section);
                continue;
            }
            var optionNames = step.Options.Select(static o => o.Name).ToArray();
            var valid = optionNames.Length == 0 ? $"{step.Name} has no options" : $"options of {step.Name} are {string.Join(", ", optionNames)}";
            if (parts.Length == 1)
            {
                Report($"{key}: a step takes options, not a value (--{step.Name}:<Option>=value); {valid}.", key);
                continue;
            }
            var option = step.Options.FirstOrDefault(o => string.Equals(o.Name, parts[1], StringComparison.OrdinalIgnoreCase));
            if (option is null)
            {
                Report($"{step.Name}:{parts[1]}: not an option of step {step.Name}; {valid}{NearestName.Hint(parts[1], optionNames)}", $"{section}:{parts[1]}");
                continue;
            }
            var isList = option.Kind is OptionKind.Int32Array or OptionKind.DoubleArray or OptionKind.StringArray;
            if (parts.Length > 2 && !(isList && parts.Length == 3 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                Report($"{key}: {step.Name}:{option.Name} holds a value ({OptionValues.Describe(option)}), not a section.", key);
            }
        }

        void Report(string problem, string dedupKey)
        {
            if (reported.Add(dedupKey))
            {
                problems.Add(problem);
            }
        }
    }
}
