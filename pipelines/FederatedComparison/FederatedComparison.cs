using System.Globalization;
using System.Text;
using DeclFed;
using DeclFed.Data;
using DeclFed.Evaluation;
using DeclFed.Graph;
using DeclFed.Models;
using DeclFed.Tensors.Model;

namespace FederatedComparison;

/// <summary>
/// The federated LoRA experiment of issue 5: on the built-in instruction data, split non-IID over 20 clients, compare
/// FedIT, FLoRA, FlexLoRA, HetLoRA, FedKSeed and FedAvg with FedHyper, with homogeneous ranks (16 for everyone) and with
/// heterogeneous ranks (tiers 64/32/16/8/4), against centralized LoRA on the pooled data with the same number of local
/// steps. Every method is one declarative stage, so each result is cached and an interrupted run resumes; every stage
/// draws from the run's seed (<see cref="SeedScope.Run"/>), so all methods see the same partition, the same sampled
/// clients and the same initial adapters; <c>--seed</c> repeats the experiment on another draw. The <c>Comparison</c>
/// step scores every model on the validation split and writes the table.
/// </summary>
[Pipeline(Description = "Federated LoRA methods versus centralized LoRA, homogeneous and heterogeneous ranks")]
public partial class FederatedComparison
{
    // One budget for every method: R rounds × K clients × τ local steps of B sequences.
    private const int R = 15, N = 20, K = 5, Tau = 15, B = 8, L = 128;
    private const double Lr = 2e-3, Dirichlet = 0.5;
    private const string Template = "instruction";

    /// <summary>The training split of the built-in data (the same draw as <see cref="Validation"/>).</summary>
    [Step(Description = "Training split of the built-in instructions")]
    public Dataset<Instruction> Train([Option(Description = "Records over all splits")] int count = 2000,
        [Option(Description = "Seed of the data draw, shared by the splits")] long dataSeed = 7) =>
        DefaultData.Splits(count, (ulong)dataSeed).Train;

    /// <summary>The validation split every model is scored on.</summary>
    [Step(Description = "Validation split of the built-in instructions")]
    public Dataset<Instruction> Validation([Option(Description = "Records over all splits")] int count = 2000,
        [Option(Description = "Seed of the data draw, shared by the splits")] long dataSeed = 7) =>
        DefaultData.Splits(count, (ulong)dataSeed).Validation;

    /// <summary>The pretraining corpus, without the validation problems.</summary>
    [Step(Description = "Pretraining corpus without the validation problems")]
    public TextCorpus Corpus(Dataset<Instruction> validation, StepContext context) =>
        new(DefaultData.PretrainingCorpus(1 << 19, context.Seed, validation));

    /// <summary>The frozen base: the Quickstart's tiny LLaMA-style model and tokenizer.</summary>
    [Step(Description = "Tiny LLaMA-style base model pretrained on the corpus")]
    public LanguageModel Base(TextCorpus corpus, StepContext context, CancellationToken cancellationToken) =>
        BaseModelPretraining.Train(corpus, new BaseModelOptions
        {
            VocabularySize = 1536, HiddenSize = 128, Layers = 4, Heads = 4, KeyValueHeads = 2, SequenceLength = 128, BatchSize = 8,
            Steps = 150, LearningRate = 3e-3f, ReportEvery = 10,
        }, context.Seed, context.ReportProgress, cancellationToken);

    /// <summary>Centralized LoRA at rank 16 on the pooled training data, R·K·τ steps: the upper line of the homogeneous setting.</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "Centralized LoRA, rank 16", Aggregation = Aggregation.FedIT, Rounds = 1, Clients = 1, ClientsPerRound = 1,
        Partition = Partition.Iid, Ranks = new[] { 16 }, LocalSteps = R * K * Tau, BatchSize = B, SequenceLength = L, LearningRate = Lr,
        PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 0)]
    public partial LoraModel CentralizedRank16(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>Centralized LoRA at rank 64 (the largest tier): the upper line of the heterogeneous setting.</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "Centralized LoRA, rank 64", Aggregation = Aggregation.FedIT, Rounds = 1, Clients = 1, ClientsPerRound = 1,
        Partition = Partition.Iid, Ranks = new[] { 64 }, LocalSteps = R * K * Tau, BatchSize = B, SequenceLength = L, LearningRate = Lr,
        PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 0)]
    public partial LoraModel CentralizedRank64(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>FedIT: factors averaged separately, rank 16 for everyone.</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "FedIT, rank 16", Aggregation = Aggregation.FedIT, Rounds = R, Clients = N, ClientsPerRound = K,
        Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 16 }, LocalSteps = Tau, BatchSize = B, SequenceLength = L,
        LearningRate = Lr, PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 2)]
    public partial LoraModel FedItHomogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>FedAvg of the factors with FedHyper's global hypergradient learning rate, rank 16.</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "FedAvg + FedHyper (G), rank 16", Aggregation = Aggregation.FedIT, FedHyper = FedHyper.Global, Rounds = R,
        Clients = N, ClientsPerRound = K, Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 16 }, LocalSteps = Tau, BatchSize = B,
        SequenceLength = L, LearningRate = Lr, PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 2)]
    public partial LoraModel FedHyperHomogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>FLoRA stacking, rank 16 for everyone.</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "FLoRA, rank 16", Aggregation = Aggregation.FLoRA, Rounds = R, Clients = N, ClientsPerRound = K,
        Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 16 }, LocalSteps = Tau, BatchSize = B, SequenceLength = L,
        LearningRate = Lr, PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 2)]
    public partial LoraModel FloraHomogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>FlexLoRA, rank 16 for everyone.</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "FlexLoRA, rank 16", Aggregation = Aggregation.FlexLoRA, Rounds = R, Clients = N, ClientsPerRound = K,
        Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 16 }, LocalSteps = Tau, BatchSize = B, SequenceLength = L,
        LearningRate = Lr, PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 2)]
    public partial LoraModel FlexLoraHomogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>Zero-padding aggregation (HetLoRA baseline), rank 16 for everyone.</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "HetLoRA, rank 16", Aggregation = Aggregation.HetLoRA, Rounds = R, Clients = N, ClientsPerRound = K,
        Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 16 }, LocalSteps = Tau, BatchSize = B, SequenceLength = L,
        LearningRate = Lr, PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 2)]
    public partial LoraModel HetLoraHomogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>
    /// FedKSeed-Pro: zeroth-order clients on a rank-16 LoRA, 1,024 shared seeds; six times as many (forward-only) local
    /// steps as the first-order methods, since each costs two forward passes and no backward pass.
    /// </summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "FedKSeed-Pro, rank 16, K = 1024", Aggregation = Aggregation.FedKSeedPro, Seeds = 1024, Rounds = R,
        Clients = N, ClientsPerRound = K, Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 16 }, LocalSteps = 6 * Tau,
        BatchSize = B, SequenceLength = L, LearningRate = 1e-4, ZerothOrderEpsilon = 1e-3, PromptTemplate = Template,
        TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 2)]
    public partial LoraModel FedKSeedHomogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>FLoRA with heterogeneous ranks 64/32/16/8/4 (repeated over the clients).</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "FLoRA, ranks 64/32/16/8/4", Aggregation = Aggregation.FLoRA, Rounds = R, Clients = N, ClientsPerRound = K,
        Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 64, 32, 16, 8, 4 }, LocalSteps = Tau, BatchSize = B, SequenceLength = L,
        LearningRate = Lr, PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 2)]
    public partial LoraModel FloraHeterogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>FlexLoRA with heterogeneous ranks 64/32/16/8/4.</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "FlexLoRA, ranks 64/32/16/8/4", Aggregation = Aggregation.FlexLoRA, Rounds = R, Clients = N, ClientsPerRound = K,
        Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 64, 32, 16, 8, 4 }, LocalSteps = Tau, BatchSize = B, SequenceLength = L,
        LearningRate = Lr, PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 2)]
    public partial LoraModel FlexLoraHeterogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>Zero-padding aggregation with heterogeneous ranks 64/32/16/8/4.</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "HetLoRA, ranks 64/32/16/8/4", Aggregation = Aggregation.HetLoRA, Rounds = R, Clients = N, ClientsPerRound = K,
        Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 64, 32, 16, 8, 4 }, LocalSteps = Tau, BatchSize = B, SequenceLength = L,
        LearningRate = Lr, PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" }, EvaluateEvery = 2)]
    public partial LoraModel HetLoraHeterogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>FLoRA with FedHyper's global learning rate, heterogeneous ranks (FedIT cannot mix ranks).</summary>
    [FederatedLora(SeedScope = SeedScope.Run, Description = "FLoRA + FedHyper (G), ranks 64/32/16/8/4", Aggregation = Aggregation.FLoRA, FedHyper = FedHyper.Global, Rounds = R,
        Clients = N, ClientsPerRound = K, Partition = Partition.Dirichlet, Alpha = Dirichlet, Ranks = new[] { 64, 32, 16, 8, 4 }, LocalSteps = Tau,
        BatchSize = B, SequenceLength = L, LearningRate = Lr, PromptTemplate = Template, TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj" },
        EvaluateEvery = 2)]
    public partial LoraModel FedHyperHeterogeneous(LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction> validation);

    /// <summary>Scores the base and every fine-tuned model on the validation split and writes the comparison table.</summary>
    [Step(Description = "Validation loss and exact match of every method, as a Markdown table")]
    public MarkdownDocument Comparison(Dataset<Instruction> validation, LanguageModel @base,
        LoraModel centralizedRank16, LoraModel centralizedRank64,
        LoraModel fedItHomogeneous, LoraModel fedHyperHomogeneous, LoraModel floraHomogeneous, LoraModel flexLoraHomogeneous,
        LoraModel hetLoraHomogeneous, LoraModel fedKSeedHomogeneous,
        LoraModel floraHeterogeneous, LoraModel flexLoraHeterogeneous, LoraModel hetLoraHeterogeneous, LoraModel fedHyperHeterogeneous,
        CancellationToken cancellationToken,
        [Option(Description = "Most tokens generated per answer for exact match")] int maxNewTokens = 32)
    {
        var options = new EvaluationOptions { PromptTemplate = Template, SequenceLength = L, MaxNewTokens = maxNewTokens };
        EvaluationResult Score(LlamaWeights weights) => ModelEvaluation.Evaluate(weights, @base.Tokenizer, validation, options, cancellationToken);

        var baseline = Score(@base.Weights);
        var rows = new (string Setting, string Method, LoraModel Model)[]
        {
            ("homogeneous (r = 16)", "centralized LoRA", centralizedRank16),
            ("homogeneous (r = 16)", "FedIT", fedItHomogeneous),
            ("homogeneous (r = 16)", "FedAvg + FedHyper (G)", fedHyperHomogeneous),
            ("homogeneous (r = 16)", "FLoRA", floraHomogeneous),
            ("homogeneous (r = 16)", "FlexLoRA", flexLoraHomogeneous),
            ("homogeneous (r = 16)", "HetLoRA (zero padding)", hetLoraHomogeneous),
            ("homogeneous (r = 16)", "FedKSeed-Pro (zeroth order)", fedKSeedHomogeneous),
            ("heterogeneous (64/32/16/8/4)", "centralized LoRA (r = 64)", centralizedRank64),
            ("heterogeneous (64/32/16/8/4)", "FLoRA", floraHeterogeneous),
            ("heterogeneous (64/32/16/8/4)", "FlexLoRA", flexLoraHeterogeneous),
            ("heterogeneous (64/32/16/8/4)", "HetLoRA (zero padding)", hetLoraHeterogeneous),
            ("heterogeneous (64/32/16/8/4)", "FLoRA + FedHyper (G)", fedHyperHeterogeneous),
        };
        var text = new StringBuilder();
        text.AppendLine("# Federated LoRA methods on the built-in data").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Base: {@base.ParameterCount:N0} parameters. {N} clients (Dirichlet α = {Dirichlet} over {DefaultData.Categories.Count} categories), {K} per round, {R} rounds of {Tau} local steps × {B} sequences; centralized LoRA takes the same {R * K * Tau} steps on the pooled data. LoRA on q, k, v, o with α/r = 2. Scores on {validation.Count} validation records: loss per response token (nats) and exact match of greedy answers.").AppendLine();
        text.AppendLine("| setting | method | validation loss | exact match | up per client-round | down per client-round |");
        text.AppendLine("|---|---|---:|---:|---:|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| — | base model (no fine-tuning) | {baseline.Loss:0.0000} | {baseline.ExactMatch:P1} | | |");
        foreach (var (setting, method, model) in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var score = Score(model.BuildWeights());
            var clientRounds = Math.Max(1, model.Training.Rounds * Math.Min(K, model.Training.Clients));
            var federated = model.Training.Clients > 1;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {setting} | {method} | {score.Loss:0.0000} | {score.ExactMatch:P1} | {(federated ? Bytes(model.Training.BytesUp / clientRounds) : "")} | {(federated ? Bytes(model.Training.BytesDown / clientRounds) : "")} |");
        }
        return new MarkdownDocument(text.ToString());
    }

    private static string Bytes(long bytes) => DeclFed.Federated.Communication.CommunicationLedger.FormatBytes(bytes);
}
