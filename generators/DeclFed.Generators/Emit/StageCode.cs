using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DeclFed.Generators.Model;

namespace DeclFed.Generators.Emit;

/// <summary>The C# the executor and the standalone bodies share for a declarative stage: the runtime call and setting values.</summary>
internal static class StageCode
{
    /// <summary>
    /// The lambda body that runs the stage: <c>Runtime.RunAsync(context, settings, inputs…, cancellationToken: ct)</c>, as a
    /// <c>ValueTask&lt;T&gt;</c> (a <c>Task&lt;T&gt;</c> is wrapped). The token goes by name, so omitted optional inputs keep their defaults.
    /// </summary>
    public static string RunAsync(StageCallSpec call, string artifactTypeName, string context, string settings, IEnumerable<string> inputs, string token)
    {
        var arguments = new[] { context, settings }.Concat(inputs).Concat(new[] { call.TokenParameter + ": " + token });
        var invocation = $"{call.RuntimeTypeName}.RunAsync({string.Join(", ", arguments)})";
        return call.Shape == ReturnShape.ValueTask ? invocation : $"new global::System.Threading.Tasks.ValueTask<{artifactTypeName}>({invocation})";
    }

    /// <summary>The value as a C# expression for a settings initializer (<c>20</c>, <c>0.5</c>, <c>new int[] { 16, 8 }</c>, <c>global::N.Aggregation.FLoRA</c>).</summary>
    public static string Literal(SettingValue value)
    {
        if (value.IsNull)
        {
            // Written as null in the attribute: the stage's analyzer reports it, and the compiler has warned there already.
            return "null!";
        }
        if (!value.IsList)
        {
            return Scalar(value.Kind, value.Items[0].Text, value.EnumTypeName);
        }
        var (element, kind) = value.Kind switch
        {
            OptionValueKind.Int32Array => ("int", OptionValueKind.Int32),
            OptionValueKind.DoubleArray => ("double", OptionValueKind.Double),
            _ => ("string", OptionValueKind.String),
        };
        return value.Items.IsEmpty
            ? $"global::System.Array.Empty<{element}>()"
            : $"new {element}[] {{ {string.Join(", ", value.Items.Select(i => Scalar(kind, i.Text, string.Empty)))} }}";
    }

    private static string Scalar(OptionValueKind kind, string? text, string enumTypeName) => (kind, text) switch
    {
        (_, null) => "null!",
        (OptionValueKind.String, _) => CSharpText.Literal(text),
        (OptionValueKind.Double, _) => Floating(text, "double", string.Empty),
        (OptionValueKind.Single, _) => Floating(text, "float", "f"),
        (OptionValueKind.Int64, _) => text + "L",
        // A member name, or the number of a value no member has.
        (OptionValueKind.Enum, _) when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => $"({enumTypeName})({text})",
        (OptionValueKind.Enum, _) => enumTypeName + "." + Parsing.TypeNames.Identifier(text),
        _ => text,
    };

    private static string Floating(string text, string keyword, string suffix) => text switch
    {
        "NaN" => keyword + ".NaN",
        "Infinity" or "∞" => keyword + ".PositiveInfinity",
        "-Infinity" or "-∞" => keyword + ".NegativeInfinity",
        // "2" would be an int literal (converted without loss, but the generated code should say what it means).
        _ when text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 => text + suffix,
        _ => text + ".0" + suffix,
    };
}
