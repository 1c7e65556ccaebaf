namespace DeclFed;

/// <summary>
/// Marks a <c>partial</c> class whose methods are the stages of a pipeline. The DeclFed source generator
/// checks the class at compile time and emits its typed execution graph.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PipelineAttribute : Attribute
{
    /// <summary>A one-line description shown by the <c>describe</c> verb and in reports.</summary>
    public string? Description { get; set; }

    /// <summary>The pipeline's name in run directories and logs; the class name when not set.</summary>
    public string? Name { get; set; }
}
