using System.Globalization;
using System.Text;
using DeclFed.Data;
using DeclFed.Data.Tokenizers;
using DeclFed.Models;
using DeclFed.Tensors.Model;
using DeclFed.Tensors.Training;

namespace DeclFed.Evaluation;

/// <summary>
/// Scores a model on instruction records: the loss of the reference response given the prompt (teacher forcing, response
/// tokens only, as in training) and the exact match of the greedy answer, overall and per category. Deterministic.
/// </summary>
public static class ModelEvaluation
{
    /// <summary>Scores <paramref name="weights"/> (with <paramref name="tokenizer"/>) on <paramref name="records"/>.</summary>
    /// <exception cref="ArgumentException">No record, or an unknown prompt template.</exception>
    public static EvaluationResult Evaluate(LlamaWeights weights, BpeTokenizer tokenizer, IReadOnlyList<Instruction> records,
        EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(records);
        options ??= new EvaluationOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SequenceLength, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxNewTokens, 1);
        if (records.Count == 0)
        {
            throw new ArgumentException("There are no records to evaluate on.", nameof(records));
        }
        var template = PromptTemplate.Get(options.PromptTemplate);
        var model = new LlamaModel(weights) { Training = false };
        var padToken = tokenizer.SpecialTokens.TryGetValue("<|endoftext|>", out var endOfText) ? endOfText : 0;
        var stopTokens = tokenizer.SpecialTokens.Values.ToArray();
        var generation = new GenerationOptions { MaxNewTokens = options.MaxNewTokens, StopTokens = stopTokens };

        var scores = new Dictionary<string, (double LossSum, long Tokens, int Exact, int Count)>(StringComparer.Ordinal);
        foreach (var group in records.GroupBy(r => r.Category, StringComparer.Ordinal))
        {
            var members = group.ToArray();
            double lossSum = 0;
            long tokens = 0;
            var exact = 0;
            for (var start = 0; start < members.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = members.AsSpan(start, Math.Min(options.BatchSize, members.Length - start)).ToArray();
                var examples = batch.Select(r => template.Tokenize(tokenizer, r.Prompt, r.Input, r.Response, options.SequenceLength + 1)).ToArray();
                var sequences = examples.Select(e => e.Ids).ToArray();
                var promptLengths = examples.Select(e => Array.IndexOf(e.LossMask, true) is var p and >= 0 ? p : e.Ids.Length).ToArray();
                var tokensBatch = TokenBatch.FromSequences(sequences, promptLengths, options.SequenceLength, padToken);
                var loss = Trainer.EvaluateLoss(model, tokensBatch);
                lossSum += loss.Sum;
                tokens += loss.Count;
                foreach (var record in batch)
                {
                    var prompt = template.EncodePrompt(tokenizer, record.Prompt, record.Input);
                    var budget = Math.Min(options.MaxNewTokens, model.Config.MaxPositions - prompt.Length);
                    if (budget <= 0)
                    {
                        continue; // the prompt alone fills the context: no answer, not an exact match
                    }
                    var answer = TextGenerator.Generate(model, prompt, generation with { MaxNewTokens = budget });
                    if (Normalize(tokenizer.Decode(answer.Where(id => !stopTokens.Contains(id)).ToArray())) == Normalize(record.Response))
                    {
                        exact++;
                    }
                }
            }
            scores[group.Key] = (lossSum, tokens, exact, members.Length);
        }

        var categories = scores.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new CategoryScore(p.Key, p.Value.Count, p.Value.Tokens == 0 ? double.NaN : p.Value.LossSum / p.Value.Tokens, (double)p.Value.Exact / p.Value.Count))
            .ToArray();
        var totalTokens = scores.Values.Sum(s => s.Tokens);
        return new EvaluationResult(records.Count,
            totalTokens == 0 ? double.NaN : scores.Values.Sum(s => s.LossSum) / totalTokens,
            (double)scores.Values.Sum(s => s.Exact) / records.Count,
            categories);
    }

    /// <summary>
    /// A Markdown table comparing several models on the same records (one column pair per model), per category and overall.
    /// </summary>
    /// <param name="results">The models' names and results, in column order.</param>
    public static string FormatComparison(IReadOnlyList<(string Model, EvaluationResult Result)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            throw new ArgumentException("There is nothing to compare.", nameof(results));
        }
        var text = new StringBuilder();
        text.Append("| category | examples |");
        foreach (var (model, _) in results)
        {
            text.Append(CultureInfo.InvariantCulture, $" {model} loss | {model} exact |");
        }
        text.AppendLine();
        text.Append("|---|---:|").AppendLine(string.Concat(Enumerable.Repeat("---:|---:|", results.Count)));
        foreach (var category in results[0].Result.Categories.Select(c => c.Category))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {category} | {results[0].Result.Categories.First(c => c.Category == category).Examples} |");
            foreach (var (_, result) in results)
            {
                var score = result.Categories.FirstOrDefault(c => c.Category == category);
                text.Append(score is null ? " | |" : string.Create(CultureInfo.InvariantCulture, $" {score.Loss:0.000} | {score.ExactMatch:P1} |"));
            }
            text.AppendLine();
        }
        text.Append(CultureInfo.InvariantCulture, $"| **all** | {results[0].Result.Examples} |");
        foreach (var (_, result) in results)
        {
            text.Append(CultureInfo.InvariantCulture, $" **{result.Loss:0.000}** | **{result.ExactMatch:P1}** |");
        }
        text.AppendLine();
        return text.ToString();
    }

    /// <summary>Case-insensitive, with runs of whitespace collapsed and the ends trimmed.</summary>
    private static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
}
