using DeclFed.Data;
using DeclFed.Federated.Partitioning;
using DeclFed.Models;

namespace DeclFed.Federated.Tests.Stage;

/// <summary>A tiny base model and records, shared by the stage tests (pretraining takes well under a second).</summary>
public sealed class TinyStageFixture
{
    public LanguageModel Base { get; } = BaseModelPretraining.Train(
        new TextCorpus(DefaultData.PretrainingCorpus(24_000, seed: 5)),
        new BaseModelOptions
        {
            VocabularySize = 320, HiddenSize = 32, Layers = 2, Heads = 2, KeyValueHeads = 1, MaxPositions = 64,
            SequenceLength = 32, BatchSize = 4, Steps = 20, LearningRate = 1e-2f, ReportEvery = 10,
        },
        seed: 11);

    public Dataset<Instruction> Train { get; } = DefaultData.Instructions(160, seed: 2);

    public Dataset<Instruction> Validation { get; } = DefaultData.Instructions(30, seed: 3);
}

public sealed class FederatedLoraStageTests(TinyStageFixture tiny) : IClassFixture<TinyStageFixture>
{
    /// <summary>Small settings, with the variations a test needs (settings are init-only: each test builds its own).</summary>
    private static FederatedLoraSettings Small(DeclFed.Aggregation aggregation, int[] ranks, int rounds = 2, int clientsPerRound = 3, int seeds = 1024,
        string[]? targetModules = null, string promptTemplate = "instruction", int sequenceLength = 48, Partition partition = Partition.Dirichlet,
        SeedScope seedScope = SeedScope.Step) => new()
    {
        Aggregation = aggregation, Rounds = rounds, Clients = 6, ClientsPerRound = clientsPerRound, Ranks = ranks, LocalSteps = 3, BatchSize = 4,
        SequenceLength = sequenceLength, LearningRate = 5e-3, PromptTemplate = promptTemplate, Partition = partition, Alpha = 1.0, Seeds = seeds,
        TargetModules = targetModules ?? ["q_proj", "v_proj"], SeedScope = seedScope,
    };

    [Fact]
    public void FLoRA_with_heterogeneous_ranks_returns_the_merged_projections_and_a_report()
    {
        var model = FederatedLoraStage.Run(Small(DeclFed.Aggregation.FLoRA, [8, 4, 2]), tiny.Base, tiny.Train, tiny.Validation, seed: 9);

        Assert.Null(model.Adapter); // FLoRA merges into the base: there is no factored global adapter
        Assert.Equal(["model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.v_proj.weight",
                      "model.layers.1.self_attn.q_proj.weight", "model.layers.1.self_attn.v_proj.weight"], model.TunedWeights.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tuned) in model.TunedWeights)
        {
            Assert.False(tuned.Span.SequenceEqual(tiny.Base.Weights[name].Value.Span), $"{name} did not change");
        }
        Assert.Equal("FLoRA", model.Training.Method);
        Assert.Equal([2, 4, 8], model.Training.Ranks);
        Assert.NotNull(model.Training.FinalValidationLoss);
        Assert.True(model.Training.BytesUp > 0 && model.Training.BytesDown > 0);
        Assert.Contains("## Rounds", model.Report);
        Assert.Contains("Dirichlet(α=1)", model.Report);
        Assert.Contains("8 × 2 clients", model.Report);
    }

    [Fact]
    public void The_same_seed_gives_bit_identical_models_and_another_seed_does_not()
    {
        var settings = Small(DeclFed.Aggregation.FlexLoRA, [4, 2]);
        var first = FederatedLoraStage.Run(settings, tiny.Base, tiny.Train, null, seed: 4);
        var again = FederatedLoraStage.Run(settings, tiny.Base, tiny.Train, null, seed: 4);
        var other = FederatedLoraStage.Run(settings, tiny.Base, tiny.Train, null, seed: 5);

        foreach (var (name, tuned) in first.TunedWeights)
        {
            Assert.True(tuned.Span.SequenceEqual(again.TunedWeights[name].Span), name);
        }
        Assert.Contains(first.TunedWeights, p => !p.Value.Span.SequenceEqual(other.TunedWeights[p.Key].Span));
    }

    [Theory]
    [InlineData(DeclFed.Aggregation.FedIT)]
    [InlineData(DeclFed.Aggregation.FedMeZO)]
    [InlineData(DeclFed.Aggregation.FedKSeed)]
    public void Methods_with_a_factored_global_model_also_return_a_PEFT_adapter(DeclFed.Aggregation aggregation)
    {
        var model = FederatedLoraStage.Run(Small(aggregation, [4], seeds: 64), tiny.Base, tiny.Train, null, seed: 1);

        Assert.NotNull(model.Adapter);
        Assert.Equal(4, model.Adapter!.Config.Rank);
        Assert.Equal(8f, model.Adapter.Config.Alpha); // α = s·r with the default scaling 2
    }

    [Fact]
    public void Impossible_settings_are_listed_together_before_any_work()
    {
        var error = Assert.Throws<ArgumentException>(() => FederatedLoraStage.Run(
            Small(DeclFed.Aggregation.FedIT, [8, 4], clientsPerRound: 9, targetModules: ["q_proj", "w_proj"]), tiny.Base, tiny.Train));

        Assert.Contains("3 setting(s) cannot work", error.Message);
        Assert.Contains("ClientsPerRound = 9 is more than the 6 clients", error.Message);
        Assert.Contains("FedIT averages the clients' LoRA factors", error.Message);
        Assert.Contains("'w_proj' in TargetModules is not a projection of the model", error.Message);
    }

    [Fact]
    public void A_rank_above_a_layer_width_names_the_layer()
    {
        var error = Assert.Throws<ArgumentException>(() => FederatedLoraStage.Run(Small(DeclFed.Aggregation.FLoRA, [20, 4]), tiny.Base, tiny.Train));

        Assert.Contains("Ranks: rank 20 exceeds the width of model.layers.0.self_attn.v_proj (16 = min(d_in 32, d_out 16))", error.Message);
    }

    [Fact]
    public void An_unknown_prompt_template_is_named()
    {
        var error = Assert.Throws<ArgumentException>(() => FederatedLoraStage.Run(Small(DeclFed.Aggregation.FLoRA, [4], promptTemplate: "alpacca"), tiny.Base, tiny.Train));

        Assert.Contains("PromptTemplate = \"alpacca\" is not a built-in prompt template (did you mean 'alpaca'?)", error.Message);
    }

    [Fact]
    public void A_sequence_length_the_template_does_not_fit_in_names_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            FederatedLoraStage.Run(Small(DeclFed.Aggregation.FLoRA, [4], promptTemplate: "alpaca", sequenceLength: 16), tiny.Base, tiny.Train));

        Assert.StartsWith("FederatedLora: SequenceLength 16 is too short for the alpaca template", error.Message);
    }

    [Fact]
    public void Bad_data_gets_clear_errors()
    {
        var empty = Assert.Throws<ArgumentException>(() => FederatedLoraStage.Run(Small(DeclFed.Aggregation.FLoRA, [4]), tiny.Base, Dataset.From(Array.Empty<Instruction>())));
        Assert.Contains("the training dataset is empty", empty.Message);

        var few = Assert.Throws<PartitionException>(() =>
            FederatedLoraStage.Run(Small(DeclFed.Aggregation.FLoRA, [4], partition: Partition.Iid), tiny.Base, Dataset.From(tiny.Train.Take(4).ToArray())));
        Assert.Matches(@"cannot split \d training records.* among 6 clients", few.Message);

        var uncategorized = Dataset.From(tiny.Train.Select((r, i) => i % 7 == 0 ? r with { Category = "" } : r).ToArray());
        var missing = Assert.Throws<PartitionException>(() => FederatedLoraStage.Run(Small(DeclFed.Aggregation.FLoRA, [4]), tiny.Base, uncategorized));
        Assert.Contains("category", missing.Message);
        // IID needs no categories.
        Assert.NotNull(FederatedLoraStage.Run(Small(DeclFed.Aggregation.FLoRA, [4], partition: Partition.Iid, rounds: 1), tiny.Base, uncategorized));
    }

    [Fact]
    public async Task Stages_scoped_to_the_run_seed_share_their_draws_and_step_scoped_ones_do_not()
    {
        async Task<LoraModel> Stage(string name, SeedScope scope, ulong stepSeed)
        {
            using var context = new FakeContext(name, stepSeed, runSeed: 42);
            return await FederatedLoraStage.RunAsync(context, Small(DeclFed.Aggregation.FLoRA, [4, 2], rounds: 1, seedScope: scope), tiny.Base, tiny.Train, null, CancellationToken.None);
        }

        var first = await Stage("MethodA", SeedScope.Run, stepSeed: 1);
        var second = await Stage("MethodB", SeedScope.Run, stepSeed: 2);
        var own = await Stage("MethodC", SeedScope.Step, stepSeed: 3);

        Assert.Equal(first.Training.Seed, second.Training.Seed);
        Assert.NotEqual(first.Training.Seed, own.Training.Seed);
        foreach (var (name, tuned) in first.TunedWeights)
        {
            Assert.True(tuned.Span.SequenceEqual(second.TunedWeights[name].Span), name);
        }
    }

    /// <summary>A step context with its own checkpoint directory, deleted on dispose.</summary>
    private sealed class FakeContext(string name, ulong seed, ulong runSeed) : DeclFed.Graph.StepContext, IDisposable
    {
        public override DeclFed.Graph.StepDescriptor Step { get; } = new(name, "FederatedLora", "LoraModel", [], [], "0", "");

        public override IServiceProvider Services { get; } = new EmptyServices();

        public override ulong Seed => seed;

        public override ulong RunSeed => runSeed;

        public override string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "declfed-stage-tests", Guid.NewGuid().ToString("N"));

        public override T GetOption<T>(string option) => throw new InvalidOperationException("The stage reads its settings, not options.");

        public override void ReportProgress(DeclFed.Graph.StepProgress progress)
        {
        }

        public void Dispose()
        {
            if (Directory.Exists(WorkDirectory))
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
        }

        private sealed class EmptyServices : IServiceProvider
        {
            public object? GetService(Type serviceType) => null;
        }
    }
}
