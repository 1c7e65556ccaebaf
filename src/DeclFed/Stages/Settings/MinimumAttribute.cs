namespace DeclFed.Stages;

/// <summary>The setting (or each element of a list setting) is at least <see cref="Value"/>, or above it when <see cref="Exclusive"/>.</summary>
/// <param name="value">The smallest value allowed.</param>
public sealed class MinimumAttribute(double value) : NumberConstraintAttribute
{
    /// <summary>The bound.</summary>
    public double Value { get; } = value;

    /// <summary>Whether the bound itself is excluded.</summary>
    public bool Exclusive { get; set; }

    /// <inheritdoc/>
    protected override string? Violation(double value) =>
        double.IsNaN(value) ? "is not a number"
        : Exclusive ? (value > Value ? null : $"must be greater than {Text(Value)}")
        : (value >= Value ? null : $"must be at least {Text(Value)}");
}
