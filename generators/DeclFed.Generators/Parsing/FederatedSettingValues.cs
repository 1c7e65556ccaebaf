using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using DeclFed.Generators.Diagnostics;
using DeclFed.Generators.Emit;
using DeclFed.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DeclFed.Generators.Parsing;

/// <summary>The value of an enum setting: its number, and its member name when it names one.</summary>
internal sealed record EnumSettingValue(long Number, string? Member);

/// <summary>
/// The settings of one <c>[FederatedLoRA]</c> attribute: the value of every setting (the written one, else the default), which
/// ones were written, and where each written argument (and each element of a written list) is, for diagnostics.
/// Values are typed like <see cref="FederatedSetting.Default"/>, except enums (<see cref="EnumSettingValue"/>) and lists
/// written as <c>null</c> (null).
/// </summary>
internal sealed class FederatedSettingValues
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AttributeArgumentSyntax> _arguments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _enumMembers = new(StringComparer.Ordinal);

    private FederatedSettingValues(LocationInfo? attributeLocation) => AttributeLocation = attributeLocation;

    /// <summary>Where the attribute is (diagnostics about settings that were not written point here).</summary>
    public LocationInfo? AttributeLocation { get; }

    /// <summary>The settings written in the attribute, in table order.</summary>
    public List<FederatedSetting> Written { get; } = new();

    /// <summary>Whether an argument could not be read (a non-constant or mistyped value the compiler reports).</summary>
    public bool HasUnreadableArguments { get; private set; }

    /// <summary>Reads <paramref name="attribute"/>; <paramref name="compilation"/> gives the member names of the enums.</summary>
    public static FederatedSettingValues Read(AttributeData attribute, Compilation compilation, CancellationToken cancellationToken)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var values = new FederatedSettingValues(LocationInfo.From(syntax));
        foreach (var argument in syntax?.ArgumentList?.Arguments ?? default)
        {
            if (argument.NameEquals is { } name)
            {
                values._arguments[name.Name.Identifier.ValueText] = argument;
            }
        }
        foreach (var setting in FederatedSettingTable.All)
        {
            if (setting.EnumMetadataName is { } enumName && compilation.GetTypeByMetadataName(enumName) is { TypeKind: TypeKind.Enum } enumType)
            {
                values._enumMembers[setting.Name] = enumType.GetMembers().OfType<IFieldSymbol>().Where(f => f.IsConst).Select(f => f.Name).ToList();
            }
            values._values[setting.Name] = setting.Kind == OptionValueKind.Enum
                ? new EnumSettingValue(EnumNumber(setting, compilation, (string)setting.Default), (string)setting.Default)
                : setting.Default;
        }

        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in attribute.NamedArguments)
        {
            if (FederatedSettingTable.Find(pair.Key) is not { } setting)
            {
                continue;
            }
            if (pair.Value.Kind == TypedConstantKind.Error || !TryConvert(setting, pair.Value, values, out var value))
            {
                values.HasUnreadableArguments = true;
                continue;
            }
            values._values[setting.Name] = value;
            written.Add(setting.Name);
        }
        // An argument the compiler could not bind (a non-constant value) is missing from NamedArguments but present in the syntax.
        if (syntax?.ArgumentList is { } list && list.Arguments.Any(a => a.NameEquals is { } n && FederatedSettingTable.Find(n.Name.Identifier.ValueText) is not null && !written.Contains(n.Name.Identifier.ValueText)))
        {
            values.HasUnreadableArguments = true;
        }
        values.Written.AddRange(FederatedSettingTable.All.Where(s => written.Contains(s.Name)));
        return values;
    }

    /// <summary>The enum's member names in declaration order, or null when the enum type is not found.</summary>
    public IReadOnlyList<string>? EnumMembers(string setting) => _enumMembers.TryGetValue(setting, out var members) ? members : null;

    public int Int(string setting) => (int)_values[setting]!;

    public double Double(string setting) => (double)_values[setting]!;

    public string? String(string setting) => (string?)_values[setting];

    public EnumSettingValue Enum(string setting) => (EnumSettingValue)_values[setting]!;

    public int[]? Ints(string setting) => (int[]?)_values[setting];

    public double[]? Doubles(string setting) => (double[]?)_values[setting];

    public string[]? Strings(string setting) => (string[]?)_values[setting];

    public bool IsWritten(string setting) => Written.Any(s => s.Name == setting);

    /// <summary>
    /// Where a problem of <paramref name="settings"/> is shown: the first of them written in the attribute (its element
    /// <paramref name="element"/> when that is given and the list is written element by element), else the attribute.
    /// </summary>
    public LocationInfo? LocationOf(IReadOnlyList<string> settings, int element = -1)
    {
        for (var i = 0; i < settings.Count; i++)
        {
            if (IsWritten(settings[i]) && _arguments.TryGetValue(settings[i], out var argument))
            {
                if (i == 0 && element >= 0 && Elements(argument.Expression) is { } elements && element < elements.Count)
                {
                    return LocationInfo.From(elements[element]);
                }
                return LocationInfo.From(argument);
            }
        }
        return AttributeLocation;
    }

    /// <summary>The value as C# source for the standalone body (<c>20</c>, <c>0.5</c>, <c>new int[] { 16, 8 }</c>, <c>global::DeclFed.Aggregation.FLoRA</c>).</summary>
    public string Code(FederatedSetting setting) => _values[setting.Name] switch
    {
        // Written as null in the attribute (which is reported); the compiler has warned there already.
        null => "null!",
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => DoubleCode(d),
        string s => CSharpText.Literal(s),
        EnumSettingValue { Member: { } member } => setting.EnumTypeName + "." + TypeNames.Identifier(member),
        EnumSettingValue e => $"({setting.EnumTypeName})({e.Number.ToString(CultureInfo.InvariantCulture)})",
        int[] { Length: 0 } => "global::System.Array.Empty<int>()",
        double[] { Length: 0 } => "global::System.Array.Empty<double>()",
        string[] { Length: 0 } => "global::System.Array.Empty<string>()",
        int[] ints => "new int[] { " + string.Join(", ", ints.Select(i => i.ToString(CultureInfo.InvariantCulture))) + " }",
        double[] doubles => "new double[] { " + string.Join(", ", doubles.Select(DoubleCode)) + " }",
        string[] strings => "new string[] { " + string.Join(", ", strings.Select(s => CSharpText.Literal(s))) + " }",
        var other => throw new InvalidOperationException($"Setting {setting.Name} holds a {other.GetType().Name}."),
    };

    /// <summary>
    /// The value as option text, as the host parses it (invariant numbers, enum member names, lists comma-separated, an empty
    /// list as the empty string), or null for a list written as null.
    /// </summary>
    public string? OptionText(FederatedSetting setting) => _values[setting.Name] switch
    {
        null => null,
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => s,
        EnumSettingValue e => e.Member ?? e.Number.ToString(CultureInfo.InvariantCulture),
        int[] ints => string.Join(",", ints.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        double[] doubles => string.Join(",", doubles.Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        string[] strings => string.Join(",", strings),
        var other => throw new InvalidOperationException($"Setting {setting.Name} holds a {other.GetType().Name}."),
    };

    /// <summary>The value as a message shows it (<c>0.5</c>, <c>FedIT</c>, <c>[16, 8]</c>, <c>null</c>).</summary>
    public string Display(string setting) => _values[setting] switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        EnumSettingValue e => e.Member ?? e.Number.ToString(CultureInfo.InvariantCulture),
        int[] ints => "[" + string.Join(", ", ints.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]",
        double[] doubles => "[" + string.Join(", ", doubles.Select(d => d.ToString("R", CultureInfo.InvariantCulture))) + "]",
        string[] strings => "[" + string.Join(", ", strings.Select(s => "\"" + s + "\"")) + "]",
        string s => "\"" + s + "\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };

    private static string DoubleCode(double value)
    {
        if (double.IsNaN(value))
        {
            return "double.NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        }
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        // "2" would be an int literal (converted without loss, but the generated code should say what it means).
        return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
    }

    private static long EnumNumber(FederatedSetting setting, Compilation compilation, string member)
    {
        var type = compilation.GetTypeByMetadataName(setting.EnumMetadataName!);
        var field = type?.GetMembers(member).OfType<IFieldSymbol>().FirstOrDefault(f => f.IsConst);
        return field?.ConstantValue is { } value ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    private static bool TryConvert(FederatedSetting setting, TypedConstant constant, FederatedSettingValues values, out object? value)
    {
        value = null;
        switch (setting.Kind)
        {
            case OptionValueKind.Int32:
                if (constant.Kind == TypedConstantKind.Primitive && constant.Value is int i)
                {
                    value = i;
                    return true;
                }
                return false;
            case OptionValueKind.Double:
                return constant.Kind == TypedConstantKind.Primitive && TryDouble(constant.Value, out value);
            case OptionValueKind.String:
                if (constant.Kind == TypedConstantKind.Primitive && (constant.IsNull || constant.Value is string))
                {
                    value = constant.IsNull ? null : (string)constant.Value!;
                    return true;
                }
                return false;
            case OptionValueKind.Enum:
                if (constant.Kind == TypedConstantKind.Enum && constant.Value is IConvertible number)
                {
                    var n = number.ToInt64(CultureInfo.InvariantCulture);
                    var member = constant.Type?.GetMembers().OfType<IFieldSymbol>()
                        .FirstOrDefault(f => f.IsConst && f.ConstantValue is IConvertible c && c.ToInt64(CultureInfo.InvariantCulture) == n);
                    value = new EnumSettingValue(n, member?.Name);
                    return true;
                }
                return false;
            default:
                if (constant.Kind != TypedConstantKind.Array)
                {
                    return false;
                }
                if (constant.IsNull)
                {
                    return true;
                }
                var elements = constant.Values;
                switch (setting.Kind)
                {
                    case OptionValueKind.Int32Array when elements.All(e => e.Kind == TypedConstantKind.Primitive && e.Value is int):
                        value = elements.Select(e => (int)e.Value!).ToArray();
                        return true;
                    case OptionValueKind.DoubleArray when elements.All(e => e.Kind == TypedConstantKind.Primitive && TryDouble(e.Value, out _)):
                        value = elements.Select(e => { TryDouble(e.Value, out var d); return (double)d!; }).ToArray();
                        return true;
                    case OptionValueKind.StringArray when elements.All(e => e.Kind == TypedConstantKind.Primitive && (e.IsNull || e.Value is string)):
                        // A null element cannot name a module; it is kept as the empty name, which is reported as unknown.
                        value = elements.Select(e => e.IsNull ? string.Empty : (string)e.Value!).ToArray();
                        return true;
                    default:
                        return false;
                }
        }
    }

    private static bool TryDouble(object? constant, out object? value)
    {
        value = constant switch
        {
            double d => d,
            float f => (double)f,
            int i => (double)i,
            long l => (double)l,
            _ => null,
        };
        return value is not null;
    }

    private static IReadOnlyList<ExpressionSyntax>? Elements(ExpressionSyntax expression) => expression switch
    {
        ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions,
        ImplicitArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions,
        CollectionExpressionSyntax collection when collection.Elements.All(e => e is ExpressionElementSyntax) =>
            collection.Elements.Cast<ExpressionElementSyntax>().Select(e => e.Expression).ToList(),
        _ => null,
    };
}
