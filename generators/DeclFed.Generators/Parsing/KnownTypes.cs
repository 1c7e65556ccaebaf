using System.Linq;
using Microsoft.CodeAnalysis;

namespace DeclFed.Generators.Parsing;

/// <summary>
/// The runtime types the generator recognises, looked up by metadata name: the generator never references the
/// runtime assembly, so a user's project can use any DeclFed version that keeps these names.
/// </summary>
internal sealed class KnownTypes
{
    public const string PipelineAttribute = "DeclFed.PipelineAttribute";
    public const string StepAttribute = "DeclFed.StepAttribute";
    public const string OptionAttribute = "DeclFed.OptionAttribute";
    public const string FromAttribute = "DeclFed.FromAttribute";
    public const string DatasetRecordAttribute = "DeclFed.Records.DatasetRecordAttribute";
    public const string RecordFieldAttribute = "DeclFed.Records.RecordFieldAttribute";
    public const string ServiceCollection = "Microsoft.Extensions.DependencyInjection.IServiceCollection";
    public const string DeclarativeStageAttribute = "DeclFed.Stages.DeclarativeStageAttribute";
    public const string StageSettingsType = "DeclFed.Stages.StageSettings";

    private KnownTypes(Compilation compilation)
    {
        Step = compilation.GetTypeByMetadataName(StepAttribute);
        Option = compilation.GetTypeByMetadataName(OptionAttribute);
        From = compilation.GetTypeByMetadataName(FromAttribute);
        Artifact = compilation.GetTypeByMetadataName("DeclFed.IArtifact`1");
        Dataset = compilation.GetTypeByMetadataName("DeclFed.Dataset`1");
        StepContext = compilation.GetTypeByMetadataName("DeclFed.Graph.StepContext");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        DateOnly = compilation.GetTypeByMetadataName("System.DateOnly");
        DatasetRecord = compilation.GetTypeByMetadataName(DatasetRecordAttribute);
        RecordField = compilation.GetTypeByMetadataName(RecordFieldAttribute);
        StageSettings = compilation.GetTypeByMetadataName(StageSettingsType);
        DeclarativeStage = compilation.GetTypeByMetadataName(DeclarativeStageAttribute);
    }

    public INamedTypeSymbol? Step { get; }
    public INamedTypeSymbol? Option { get; }
    public INamedTypeSymbol? From { get; }
    public INamedTypeSymbol? Artifact { get; }
    public INamedTypeSymbol? Dataset { get; }
    public INamedTypeSymbol? StepContext { get; }
    public INamedTypeSymbol? CancellationToken { get; }
    public INamedTypeSymbol? Task { get; }
    public INamedTypeSymbol? ValueTask { get; }
    public INamedTypeSymbol? DateOnly { get; }
    public INamedTypeSymbol? DatasetRecord { get; }
    public INamedTypeSymbol? RecordField { get; }
    public INamedTypeSymbol? StageSettings { get; }
    public INamedTypeSymbol? DeclarativeStage { get; }

    public static KnownTypes For(Compilation compilation) => new(compilation);

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        known is not null && type is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

    /// <summary>Whether <paramref name="type"/> or a type it is built from does not resolve (code still being typed).</summary>
    public static bool ContainsErrorType(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsErrorType),
        _ => false,
    };

    /// <summary>The string value of the named argument <paramref name="name"/> (<c>[Step(Description = "...")]</c>), or null.</summary>
    public static string? NamedArgument(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is string text)
            {
                return text;
            }
        }
        return null;
    }

    public AttributeData? FindAttribute(ISymbol symbol, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return null;
        }
        foreach (var data in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return data;
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="type"/> implements <c>DeclFed.IArtifact&lt;T&gt;</c> for itself.</summary>
    public bool IsArtifact(ITypeSymbol type)
    {
        if (Artifact is null || type.TypeKind == TypeKind.Error)
        {
            return false;
        }
        foreach (var implemented in type.AllInterfaces)
        {
            if (Is(implemented, Artifact) && SymbolEqualityComparer.Default.Equals(implemented.TypeArguments[0], type))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The record type <c>T</c> when <paramref name="type"/> is <c>DeclFed.Dataset&lt;T&gt;</c>.</summary>
    public ITypeSymbol? DatasetRecordType(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeArguments.Length: 1 } named && Is(named, Dataset) ? named.TypeArguments[0] : null;
}
