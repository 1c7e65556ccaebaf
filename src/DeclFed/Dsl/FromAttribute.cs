namespace DeclFed;

/// <summary>Binds a step input to the output of the named step, instead of the step named like the parameter.</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class FromAttribute : Attribute
{
    /// <summary>Binds the parameter to the output of <paramref name="step"/>.</summary>
    public FromAttribute(string step) => Step = step;

    /// <summary>The name of the producing step.</summary>
    public string Step { get; }
}
