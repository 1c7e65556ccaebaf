namespace DeclFed.Evaluation;

/// <summary>Settings of <see cref="ModelEvaluation.Evaluate"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The prompt template the model was fine-tuned with (<c>alpaca</c>, <c>chatml</c>, <c>instruction</c>).</summary>
    public string PromptTemplate { get; init; } = "alpaca";

    /// <summary>Tokens per example for the loss (longer examples are truncated, as in training).</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Examples per forward pass of the loss.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The most tokens generated per answer for exact match.</summary>
    public int MaxNewTokens { get; init; } = 48;
}
