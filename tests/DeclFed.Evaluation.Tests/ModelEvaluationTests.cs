using DeclFed.Data;
using DeclFed.Models;
using DeclFed.Models.Tests;

namespace DeclFed.Evaluation.Tests;

/// <summary>Scoring a model on instruction records: loss per response token and exact match, per category.</summary>
public sealed class ModelEvaluationTests(TinyBase tiny) : IClassFixture<TinyBase>
{
    private readonly LanguageModel _base = tiny.Model;

    [Fact]
    public void Evaluation_scores_losses_per_category_and_is_deterministic()
    {
        var records = DefaultData.Instructions(40, seed: 3);
        var options = new EvaluationOptions { PromptTemplate = "instruction", SequenceLength = 48, MaxNewTokens = 8, BatchSize = 7 };

        var first = ModelEvaluation.Evaluate(_base.Weights, _base.Tokenizer, records, options);
        var second = ModelEvaluation.Evaluate(_base.Weights, _base.Tokenizer, records, options with { BatchSize = 3 });

        Assert.Equal(records.Count, first.Examples);
        Assert.Equal(records.Select(r => r.Category).Distinct().Order(StringComparer.Ordinal), first.Categories.Select(c => c.Category));
        Assert.Equal(records.Count, first.Categories.Sum(c => c.Examples));
        Assert.True(double.IsFinite(first.Loss) && first.Loss > 0, $"loss {first.Loss}");
        Assert.InRange(first.ExactMatch, 0, 1);
        // The loss is a token-weighted mean, so batching does not change it beyond float rounding.
        Assert.Equal(first.Loss, second.Loss, 4);
        Assert.Equal(first.ExactMatch, second.ExactMatch);
        var table = ModelEvaluation.FormatComparison([("base", first), ("again", second)]);
        Assert.Contains("| **all** | 40 |", table);
        Assert.Contains("base loss", table);
    }

    [Fact]
    public void Scrambled_references_cost_more_than_the_real_ones()
    {
        // The loss is of the reference given the prompt: reversed references are text the base never saw.
        var records = DefaultData.Instructions(10, seed: 4);
        var options = new EvaluationOptions { PromptTemplate = "instruction", SequenceLength = 48, MaxNewTokens = 6 };
        var result = ModelEvaluation.Evaluate(_base.Weights, _base.Tokenizer, records, options);
        var scrambled = records.Select(r => r with { Response = new string(r.Response.Reverse().ToArray()) + " zq" }).ToArray();
        var worse = ModelEvaluation.Evaluate(_base.Weights, _base.Tokenizer, scrambled, options);

        Assert.True(worse.Loss > result.Loss, $"scrambled responses should cost more: {worse.Loss} vs {result.Loss}");
    }

    [Fact]
    public void Evaluating_nothing_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => ModelEvaluation.Evaluate(_base.Weights, _base.Tokenizer, Array.Empty<Instruction>()));
    }
}
