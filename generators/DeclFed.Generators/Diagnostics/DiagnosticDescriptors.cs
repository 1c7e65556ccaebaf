using Microsoft.CodeAnalysis;

namespace DeclFed.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the DeclFed generator reports. IDs are stable: never reuse or renumber one; add new rules
/// to AnalyzerReleases.Unshipped.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "DeclFed";

    public static readonly DiagnosticDescriptor PipelineNotPartial = Error(
        "DF0001",
        "Pipeline class must be partial",
        "Pipeline class '{0}' must be partial: add the 'partial' modifier so that the generator can extend it");

    public static readonly DiagnosticDescriptor UnboundInput = Error(
        "DF0002",
        "No step produces this input",
        "Parameter '{0}' of step '{1}' is an input, but no step named '{0}' produces it{2}; rename it after a step, bind it with [From(\"step\")], or mark it [Option]");

    public static readonly DiagnosticDescriptor InputTypeMismatch = Error(
        "DF0003",
        "Input type differs from the producer's output type",
        "Parameter '{0}' of step '{1}' has type '{2}', but step '{3}' produces '{4}'; change the parameter type to '{4}' or bind it to another step");

    public static readonly DiagnosticDescriptor Cycle = Error(
        "DF0004",
        "Steps form a cycle",
        "Steps form a cycle: {0}; a step cannot depend on its own output, so remove one of these inputs");

    public static readonly DiagnosticDescriptor DuplicateStepName = Error(
        "DF0005",
        "Duplicate step name",
        "Step name '{0}' is used by more than one [Step] method; rename the overloads so that each step has its own name");

    public static readonly DiagnosticDescriptor StepReturnsNonArtifact = Error(
        "DF0006",
        "Step does not return an artifact",
        "Step '{0}' returns '{1}', which is not an artifact; return a non-nullable T, Task<T> or ValueTask<T> where T implements DeclFed.IArtifact<T> (for example Dataset<TRecord>)");

    public static readonly DiagnosticDescriptor UnsupportedOptionType = Error(
        "DF0007",
        "Option type is not supported",
        "Option '{0}' of step '{1}' has type '{2}', which configuration cannot bind; use string, bool, int, long, float, double, an enum, int[], double[] or string[]");

    public static readonly DiagnosticDescriptor UnusedOutput = new(
        "DF0008",
        "Step output is not used",
        "No step uses the output of step '{0}', and it is not the final step '{1}'; pass it to a step as an input, or remove the step",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedRecordProperty = Error(
        "DF0009",
        "Record property type is not supported",
        "Property '{0}' of record '{1}' has type '{2}', which datasets cannot store; use bool, int, short, byte, long, float, double, string, byte[], DateOnly, DateTime, decimal, int[], long[], float[], double[] or string[] (or their nullable forms), or make the property non-public");

    public static readonly DiagnosticDescriptor FromUnknownStep = Error(
        "DF0010",
        "[From] names no step",
        "[From(\"{0}\")] on parameter '{1}' of step '{2}' names no step of the pipeline{3}; name one of its [Step] methods");

    public static readonly DiagnosticDescriptor EmptyPipeline = new(
        "DF0011",
        "Pipeline has no steps",
        "Pipeline '{0}' has no [Step] methods; add at least one step",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor GenericPipeline = Error(
        "DF0012",
        "Pipeline class is generic",
        "Pipeline class '{0}' is generic; the host cannot construct an open generic pipeline, so remove its type parameters");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
        "DF0013",
        "Type containing a pipeline must be partial",
        "Type '{0}' contains pipeline '{1}' and must be partial too: add the 'partial' modifier");

    public static readonly DiagnosticDescriptor StepNotAccessible = Error(
        "DF0014",
        "Step is not accessible",
        "Step '{0}' is {1}; make it public or internal so that the generated pipeline definition can call it");

    public static readonly DiagnosticDescriptor GenericStep = Error(
        "DF0015",
        "Step is generic",
        "Step '{0}' is generic; a step must be a concrete method, so remove its type parameters");

    public static readonly DiagnosticDescriptor InvalidPipelineClass = Error(
        "DF0016",
        "Pipeline class cannot be instantiated by the host",
        "Pipeline class '{0}' is {1}; a pipeline must be a non-static, non-abstract class that its own assembly can see");

    public static readonly DiagnosticDescriptor InvalidStepParameter = Error(
        "DF0017",
        "Step parameter cannot be bound",
        "Parameter '{0}' of step '{1}' {2}");

    public static readonly DiagnosticDescriptor DuplicateOptionName = Error(
        "DF0018",
        "Duplicate option name",
        "Step '{0}' has more than one option named '{1}'; give each [Option] its own Name");

    public static readonly DiagnosticDescriptor RecordNotConstructible = Error(
        "DF0019",
        "Record type cannot be stored in a dataset",
        "Record type '{0}' cannot be stored in a dataset: {1}");

    public static readonly DiagnosticDescriptor InvalidRecordFieldName = Error(
        "DF0020",
        "Invalid record field name",
        "Field name '{0}' of property '{1}' of record type '{2}' {3}");

    public static readonly DiagnosticDescriptor FederatedStageNotPartial = Error(
        "DF0021",
        "Federated LoRA stage must be a partial method without a body",
        "[FederatedLoRA] method '{0}' {1}; declare it 'partial' without a body and the generator writes the body, for example 'public partial LoraModel {0}(LanguageModel @base, Dataset<Instruction> train);'");

    public static readonly DiagnosticDescriptor FederatedStageParameters = Error(
        "DF0022",
        "Federated LoRA stage has the wrong parameters",
        "[FederatedLoRA] method '{0}' {1}; its parameters must be a DeclFed.Models.LanguageModel (the base model), a DeclFed.Dataset<DeclFed.Data.Instruction> (the training records) and optionally a second Dataset<Instruction> (the validation records)");

    public static readonly DiagnosticDescriptor FederatedStageReturnType = Error(
        "DF0023",
        "Federated LoRA stage must return a LoraModel",
        "[FederatedLoRA] method '{0}' returns '{1}'; a federated LoRA stage returns the trained adapters, so change the return type to DeclFed.Models.LoraModel");

    public static readonly DiagnosticDescriptor FederatedStageWithStep = Error(
        "DF0024",
        "[FederatedLoRA] and [Step] on one method",
        "Method '{0}' has both [Step] and [FederatedLoRA]; a [FederatedLoRA] method is a step of the pipeline already, so remove [Step]");

    public static readonly DiagnosticDescriptor FederatedRuntimeMissing = Error(
        "DF0025",
        "Federated LoRA runtime is not referenced",
        "[FederatedLoRA] stage '{0}' needs the federated runtime, but type 'DeclFed.Federated.FederatedLoraStage' was not found; add a reference to the DeclFed.Federated assembly (project or package)");

    public static readonly DiagnosticDescriptor HeterogeneousRanksNotSupported = Error(
        "DF0026",
        "Aggregation method needs one rank for every client",
        "{0} averages the clients' LoRA factors and needs one rank for every client, but Ranks gives {1}; use FLoRA, FlexLoRA or HetLoRA for heterogeneous ranks, or give a single rank");

    public static readonly DiagnosticDescriptor RankNotPositive = Error(
        "DF0027",
        "LoRA rank is not positive",
        "{0}; every client needs a LoRA rank of at least 1");

    public static readonly DiagnosticDescriptor ClientsPerRoundInvalid = Error(
        "DF0028",
        "Clients per round cannot be sampled",
        "ClientsPerRound = {0} {1}");

    public static readonly DiagnosticDescriptor UnknownTargetModule = Error(
        "DF0029",
        "Unknown LoRA target module",
        "'{0}' in TargetModules is not a projection of the model{1}; use some of {2}");

    public static readonly DiagnosticDescriptor DuplicateTargetModule = Error(
        "DF0030",
        "LoRA target module listed more than once",
        "'{0}' is listed more than once in TargetModules; list each projection once");

    public static readonly DiagnosticDescriptor DirichletAlphaNotPositive = Error(
        "DF0031",
        "Dirichlet concentration is not positive",
        "Alpha = {0} with Partition.Dirichlet: the Dirichlet concentration α must be a positive number (smaller is more skewed, for example 0.5)");

    public static readonly DiagnosticDescriptor RankSharesLength = Error(
        "DF0032",
        "RankShares and Ranks differ in length",
        "RankShares gives {0} shares for {1} rank tiers in Ranks; give one share per rank");

    public static readonly DiagnosticDescriptor FederatedSettingOutOfRange = Error(
        "DF0033",
        "Federated setting out of range",
        "{0} = {1}: {2}");

    public static readonly DiagnosticDescriptor SettingNotForAggregation = Error(
        "DF0034",
        "Setting does not apply to the aggregation method",
        "{0} = {1} cannot be used with {2}: {3}");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
