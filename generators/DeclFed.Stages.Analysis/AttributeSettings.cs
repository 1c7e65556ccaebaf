using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DeclFed.Stages.Analysis;

/// <summary>Turns a stage attribute's arguments into an instance of the stage's settings class, and a problem back into a location.</summary>
internal static class AttributeSettings
{
    /// <summary>
    /// The settings <paramref name="data"/> writes over the defaults, or null when an argument cannot be read (a value the
    /// compiler rejects, which it reports itself).
    /// </summary>
    public static TSettings? Read<TSettings>(AttributeData data, AttributeSyntax syntax)
        where TSettings : StageSettings, new()
    {
        var settings = new TSettings();
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var argument in data.NamedArguments)
        {
            read.Add(argument.Key);
            // A property the settings class does not declare belongs to the attribute (Description): not a setting.
            var property = typeof(TSettings).GetProperty(argument.Key, BindingFlags.Public | BindingFlags.Instance);
            if (property?.GetSetMethod() is not { } setter)
            {
                continue;
            }
            if (!TryConvert(argument.Value, property.PropertyType, out var value))
            {
                return null;
            }
            setter.Invoke(settings, new[] { value });
        }
        // An argument the compiler could not bind (a non-constant value) is missing from NamedArguments but present in the syntax.
        var unbound = syntax.ArgumentList?.Arguments.Any(a => a.NameEquals is { } name && !read.Contains(name.Name.Identifier.ValueText)) ?? false;
        return unbound || data.ConstructorArguments.Length > 0 ? null : settings;
    }

    /// <summary>Where <paramref name="problem"/> is shown: its setting's argument (or list element), else the first written related setting, else the attribute.</summary>
    public static Location LocationOf(AttributeSyntax syntax, SettingProblem problem)
    {
        var arguments = syntax.ArgumentList?.Arguments.Where(a => a.NameEquals is not null)
            .ToDictionary(a => a.NameEquals!.Name.Identifier.ValueText, StringComparer.Ordinal) ?? new Dictionary<string, AttributeArgumentSyntax>();
        if (arguments.TryGetValue(problem.Setting, out var own))
        {
            return problem.Element >= 0 && Elements(own.Expression) is { } elements && problem.Element < elements.Count
                ? elements[problem.Element].GetLocation()
                : own.GetLocation();
        }
        foreach (var related in problem.Related)
        {
            if (arguments.TryGetValue(related, out var argument))
            {
                return argument.GetLocation();
            }
        }
        return syntax.GetLocation();
    }

    private static bool TryConvert(TypedConstant constant, Type type, out object? value)
    {
        value = null;
        if (constant.Kind == TypedConstantKind.Error)
        {
            return false;
        }
        if (type.IsArray)
        {
            if (constant.Kind != TypedConstantKind.Array)
            {
                return false;
            }
            if (constant.IsNull)
            {
                return true;
            }
            var elementType = type.GetElementType()!;
            var array = Array.CreateInstance(elementType, constant.Values.Length);
            for (var i = 0; i < array.Length; i++)
            {
                if (!TryConvert(constant.Values[i], elementType, out var element))
                {
                    return false;
                }
                array.SetValue(element, i);
            }
            value = array;
            return true;
        }
        if (constant.Kind is not (TypedConstantKind.Primitive or TypedConstantKind.Enum))
        {
            return false;
        }
        if (constant.Value is null)
        {
            return !type.IsValueType;
        }
        try
        {
            value = type.IsEnum ? Enum.ToObject(type, constant.Value) : Convert.ChangeType(constant.Value, type, System.Globalization.CultureInfo.InvariantCulture);
            return true;
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            return false;
        }
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
