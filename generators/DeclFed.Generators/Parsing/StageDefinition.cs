using System.Collections.Generic;
using System.Linq;
using DeclFed.Generators.Model;
using Microsoft.CodeAnalysis;

namespace DeclFed.Generators.Parsing;

/// <summary>
/// A declarative stage as its attribute class defines it: the class is marked <c>[DeclarativeStage(typeof(Runtime))]</c>
/// and derives from the stage's settings class; the runtime's <c>RunAsync(StepContext, TSettings, inputs…, CancellationToken)</c>
/// gives the inputs and the artifact. Read from symbols (metadata or source alike); the generator knows no stage by name.
/// </summary>
internal sealed class StageDefinition
{
    private StageDefinition(INamedTypeSymbol attribute, INamedTypeSymbol settings, INamedTypeSymbol runtime, IMethodSymbol runAsync, ITypeSymbol artifact, ReturnShape shape)
    {
        Attribute = attribute;
        Settings = settings;
        Runtime = runtime;
        RunAsync = runAsync;
        Artifact = artifact;
        Shape = shape;
        Inputs = runAsync.Parameters.Skip(2).Take(runAsync.Parameters.Length - 3).ToList();
        RequiredInputs = Inputs.TakeWhile(p => !p.IsOptional).Count();
    }

    /// <summary>The stage's kind: the attribute's name without <c>Attribute</c> (<c>FederatedLora</c>).</summary>
    public string Kind => KindOf(Attribute);

    /// <summary>The kind of the stage whose attribute is <paramref name="attribute"/>: its name without <c>Attribute</c>.</summary>
    public static string KindOf(INamedTypeSymbol attribute) =>
        attribute.Name.EndsWith("Attribute", System.StringComparison.Ordinal) && attribute.Name.Length > "Attribute".Length
            ? attribute.Name.Substring(0, attribute.Name.Length - "Attribute".Length)
            : attribute.Name;

    /// <summary>The attribute class.</summary>
    public INamedTypeSymbol Attribute { get; }

    /// <summary>The settings class (the attribute's base).</summary>
    public INamedTypeSymbol Settings { get; }

    /// <summary>The runtime class.</summary>
    public INamedTypeSymbol Runtime { get; }

    /// <summary>The runtime's entry point.</summary>
    public IMethodSymbol RunAsync { get; }

    /// <summary>The inputs: <c>RunAsync</c>'s parameters between the settings and the token.</summary>
    public IReadOnlyList<IParameterSymbol> Inputs { get; }

    /// <summary>How many leading inputs have no default value (a stage method must take at least these).</summary>
    public int RequiredInputs { get; }

    /// <summary>The artifact <c>RunAsync</c> produces (may mention its type parameters).</summary>
    public ITypeSymbol Artifact { get; }

    /// <summary>Whether <c>RunAsync</c> returns a <c>Task&lt;T&gt;</c> or a <c>ValueTask&lt;T&gt;</c>.</summary>
    public ReturnShape Shape { get; }

    /// <summary>The name of <c>RunAsync</c>'s cancellation-token parameter.</summary>
    public string TokenParameter => RunAsync.Parameters[RunAsync.Parameters.Length - 1].Name;

    /// <summary>The call the executor and the standalone body make.</summary>
    public StageCallSpec Call => new(Kind, TypeNames.Code(Runtime), TypeNames.Code(Settings), Shape, TypeNames.Identifier(TokenParameter));

    /// <summary>The inputs as a stage method declares them, for messages: <c>LanguageModel @base, Dataset&lt;Instruction&gt; train[, Dataset&lt;Instruction&gt; validation]</c>.</summary>
    public string InputList
    {
        get
        {
            var required = string.Join(", ", Inputs.Take(RequiredInputs).Select(Declaration));
            var optional = Inputs.Skip(RequiredInputs).Select(p => "[, " + Declaration(p)).ToList();
            return required + string.Concat(optional) + new string(']', optional.Count);
        }
    }

    /// <summary>Whether <paramref name="attributeClass"/> is marked <c>[DeclarativeStage]</c>.</summary>
    public static bool IsStage(INamedTypeSymbol? attributeClass, KnownTypes known) => Marker(attributeClass, known) is not null;

    /// <summary>
    /// Reads the stage whose attribute is <paramref name="attributeClass"/>, or says in <paramref name="problem"/> why it
    /// cannot be used (for the stage's author: the attribute does not derive from a settings class, the runtime has no
    /// fitting <c>RunAsync</c>). Null when the class is not marked or does not fit.
    /// </summary>
    public static StageDefinition? Read(INamedTypeSymbol attributeClass, KnownTypes known, out string? problem)
    {
        problem = null;
        var marker = Marker(attributeClass, known);
        if (marker is null)
        {
            return null;
        }
        if (marker.ConstructorArguments.Length != 1 || marker.ConstructorArguments[0].Value is not INamedTypeSymbol runtime)
        {
            problem = "its [DeclarativeStage] does not name the runtime class; write [DeclarativeStage(typeof(MyStage))]";
            return null;
        }
        var settings = attributeClass.BaseType;
        if (settings is null || KnownTypes.Is(settings, known.StageSettings) || !DerivesFrom(settings, known.StageSettings))
        {
            problem = "it must derive from the stage's settings class, a class that derives from DeclFed.Stages.StageSettings";
            return null;
        }
        var candidates = runtime.GetMembers("RunAsync").OfType<IMethodSymbol>().Where(m => m.IsStatic && m.DeclaredAccessibility == Accessibility.Public).ToList();
        foreach (var method in candidates)
        {
            var parameters = method.Parameters;
            if (parameters.Length >= 3
                && KnownTypes.Is(parameters[0].Type, known.StepContext)
                && SymbolEqualityComparer.Default.Equals(parameters[1].Type, settings)
                && KnownTypes.Is(parameters[parameters.Length - 1].Type, known.CancellationToken)
                && parameters.All(p => p.RefKind == RefKind.None)
                && ReturnedArtifact(method.ReturnType, known) is { } returned)
            {
                return new StageDefinition(attributeClass, settings, runtime, method, returned.Artifact, returned.Shape);
            }
        }
        problem = $"its runtime '{TypeNames.Short(runtime)}' has no public static RunAsync(StepContext context, {TypeNames.Short(settings)} settings, <inputs>, " +
            "CancellationToken cancellationToken) returning a Task<T> or ValueTask<T> of an artifact";
        return null;
    }

    /// <summary>Whether <paramref name="type"/> is <paramref name="baseType"/> or derives from it.</summary>
    public static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (KnownTypes.Is(t, baseType))
            {
                return true;
            }
        }
        return false;
    }

    private static AttributeData? Marker(INamedTypeSymbol? attributeClass, KnownTypes known) =>
        attributeClass is null ? null : known.FindAttribute(attributeClass, known.DeclarativeStage);

    private static (ITypeSymbol Artifact, ReturnShape Shape)? ReturnedArtifact(ITypeSymbol returnType, KnownTypes known)
    {
        if (returnType is not INamedTypeSymbol { TypeArguments.Length: 1 } wrapper)
        {
            return null;
        }
        var shape = KnownTypes.Is(wrapper, known.Task) ? ReturnShape.Task : KnownTypes.Is(wrapper, known.ValueTask) ? ReturnShape.ValueTask : (ReturnShape?)null;
        return shape is { } s && known.IsArtifact(wrapper.TypeArguments[0]) ? (wrapper.TypeArguments[0], s) : null;
    }

    private static string Declaration(IParameterSymbol parameter) => TypeNames.Short(parameter.Type) + " " + TypeNames.Identifier(parameter.Name);
}
