namespace DeclFed.Generators.Tests;

/// <summary>
/// Pipelines with <c>[FederatedLoRA]</c> stages, and the runtime pieces they compile against. The real <c>DeclFed.Models</c>
/// and <c>DeclFed.Data</c> assemblies are referenced; <c>DeclFed.Models.LoraModel</c> and
/// <c>DeclFed.Federated.FederatedLoraStage</c> are added as test-only stand-ins when no referenced assembly defines them,
/// so a compilation never holds two of a type.
/// </summary>
internal static class FederatedTestSources
{
    private static readonly Lazy<GeneratorRun> LazyTuningRun = new(() => GeneratorHarness.Run(WithRuntime(Tuning)).ShouldCompileCleanly());

    private static readonly Lazy<string[]> LazyRuntime = new(() =>
    {
        var probe = GeneratorHarness.Compile([]);
        var missing = new List<string>();
        if (probe.GetTypeByMetadataName("DeclFed.Models.LoraModel") is null)
        {
            missing.Add(LoraModelStandIn);
        }
        if (probe.GetTypeByMetadataName("DeclFed.Federated.FederatedLoraStage") is null)
        {
            missing.Add(StageStandIn);
        }
        return [.. missing];
    });

    /// <summary>The generator's run over <see cref="Tuning"/>, checked to compile cleanly.</summary>
    public static GeneratorRun TuningRun => LazyTuningRun.Value;

    /// <summary><paramref name="sources"/> followed by the stand-ins the referenced assemblies do not provide.</summary>
    public static string[] WithRuntime(params string[] sources) => [.. sources, .. RuntimeStandIns];

    /// <summary>The stand-in sources this test run needs (none once the real runtime is referenced).</summary>
    public static string[] RuntimeStandIns => LazyRuntime.Value;

    /// <summary>
    /// Two stages: one with a validation input bound by [From] and most kinds of setting written, and a static internal one
    /// with a Description, an empty list and a zeroth-order method; an ordinary step consumes both outputs.
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
            [FederatedLoRA(Rounds = 20, Clients = 16, ClientsPerRound = 8, Aggregation = Aggregation.FLoRA,
                           Ranks = new[] { 16, 8, 4 }, Partition = Partition.Dirichlet, Alpha = 0.5,
                           TargetModules = new[] { "q_proj", "k_proj", "v_proj" }, LearningRate = 2e-4, LoraScaling = 2,
                           PromptTemplate = "chatml")]
            public partial LoraModel Finetune(LanguageModel @base, Dataset<Instruction> train, [From("Held")] Dataset<Instruction> validation);

            [FederatedLoRA(Description = "The zeroth-order baseline", Aggregation = Aggregation.FedKSeed, Ranks = new[] { 8 },
                           RankShares = new double[0], Seeds = 512, ServerOptimizer = ServerOptimizer.FedAvg)]
            internal static partial LoraModel Baseline(LanguageModel @base, [From("Train")] Dataset<Instruction> data);

            [Step] public LoraModel Pick(LoraModel finetune, LoraModel baseline) => finetune;
        }
        """;

    /// <summary>A stand-in artifact type for compilations whose references do not define <c>DeclFed.Models.LoraModel</c>.</summary>
    public const string LoraModelStandIn = """
        namespace DeclFed.Models;

        /// <summary>Test-only stand-in: the generator tests never store one.</summary>
        public sealed class LoraModel : DeclFed.IArtifact<LoraModel>
        {
            public static DeclFed.IArtifactFormat<LoraModel> Format => throw new System.NotSupportedException("The generator tests never store a LoraModel.");
        }
        """;

    /// <summary>
    /// A stand-in of the federated runtime's two entry points that records each call (the settings, the step, whether a
    /// validation set came) in <c>Calls</c>, so tests can check what the generated code hands over.
    /// </summary>
    public const string StageStandIn = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using DeclFed.Data;
        using DeclFed.Graph;
        using DeclFed.Models;

        namespace DeclFed.Federated;

        public static class FederatedLoraStage
        {
            public static List<(string Entry, FederatedLoraSettings Settings, bool HasValidation)> Calls { get; } = new();

            public static LoraModel Run(FederatedLoraSettings settings, LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction>? validation)
            {
                Calls.Add(("Run", settings, validation is not null));
                return null!;
            }

            public static ValueTask<LoraModel> RunAsync(
                StepContext context, FederatedLoraSettings settings, LanguageModel @base, Dataset<Instruction> train, Dataset<Instruction>? validation,
                CancellationToken cancellationToken)
            {
                Calls.Add(("RunAsync " + context.Step.Name, settings, validation is not null));
                return new ValueTask<LoraModel>((LoraModel)null!);
            }
        }
        """;
}
