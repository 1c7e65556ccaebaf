namespace DeclFed.Generators.Tests;

/// <summary>
/// Pipelines with declarative stages: <c>[FederatedLora]</c> from the real DeclFed.Federated assembly, and a small stage
/// defined in the test's own source (<see cref="RecordStage"/>) whose runtime records what the generated code hands it.
/// </summary>
internal static class FederatedTestSources
{
    private static readonly Lazy<GeneratorRun> LazyTuningRun = new(() => GeneratorHarness.Run(Tuning).ShouldCompileCleanly());

    private static readonly Lazy<GeneratorRun> LazyRecordRun = new(() => GeneratorHarness.Run(RecordStage, RecordPipeline).ShouldCompileCleanly());

    /// <summary>The generator's run over <see cref="Tuning"/>, checked to compile cleanly.</summary>
    public static GeneratorRun TuningRun => LazyTuningRun.Value;

    /// <summary>The generator's run over <see cref="RecordStage"/> and <see cref="RecordPipeline"/>, checked to compile cleanly.</summary>
    public static GeneratorRun RecordRun => LazyRecordRun.Value;

    /// <summary>
    /// Two federated stages: one with a validation input bound by [From] and most kinds of setting written, and a static
    /// internal one with a Description, an empty list and a zeroth-order method; an ordinary step consumes both outputs.
    /// </summary>
    public const string Tuning = """
        using DeclFed;
        using DeclFed.Data;
        using DeclFed.Models;

        namespace Demo.Federated;

        [Pipeline(Description = "Federated fine-tuning")]
        public partial class Tuning
        {
            [Step] public LanguageModel Base() => null!;

            [Step] public Dataset<Instruction> Train() => Dataset<Instruction>.Empty;

            [Step] public Dataset<Instruction> Held() => Dataset<Instruction>.Empty;

            /// <summary>Fine-tunes the base model on the clients' shards.</summary>
            [FederatedLora(Rounds = 20, Clients = 16, ClientsPerRound = 8, Aggregation = Aggregation.FLoRA,
                           Ranks = new[] { 16, 8, 4 }, Partition = Partition.Dirichlet, Alpha = 0.5,
                           TargetModules = new[] { "q_proj", "k_proj", "v_proj" }, LearningRate = 2e-4, LoraScaling = 2,
                           PromptTemplate = "chatml")]
            public partial LoraModel Finetune(LanguageModel @base, Dataset<Instruction> train, [From("Held")] Dataset<Instruction> validation);

            [FederatedLora(Description = "The zeroth-order baseline", Aggregation = Aggregation.FedKSeed, Ranks = new[] { 8 },
                           RankShares = new double[0], Seeds = 512, ServerOptimizer = ServerOptimizer.FedAvg)]
            internal static partial LoraModel Baseline(LanguageModel @base, [From("Train")] Dataset<Instruction> data);

            [Step] public LoraModel Pick(LoraModel finetune, LoraModel baseline) => finetune;
        }
        """;

    /// <summary>
    /// A stage of the test's own: settings of every kind with a declared constraint and a rule, an attribute that derives
    /// from them, and a runtime generic over the record type with an optional second input, which records each call.
    /// </summary>
    public const string RecordStage = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using DeclFed;
        using DeclFed.Graph;
        using DeclFed.Stages;

        namespace Demo.Stages;

        public enum Mode { Fast, Careful }

        /// <summary>The settings of the recording stage.</summary>
        public partial class RecordSettings : StageSettings
        {
            /// <summary>The rule across settings.</summary>
            public static readonly SettingRule LimitAboveCount = new("TS0001", "Limit above count");

            /// <summary>How many records to keep.</summary>
            [Minimum(1)]
            public int Count { get; init; } = 3;

            /// <summary>The most records of one kind, at most <see cref="Count"/>.</summary>
            public int Limit { get; init; } = 2;

            /// <summary>How carefully.</summary>
            public Mode Mode { get; init; } = Mode.Fast;

            /// <summary>Tags to apply.</summary>
            [Distinct]
            public string[] Tags { get; init; } = ["a"];

            /// <summary>Weights per tag.</summary>
            public double[] Weights { get; init; } = [];

            /// <summary>A scale.</summary>
            public double Scale { get; init; } = 0.5;

            /// <summary>Whether to shuffle.</summary>
            public bool Shuffle { get; init; }

            /// <summary>A derived value, not a setting.</summary>
            public bool IsCareful => Mode == Mode.Careful;

            protected override void CheckRules(SettingProblems problems)
            {
                if (Limit > Count)
                {
                    problems.Add(LimitAboveCount, nameof(Limit), $"Limit = {Limit} is more than Count = {Count}", nameof(Count));
                }
            }
        }

        [DeclarativeStage(typeof(RecordRuntime))]
        [System.AttributeUsage(System.AttributeTargets.Method)]
        public sealed class RecordAttribute : RecordSettings
        {
            public string? Description { get; set; }
        }

        public static class RecordRuntime
        {
            public static List<(string Step, string Kind, RecordSettings Settings, bool Extra, ulong Seed)> Calls { get; } = new();

            public static ValueTask<Dataset<TRecord>> RunAsync<TRecord>(
                StepContext context, RecordSettings settings, Dataset<TRecord> input, Dataset<TRecord>? extra = null, CancellationToken cancellationToken = default)
            {
                Calls.Add((context.Step.Name, context.Step.Kind, settings, extra is not null, context.Seed));
                return new ValueTask<Dataset<TRecord>>(input);
            }
        }
        """;

    /// <summary>A pipeline that uses <see cref="RecordStage"/> twice: once with every kind of setting written, once with one input and defaults.</summary>
    public const string RecordPipeline = """
        using DeclFed;
        using Demo.Stages;

        namespace Demo.Recorded;

        public sealed record Row(string Text);

        [Pipeline]
        public partial class Recorded
        {
            [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"), new Row("b"));

            [Step] public Dataset<Row> More() => Dataset.From(new Row("c"));

            /// <summary>Keeps some rows.</summary>
            [Record(Count = 5, Limit = 4, Mode = Mode.Careful, Tags = new[] { "x", "y" }, Weights = new[] { 0.25, 2.0 }, Scale = 1e-3, Shuffle = true)]
            public partial Dataset<Row> Kept(Dataset<Row> load, [From("More")] Dataset<Row> extra);

            [Record(Description = "Defaults")]
            public partial Dataset<Row> Plain(Dataset<Row> kept);
        }
        """;
}
