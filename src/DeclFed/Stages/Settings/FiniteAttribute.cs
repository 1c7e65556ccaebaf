namespace DeclFed.Stages;

/// <summary>The setting (or each element of a list setting) is a finite number (not NaN, not infinite).</summary>
public sealed class FiniteAttribute : NumberConstraintAttribute
{
    /// <inheritdoc/>
    protected override string? Violation(double value) =>
        double.IsNaN(value) || double.IsInfinity(value) ? "must be a finite number" : null;
}
