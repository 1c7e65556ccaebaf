namespace DeclFed;

/// <summary>
/// Marks a step parameter bound from configuration (<c>appsettings.json</c>, environment,
/// <c>--Step:Option=value</c>). The C# default value is the option's default.
/// </summary>
/// <remarks>
/// Supported types: <see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>, <see cref="float"/>,
/// <see cref="double"/>, enums (configured by member name), <c>int[]</c>, <c>double[]</c> and <c>string[]</c>; any other
/// type is compile error DF0007. A parameter without a C# default is a required option, unless its type is nullable
/// (<c>string?</c>, <c>int[]?</c>), in which case a missing value reaches the step as <see langword="null"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class OptionAttribute : Attribute
{
    /// <summary>The configuration key under the step's section; the parameter name when not set.</summary>
    public string? Name { get; set; }

    /// <summary>A one-line description shown by the <c>describe</c> verb.</summary>
    public string? Description { get; set; }
}
