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

    public static readonly DiagnosticDescriptor StageNotPartial = Error(
        "DF0021",
        "Declarative stage must be a partial method without a body",
        "[{0}] method '{1}' {2}; declare it 'partial' without a body and the generator writes the body, for example 'public partial {3} {1}({4});'");

    public static readonly DiagnosticDescriptor StageParameters = Error(
        "DF0022",
        "Declarative stage has the wrong parameters",
        "[{0}] method '{1}' {2}; its parameters are the stage's inputs, in order: {3}");

    public static readonly DiagnosticDescriptor StageReturnType = Error(
        "DF0023",
        "Declarative stage returns another artifact",
        "[{0}] method '{1}' returns '{2}'; the stage produces {3}, so change the return type to {3}");

    public static readonly DiagnosticDescriptor StageWithStep = Error(
        "DF0024",
        "Declarative stage also marked [Step]",
        "Method '{0}' has both [Step] and [{1}]; a [{1}] method is a step of the pipeline already, so remove [Step]");

    public static readonly DiagnosticDescriptor StageDefinitionInvalid = Error(
        "DF0035",
        "Declarative stage is not defined so that it can be used",
        "[{0}] cannot be used as a declarative stage: {1}");

    public static readonly DiagnosticDescriptor MultipleStages = Error(
        "DF0036",
        "More than one declarative stage on a method",
        "Method '{0}' has more than one declarative stage ([{1}] and [{2}]); a method is one stage, so keep one of them");

    public static readonly DiagnosticDescriptor StageSettingsInvalid = Error(
        "DF0037",
        "Stage settings class cannot be extended by the generator",
        "Settings class '{0}' of stage [{1}] {2}");

    public static readonly DiagnosticDescriptor StageSettingType = Error(
        "DF0038",
        "Stage setting type is not supported",
        "Setting '{0}' of '{1}' has type '{2}', which configuration cannot bind; use string, bool, int, long, float, double, an enum, int[], double[] or string[] (or make it get-only if it is derived from other settings)");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
