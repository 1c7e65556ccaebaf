using System.Collections;
using System.Collections.Generic;

namespace DeclFed.Stages;

/// <summary>The list setting names each value at most once (reported at the second occurrence).</summary>
public sealed class DistinctAttribute : SettingConstraintAttribute
{
    /// <inheritdoc/>
    public override void Check(string setting, object? value, SettingProblems problems)
    {
        if (value is not IEnumerable list || value is string)
        {
            return;
        }
        var seen = new HashSet<string>();
        var reported = new HashSet<string>();
        var index = 0;
        foreach (var element in list)
        {
            var key = SettingText.Display(element);
            if (!seen.Add(key) && reported.Add(key))
            {
                problems.AddAt(SettingRule.Repeated, setting, index,
                    $"{(element is string text ? $"'{text}'" : key)} is listed more than once in {setting}{(Why is null ? string.Empty : "; " + Why)}; list each value once");
            }
            index++;
        }
    }
}
