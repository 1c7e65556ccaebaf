using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DeclFed.Generators.Diagnostics;
using DeclFed.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DeclFed.Generators.Parsing;

/// <summary>
/// Reads a stage's definition in the stage's own assembly: the attribute class marked <c>[DeclarativeStage]</c>, its
/// runtime, and the settings class it derives from, whose properties (with their doc comments, read from source here) become
/// the stage's options. Everything is checked where the stage's author builds it, before any pipeline uses it.
/// </summary>
internal static class StageSettingsParser
{
    public static StageSettingsParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var attribute = (INamedTypeSymbol)context.TargetSymbol;
        var identifier = LocationInfo.From(((TypeDeclarationSyntax)context.TargetNode).Identifier);
        var known = KnownTypes.For(context.SemanticModel.Compilation);
        var stage = StageDefinition.Read(attribute, known, out var problem);
        if (stage is null)
        {
            return problem is null ? StageSettingsParseResult.None : Failed(DiagnosticInfo.Create(DiagnosticDescriptors.StageDefinitionInvalid, identifier, StageDefinition.KindOf(attribute), problem));
        }

        var settings = stage.Settings;
        var declarations = settings.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
        var location = declarations.Count > 0 ? LocationInfo.From(declarations[0].Identifier) : identifier;
        string? unfit = null;
        if (declarations.Count == 0 || !SymbolEqualityComparer.Default.Equals(settings.ContainingAssembly, context.SemanticModel.Compilation.Assembly))
        {
            unfit = "is not declared in this assembly; declare the settings class next to its stage";
        }
        else if (declarations.Any(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword)) || Containers(settings).Any(c => !IsPartial(c, cancellationToken)))
        {
            unfit = "must be partial (and so must the types containing it): the generator adds its options and FromOptions";
        }
        else if (settings.IsGenericType || settings.IsAbstract || settings.IsStatic)
        {
            unfit = "must be a non-generic, non-abstract class";
        }
        else if (!settings.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public))
        {
            unfit = "needs a public parameterless constructor: its defaults are the settings' initial values";
        }
        if (unfit is not null)
        {
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.StageSettingsInvalid, location, settings.Name, stage.Kind, unfit));
        }

        var diagnostics = new List<DiagnosticInfo>();
        var specs = new List<SettingSpec>();
        foreach (var property in SettingProperties(settings, known))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (OptionParser.KindOf(property.Type) is not { } kind)
            {
                var at = property.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<PropertyDeclarationSyntax>().FirstOrDefault();
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StageSettingType, LocationInfo.From(at?.Type) ?? location,
                    property.Name, settings.Name, TypeNames.Short(property.Type)));
                continue;
            }
            specs.Add(new SettingSpec(
                property.Name,
                TypeNames.Identifier(property.Name),
                kind,
                TypeNames.Short(property.Type),
                OptionParser.ValueTypeName(property.Type, kind),
                kind == OptionValueKind.Enum ? TypeNames.Code(property.Type) : string.Empty,
                kind == OptionValueKind.Enum ? OptionParser.EnumMembers(property.Type) : EquatableArray<string>.Empty,
                DocumentationComments.Of(property, cancellationToken).Summary));
        }
        if (diagnostics.Count > 0)
        {
            return new StageSettingsParseResult(null, diagnostics.ToEquatableArray());
        }

        var containers = Containers(settings).Reverse().Concat(new[] { settings })
            .Select(t => new TypeDeclarationSpec(t.IsRecord ? "record" : t.TypeKind == TypeKind.Struct ? "struct" : "class", TypeNames.Identifier(t.Name)))
            .ToEquatableArray();
        var spec = new StageSettingsSpec(
            TypeNames.Dotted(settings) + ".Settings.g.cs",
            settings.ContainingNamespace is { IsGlobalNamespace: false } ns ? TypeNames.Namespace(ns) : string.Empty,
            containers,
            TypeNames.Code(settings),
            specs.ToEquatableArray());
        return new StageSettingsParseResult(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>
    /// The settings of <paramref name="settings"/>: public instance properties with a public <c>set</c> or <c>init</c>, declared by
    /// it or a base below <c>StageSettings</c>, bases first, in declaration order (as <c>StageSettings.Settings</c> lists them at run time).
    /// </summary>
    public static IEnumerable<IPropertySymbol> SettingProperties(INamedTypeSymbol settings, KnownTypes known)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var type = settings; type is not null && !KnownTypes.Is(type, known.StageSettings); type = type.BaseType)
        {
            chain.Insert(0, type);
        }
        return chain.SelectMany(type => type.GetMembers().OfType<IPropertySymbol>()
            .Where(p => !p.IsStatic && !p.IsIndexer && p.DeclaredAccessibility == Accessibility.Public
                && p.SetMethod is { DeclaredAccessibility: Accessibility.Public }));
    }

    private static IEnumerable<INamedTypeSymbol> Containers(INamedTypeSymbol type)
    {
        for (var container = type.ContainingType; container is not null; container = container.ContainingType)
        {
            yield return container;
        }
    }

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax d && d.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static StageSettingsParseResult Failed(DiagnosticInfo diagnostic) => new(null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));
}
