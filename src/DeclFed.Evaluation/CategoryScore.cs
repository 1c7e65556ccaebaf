namespace DeclFed.Evaluation;

/// <summary>The scores of one category.</summary>
/// <param name="Category">The category.</param>
/// <param name="Examples">Examples scored.</param>
/// <param name="Loss">Mean loss per response token (nats).</param>
/// <param name="ExactMatch">Share of greedy answers equal to the reference after whitespace and case normalisation.</param>
public sealed record CategoryScore(string Category, int Examples, double Loss, double ExactMatch);
