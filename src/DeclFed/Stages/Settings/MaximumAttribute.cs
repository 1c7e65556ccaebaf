namespace DeclFed.Stages;

/// <summary>The setting (or each element of a list setting) is at most <see cref="Value"/>, or below it when <see cref="Exclusive"/>.</summary>
/// <param name="value">The largest value allowed.</param>
public sealed class MaximumAttribute(double value) : NumberConstraintAttribute
{
    /// <summary>The bound.</summary>
    public double Value { get; } = value;

    /// <summary>Whether the bound itself is excluded.</summary>
    public bool Exclusive { get; set; }

    /// <inheritdoc/>
    protected override string? Violation(double value) =>
        double.IsNaN(value) ? "is not a number"
        : Exclusive ? (value < Value ? null : $"must be less than {Text(Value)}")
        : (value <= Value ? null : $"must be at most {Text(Value)}");
}
