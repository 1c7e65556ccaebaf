using DeclFed;
using DeclFed.Data;
using DeclFed.Graph;
using DeclFed.Models;

namespace FederatedTestPipeline;

/// <summary>
/// Built-in records, a tiny base model (a few pretraining steps) and a federated LoRA stage with heterogeneous ranks,
/// small enough to run in seconds and slow enough per client to be killed in the middle of a round.
/// </summary>
[Pipeline(Description = "Tiny federated LoRA run for the kill-and-resume tests")]
public partial class TinyFederated
{
    /// <summary>The records the clients share out.</summary>
    [Step]
    public Dataset<Instruction> Records(StepContext context, [Option] int count = 300) => DefaultData.Instructions(count, context.Seed);

    /// <summary>A tiny base: tokenizer and model trained for a few steps on the built-in corpus.</summary>
    [Step]
    public LanguageModel Base(StepContext context, CancellationToken cancellationToken) =>
        BaseModelPretraining.Train(new TextCorpus(DefaultData.PretrainingCorpus(30_000, context.Seed)), new BaseModelOptions
        {
            VocabularySize = 400, HiddenSize = 64, Layers = 2, Heads = 2, KeyValueHeads = 1, MaxPositions = 96,
            SequenceLength = 64, BatchSize = 4, Steps = 10, LearningRate = 1e-2f, ReportEvery = 5,
        }, context.Seed, context.ReportProgress, cancellationToken);

    /// <summary>FLoRA over 8 clients, 4 per round, ranks 8 and 4, one client at a time so the kill point is deterministic.</summary>
    [FederatedLora(Rounds = 4, Clients = 8, ClientsPerRound = 4, Aggregation = Aggregation.FLoRA, Ranks = new[] { 8, 4 },
                   Partition = Partition.Dirichlet, Alpha = 0.5, LocalSteps = 40, BatchSize = 8, SequenceLength = 64,
                   LearningRate = 5e-3, PromptTemplate = "instruction", Parallelism = 1, EvaluateEvery = 0)]
    public partial LoraModel Finetune(LanguageModel @base, Dataset<Instruction> records);
}
