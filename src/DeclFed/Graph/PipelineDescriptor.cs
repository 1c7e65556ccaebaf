namespace DeclFed.Graph;

/// <summary>
/// The static description of a pipeline, emitted by the source generator: its steps in topological order,
/// their typed edges and options, and the Mermaid text of the graph.
/// </summary>
/// <param name="Name">The pipeline name (run directories live under <c>runs/&lt;Name&gt;/</c>).</param>
/// <param name="TypeName">The fully qualified name of the pipeline class.</param>
/// <param name="Description">The description from <see cref="PipelineAttribute.Description"/>.</param>
/// <param name="Steps">The steps, in the topological order the executor runs them.</param>
/// <param name="Mermaid">A Mermaid <c>flowchart</c> of the graph.</param>
public sealed record PipelineDescriptor(
    string Name,
    string TypeName,
    string Description,
    IReadOnlyList<StepDescriptor> Steps,
    string Mermaid)
{
    /// <summary>Finds a step by name (ordinal, case-sensitive), or <see langword="null"/>.</summary>
    public StepDescriptor? FindStep(string name)
    {
        foreach (var step in Steps)
        {
            if (string.Equals(step.Name, name, StringComparison.Ordinal))
            {
                return step;
            }
        }
        return null;
    }
}

/// <summary>One node of the graph.</summary>
/// <param name="Name">The step name (the method name).</param>
/// <param name="Kind">What kind of step it is: <c>Step</c> for an ordinary method, or the declarative stage kind (<c>Refine</c>, <c>FederatedLora</c>, …).</param>
/// <param name="OutputType">The display name of the artifact type the step returns.</param>
/// <param name="Inputs">The typed edges into this step.</param>
/// <param name="Options">The options bound from configuration.</param>
/// <param name="CodeHash">A hash of the step's source (signature, attributes and body), part of its fingerprint so an edited step is recomputed.</param>
/// <param name="Description">The step's description.</param>
public sealed record StepDescriptor(
    string Name,
    string Kind,
    string OutputType,
    IReadOnlyList<StepInputDescriptor> Inputs,
    IReadOnlyList<OptionDescriptor> Options,
    string CodeHash,
    string Description);

/// <summary>A typed edge: parameter <paramref name="Parameter"/> receives the output of <paramref name="Producer"/>.</summary>
public sealed record StepInputDescriptor(string Parameter, string Producer, string Type);

/// <summary>The kinds of values an option can hold.</summary>
public enum OptionKind
{
    /// <summary>A string.</summary>
    String,
    /// <summary>A boolean (<c>true</c>/<c>false</c>).</summary>
    Boolean,
    /// <summary>A 32-bit integer.</summary>
    Int32,
    /// <summary>A 64-bit integer.</summary>
    Int64,
    /// <summary>A single-precision number.</summary>
    Single,
    /// <summary>A double-precision number.</summary>
    Double,
    /// <summary>An enum: the value is one of <see cref="OptionDescriptor.AllowedValues"/>.</summary>
    Enum,
    /// <summary>An array of 32-bit integers (comma-separated on the command line, or a JSON array in appsettings.json).</summary>
    Int32Array,
    /// <summary>An array of double-precision numbers.</summary>
    DoubleArray,
    /// <summary>An array of strings.</summary>
    StringArray,
}

/// <summary>An option of a step, bound from configuration key <c>&lt;Step&gt;:&lt;Name&gt;</c>.</summary>
/// <param name="Name">The configuration key under the step's section.</param>
/// <param name="Parameter">The C# parameter name.</param>
/// <param name="Kind">The value kind.</param>
/// <param name="TypeName">The C# type as written.</param>
/// <param name="DefaultValue">The default in invariant text (arrays comma-separated), or <see langword="null"/> when the default is <c>null</c>.</param>
/// <param name="AllowedValues">The allowed values of an enum option; empty otherwise.</param>
/// <param name="Description">The option's description.</param>
public sealed record OptionDescriptor(
    string Name,
    string Parameter,
    OptionKind Kind,
    string TypeName,
    string? DefaultValue,
    IReadOnlyList<string> AllowedValues,
    string Description);
