using System.Globalization;
using System.Text;
using DeclFed;
using DeclFed.Data;
using DeclFed.Evaluation;
using DeclFed.Graph;
using DeclFed.Models;

namespace Quickstart;

/// <summary>
/// The quickstart pipeline: generate the built-in instruction data, clean it, split it into train, validation and
/// test sets stratified by category, pretrain a tiny base model on the built-in corpus (cached in the run directory,
/// so a re-run reuses it), fine-tune it with federated LoRA over simulated non-IID clients, evaluate the global model
/// against the base, and write a summary. Later stages (refinement, early exits) extend it.
/// </summary>
[Pipeline(Description = "Generate instructions, clean and split them, pretrain a tiny base model, fine-tune it with federated LoRA, evaluate")]
public partial class Quickstart
{
    /// <summary>The built-in instruction dataset, generated from the step's seed (nothing is downloaded).</summary>
    [Step(Description = "The built-in instruction dataset, generated deterministically")]
    public Dataset<Instruction> Raw(StepContext context, [Option(Description = "How many records to generate")] int count = 2000) =>
        DefaultData.Instructions(count, context.Seed);

    /// <summary>Drops records whose prompt or response length is out of bounds, records of other categories, and repeated prompts.</summary>
    [Step(Description = "Length bounds, category filter, exact de-duplication")]
    public Dataset<Instruction> Clean(
        Dataset<Instruction> raw,
        [Option(Description = "Shortest prompt kept, in characters")] int minPromptLength = 8,
        [Option(Description = "Longest prompt kept, in characters")] int maxPromptLength = 1024,
        [Option(Description = "Longest response kept, in characters")] int maxResponseLength = 512,
        [Option(Description = "Categories to keep (all when empty)")] string[]? categories = null)
    {
        var keep = categories is { Length: > 0 } ? new HashSet<string>(categories, StringComparer.OrdinalIgnoreCase) : null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return raw.Where(record =>
            record.Prompt.Length >= minPromptLength && record.Prompt.Length <= maxPromptLength &&
            record.Response.Length > 0 && record.Response.Length <= maxResponseLength &&
            (keep is null || keep.Contains(record.Category)) &&
            seen.Add(NormalizedPrompt(record)));
    }

    /// <summary>The held-out test set: a seeded share of each category.</summary>
    [Step(Description = "Held-out test set, stratified by category")]
    public Dataset<Instruction> Test(Dataset<Instruction> clean, StepContext context,
        [Option(Description = "Share of each category held out for test")] double fraction = 0.1) =>
        StratifiedSample(clean, fraction, context.Seed, exclude: null);

    /// <summary>The validation set: a seeded share of each category, disjoint from the test set.</summary>
    [Step(Description = "Validation set, stratified by category, disjoint from test")]
    public Dataset<Instruction> Validation(Dataset<Instruction> clean, Dataset<Instruction> test, StepContext context,
        [Option(Description = "Share of each category held out for validation")] double fraction = 0.1) =>
        StratifiedSample(clean, fraction, context.Seed, exclude: Ids(test));

    /// <summary>The training set: everything not in test or validation.</summary>
    [Step(Description = "Training set: the rest")]
    public Dataset<Instruction> Train(Dataset<Instruction> clean, Dataset<Instruction> test, Dataset<Instruction> validation)
    {
        var heldOut = Ids(test);
        heldOut.UnionWith(Ids(validation));
        return clean.Where(record => !heldOut.Contains(record.Id));
    }

    /// <summary>
    /// The built-in pretraining corpus (narrative text and world-knowledge facts), generated from the step's seed;
    /// problems held out for validation and test never appear in it, so evaluation measures fine-tuning, not memory.
    /// </summary>
    [Step(Description = "Built-in pretraining corpus, without the held-out problems")]
    public TextCorpus Corpus(Dataset<Instruction> validation, Dataset<Instruction> test, StepContext context,
        [Option(Description = "Approximate corpus size, in characters")] int characters = 1 << 19) =>
        new(DefaultData.PretrainingCorpus(characters, context.Seed, validation.Concat(test)));

    /// <summary>
    /// The frozen base model: a BPE tokenizer trained on the corpus and a tiny LLaMA-style decoder pretrained on it
    /// from the step's seed (no pretrained weights can be downloaded). Stored as a model directory and reused on re-runs.
    /// </summary>
    [Step(Description = "Tokenizer and tiny LLaMA-style base model pretrained on the corpus")]
    public LanguageModel Base(TextCorpus corpus, StepContext context, CancellationToken cancellationToken,
        [Option(Description = "BPE vocabulary size, special tokens included")] int vocabularySize = 1536,
        [Option(Description = "Model width (hidden_size)")] int hiddenSize = 128,
        [Option(Description = "Decoder layers")] int layers = 4,
        [Option(Description = "Attention heads")] int heads = 4,
        [Option(Description = "Tokens per training window")] int sequenceLength = 128,
        [Option(Description = "Windows per optimizer step")] int batchSize = 8,
        [Option(Description = "Optimizer steps")] int steps = 150,
        [Option(Description = "Peak learning rate")] double learningRate = 3e-3,
        [Option(Description = "Steps between two loss reports")] int reportEvery = 10)
    {
        var options = new BaseModelOptions
        {
            VocabularySize = vocabularySize, HiddenSize = hiddenSize, Layers = layers, Heads = heads,
            KeyValueHeads = heads % 2 == 0 ? heads / 2 : heads, SequenceLength = sequenceLength, BatchSize = batchSize,
            Steps = steps, LearningRate = (float)learningRate, ReportEvery = reportEvery,
        };
        return BaseModelPretraining.Train(corpus, options, context.Seed, context.ReportProgress, cancellationToken);
    }

    /// <summary>
    /// Federated LoRA fine-tuning of the base on the training split: 20 simulated clients with non-IID data (Dirichlet
    /// over the categories), heterogeneous LoRA ranks (resource tiers 16, 8 and 4) and FLoRA's exact stacking
    /// aggregation. Every round is checkpointed: an interrupted run resumes where it stopped (<c>--resume</c>).
    /// </summary>
    [FederatedLora(Description = "Federated LoRA (FLoRA, heterogeneous ranks 16/8/4, Dirichlet non-IID clients)",
                   Rounds = 10, Clients = 20, ClientsPerRound = 5, Aggregation = Aggregation.FLoRA,
                   Ranks = new[] { 16, 8, 4 }, RankShares = new[] { 0.2, 0.3, 0.5 },
                   Partition = Partition.Dirichlet, Alpha = 0.5,
                   TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" },
                   LocalSteps = 15, BatchSize = 8, SequenceLength = 128, LearningRate = 2e-3,
                   PromptTemplate = "instruction")]
    public partial LoraModel Finetune(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>
    /// A first evaluation of the global model on the held-out test split, next to the base it started from: the loss of
    /// the reference answers (nats per response token) and the exact match of greedy answers, per category.
    /// </summary>
    [Step(Description = "Test-set loss and exact match: base versus federated fine-tuned model")]
    public MarkdownDocument Evaluate(LoraModel finetune, Dataset<Instruction> test, CancellationToken cancellationToken,
        [Option(Description = "Most tokens generated per answer")] int maxNewTokens = 32)
    {
        var options = new EvaluationOptions
        {
            PromptTemplate = "instruction", SequenceLength = Math.Min(128, finetune.Base.Config.MaxPositions), MaxNewTokens = maxNewTokens,
        };
        var tokenizer = finetune.Base.Tokenizer;
        var before = ModelEvaluation.Evaluate(finetune.Base.Weights, tokenizer, test, options, cancellationToken);
        var after = ModelEvaluation.Evaluate(finetune.BuildWeights(), tokenizer, test, options, cancellationToken);
        var text = new StringBuilder();
        text.AppendLine("# Quickstart evaluation").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{test.Count} held-out test records. The fine-tuned model is the global model of {finetune.Training.Method} after {finetune.Training.Rounds} rounds over {finetune.Training.Clients} clients (ranks {string.Join(", ", finetune.Training.Ranks)}).").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Loss per response token: {before.Loss:0.000} → {after.Loss:0.000} (perplexity {before.Perplexity:0.0} → {after.Perplexity:0.0}); exact match {before.ExactMatch:P1} → {after.ExactMatch:P1}.").AppendLine();
        text.Append(ModelEvaluation.FormatComparison([("base", before), ("fine-tuned", after)]));
        text.AppendLine().Append(Demote(finetune.Report, 1));
        return new MarkdownDocument(text.ToString());
    }

    /// <summary>A Markdown summary: records per split and category, what cleaning removed, the base model, and the evaluation.</summary>
    [Step(Description = "Markdown summary of the splits, the base model and the evaluation")]
    public MarkdownDocument Summary(Dataset<Instruction> raw, Dataset<Instruction> clean, Dataset<Instruction> train,
        Dataset<Instruction> validation, Dataset<Instruction> test, LanguageModel @base, MarkdownDocument evaluate)
    {
        var text = new StringBuilder();
        text.AppendLine("# Quickstart data summary").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Generated {raw.Count} records; cleaning kept {clean.Count} ({Percent(clean.Count, raw.Count)}).").AppendLine();
        text.AppendLine("| category | train | validation | test | mean prompt length |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var category in clean.Select(r => r.Category).Distinct().Order(StringComparer.Ordinal))
        {
            var prompts = clean.Where(r => r.Category == category).Select(r => r.Prompt.Length).ToList();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {category} | {Count(train, category)} | {Count(validation, category)} | {Count(test, category)} | {prompts.Average():0.0} |");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"| **all** | {train.Count} | {validation.Count} | {test.Count} | {clean.Select(r => r.Prompt.Length).DefaultIfEmpty().Average():0.0} |");
        var config = @base.Config;
        text.AppendLine().AppendLine("## Base model").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{@base.ParameterCount:N0} parameters: {config.NumLayers} layers, width {config.HiddenSize}, {config.NumHeads} heads ({config.NumKeyValueHeads} key/value), vocabulary {config.VocabSize}.");
        if (@base.Pretraining is { } pretraining)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Pretrained for {pretraining.Steps} steps on {pretraining.CorpusTokens:N0} tokens: loss {pretraining.InitialLoss:0.000} → {pretraining.FinalLoss:0.000} nats per token.");
        }
        text.AppendLine().Append(Demote(evaluate.Text, 1));
        return new MarkdownDocument(text.ToString());
    }

    private static string NormalizedPrompt(Instruction record) =>
        string.Join(' ', (record.Prompt + "\n" + record.Input).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    /// <summary>Moves every Markdown heading of <paramref name="markdown"/> down by <paramref name="levels"/>, to nest one report in another.</summary>
    private static string Demote(string markdown, int levels) =>
        string.Join('\n', markdown.Split('\n').Select(line => line.StartsWith('#') ? new string('#', levels) + line : line));

    private static HashSet<string> Ids(Dataset<Instruction> records) => records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);

    private static int Count(Dataset<Instruction> records, string category) => records.Count(r => r.Category == category);

    private static string Percent(int part, int whole) => whole == 0 ? "0%" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>
    /// A share of each category (rounded), drawn with a seeded shuffle, keeping dataset order; records in
    /// <paramref name="exclude"/> are never drawn, but the share is of the whole category so splits stay proportional.
    /// </summary>
    private static Dataset<Instruction> StratifiedSample(Dataset<Instruction> records, double fraction, ulong seed, HashSet<string>? exclude)
    {
        if (!(fraction >= 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be in [0, 1).");
        }
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var chosen = new HashSet<int>();
        foreach (var category in Enumerable.Range(0, records.Count).GroupBy(i => records[i].Category, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var take = (int)Math.Round(category.Count() * fraction, MidpointRounding.AwayFromZero);
            var candidates = category.Where(i => exclude is null || !exclude.Contains(records[i].Id)).ToArray();
            random.Shuffle(candidates);
            chosen.UnionWith(candidates.Take(take));
        }
        return records.Select(chosen.Order().ToArray());
    }
}
