using System.Collections.Generic;
using System.Linq;
using DeclFed.Generators.Diagnostics;
using DeclFed.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DeclFed.Generators.Parsing;

/// <summary>
/// The <c>[FederatedLoRA]</c> declarative stage: a partial method whose inputs bind like a step's, whose options are the
/// attribute's settings, which the executor runs through <c>DeclFed.Federated.FederatedLoraStage.RunAsync</c> and whose
/// implementing declaration the generator writes (a standalone run with the attribute's values).
/// </summary>
internal sealed partial class PipelineParser
{
    private const string FederatedKind = "FederatedLoRA";

    private StepCandidate ReadFederatedStage(IMethodSymbol method, MethodDeclarationSyntax declaration, AttributeData attribute, AttributeData? stepAttribute, LocationInfo? identifier)
    {
        var canWriteBody = true;
        if (stepAttribute is not null)
        {
            Report(DiagnosticDescriptors.FederatedStageWithStep, LocationInfo.From(stepAttribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken)) ?? identifier, method.Name);
        }
        if (method.IsGenericMethod)
        {
            Report(DiagnosticDescriptors.GenericStep, identifier, method.Name);
            canWriteBody = false;
        }
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            Report(DiagnosticDescriptors.FederatedStageNotPartial, identifier, method.Name, "is not partial");
            canWriteBody = false;
        }
        else if (declaration.Body is not null || declaration.ExpressionBody is not null || method.PartialImplementationPart is not null)
        {
            Report(DiagnosticDescriptors.FederatedStageNotPartial, identifier, method.Name, "has a body");
            canWriteBody = false;
        }
        else if (!declaration.Modifiers.Any(m => m.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword or SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword))
        {
            // A partial method returning a value needs an accessibility modifier; the compiler says so, and a body would repeat it.
            canWriteBody = false;
        }

        ITypeSymbol? artifact = null;
        if (KnownTypes.Is(method.ReturnType, _known.LoraModel) && method.ReturnType.NullableAnnotation != NullableAnnotation.Annotated)
        {
            artifact = method.ReturnType;
        }
        else
        {
            if (!KnownTypes.ContainsErrorType(method.ReturnType))
            {
                Report(DiagnosticDescriptors.FederatedStageReturnType, LocationInfo.From(declaration.ReturnType), method.Name, TypeNames.Short(method.ReturnType));
            }
            canWriteBody = false;
        }

        var parameters = new List<ParameterCandidate>();
        var parametersFit = true;
        for (var index = 0; index < method.Parameters.Length; index++)
        {
            var parameter = method.Parameters[index];
            var syntax = parameter.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<ParameterSyntax>().FirstOrDefault();
            var (candidate, fits) = ReadFederatedParameter(method, parameter, index, syntax);
            parametersFit &= fits;
            parameters.Add(candidate);
        }
        if (method.Parameters.Length < 2)
        {
            Report(DiagnosticDescriptors.FederatedStageParameters, LocationInfo.From(declaration.ParameterList), method.Name,
                method.Parameters.Length == 0 ? "takes no parameters" : "takes only one parameter");
            parametersFit = false;
        }
        canWriteBody &= parametersFit;

        var values = FederatedSettingValues.Read(attribute, _compilation, _cancellationToken);
        if (canWriteBody && _compilation.GetTypeByMetadataName(FederatedSettingTable.StageMetadataName) is null)
        {
            Report(DiagnosticDescriptors.FederatedRuntimeMissing, values.AttributeLocation ?? identifier, method.Name);
            canWriteBody = false;
        }
        _diagnostics.AddRange(FederatedSettingRules.Check(values));

        var documentation = DocumentationComments.Of(method, _cancellationToken);
        var description = KnownTypes.NamedArgument(attribute, "Description") ?? documentation.Summary;
        // The attribute is part of the declaration's tokens, so any change to its arguments changes the hash.
        var hash = CodeHasher.Hash(method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)));
        return new StepCandidate(method, identifier, artifact, ReturnShape.Value, parameters, description, hash, declaration.ContainsDiagnostics)
        {
            Federated = new FederatedCandidate(values, canWriteBody, parametersFit, string.Join(" ", declaration.Modifiers.Select(m => m.Text))),
        };
    }

    /// <summary>Reads a parameter of a stage: every one is an input; the first must be the base model, the others instruction datasets.</summary>
    private (ParameterCandidate Candidate, bool Fits) ReadFederatedParameter(IMethodSymbol method, IParameterSymbol parameter, int index, ParameterSyntax? syntax)
    {
        var nameLocation = syntax is null ? null : LocationInfo.From(syntax.Identifier);
        var typeLocation = syntax?.Type is { } typeSyntax ? LocationInfo.From(typeSyntax) : nameLocation;
        var fromAttribute = _known.FindAttribute(parameter, _known.From);
        var from = fromAttribute is { ConstructorArguments.Length: 1 } && fromAttribute.ConstructorArguments[0].Value is string step ? step : null;
        var candidate = new ParameterCandidate(parameter, nameLocation, typeLocation) { Kind = ArgumentKind.Input, Producer = from ?? parameter.Name, IsFrom = fromAttribute is not null };
        var fits = true;
        if (parameter.RefKind != RefKind.None)
        {
            Report(DiagnosticDescriptors.InvalidStepParameter, nameLocation, parameter.Name, method.Name,
                "is passed by reference; remove the 'ref', 'out' or 'in' modifier");
            fits = false;
        }
        if (fromAttribute is not null && from is null)
        {
            Report(DiagnosticDescriptors.InvalidStepParameter, nameLocation, parameter.Name, method.Name,
                "has a [From] without a step name; write [From(\"Step\")] with the name of the producing step");
        }
        if (KnownTypes.ContainsErrorType(parameter.Type))
        {
            return (candidate, false);
        }

        string? problem = null;
        if (index > 2)
        {
            problem = $"has a fourth parameter '{parameter.Name}'";
        }
        else if (_known.FindAttribute(parameter, _known.Option) is not null)
        {
            problem = $"marks parameter '{parameter.Name}' [Option], but a stage's options are the attribute's settings ({method.Name}:Rounds, …)";
        }
        else if (index == 0 && !KnownTypes.Is(parameter.Type, _known.LanguageModel))
        {
            problem = $"takes '{TypeNames.Short(parameter.Type)}' as its first parameter '{parameter.Name}', where the base LanguageModel comes";
        }
        else if (index > 0 && !IsInstructionDataset(parameter.Type))
        {
            problem = $"takes '{TypeNames.Short(parameter.Type)}' as parameter '{parameter.Name}', where a Dataset<Instruction> of {(index == 1 ? "training" : "validation")} records comes";
        }
        if (problem is not null)
        {
            Report(DiagnosticDescriptors.FederatedStageParameters, index > 2 ? nameLocation : typeLocation, method.Name, problem);
            fits = false;
        }
        // A parameter of the wrong type is reported here; comparing it with its producer's type would say the same again.
        return (candidate with { TypeReported = !fits }, fits);
    }

    private bool IsInstructionDataset(ITypeSymbol type) =>
        _known.DatasetRecordType(type) is { } record && _known.Instruction is not null && SymbolEqualityComparer.Default.Equals(record, _known.Instruction);

    /// <summary>The options of a stage: every setting, its default the attribute's value, else the setting's default.</summary>
    private static IEnumerable<OptionSpec> FederatedOptions(FederatedSettingValues values) =>
        FederatedSettingTable.All.Select(setting => new OptionSpec(
            setting.Name,
            setting.Name,
            setting.Kind,
            setting.TypeDisplay,
            values.OptionText(setting),
            IsRequired: false,
            setting.Kind == OptionValueKind.Enum ? (values.EnumMembers(setting.Name) ?? new List<string>()).ToEquatableArray() : EquatableArray<string>.Empty,
            setting.Description)
        {
            IsWritten = values.IsWritten(setting.Name),
        });

    private static FederatedCallSpec FederatedCall(StepCandidate step) => new(
        FederatedSettingTable.All.Select(s => new FederatedOptionRead(s.Name, s.ValueTypeName, s.EnumTypeName)).ToEquatableArray(),
        HasValidation: step.Method.Parameters.Length == 3);

    /// <summary>
    /// The implementing declarations of the class's stages that can have one. They do not depend on the rest of the pipeline
    /// being valid, only on the class being a partial, non-generic class whose containing types are partial too.
    /// </summary>
    private StageBodiesSpec? BuildStageBodies(List<StepCandidate> steps)
    {
        var stages = steps.Where(s => s.Federated is { CanWriteBody: true }).ToList();
        if (stages.Count == 0)
        {
            return null;
        }
        var declarations = new List<string>();
        for (var type = _type; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType)
            {
                return null;
            }
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(_cancellationToken) is not TypeDeclarationSyntax declaration || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return null;
                }
            }
            var keyword = type.IsRecord ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record") : (type.TypeKind == TypeKind.Struct ? "struct" : "class");
            declarations.Insert(0, $"partial {keyword} {TypeNames.Identifier(type.Name)}");
        }

        var bodies = stages.Select(stage =>
        {
            var method = stage.Method;
            var values = stage.Federated!.Values;
            return new StageBodySpec(
                stage.Federated.Modifiers,
                TypeNames.Code(method.ReturnType),
                TypeNames.Identifier(method.Name),
                method.Parameters.Select(p => $"{TypeNames.Code(p.Type)} {TypeNames.Identifier(p.Name)}").ToEquatableArray(),
                method.Parameters.Select(p => TypeNames.Identifier(p.Name)).ToEquatableArray(),
                values.Written.Select(setting => $"{setting.Name} = {values.Code(setting)}").ToEquatableArray());
        });
        return new StageBodiesSpec(
            TypeNames.Dotted(_type) + ".Stages.g.cs",
            _type.ContainingNamespace is { IsGlobalNamespace: false } ns ? TypeNames.Namespace(ns) : string.Empty,
            declarations.ToEquatableArray(),
            bodies.ToEquatableArray());
    }

    /// <summary>
    /// A stage's attribute values, whether its implementing declaration can be written, whether its parameters have the
    /// stage's shape (else its inputs are not known and the graph is incomplete), and its modifiers as written.
    /// </summary>
    private sealed record FederatedCandidate(FederatedSettingValues Values, bool CanWriteBody, bool ParametersFit, string Modifiers);
}
