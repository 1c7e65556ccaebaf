namespace DeclFed.Generators.Model;

/// <summary>Everything the emitter needs to write one pipeline's definition; holds no Roslyn objects.</summary>
/// <param name="Namespace">The namespace of the pipeline class, empty for the global namespace.</param>
/// <param name="TypeName">The pipeline class's type name as the emitted code writes it (<c>global::N.Quickstart</c>).</param>
/// <param name="MetadataName">The dotted name recorded in the descriptor (<c>N.Quickstart</c>).</param>
/// <param name="BaseName">The stem of the emitted names (<c>Quickstart</c>, or the containing types' names first when nested).</param>
/// <param name="PipelineName">The name in run directories: <c>[Pipeline(Name)]</c> or the class name.</param>
/// <param name="Description">The pipeline description.</param>
/// <param name="IsPublic">Whether the emitted definition can be public (the pipeline class is visible outside its assembly).</param>
/// <param name="Steps">The steps in topological order.</param>
internal sealed record PipelineSpec(
    string Namespace,
    string TypeName,
    string MetadataName,
    string BaseName,
    string PipelineName,
    string Description,
    bool IsPublic,
    EquatableArray<StepSpec> Steps)
{
    /// <summary>The hint name of the generated file.</summary>
    public string HintName => MetadataName + ".Pipeline.g.cs";
}

/// <summary>One step, with its call shape and its descriptor text.</summary>
/// <param name="Name">The step (and method) name.</param>
/// <param name="MethodName">The method name as an identifier in C# source (keywords escaped).</param>
/// <param name="IsStatic">Whether the method is static (called on the type rather than the instance).</param>
/// <param name="OutputTypeName">The artifact type in emitted code (<c>global::DeclFed.Dataset&lt;global::N.Row&gt;</c>).</param>
/// <param name="OutputTypeDisplay">The artifact type shown to people (<c>Dataset&lt;Row&gt;</c>).</param>
/// <param name="ReturnShape">How the method hands back its artifact.</param>
/// <param name="Arguments">The method's arguments, in parameter order.</param>
/// <param name="Inputs">The typed edges into the step.</param>
/// <param name="Options">The options of the step; for a declarative stage, the settings its attribute writes (the others come from the stage's own option list at run time).</param>
/// <param name="CodeHash">The FNV-1a hash of the step's normalized source.</param>
/// <param name="Description">The step description.</param>
internal sealed record StepSpec(
    string Name,
    string MethodName,
    bool IsStatic,
    string OutputTypeName,
    string OutputTypeDisplay,
    ReturnShape ReturnShape,
    EquatableArray<ArgumentSpec> Arguments,
    EquatableArray<InputSpec> Inputs,
    EquatableArray<OptionSpec> Options,
    string CodeHash,
    string Description)
{
    /// <summary>For a declarative stage, how the executor calls its runtime; null for an ordinary step.</summary>
    public StageCallSpec? Stage { get; init; }

    /// <summary>The step kind recorded in the descriptor: <c>Step</c>, or the declarative stage's kind.</summary>
    public string Kind => Stage?.Kind ?? "Step";
}

/// <summary>How a step method returns its artifact.</summary>
internal enum ReturnShape
{
    /// <summary>The artifact itself.</summary>
    Value,
    /// <summary>A <c>Task&lt;T&gt;</c>.</summary>
    Task,
    /// <summary>A <c>ValueTask&lt;T&gt;</c>.</summary>
    ValueTask,
}

/// <summary>What a step parameter receives.</summary>
internal enum ArgumentKind
{
    /// <summary>The output of another step.</summary>
    Input,
    /// <summary>A configuration value.</summary>
    Option,
    /// <summary>The run's cancellation token.</summary>
    CancellationToken,
    /// <summary>The step context.</summary>
    Context,
}

/// <summary>One argument of a step call.</summary>
/// <param name="Kind">What the parameter receives.</param>
/// <param name="Source">For an input, the producing step's name; for an option, its configuration key; empty otherwise.</param>
/// <param name="ValueTypeName">For an option, the type handed to <c>GetOption&lt;T&gt;</c>; empty otherwise.</param>
/// <param name="EnumTypeName">For an enum option, the enum type to parse the member name into; empty otherwise.</param>
internal sealed record ArgumentSpec(ArgumentKind Kind, string Source, string ValueTypeName, string EnumTypeName);

/// <summary>A typed edge: <paramref name="Parameter"/> receives the output of <paramref name="Producer"/>.</summary>
internal sealed record InputSpec(string Parameter, string Producer, string TypeDisplay);

/// <summary>An option of a step, as recorded in its descriptor.</summary>
/// <param name="Name">The configuration key.</param>
/// <param name="Parameter">The C# parameter name.</param>
/// <param name="Kind">The value kind.</param>
/// <param name="TypeDisplay">The C# type as people read it.</param>
/// <param name="DefaultValue">The invariant text of the default, or null when there is none (required) or it is null.</param>
/// <param name="IsRequired">Whether configuration must supply a value (no default, and the type is not nullable).</param>
/// <param name="AllowedValues">The member names of an enum option.</param>
/// <param name="Description">The option description.</param>
internal sealed record OptionSpec(
    string Name,
    string Parameter,
    OptionValueKind Kind,
    string TypeDisplay,
    string? DefaultValue,
    bool IsRequired,
    EquatableArray<string> AllowedValues,
    string Description);

/// <summary>Mirrors <c>DeclFed.Graph.OptionKind</c> (the generator references no runtime assembly); names must match.</summary>
internal enum OptionValueKind
{
    String,
    Boolean,
    Int32,
    Int64,
    Single,
    Double,
    Enum,
    Int32Array,
    DoubleArray,
    StringArray,
}
