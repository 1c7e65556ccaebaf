using System.Collections;

namespace DeclFed.Stages;

/// <summary>The setting is a list with at least one element, or a text that is not empty or white space.</summary>
public sealed class NotEmptyAttribute : SettingConstraintAttribute
{
    /// <inheritdoc/>
    public override void Check(string setting, object? value, SettingProblems problems)
    {
        var empty = value switch
        {
            string text => text.Trim().Length == 0,
            IEnumerable list => !list.GetEnumerator().MoveNext(),
            _ => false,
        };
        if (empty)
        {
            problems.Add(SettingRule.OutOfRange, setting, $"{setting} = {SettingText.Display(value)}: {Why ?? "must not be empty"}");
        }
    }
}
