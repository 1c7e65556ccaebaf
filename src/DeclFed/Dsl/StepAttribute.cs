namespace DeclFed;

/// <summary>
/// Marks an ordinary step: a method with a body whose parameters are its inputs (bound by name to the steps
/// that produce them) and its options (parameters marked <see cref="OptionAttribute"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class StepAttribute : Attribute
{
    /// <summary>A one-line description shown by the <c>describe</c> verb.</summary>
    public string? Description { get; set; }
}
