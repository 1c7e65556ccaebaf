extern alias FederatedAnalyzers;

using Microsoft.CodeAnalysis;
using FederatedLoraAnalyzer = FederatedAnalyzers::DeclFed.Federated.Analyzers.FederatedLoraAnalyzer;

namespace DeclFed.Generators.Tests;

/// <summary>
/// The diagnostics of declarative stages: the generator's, about the shape of a stage method and of a stage's definition
/// (DF0021–DF0024, DF0035–DF0038), and the <c>[FederatedLora]</c> stage analyzer's, about its settings (DF0026–DF0034),
/// which come from the stage's own rules.
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string FederatedPrelude = """
        using DeclFed;
        using DeclFed.Data;
        using DeclFed.Models;

        namespace Demo;

        [Pipeline]
        public partial class F
        {
            [Step] public LanguageModel Base() => null!;
            [Step] public Dataset<Instruction> Train() => Dataset<Instruction>.Empty;

        """;

    private const string Stage = "public partial LoraModel Finetune(LanguageModel @base, Dataset<Instruction> train);\n}";

    [Fact]
    public void DF0021_stage_that_is_not_partial() => AssertStage("""
            [FederatedLora]
            public LoraModel [|Finetune|](LanguageModel @base, Dataset<Instruction> train);
        }
        """, "DF0021", "[FederatedLora] method 'Finetune' is not partial", "declare it 'partial' without a body",
        "'public partial LoraModel Finetune(LanguageModel @base, Dataset<Instruction> train[, Dataset<Instruction>? validation]);'");

    [Fact]
    public void DF0021_stage_with_a_body() => AssertStage("""
            [FederatedLora]
            public partial LoraModel [|Finetune|](LanguageModel @base, Dataset<Instruction> train) => null!;
        }
        """, "DF0021", "'Finetune' has a body", "the generator writes the body");

    [Fact]
    public void DF0022_stage_input_of_the_wrong_type() => AssertStage("""
            [FederatedLora]
            public partial LoraModel Finetune(LanguageModel @base, [|Dataset<Instruction>[]|] train);
        }
        """, "DF0022", "'Finetune'", "takes 'Dataset<Instruction>[]' as parameter 'train'", "the stage's input 'train' (Dataset<Instruction>)",
        "LanguageModel @base, Dataset<Instruction> train[, Dataset<Instruction>? validation]");

    [Fact]
    public void DF0022_stage_without_a_required_input() => AssertStage("""
            [FederatedLora]
            public partial LoraModel Finetune[|(LanguageModel @base)|];
        }
        """, "DF0022", "'Finetune' takes only 1 of the stage's 2 required inputs", "its parameters are the stage's inputs, in order");

    [Fact]
    public void DF0022_stage_with_an_option_parameter() => AssertStage("""
            [FederatedLora]
            public partial LoraModel Finetune(LanguageModel @base, [Option] [|Dataset<Instruction>|] train);
        }
        """, "DF0022", "marks parameter 'train' [Option]", "a stage's options are its attribute's settings (Finetune:<Setting>)");

    [Fact]
    public void DF0023_stage_returning_another_artifact() => AssertStage("""
            [FederatedLora]
            public partial [|LanguageModel|] Finetune(LanguageModel @base, Dataset<Instruction> train);
        }
        """, "DF0023", "'Finetune' returns 'LanguageModel'", "the stage produces LoraModel", "change the return type to LoraModel");

    [Fact]
    public void DF0023_generic_stage_returning_another_record_type_names_the_inferred_one() => AssertSingle("""
            public partial class Keep : DeclFed.Stages.StageSettings { }

            [DeclFed.Stages.DeclarativeStage(typeof(KeepRuntime))]
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class KeepAllAttribute : Keep { }

            public static class KeepRuntime
            {
                public static ValueTask<Dataset<T>> RunAsync<T>(DeclFed.Graph.StepContext context, Keep settings, Dataset<T> input, CancellationToken cancellationToken) =>
                    new(input);
            }

            [Pipeline]
            public partial class P
            {
                [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
                [KeepAll] public partial [|Dataset<Other>|] Kept(Dataset<Row> load);
            }
            """, "DF0023", DiagnosticSeverity.Error, "[KeepAll] method 'Kept' returns 'Dataset<Other>'", "the stage produces Dataset<Row>");

    [Fact]
    public void DF0024_stage_also_marked_step() => AssertStage("""
            [[|Step|]]
            [FederatedLora]
        """ + Stage, "DF0024", "'Finetune' has both [Step] and [FederatedLora]", "remove [Step]");

    [Fact]
    public void DF0035_stage_attribute_whose_runtime_has_no_RunAsync() => AssertSingleWithPipeline("""
            public partial class Keep : DeclFed.Stages.StageSettings { }

            [DeclFed.Stages.DeclarativeStage(typeof(KeepRuntime))]
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class [|KeepAllAttribute|] : Keep { }

            public static class KeepRuntime
            {
                public static Dataset<Row> Run(Keep settings, Dataset<Row> input) => input;
            }

            [Pipeline]
            public partial class P
            {
                [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
                [Step] public Dataset<Row> Use(Dataset<Row> load) => load;
            }
            """, "DF0035", DiagnosticSeverity.Error, "[KeepAll] cannot be used as a declarative stage",
            "its runtime 'KeepRuntime' has no public static RunAsync(StepContext context, Keep settings, <inputs>, CancellationToken cancellationToken)");

    [Fact]
    public void DF0035_stage_attribute_that_does_not_derive_from_settings() => AssertSingleWithPipeline("""
            [DeclFed.Stages.DeclarativeStage(typeof(KeepRuntime))]
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class [|KeepAllAttribute|] : System.Attribute { }

            public static class KeepRuntime { }

            [Pipeline]
            public partial class P
            {
                [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
            }
            """, "DF0035", DiagnosticSeverity.Error, "[KeepAll] cannot be used", "derive from the stage's settings class");

    [Fact]
    public void DF0036_two_stages_on_one_method() => AssertStage("""
            [FederatedLora]
            [FederatedLora]
            public partial LoraModel [|Finetune|](LanguageModel @base, Dataset<Instruction> train);
        }
        """, "DF0036", "'Finetune' has more than one declarative stage ([FederatedLora] and [FederatedLora])", "keep one of them");

    [Fact]
    public void DF0037_stage_settings_class_that_is_not_partial() => AssertSingleWithPipeline("""
            public class [|Keep|] : DeclFed.Stages.StageSettings { }

            [DeclFed.Stages.DeclarativeStage(typeof(KeepRuntime))]
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class KeepAllAttribute : Keep { }

            public static class KeepRuntime
            {
                public static ValueTask<Dataset<Row>> RunAsync(DeclFed.Graph.StepContext context, Keep settings, Dataset<Row> input, CancellationToken cancellationToken) => new(input);
            }

            [Pipeline]
            public partial class P
            {
                [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
            }
            """, "DF0037", DiagnosticSeverity.Error, "Settings class 'Keep' of stage [KeepAll] must be partial");

    [Fact]
    public void DF0038_stage_setting_of_a_type_configuration_cannot_bind() => AssertSingleWithPipeline("""
            public partial class Keep : DeclFed.Stages.StageSettings
            {
                public [|System.DateTime|] Since { get; init; }
            }

            [DeclFed.Stages.DeclarativeStage(typeof(KeepRuntime))]
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class KeepAllAttribute : Keep { }

            public static class KeepRuntime
            {
                public static ValueTask<Dataset<Row>> RunAsync(DeclFed.Graph.StepContext context, Keep settings, Dataset<Row> input, CancellationToken cancellationToken) => new(input);
            }

            [Pipeline]
            public partial class P
            {
                [Step] public Dataset<Row> Load() => Dataset.From(new Row("a"));
            }
            """, "DF0038", DiagnosticSeverity.Error, "Setting 'Since' of 'Keep' has type 'DateTime'", "make it get-only");

    // The [FederatedLora] stage's own rules, reported by its analyzer at the argument that wrote the setting.

    [Fact]
    public void DF0026_FedIT_with_heterogeneous_ranks() => AssertSetting("""
            [FederatedLora(Aggregation = Aggregation.FedIT, [|Ranks = new[] { 16, 8, 16 }|])]
        """ + Stage, "DF0026", "Ranks", "FedIT averages", "Ranks gives 16, 8", "use FLoRA, FlexLoRA or HetLoRA");

    [Fact]
    public void DF0028_more_clients_per_round_than_clients() => AssertSetting("""
            [FederatedLora([|ClientsPerRound = 12|], Clients = 10)]
        """ + Stage, "DF0028", "ClientsPerRound", "ClientsPerRound = 12", "more than the 10 clients");

    [Fact]
    public void DF0028_fewer_clients_than_the_default_clients_per_round_points_at_Clients() => AssertSetting("""
            [FederatedLora([|Clients = 4|])]
        """ + Stage, "DF0028", "ClientsPerRound", "ClientsPerRound = 8", "more than the 4 clients");

    [Fact]
    public void DF0029_unknown_target_module_suggests_the_nearest() => AssertSetting("""
            [FederatedLora(TargetModules = new[] { "q_proj", [|"v_prj"|] })]
        """ + Stage, "DF0029", "TargetModules", "'v_prj' in TargetModules is not a projection of the model", "did you mean 'v_proj'?",
        "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");

    [Fact]
    public void DF0029_unknown_prompt_template_is_a_build_error() => AssertSetting("""
            [FederatedLora([|PromptTemplate = "alpacaa"|])]
        """ + Stage, "DF0029", "PromptTemplate", "PromptTemplate = \"alpacaa\" is not a built-in prompt template", "did you mean 'alpaca'?", "alpaca, chatml, instruction");

    [Fact]
    public void DF0030_target_module_listed_twice() => AssertSetting("""
            [FederatedLora(TargetModules = new[] { "q_proj", "v_proj", [|"q_proj"|] })]
        """ + Stage, "DF0030", "TargetModules", "'q_proj' is listed more than once in TargetModules");

    [Fact]
    public void DF0031_Dirichlet_alpha_not_positive() => AssertSetting("""
            [FederatedLora(Partition = Partition.Dirichlet, [|Alpha = 0.0|])]
        """ + Stage, "DF0031", "Alpha", "Alpha = 0", "Partition.Dirichlet", "positive number");

    [Fact]
    public void DF0032_rank_shares_of_another_length() => AssertSetting("""
            [FederatedLora(Aggregation = Aggregation.HetLoRA, Ranks = new[] { 64, 16, 4 }, [|RankShares = new[] { 0.5, 0.5 }|])]
        """ + Stage, "DF0032", "RankShares", "2 shares for 3 rank tiers", "one share per rank");

    [Fact]
    public void DF0033_setting_out_of_range_names_the_setting() => AssertSetting("""
            [FederatedLora([|LearningRate = -0.001|])]
        """ + Stage, "DF0033", "LearningRate", "LearningRate = -0.001", "must be a positive number");

    [Fact]
    public void DF0033_rank_that_is_not_positive_points_at_the_element() => AssertSetting("""
            [FederatedLora(Ranks = new[] { 8, [|0|] })]
        """ + Stage, "DF0033", "Ranks", "Ranks[1] = 0", "at least 1");

    [Fact]
    public void DF0033_null_list() => AssertSetting("""
            [FederatedLora([|Ranks = null!|])]
        """ + Stage, "DF0033", "Ranks", "Ranks = null", "give one rank");

    [Fact]
    public void DF0034_server_optimizer_with_FedKSeed() => AssertSetting("""
            [FederatedLora(Aggregation = Aggregation.FedKSeed, [|ServerOptimizer = ServerOptimizer.FedYogi|])]
        """ + Stage, "DF0034", "ServerOptimizer", "ServerOptimizer = FedYogi cannot be used with FedKSeed", "use FedAvg");

    private static void AssertStage(string markedSource, string id, params string[] messageWords) =>
        AssertSingle(FederatedPrelude, markedSource, [], id, DiagnosticSeverity.Error, messageWords, expectPipeline: false);

    /// <summary>
    /// Checks the one diagnostic the <c>[FederatedLora]</c> analyzer reports on a pipeline (the generator reporting nothing),
    /// its span, its words, and that it names the setting as <c>FederatedLoraSettings.Validate()</c> does.
    /// </summary>
    private static void AssertSetting(string markedSource, string id, string setting, params string[] messageWords)
    {
        var marked = FederatedPrelude + markedSource;
        var start = marked.IndexOf("[|", StringComparison.Ordinal);
        var end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        var source = marked.Replace("[|", string.Empty).Replace("|]", string.Empty);

        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        var diagnostic = Assert.Single(GeneratorHarness.Analyze(run.Output, new FederatedLoraAnalyzer()));

        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(source.Substring(start, end - start), diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(messageWords, word => Assert.Contains(word, message));
        Assert.Equal(setting, diagnostic.Properties["Setting"]);
    }
}
