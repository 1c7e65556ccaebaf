using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using DeclFed.Generators.Model;
using Microsoft.CodeAnalysis;

namespace DeclFed.Generators.Parsing;

/// <summary>Reads a stage attribute's argument into a <see cref="SettingValue"/> (values only: no emitted code).</summary>
internal static class SettingValueReader
{
    /// <summary>
    /// The value of <paramref name="constant"/> for a setting of type <paramref name="type"/>, or null when it cannot be read
    /// (a constant the compiler reports as an error, or a type configuration cannot hold).
    /// </summary>
    public static SettingValue? Read(TypedConstant constant, ITypeSymbol type)
    {
        if (constant.Kind == TypedConstantKind.Error || OptionParser.KindOf(type) is not { } kind)
        {
            return null;
        }
        var enumTypeName = kind == OptionValueKind.Enum ? TypeNames.Code(type) : string.Empty;
        var isList = kind is OptionValueKind.Int32Array or OptionValueKind.DoubleArray or OptionValueKind.StringArray;
        if (isList != (constant.Kind == TypedConstantKind.Array))
        {
            return null;
        }
        if (constant.IsNull)
        {
            return new SettingValue(kind, IsNull: true, EquatableArray<NullableText>.Empty, enumTypeName);
        }
        var elements = isList ? constant.Values : ImmutableArray.Create(constant);
        var items = new NullableText[elements.Length];
        for (var i = 0; i < items.Length; i++)
        {
            if (Text(elements[i], type) is not { } text)
            {
                return null;
            }
            items[i] = text;
        }
        return new SettingValue(kind, IsNull: false, new EquatableArray<NullableText>(items), enumTypeName);
    }

    private static NullableText? Text(TypedConstant element, ITypeSymbol type)
    {
        if (element.Kind == TypedConstantKind.Enum && type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType && element.Value is IConvertible number)
        {
            var value = number.ToInt64(CultureInfo.InvariantCulture);
            var member = enumType.GetMembers().OfType<IFieldSymbol>()
                .FirstOrDefault(f => f.IsConst && f.ConstantValue is IConvertible c && c.ToInt64(CultureInfo.InvariantCulture) == value);
            return new NullableText(member?.Name ?? value.ToString(CultureInfo.InvariantCulture));
        }
        if (element.Kind != TypedConstantKind.Primitive)
        {
            return null;
        }
        return element.Value switch
        {
            null => new NullableText(null),
            string text => new NullableText(text),
            bool b => new NullableText(b ? "true" : "false"),
            double d => new NullableText(d.ToString("R", CultureInfo.InvariantCulture)),
            float f => new NullableText(f.ToString("R", CultureInfo.InvariantCulture)),
            IFormattable formattable => new NullableText(formattable.ToString(null, CultureInfo.InvariantCulture)),
            _ => null,
        };
    }
}
