using System.Collections;
using System.Collections.Generic;

namespace DeclFed.Stages;

/// <summary>The problems <see cref="StageSettings.Validate"/> collects, in the order they were found.</summary>
public sealed class SettingProblems : IReadOnlyList<SettingProblem>
{
    private readonly List<SettingProblem> _problems = new();

    /// <inheritdoc/>
    public int Count => _problems.Count;

    /// <inheritdoc/>
    public SettingProblem this[int index] => _problems[index];

    /// <summary>Reports that <paramref name="setting"/> breaks <paramref name="rule"/>.</summary>
    /// <param name="rule">The rule broken.</param>
    /// <param name="setting">The setting at fault.</param>
    /// <param name="message">Why, naming the setting and its value, and what would work.</param>
    /// <param name="related">Other settings involved; the build-time diagnostic points at the first written one.</param>
    public void Add(SettingRule rule, string setting, string message, params string[] related) =>
        _problems.Add(new SettingProblem(rule, setting, message) { Related = related });

    /// <summary>Reports that element <paramref name="element"/> of list setting <paramref name="setting"/> breaks <paramref name="rule"/>.</summary>
    /// <param name="rule">The rule broken.</param>
    /// <param name="setting">The list setting.</param>
    /// <param name="element">The index of the element at fault.</param>
    /// <param name="message">Why, naming the element, and what would work.</param>
    public void AddAt(SettingRule rule, string setting, int element, string message) =>
        _problems.Add(new SettingProblem(rule, setting, message) { Element = element });

    /// <inheritdoc/>
    public IEnumerator<SettingProblem> GetEnumerator() => _problems.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
