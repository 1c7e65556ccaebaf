using System.Collections.Generic;

namespace DeclFed.Stages;

/// <summary>One setting that cannot work: the rule it breaks, the setting, and why in one sentence that says what would work.</summary>
/// <param name="Rule">The rule broken (its ID is the build-time diagnostic).</param>
/// <param name="Setting">The setting at fault, e.g. <c>ClientsPerRound</c> (the attribute property and option name).</param>
/// <param name="Message">The problem, naming the setting and its value, e.g. <c>ClientsPerRound = 12 is more than the 10 clients; …</c>.</param>
public sealed record SettingProblem(SettingRule Rule, string Setting, string Message)
{
    /// <summary>
    /// Other settings the problem involves, in order of relevance: at build time the diagnostic points at the first of
    /// <see cref="Setting"/> and these that the attribute writes (so a problem caused by <c>Clients = 4</c> points there).
    /// </summary>
    public IReadOnlyList<string> Related { get; init; } = System.Array.Empty<string>();

    /// <summary>For a problem with one element of a list setting, that element's index; -1 otherwise.</summary>
    public int Element { get; init; } = -1;

    /// <inheritdoc/>
    public override string ToString() => Message;
}
