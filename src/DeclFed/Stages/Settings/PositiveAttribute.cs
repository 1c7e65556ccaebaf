namespace DeclFed.Stages;

/// <summary>The setting (or each element of a list setting) is a positive, finite number.</summary>
public sealed class PositiveAttribute : NumberConstraintAttribute
{
    /// <inheritdoc/>
    protected override string? Violation(double value) =>
        value > 0 && !double.IsInfinity(value) ? null : "must be a positive number";
}
