using System.Collections.Generic;
using System.Linq;
using DeclFed.Generators.Diagnostics;
using DeclFed.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DeclFed.Generators.Parsing;

/// <summary>
/// Declarative stages: a partial method marked with a stage's attribute. Its inputs bind like a step's and must fit the
/// stage runtime's inputs; its options are the stage's settings (the attribute's written values as defaults); the executor
/// calls the runtime, and the generator writes the method's body (a standalone run). Which stages exist, and their
/// settings, inputs and artifact, come from the stage's own assembly (<see cref="StageDefinition"/>).
/// </summary>
internal sealed partial class PipelineParser
{
    private StepCandidate ReadStage(IMethodSymbol method, MethodDeclarationSyntax declaration, AttributeData attribute, AttributeData? stepAttribute, LocationInfo? identifier)
    {
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) as AttributeSyntax;
        var attributeLocation = LocationInfo.From(attributeSyntax) ?? identifier;
        var stage = StageDefinition.Read(attribute.AttributeClass!, _known, out var problem);
        var kind = StageDefinition.KindOf(attribute.AttributeClass!);
        if (stage is null)
        {
            Report(DiagnosticDescriptors.StageDefinitionInvalid, attributeLocation, kind, problem!);
        }
        var canWriteBody = stage is not null;
        if (stepAttribute is not null)
        {
            Report(DiagnosticDescriptors.StageWithStep, LocationInfo.From(stepAttribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken)) ?? identifier, method.Name, kind);
        }
        if (method.IsGenericMethod)
        {
            Report(DiagnosticDescriptors.GenericStep, identifier, method.Name);
            canWriteBody = false;
        }
        var example = stage is null ? (Return: "T", Inputs: "…") : (Return: TypeNames.Short(stage.Artifact), Inputs: stage.InputList);
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            Report(DiagnosticDescriptors.StageNotPartial, identifier, kind, method.Name, "is not partial", example.Return, example.Inputs);
            canWriteBody = false;
        }
        else if (declaration.Body is not null || declaration.ExpressionBody is not null || method.PartialImplementationPart is not null)
        {
            Report(DiagnosticDescriptors.StageNotPartial, identifier, kind, method.Name, "has a body", example.Return, example.Inputs);
            canWriteBody = false;
        }
        else if (!declaration.Modifiers.Any(m => m.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword or SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword))
        {
            // A partial method returning a value needs an accessibility modifier; the compiler says so, and a body would repeat it.
            canWriteBody = false;
        }

        var parameters = new List<ParameterCandidate>();
        var parametersFit = stage is not null;
        var unification = stage is null ? null : new TypeUnification(stage.RunAsync);
        for (var index = 0; index < method.Parameters.Length; index++)
        {
            var parameter = method.Parameters[index];
            var syntax = parameter.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<ParameterSyntax>().FirstOrDefault();
            var (candidate, fits) = ReadStageInput(method, kind, stage, unification, parameter, index, syntax);
            parametersFit &= fits;
            parameters.Add(candidate);
        }
        if (stage is not null && method.Parameters.Length < stage.RequiredInputs)
        {
            Report(DiagnosticDescriptors.StageParameters, LocationInfo.From(declaration.ParameterList), kind, method.Name,
                method.Parameters.Length == 0 ? "takes no parameters" : $"takes only {method.Parameters.Length} of the stage's {stage.RequiredInputs} required inputs", stage.InputList);
            parametersFit = false;
        }

        ITypeSymbol? artifact = null;
        if (stage is not null && parametersFit && !KnownTypes.ContainsErrorType(method.ReturnType))
        {
            if (unification!.IsComplete && unification.Unify(stage.Artifact, method.ReturnType) && method.ReturnType.NullableAnnotation != NullableAnnotation.Annotated)
            {
                artifact = method.ReturnType;
            }
            else
            {
                Report(DiagnosticDescriptors.StageReturnType, LocationInfo.From(declaration.ReturnType), kind, method.Name, TypeNames.Short(method.ReturnType), unification.Display(stage.Artifact));
            }
        }
        canWriteBody &= parametersFit && artifact is not null;

        var (settings, description, readable) = stage is null ? (new List<WrittenSetting>(), null, false) : ReadWrittenSettings(attribute, attributeSyntax, stage);
        var documentation = DocumentationComments.Of(method, _cancellationToken);
        // The attribute is part of the declaration's tokens, so any change to its arguments changes the hash.
        var hash = CodeHasher.Hash(method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)));
        return new StepCandidate(method, identifier, artifact, ReturnShape.Value, parameters, description ?? documentation.Summary, hash, declaration.ContainsDiagnostics)
        {
            Stage = new StageCandidate(stage, canWriteBody && readable, parametersFit, readable, declaration.Modifiers.Select(m => m.Text).ToEquatableArray(), settings.ToEquatableArray()),
        };
    }

    /// <summary>Reads a stage method's parameter: every one is an input, which must fit the runtime's input at its position.</summary>
    private (ParameterCandidate Candidate, bool Fits) ReadStageInput(
        IMethodSymbol method, string kind, StageDefinition? stage, TypeUnification? unification, IParameterSymbol parameter, int index, ParameterSyntax? syntax)
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
        if (KnownTypes.ContainsErrorType(parameter.Type) || stage is null)
        {
            return (candidate with { TypeReported = true }, false);
        }

        string? problem = null;
        if (index >= stage.Inputs.Count)
        {
            problem = $"has a parameter '{parameter.Name}' beyond the stage's {stage.Inputs.Count} input(s)";
        }
        else if (_known.FindAttribute(parameter, _known.Option) is not null)
        {
            problem = $"marks parameter '{parameter.Name}' [Option], but a stage's options are its attribute's settings ({method.Name}:<Setting>)";
        }
        else if (!unification!.Unify(stage.Inputs[index].Type, parameter.Type))
        {
            problem = $"takes '{TypeNames.Short(parameter.Type)}' as parameter '{parameter.Name}', where the stage's input '{stage.Inputs[index].Name}' " +
                $"({unification.Display(stage.Inputs[index].Type)}) comes";
        }
        if (problem is not null)
        {
            Report(DiagnosticDescriptors.StageParameters, index >= stage.Inputs.Count ? nameLocation : typeLocation, kind, method.Name, problem, stage.InputList);
            fits = false;
        }
        // A parameter of the wrong type is reported here; comparing it with its producer's type would say the same again.
        return (candidate with { TypeReported = !fits }, fits);
    }

    /// <summary>
    /// The settings the attribute writes (named arguments of properties declared by the settings class or its bases), its
    /// <c>Description</c>, and whether every argument could be read (a value the compiler rejects is reported by it).
    /// </summary>
    private (List<WrittenSetting> Settings, string? Description, bool Readable) ReadWrittenSettings(AttributeData attribute, AttributeSyntax? syntax, StageDefinition stage)
    {
        var settings = new List<WrittenSetting>();
        string? description = null;
        var readable = true;
        var read = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var pair in attribute.NamedArguments)
        {
            var property = FindProperty(stage.Attribute, pair.Key);
            if (!read.Add(pair.Key))
            {
                // A setting written twice is the compiler's error (CS0643); the body would initialize it twice.
                readable = false;
            }
            if (property is null)
            {
                continue;
            }
            if (!StageDefinition.DerivesFrom(stage.Settings, property.ContainingType))
            {
                // A property of the attribute class itself is not a setting; Description describes the step.
                if (pair.Key == "Description" && pair.Value.Value is string text)
                {
                    description = text;
                }
                continue;
            }
            if (SettingValueReader.Read(pair.Value, property.Type) is { } value)
            {
                settings.Add(new WrittenSetting(pair.Key, TypeNames.Short(property.Type), value));
            }
            else
            {
                readable = false;
            }
        }
        // An argument the compiler could not bind (a non-constant value) is missing from NamedArguments but present in the syntax.
        if (syntax?.ArgumentList is { } list && list.Arguments.Any(a => a.NameEquals is { } name && !read.Contains(name.Name.Identifier.ValueText)))
        {
            readable = false;
        }
        return (settings, description, readable);
    }

    private static IPropertySymbol? FindProperty(INamedTypeSymbol type, string name)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.GetMembers(name).OfType<IPropertySymbol>().FirstOrDefault() is { } property)
            {
                return property;
            }
        }
        return null;
    }

    /// <summary>
    /// The implementing declarations of the class's stages that can have one. They do not depend on the rest of the pipeline
    /// being valid, only on the class being a partial, non-generic class whose containing types are partial too.
    /// </summary>
    private StageBodiesSpec? BuildStageBodies(List<StepCandidate> steps)
    {
        var stages = steps.Where(s => s.Stage is { CanWriteBody: true }).ToList();
        if (stages.Count == 0)
        {
            return null;
        }
        var containers = new List<TypeDeclarationSpec>();
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
            containers.Insert(0, new TypeDeclarationSpec(keyword, TypeNames.Identifier(type.Name)));
        }

        var bodies = stages.Select(step => new StageBodySpec(
            step.Stage!.Modifiers,
            TypeNames.Code(step.Method.ReturnType),
            TypeNames.Short(step.Method.ReturnType),
            step.Method.Name,
            step.Method.Parameters.Select(p => new ParameterSpec(TypeNames.Code(p.Type), TypeNames.Identifier(p.Name))).ToEquatableArray(),
            step.Stage.Definition!.Call,
            step.Stage.Settings));
        return new StageBodiesSpec(
            TypeNames.Dotted(_type) + ".Stages.g.cs",
            _type.ContainingNamespace is { IsGlobalNamespace: false } ns ? TypeNames.Namespace(ns) : string.Empty,
            containers.ToEquatableArray(),
            bodies.ToEquatableArray());
    }

    /// <summary>The written settings as the step's options (the stage's other options come from its own list at run time).</summary>
    private static IEnumerable<OptionSpec> StageOptions(StageCandidate stage) =>
        stage.Settings.Select(setting => new OptionSpec(
            setting.Name,
            setting.Name,
            setting.Value.Kind,
            setting.TypeDisplay,
            setting.Value.OptionText,
            IsRequired: false,
            EquatableArray<string>.Empty,
            string.Empty));

    /// <summary>
    /// A stage method: its definition (null when its attribute does not define a usable stage), whether its body can be
    /// written, whether its parameters fit the stage's inputs (else the graph is incomplete), whether every attribute
    /// argument could be read, its modifiers as written, and the settings its attribute writes.
    /// </summary>
    private sealed record StageCandidate(
        StageDefinition? Definition,
        bool CanWriteBody,
        bool ParametersFit,
        bool ArgumentsReadable,
        EquatableArray<string> Modifiers,
        EquatableArray<WrittenSetting> Settings);
}
