using System;
using System.Collections;
using System.Globalization;
using System.Linq;

namespace DeclFed.Stages;

/// <summary>
/// How setting values are written: as option text (an option's default in a descriptor, <c>16,8,4</c>) and as people read
/// them in a problem (<c>[16, 8, 4]</c>, <c>"chatml"</c>). Invariant culture; floating point round-trippable.
/// </summary>
/// <remarks>The generator writes the option text of attribute values the same way (a test holds the two together).</remarks>
public static class SettingText
{
    /// <summary>
    /// The option text of <paramref name="value"/>: numbers invariant (<c>R</c> for floating point), booleans
    /// <c>true</c>/<c>false</c>, enums by member name (by number when no member has the value), lists comma-separated,
    /// <see langword="null"/> for null.
    /// </summary>
    public static string? Option(object? value) => value switch
    {
        null => null,
        string text => text,
        IEnumerable list => string.Join(",", list.Cast<object?>().Select(e => Option(e) ?? string.Empty)),
        _ => Scalar(value),
    };

    /// <summary>How a problem shows <paramref name="value"/>: texts quoted, lists in brackets, <c>null</c> for null.</summary>
    public static string Display(object? value) => value switch
    {
        null => "null",
        string text => "\"" + text + "\"",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Display)) + "]",
        _ => Scalar(value),
    };

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        // A value no member has reads as its number.
        Enum e => e.ToString(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
