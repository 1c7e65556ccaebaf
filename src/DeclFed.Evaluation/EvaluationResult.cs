namespace DeclFed.Evaluation;

/// <summary>The scores of a model on a set of instruction records.</summary>
/// <param name="Examples">Examples scored.</param>
/// <param name="Loss">Mean loss per response token over all examples (nats).</param>
/// <param name="ExactMatch">Share of exact greedy answers.</param>
/// <param name="Categories">The scores per category, by name.</param>
public sealed record EvaluationResult(int Examples, double Loss, double ExactMatch, IReadOnlyList<CategoryScore> Categories)
{
    /// <summary>exp(<see cref="Loss"/>).</summary>
    public double Perplexity => Math.Exp(Loss);
}
