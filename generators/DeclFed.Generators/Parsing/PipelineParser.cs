using System;
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
/// Turns a <c>[Pipeline]</c> class into its model: checks the class, reads every <c>[Step]</c> method, binds
/// inputs to producers, orders the steps and collects the record types. All checks live here, where the
/// symbols are; what leaves is plain values.
/// </summary>
internal sealed partial class PipelineParser
{
    private readonly INamedTypeSymbol _type;
    private readonly TypeDeclarationSyntax _syntax;
    private readonly Compilation _compilation;
    private readonly KnownTypes _known;
    private readonly CancellationToken _cancellationToken;
    private readonly List<DiagnosticInfo> _diagnostics = new();

    private PipelineParser(INamedTypeSymbol type, TypeDeclarationSyntax syntax, Compilation compilation, CancellationToken cancellationToken)
    {
        _type = type;
        _syntax = syntax;
        _compilation = compilation;
        _known = KnownTypes.For(compilation);
        _cancellationToken = cancellationToken;
    }

    public static PipelineParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var parser = new PipelineParser(
            (INamedTypeSymbol)context.TargetSymbol,
            (TypeDeclarationSyntax)context.TargetNode,
            context.SemanticModel.Compilation,
            cancellationToken);
        return parser.Parse(context.Attributes.Length > 0 ? context.Attributes[0] : null);
    }

    private PipelineParseResult Parse(AttributeData? pipelineAttribute)
    {
        if (_syntax.Identifier.IsMissing || _type.Name.Length == 0)
        {
            // A class still being typed: the compiler reports it, and there is nothing to name the output after.
            return new PipelineParseResult(null, EquatableArray<RecordParseResult>.Empty, EquatableArray<DiagnosticInfo>.Empty);
        }
        CheckClass();
        var steps = ReadSteps();
        _cancellationToken.ThrowIfCancellationRequested();
        var order = BindAndOrder(steps);
        var records = CollectRecords(steps);

        PipelineSpec? spec = null;
        if (order is not null && !_diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) && steps.All(IsComplete))
        {
            spec = BuildSpec(steps, order, pipelineAttribute);
        }
        return new PipelineParseResult(spec, records, _diagnostics.ToEquatableArray()) { StageBodies = BuildStageBodies(steps) };
    }

    private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    private void CheckClass()
    {
        var identifier = LocationInfo.From(_syntax.Identifier);
        if (!_syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            Report(DiagnosticDescriptors.PipelineNotPartial, identifier, _type.Name);
        }
        if (_type.IsGenericType)
        {
            Report(DiagnosticDescriptors.GenericPipeline, identifier, _type.Name);
        }
        if (_type.IsStatic)
        {
            Report(DiagnosticDescriptors.InvalidPipelineClass, identifier, _type.Name, "static");
        }
        else if (_type.IsAbstract)
        {
            Report(DiagnosticDescriptors.InvalidPipelineClass, identifier, _type.Name, "abstract");
        }
        for (ISymbol? symbol = _type; symbol is INamedTypeSymbol named; symbol = named.ContainingType)
        {
            if (named.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                Report(DiagnosticDescriptors.InvalidPipelineClass, identifier, _type.Name,
                    SymbolEqualityComparer.Default.Equals(named, _type) ? "not visible outside its containing type" : $"inside '{named.Name}', which is not visible outside its containing type");
                break;
            }
        }
        for (var container = _type.ContainingType; container is not null; container = container.ContainingType)
        {
            if (container.IsGenericType)
            {
                Report(DiagnosticDescriptors.GenericPipeline, identifier, _type.Name);
            }
            foreach (var reference in container.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(_cancellationToken) is TypeDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    Report(DiagnosticDescriptors.ContainingTypeNotPartial, LocationInfo.From(declaration.Identifier), container.Name, _type.Name);
                }
            }
        }
    }

    private List<StepCandidate> ReadSteps()
    {
        var steps = new List<StepCandidate>();
        var byName = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in _type.GetMembers())
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                continue;
            }
            var stepAttribute = _known.FindAttribute(method, _known.Step);
            var stageAttributes = method.GetAttributes().Where(a => StageDefinition.IsStage(a.AttributeClass, _known)).ToList();
            if (stepAttribute is null && stageAttributes.Count == 0)
            {
                continue;
            }
            var declaration = method.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax(_cancellationToken))
                .OfType<MethodDeclarationSyntax>()
                .FirstOrDefault();
            if (declaration is null || declaration.Identifier.IsMissing)
            {
                continue;
            }
            var identifier = LocationInfo.From(declaration.Identifier);
            if (!byName.Add(method.Name))
            {
                Report(DiagnosticDescriptors.DuplicateStepName, identifier, method.Name);
                continue;
            }
            if (stageAttributes.Count > 1)
            {
                Report(DiagnosticDescriptors.MultipleStages, identifier, method.Name, StageDefinition.KindOf(stageAttributes[0].AttributeClass!), StageDefinition.KindOf(stageAttributes[1].AttributeClass!));
            }
            steps.Add(stageAttributes.Count > 0
                ? ReadStage(method, declaration, stageAttributes[0], stepAttribute, identifier)
                : ReadStep(method, declaration, stepAttribute!, identifier));
        }
        if (steps.Count == 0)
        {
            Report(DiagnosticDescriptors.EmptyPipeline, LocationInfo.From(_syntax.Identifier), _type.Name);
        }
        return steps;
    }

    private StepCandidate ReadStep(IMethodSymbol method, MethodDeclarationSyntax declaration, AttributeData stepAttribute, LocationInfo? identifier)
    {
        if (method.IsGenericMethod)
        {
            Report(DiagnosticDescriptors.GenericStep, identifier, method.Name);
        }
        if (method.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
        {
            var what = method.DeclaredAccessibility switch
            {
                Accessibility.Protected => "protected",
                Accessibility.ProtectedAndInternal => "private protected",
                _ => "private",
            };
            Report(DiagnosticDescriptors.StepNotAccessible, identifier, method.Name, what);
        }

        var (artifact, shape) = ReadReturnType(method.ReturnType);
        if (artifact is null && !KnownTypes.ContainsErrorType(method.ReturnType))
        {
            Report(DiagnosticDescriptors.StepReturnsNonArtifact, LocationInfo.From(declaration.ReturnType), method.Name, TypeNames.Short(method.ReturnType));
        }

        var documentation = DocumentationComments.Of(method, _cancellationToken);
        var parameters = new List<ParameterCandidate>();
        var optionNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in method.Parameters)
        {
            var syntax = parameter.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<ParameterSyntax>().FirstOrDefault();
            var candidate = ReadParameter(method, parameter, syntax, documentation);
            if (candidate.Kind == ArgumentKind.Option && candidate.Option is { } option && !optionNames.Add(option.Name))
            {
                Report(DiagnosticDescriptors.DuplicateOptionName, candidate.NameLocation, method.Name, option.Name);
            }
            parameters.Add(candidate);
        }

        var description = KnownTypes.NamedArgument(stepAttribute, "Description") ?? documentation.Summary;
        var hash = CodeHasher.Hash(method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)));
        return new StepCandidate(method, identifier, artifact, shape, parameters, description, hash, declaration.ContainsDiagnostics);
    }

    private (ITypeSymbol? Artifact, ReturnShape Shape) ReadReturnType(ITypeSymbol returnType)
    {
        var shape = ReturnShape.Value;
        var type = returnType;
        if (returnType is INamedTypeSymbol { TypeArguments.Length: 1 } wrapper)
        {
            if (KnownTypes.Is(wrapper, _known.Task))
            {
                (shape, type) = (ReturnShape.Task, wrapper.TypeArguments[0]);
            }
            else if (KnownTypes.Is(wrapper, _known.ValueTask))
            {
                (shape, type) = (ReturnShape.ValueTask, wrapper.TypeArguments[0]);
            }
        }
        return _known.IsArtifact(type) && type.NullableAnnotation != NullableAnnotation.Annotated ? (type, shape) : (null, shape);
    }

    private ParameterCandidate ReadParameter(IMethodSymbol method, IParameterSymbol parameter, ParameterSyntax? syntax, DocumentationComments documentation)
    {
        var nameLocation = syntax is null ? null : LocationInfo.From(syntax.Identifier);
        var typeLocation = syntax?.Type is { } typeSyntax ? LocationInfo.From(typeSyntax) : nameLocation;
        var optionAttribute = _known.FindAttribute(parameter, _known.Option);
        var fromAttribute = _known.FindAttribute(parameter, _known.From);
        var from = fromAttribute is { ConstructorArguments.Length: 1 } && fromAttribute.ConstructorArguments[0].Value is string step ? step : null;
        var candidate = new ParameterCandidate(parameter, nameLocation, typeLocation);

        if (parameter.RefKind != RefKind.None)
        {
            Report(DiagnosticDescriptors.InvalidStepParameter, nameLocation, parameter.Name, method.Name,
                "is passed by reference; remove the 'ref', 'out' or 'in' modifier");
        }
        if (optionAttribute is not null)
        {
            if (fromAttribute is not null)
            {
                Report(DiagnosticDescriptors.InvalidStepParameter, nameLocation, parameter.Name, method.Name,
                    "is both an [Option] and bound with [From]; an option comes from configuration, so remove one of the two attributes");
            }
            var kind = OptionParser.KindOf(parameter.Type);
            if (kind is null)
            {
                if (!KnownTypes.ContainsErrorType(parameter.Type))
                {
                    Report(DiagnosticDescriptors.UnsupportedOptionType, typeLocation, OptionParser.Key(parameter, optionAttribute), method.Name, TypeNames.Short(parameter.Type));
                }
                return candidate with { Kind = ArgumentKind.Option };
            }
            var defaultText = OptionParser.DefaultText(parameter);
            var option = new OptionSpec(
                OptionParser.Key(parameter, optionAttribute),
                parameter.Name,
                kind.Value,
                TypeNames.Short(parameter.Type),
                defaultText,
                OptionParser.IsRequired(parameter, defaultText),
                kind == OptionValueKind.Enum ? OptionParser.EnumMembers(parameter.Type) : EquatableArray<string>.Empty,
                KnownTypes.NamedArgument(optionAttribute, "Description") ?? documentation.Parameter(parameter.Name));
            return candidate with { Kind = ArgumentKind.Option, Option = option };
        }
        if (KnownTypes.ContainsErrorType(parameter.Type))
        {
            // A type that does not resolve is the compiler's error (CS0246); guessing it is an input would add a bogus DF0002.
            return candidate with { Kind = ArgumentKind.Input, TypeReported = true };
        }
        if (fromAttribute is null && KnownTypes.Is(parameter.Type, _known.CancellationToken))
        {
            return candidate with { Kind = ArgumentKind.CancellationToken };
        }
        if (fromAttribute is null && KnownTypes.Is(parameter.Type, _known.StepContext))
        {
            return candidate with { Kind = ArgumentKind.Context };
        }
        if (fromAttribute is not null && from is null)
        {
            Report(DiagnosticDescriptors.InvalidStepParameter, nameLocation, parameter.Name, method.Name,
                "has a [From] without a step name; write [From(\"Step\")] with the name of the producing step");
        }
        return candidate with { Kind = ArgumentKind.Input, Producer = from ?? parameter.Name, IsFrom = fromAttribute is not null };
    }

    // Code that does not compile yet (missing types, half-typed methods) gets no output: the compiler reports it.
    private static bool IsComplete(StepCandidate step) =>
        step.Artifact is not null
        && step.Stage is not { CanWriteBody: false } and not { ArgumentsReadable: false }
        && !step.HasSyntaxErrors
        && !KnownTypes.ContainsErrorType(step.Artifact)
        && step.Method.Parameters.All(p => p.Name.Length > 0 && !KnownTypes.ContainsErrorType(p.Type))
        && step.Parameters.All(p => p.Kind switch
        {
            ArgumentKind.Option => p.Option is not null,
            ArgumentKind.Input => p.ProducerIndex >= 0,
            _ => true,
        });

    /// <summary>Binds inputs to producers and orders the steps; null when the graph has a cycle.</summary>
    private List<int>? BindAndOrder(List<StepCandidate> steps)
    {
        var graph = new StepGraph(steps.Count);
        var names = steps.Select(s => s.Method.Name).ToList();
        for (var consumer = 0; consumer < steps.Count; consumer++)
        {
            var step = steps[consumer];
            foreach (var parameter in step.Parameters)
            {
                if (parameter.Kind != ArgumentKind.Input || parameter.Producer is null)
                {
                    continue;
                }
                var producer = FindStep(names, parameter.Producer, parameter.IsFrom);
                if (producer < 0)
                {
                    var suggestion = DeclFed.Stages.NameSuggestion.DidYouMean(parameter.Producer, names);
                    if (parameter.IsFrom)
                    {
                        Report(DiagnosticDescriptors.FromUnknownStep, parameter.NameLocation, parameter.Producer, parameter.Symbol.Name, step.Method.Name, suggestion);
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.UnboundInput, parameter.NameLocation, parameter.Symbol.Name, step.Method.Name, suggestion);
                    }
                    continue;
                }
                parameter.ProducerIndex = producer;
                graph.AddEdge(producer, consumer);
                var produced = steps[producer].Artifact;
                if (produced is not null && !parameter.TypeReported && !KnownTypes.ContainsErrorType(parameter.Symbol.Type) && !SymbolEqualityComparer.Default.Equals(produced, parameter.Symbol.Type))
                {
                    Report(DiagnosticDescriptors.InputTypeMismatch, parameter.TypeLocation, parameter.Symbol.Name, step.Method.Name,
                        TypeNames.Short(parameter.Symbol.Type), steps[producer].Method.Name, TypeNames.Short(produced));
                }
            }
        }

        var cycles = graph.FindCycles();
        foreach (var cycle in cycles)
        {
            var path = string.Join(" -> ", cycle.Concat(new[] { cycle[0] }).Select(i => steps[i].Method.Name));
            Report(DiagnosticDescriptors.Cycle, steps[cycle[0]].Identifier, path);
        }
        if (cycles.Count > 0)
        {
            return null;
        }

        var order = graph.TopologicalOrder();
        // With an input left unbound the graph is incomplete, and "unused" outputs would only echo that error.
        var complete = steps.All(s => s.Parameters.All(p => p.Kind != ArgumentKind.Input || p.ProducerIndex >= 0) && s.Stage is not { ParametersFit: false });
        if (order.Count > 0 && complete)
        {
            var final = order[order.Count - 1];
            foreach (var index in order)
            {
                if (index != final && !graph.IsConsumed(index))
                {
                    Report(DiagnosticDescriptors.UnusedOutput, steps[index].Identifier, steps[index].Method.Name, steps[final].Method.Name);
                }
            }
        }
        return order;
    }

    // Exact name first; otherwise the one step whose name differs only in case (a parameter 'raw' binds step 'Raw').
    private static int FindStep(List<string> names, string name, bool exactOnly)
    {
        var exact = names.IndexOf(name);
        if (exact >= 0 || exactOnly)
        {
            return exact;
        }
        var matches = Enumerable.Range(0, names.Count).Where(i => string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count == 1 ? matches[0] : -1;
    }

    private EquatableArray<RecordParseResult> CollectRecords(List<StepCandidate> steps)
    {
        var records = new List<RecordParseResult>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            var types = new List<ITypeSymbol>();
            if (step.Artifact is not null)
            {
                types.Add(step.Artifact);
            }
            types.AddRange(step.Parameters.Where(p => p.Kind == ArgumentKind.Input).Select(p => p.Symbol.Type));
            foreach (var type in types)
            {
                if (_known.DatasetRecordType(type) is { } recordType
                    && RecordParser.Parse(recordType, _compilation, _known, step.Identifier) is { } record
                    && keys.Add(record.Key))
                {
                    records.Add(record);
                }
            }
        }
        return records.ToEquatableArray();
    }

    private PipelineSpec BuildSpec(List<StepCandidate> steps, List<int> order, AttributeData? pipelineAttribute)
    {
        var specs = new List<StepSpec>(order.Count);
        foreach (var index in order)
        {
            var step = steps[index];
            var arguments = new List<ArgumentSpec>();
            var inputs = new List<InputSpec>();
            var options = new List<OptionSpec>();
            foreach (var parameter in step.Parameters)
            {
                switch (parameter.Kind)
                {
                    case ArgumentKind.Input:
                        var producer = steps[parameter.ProducerIndex].Method.Name;
                        arguments.Add(new ArgumentSpec(ArgumentKind.Input, producer, string.Empty, string.Empty));
                        inputs.Add(new InputSpec(parameter.Symbol.Name, producer, TypeNames.Short(parameter.Symbol.Type)));
                        break;
                    case ArgumentKind.Option:
                        var option = parameter.Option!;
                        arguments.Add(new ArgumentSpec(
                            ArgumentKind.Option,
                            option.Name,
                            OptionParser.ValueTypeName(parameter.Symbol.Type, option.Kind),
                            option.Kind == OptionValueKind.Enum ? TypeNames.Code(parameter.Symbol.Type) : string.Empty));
                        options.Add(option);
                        break;
                    default:
                        arguments.Add(new ArgumentSpec(parameter.Kind, string.Empty, string.Empty, string.Empty));
                        break;
                }
            }
            var artifact = step.Artifact!;
            if (step.Stage is { } stage)
            {
                options.AddRange(StageOptions(stage));
            }
            specs.Add(new StepSpec(
                step.Method.Name,
                TypeNames.Identifier(step.Method.Name),
                step.Method.IsStatic,
                TypeNames.Code(artifact),
                TypeNames.Short(artifact),
                step.Shape,
                arguments.ToEquatableArray(),
                inputs.ToEquatableArray(),
                options.ToEquatableArray(),
                step.CodeHash,
                step.Description)
            {
                Stage = step.Stage?.Definition?.Call,
            });
        }

        var containers = new List<string>();
        for (var container = _type.ContainingType; container is not null; container = container.ContainingType)
        {
            containers.Insert(0, container.Name);
        }
        var isPublic = true;
        for (ISymbol? symbol = _type; symbol is INamedTypeSymbol named; symbol = named.ContainingType)
        {
            isPublic &= named.DeclaredAccessibility == Accessibility.Public;
        }
        var attributeName = pipelineAttribute is null ? null : KnownTypes.NamedArgument(pipelineAttribute, "Name");
        var description = pipelineAttribute is null ? null : KnownTypes.NamedArgument(pipelineAttribute, "Description");
        return new PipelineSpec(
            _type.ContainingNamespace is { IsGlobalNamespace: false } ns ? TypeNames.Namespace(ns) : string.Empty,
            TypeNames.Code(_type),
            TypeNames.Dotted(_type),
            string.Concat(containers) + _type.Name,
            string.IsNullOrWhiteSpace(attributeName) ? _type.Name : attributeName!,
            description ?? DocumentationComments.Of(_type, _cancellationToken).Summary,
            isPublic,
            specs.ToEquatableArray());
    }

    private sealed class StepCandidate
    {
        public StepCandidate(IMethodSymbol method, LocationInfo? identifier, ITypeSymbol? artifact, ReturnShape shape, List<ParameterCandidate> parameters, string description, string codeHash, bool hasSyntaxErrors)
        {
            HasSyntaxErrors = hasSyntaxErrors;
            Method = method;
            Identifier = identifier;
            Artifact = artifact;
            Shape = shape;
            Parameters = parameters;
            Description = description;
            CodeHash = codeHash;
        }

        public IMethodSymbol Method { get; }
        public LocationInfo? Identifier { get; }
        public ITypeSymbol? Artifact { get; }
        public ReturnShape Shape { get; }
        public List<ParameterCandidate> Parameters { get; }
        public string Description { get; }
        public string CodeHash { get; }
        public bool HasSyntaxErrors { get; }

        /// <summary>For a declarative stage, its definition, settings and whether its body can be written; null for an ordinary step.</summary>
        public StageCandidate? Stage { get; init; }
    }

    private sealed record ParameterCandidate(IParameterSymbol Symbol, LocationInfo? NameLocation, LocationInfo? TypeLocation)
    {
        public ArgumentKind Kind { get; init; }
        public OptionSpec? Option { get; init; }
        public string? Producer { get; init; }
        public bool IsFrom { get; init; }
        public bool TypeReported { get; init; }
        public int ProducerIndex { get; set; } = -1;
    }
}
