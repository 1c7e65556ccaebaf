using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;

namespace DeclFed.Stages;

/// <summary>
/// A constraint on a number, or on every element of a list of numbers (each bad value is reported once, at its first
/// element). NaN breaks every number constraint.
/// </summary>
public abstract class NumberConstraintAttribute : SettingConstraintAttribute
{
    /// <summary>The generic explanation of why <paramref name="value"/> breaks the constraint (<c>must be at least 1</c>), or null when it holds.</summary>
    protected abstract string? Violation(double value);

    /// <inheritdoc/>
    public sealed override void Check(string setting, object? value, SettingProblems problems)
    {
        if (value is IEnumerable list and not string)
        {
            var seen = new HashSet<double>();
            var index = 0;
            foreach (var element in list)
            {
                if (AsNumber(element) is { } number && Violation(number) is { } why && seen.Add(number))
                {
                    problems.AddAt(SettingRule.OutOfRange, setting, index,
                        $"{setting}[{index}] = {SettingText.Display(element)}: {Why ?? why}");
                }
                index++;
            }
        }
        else if (AsNumber(value) is { } number && Violation(number) is { } why)
        {
            problems.Add(SettingRule.OutOfRange, setting, $"{setting} = {SettingText.Display(value)}: {Why ?? why}");
        }
    }

    /// <summary>The bound as people read it.</summary>
    protected static string Text(double bound) => bound.ToString("R", CultureInfo.InvariantCulture);

    private static double? AsNumber(object? value) => value switch
    {
        int i => i,
        long l => l,
        double d => d,
        float f => f,
        _ => null,
    };
}
