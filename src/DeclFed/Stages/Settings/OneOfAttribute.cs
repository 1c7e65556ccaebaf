using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace DeclFed.Stages;

/// <summary>The text setting (or each element of a text-list setting) is one of <see cref="Values"/> (ordinal, case-sensitive).</summary>
/// <param name="values">The allowed texts, in the order messages list them.</param>
public sealed class OneOfAttribute(params string[] values) : SettingConstraintAttribute
{
    /// <summary>The allowed texts.</summary>
    public IReadOnlyList<string> Values { get; } = values;

    /// <inheritdoc/>
    public override void Check(string setting, object? value, SettingProblems problems)
    {
        var allowed = string.Join(", ", Values);
        if (value is string text)
        {
            if (!Values.Contains(text, StringComparer.Ordinal))
            {
                problems.Add(SettingRule.NotAllowed, setting,
                    $"{setting} = {SettingText.Display(text)} {Why ?? "is not allowed"}{NameSuggestion.DidYouMean(text, Values)}; use one of {allowed}");
            }
            return;
        }
        if (value is not IEnumerable list)
        {
            return;
        }
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var element in list)
        {
            // A null element cannot be one of the texts; it reads as the empty one.
            var item = element as string ?? string.Empty;
            if (!Values.Contains(item, StringComparer.Ordinal) && reported.Add(item))
            {
                problems.AddAt(SettingRule.NotAllowed, setting, index,
                    $"'{item}' in {setting} {Why ?? "is not allowed"}{NameSuggestion.DidYouMean(item, Values)}; use some of {allowed}");
            }
            index++;
        }
    }
}
