using DeclFed.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace DeclFed.Generators.Tests;

/// <summary>The diagnostics of the <c>[FederatedLoRA]</c> stage: its shape (DF0021–DF0025) and its settings (DF0026–DF0034).</summary>
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
    public void DF0021_federated_stage_that_is_not_partial() => AssertFederated("""
            [FederatedLoRA]
            public LoraModel [|Finetune|](LanguageModel @base, Dataset<Instruction> train);
        }
        """, "DF0021", null, "'Finetune'", "is not partial", "declare it 'partial' without a body");

    [Fact]
    public void DF0021_federated_stage_with_a_body() => AssertFederated("""
            [FederatedLoRA]
            public partial LoraModel [|Finetune|](LanguageModel @base, Dataset<Instruction> train) => null!;
        }
        """, "DF0021", null, "'Finetune'", "has a body", "the generator writes the body");

    [Fact]
    public void DF0022_federated_stage_with_a_wrong_parameter_type() => AssertFederated("""
            [FederatedLoRA]
            public partial LoraModel Finetune(LanguageModel @base, [|Dataset<Instruction>[]|] train);
        }
        """, "DF0022", null, "'Finetune'", "'Dataset<Instruction>[]'", "parameter 'train'", "training records", "optionally a second Dataset<Instruction>");

    [Fact]
    public void DF0022_federated_stage_without_the_training_records() => AssertFederated("""
            [FederatedLoRA]
            public partial LoraModel Finetune[|(LanguageModel @base)|];
        }
        """, "DF0022", null, "'Finetune'", "takes only one parameter", "DeclFed.Models.LanguageModel (the base model)", "DeclFed.Dataset<DeclFed.Data.Instruction>");

    [Fact]
    public void DF0023_federated_stage_returning_something_else() => AssertFederated("""
            [FederatedLoRA]
            public partial [|LanguageModel|] Finetune(LanguageModel @base, Dataset<Instruction> train);
        }
        """, "DF0023", null, "'Finetune'", "returns 'LanguageModel'", "change the return type to DeclFed.Models.LoraModel");

    [Fact]
    public void DF0024_federated_stage_also_marked_step() => AssertFederated("""
            [[|Step|]]
            [FederatedLoRA]
        """ + Stage, "DF0024", null, "'Finetune'", "both [Step] and [FederatedLoRA]", "remove [Step]");

    [Fact]
    public void DF0025_federated_runtime_not_referenced()
    {
        // Only LoraModel is supplied (when the referenced assemblies lack it): FederatedLoraStage stays missing.
        var standIns = FederatedTestSources.RuntimeStandIns.Where(s => !s.Contains("class FederatedLoraStage", StringComparison.Ordinal)).ToArray();
        Assert.True(standIns.Length < FederatedTestSources.RuntimeStandIns.Length, "This test needs a compilation without DeclFed.Federated.");
        AssertSingle(FederatedPrelude, """
                [[|FederatedLoRA|]]
            """ + Stage, standIns, "DF0025", DiagnosticSeverity.Error,
            ["'Finetune'", "'DeclFed.Federated.FederatedLoraStage' was not found", "add a reference to the DeclFed.Federated assembly"], expectPipeline: false);
    }

    [Fact]
    public void DF0026_FedIT_with_heterogeneous_ranks() => AssertFederated("""
            [FederatedLoRA(Aggregation = Aggregation.FedIT, [|Ranks = new[] { 16, 8, 16 }|])]
        """ + Stage, "DF0026", "Ranks", "FedIT averages", "Ranks gives 16, 8", "use FLoRA, FlexLoRA or HetLoRA");

    [Fact]
    public void DF0027_rank_that_is_not_positive_points_at_the_element() => AssertFederated("""
            [FederatedLoRA(Ranks = new[] { 8, [|0|] })]
        """ + Stage, "DF0027", "Ranks", "Rank 0 in Ranks is not positive", "at least 1");

    [Fact]
    public void DF0028_more_clients_per_round_than_clients() => AssertFederated("""
            [FederatedLoRA([|ClientsPerRound = 12|], Clients = 10)]
        """ + Stage, "DF0028", "ClientsPerRound", "ClientsPerRound = 12", "more than the 10 clients");

    [Fact]
    public void DF0028_fewer_clients_than_the_default_clients_per_round_points_at_Clients() => AssertFederated("""
            [FederatedLoRA([|Clients = 4|])]
        """ + Stage, "DF0028", "ClientsPerRound", "ClientsPerRound = 8", "more than the 4 clients");

    [Fact]
    public void DF0029_unknown_target_module_suggests_the_nearest() => AssertFederated("""
            [FederatedLoRA(TargetModules = new[] { "q_proj", [|"v_prj"|] })]
        """ + Stage, "DF0029", "TargetModules", "'v_prj'", "did you mean 'v_proj'?", "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");

    [Fact]
    public void DF0030_target_module_listed_twice() => AssertFederated("""
            [FederatedLoRA(TargetModules = new[] { "q_proj", "v_proj", [|"q_proj"|] })]
        """ + Stage, "DF0030", "TargetModules", "'q_proj'", "more than once");

    [Fact]
    public void DF0031_Dirichlet_alpha_not_positive() => AssertFederated("""
            [FederatedLoRA(Partition = Partition.Dirichlet, [|Alpha = 0.0|])]
        """ + Stage, "DF0031", "Alpha", "Alpha = 0", "Partition.Dirichlet", "positive number");

    [Fact]
    public void DF0032_rank_shares_of_another_length() => AssertFederated("""
            [FederatedLoRA(Aggregation = Aggregation.HetLoRA, Ranks = new[] { 64, 16, 4 }, [|RankShares = new[] { 0.5, 0.5 }|])]
        """ + Stage, "DF0032", "RankShares", "2 shares for 3 rank tiers", "one share per rank");

    [Fact]
    public void DF0033_setting_out_of_range_names_the_setting() => AssertFederated("""
            [FederatedLoRA([|LearningRate = -0.001|])]
        """ + Stage, "DF0033", "LearningRate", "LearningRate = -0.001", "must be a positive number");

    [Fact]
    public void DF0033_null_list() => AssertFederated("""
            [FederatedLoRA([|Ranks = null!|])]
        """ + Stage, "DF0033", "Ranks", "Ranks = null", "give one rank");

    [Fact]
    public void DF0034_server_optimizer_with_FedKSeed() => AssertFederated("""
            [FederatedLoRA(Aggregation = Aggregation.FedKSeed, [|ServerOptimizer = ServerOptimizer.FedYogi|])]
        """ + Stage, "DF0034", "ServerOptimizer", "ServerOptimizer = FedYogi cannot be used with FedKSeed", "use FedAvg");

    /// <summary>
    /// Checks the one diagnostic of a pipeline with a stage (after <see cref="FederatedPrelude"/>, against the real or stand-in runtime)
    /// and, for a setting's problem, that it names the setting the way <c>FederatedLoraSettings.Validate()</c> does.
    /// </summary>
    private static void AssertFederated(string markedSource, string id, string? setting, params string[] messageWords)
    {
        var diagnostic = AssertSingle(FederatedPrelude, markedSource, FederatedTestSources.RuntimeStandIns, id, DiagnosticSeverity.Error, messageWords, expectPipeline: false);
        Assert.Equal(setting, diagnostic.Properties.TryGetValue(DiagnosticInfo.SettingProperty, out var named) ? named : null);
    }
}
