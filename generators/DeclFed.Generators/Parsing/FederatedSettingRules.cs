using System;
using System.Collections.Generic;
using System.Linq;
using DeclFed.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace DeclFed.Generators.Parsing;

/// <summary>
/// The compile-time check of a <c>[FederatedLoRA]</c> attribute's settings: rule for rule the checks of
/// <c>FederatedLoraSettings.Validate()</c>, which the runtime applies again after configuration overrides (a test holds the
/// two to the same verdicts). Ranks above a layer's width cannot be known here: the base model is a run-time artifact.
/// </summary>
internal static class FederatedSettingRules
{
    private static readonly string KnownModules = string.Join(", ", FederatedSettingTable.KnownTargetModules);

    /// <summary>Every setting that cannot work, each at the argument that wrote it (else the attribute).</summary>
    public static List<DiagnosticInfo> Check(FederatedSettingValues v)
    {
        var problems = new List<DiagnosticInfo>();

        void Report(DiagnosticDescriptor descriptor, string setting, string[] locateAt, int element, params string[] arguments) =>
            problems.Add(DiagnosticInfo.Create(descriptor, v.LocationOf(locateAt, element), arguments) with { Setting = setting });

        void Range(string setting, string why, params string[] alsoAt) =>
            Report(DiagnosticDescriptors.FederatedSettingOutOfRange, setting, new[] { setting }.Concat(alsoAt).ToArray(), -1, setting, v.Display(setting), why);

        static bool Positive(double value) => value > 0 && !double.IsInfinity(value);
        static bool NonNegative(double value) => value >= 0 && !double.IsInfinity(value);

        var rounds = v.Int("Rounds");
        var clients = v.Int("Clients");
        if (rounds < 1)
        {
            Range("Rounds", "at least one round is needed");
        }
        if (clients < 1)
        {
            Range("Clients", "at least one client is needed");
        }
        var fraction = v.Double("ClientFraction");
        var perRound = v.Int("ClientsPerRound");
        if (fraction != 0)
        {
            if (!(fraction > 0 && fraction <= 1))
            {
                Range("ClientFraction", "the fraction of clients sampled per round must be in (0, 1]; use 0 to sample ClientsPerRound clients");
            }
            var minimum = v.Int("MinClientsPerRound");
            if (minimum < 1 || minimum > Math.Max(clients, 1))
            {
                Range("MinClientsPerRound", $"must be between 1 and the {clients} clients", "Clients");
            }
        }
        else if (perRound < 1)
        {
            Report(DiagnosticDescriptors.ClientsPerRoundInvalid, "ClientsPerRound", new[] { "ClientsPerRound" }, -1,
                v.Display("ClientsPerRound"), "is less than 1: at least one client must train each round");
        }
        else if (perRound > clients && clients >= 1)
        {
            Report(DiagnosticDescriptors.ClientsPerRoundInvalid, "ClientsPerRound", new[] { "ClientsPerRound", "Clients" }, -1,
                v.Display("ClientsPerRound"), $"is more than the {clients} clients; sample at most Clients clients per round, or set ClientFraction");
        }

        var ranks = v.Ints("Ranks");
        var aggregation = v.Enum("Aggregation");
        if (ranks is null)
        {
            Range("Ranks", "give one rank, or several for heterogeneous clients");
        }
        else if (ranks.Length == 0)
        {
            Report(DiagnosticDescriptors.RankNotPositive, "Ranks", new[] { "Ranks" }, -1, "Ranks is empty");
        }
        foreach (var rank in (ranks ?? Array.Empty<int>()).Where(r => r < 1).Distinct())
        {
            Report(DiagnosticDescriptors.RankNotPositive, "Ranks", new[] { "Ranks" }, Array.IndexOf(ranks!, rank), $"Rank {rank} in Ranks is not positive");
        }
        if (ranks is not null && ranks.Distinct().Count() > 1 && aggregation.Member is "FedIT" or "FedMeZO" or "FedKSeed" or "FedKSeedPro")
        {
            Report(DiagnosticDescriptors.HeterogeneousRanksNotSupported, "Ranks", new[] { "Ranks", "Aggregation" }, -1,
                aggregation.Member!, string.Join(", ", ranks.Distinct()));
        }

        var shares = v.Doubles("RankShares");
        if (shares is null)
        {
            Range("RankShares", "give an empty list for no tiers, or one share per rank");
        }
        else if (shares.Length > 0)
        {
            if (shares.Length != (ranks?.Length ?? 0))
            {
                Report(DiagnosticDescriptors.RankSharesLength, "RankShares", new[] { "RankShares", "Ranks" }, -1,
                    shares.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), (ranks?.Length ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            if (shares.Any(s => !Positive(s)))
            {
                Range("RankShares", "every tier's share must be a positive number");
            }
        }
        if (!Positive(v.Double("LoraScaling")))
        {
            Range("LoraScaling", "the LoRA scaling must be a positive number");
        }
        var dropout = v.Double("LoraDropout");
        if (!(dropout >= 0 && dropout < 1))
        {
            Range("LoraDropout", "dropout must be in [0, 1)");
        }

        var modules = v.Strings("TargetModules");
        if (modules is null || modules.Length == 0)
        {
            Range("TargetModules", $"give some of {KnownModules}");
        }
        else
        {
            foreach (var module in modules.Where(m => !FederatedSettingTable.KnownTargetModules.Contains(m, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal))
            {
                Report(DiagnosticDescriptors.UnknownTargetModule, "TargetModules", new[] { "TargetModules" }, Array.IndexOf(modules, module),
                    module, NameSuggestion.DidYouMean(module, FederatedSettingTable.KnownTargetModules), KnownModules);
            }
            foreach (var group in modules.Select((m, i) => (Module: m, Index: i)).GroupBy(p => p.Module, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                Report(DiagnosticDescriptors.DuplicateTargetModule, "TargetModules", new[] { "TargetModules" }, group.ElementAt(1).Index, group.Key);
            }
        }

        switch (v.Enum("Partition").Member)
        {
            case "Dirichlet" when !Positive(v.Double("Alpha")):
                Report(DiagnosticDescriptors.DirichletAlphaNotPositive, "Alpha", new[] { "Alpha", "Partition" }, -1, v.Display("Alpha"));
                break;
            case "Pathological" when v.Int("CategoriesPerClient") < 1:
                Range("CategoriesPerClient", "with Partition.Pathological each client needs at least one category", "Partition");
                break;
            case "QuantitySkew" when !NonNegative(v.Double("QuantitySigma")):
                Range("QuantitySigma", "with Partition.QuantitySkew the log-normal σ of shard sizes must be a non-negative number", "Partition");
                break;
        }
        if (v.Int("MinRecordsPerClient") < 1)
        {
            Range("MinRecordsPerClient", "every client needs at least one record");
        }

        if (v.Int("LocalSteps") < 1)
        {
            Range("LocalSteps", "clients must take at least one local step");
        }
        if (v.Int("BatchSize") < 1)
        {
            Range("BatchSize", "the batch size must be at least 1");
        }
        if (v.Int("SequenceLength") < 2)
        {
            Range("SequenceLength", "the sequence length must be at least 2 tokens");
        }
        if (!Positive(v.Double("LearningRate")))
        {
            Range("LearningRate", "the learning rate must be a positive number");
        }
        if (!NonNegative(v.Double("WeightDecay")))
        {
            Range("WeightDecay", "weight decay must be a non-negative number");
        }
        if (!NonNegative(v.Double("MaxGradNorm")))
        {
            Range("MaxGradNorm", "the gradient clipping norm must be a non-negative number (0 disables clipping)");
        }

        if (!Positive(v.Double("ServerLearningRate")))
        {
            Range("ServerLearningRate", "the server learning rate must be a positive number");
        }
        var momentum = v.Double("ServerMomentum");
        if (!(momentum >= 0 && momentum < 1))
        {
            Range("ServerMomentum", "momentum must be in [0, 1)");
        }
        if (aggregation.Member is "FedKSeed" or "FedKSeedPro")
        {
            if (v.Enum("ServerOptimizer").Member != "FedAvg")
            {
                Report(DiagnosticDescriptors.SettingNotForAggregation, "ServerOptimizer", new[] { "ServerOptimizer", "Aggregation" }, -1,
                    "ServerOptimizer", v.Display("ServerOptimizer"), aggregation.Member, "it replays scalar gradients and has no server optimizer; use FedAvg");
            }
            if (v.Enum("FedHyper").Member != "None")
            {
                Report(DiagnosticDescriptors.SettingNotForAggregation, "FedHyper", new[] { "FedHyper", "Aggregation" }, -1,
                    "FedHyper", v.Display("FedHyper"), aggregation.Member, "its exact replay needs a constant learning rate; use None");
            }
            if (v.Int("Seeds") < 1)
            {
                Range("Seeds", $"{aggregation.Member} needs at least one candidate seed", "Aggregation");
            }
        }
        if (aggregation.Member is "FedKSeed" or "FedKSeedPro" or "FedMeZO" && !Positive(v.Double("ZerothOrderEpsilon")))
        {
            Range("ZerothOrderEpsilon", $"the perturbation scale ε of {aggregation.Member} must be a positive number", "Aggregation");
        }
        if (string.IsNullOrWhiteSpace(v.String("PromptTemplate")))
        {
            Range("PromptTemplate", "give a prompt template: alpaca, chatml or instruction");
        }
        if (v.Int("EvaluateEvery") < 0)
        {
            Range("EvaluateEvery", "use 0 (after the last round only) or a positive number of rounds");
        }
        if (v.Int("Parallelism") < 0)
        {
            Range("Parallelism", "use 0 (one client per processor) or a positive number of clients");
        }
        if (!Positive(v.Double("OutlierThreshold")))
        {
            Range("OutlierThreshold", "the outlier threshold must be a positive number");
        }

        foreach (var setting in FederatedSettingTable.All.Where(s => s.EnumMetadataName is not null))
        {
            if (v.Enum(setting.Name).Member is null && v.EnumMembers(setting.Name) is { } members)
            {
                Range(setting.Name, $"not a member of {setting.Name}; use one of {string.Join(", ", members)}");
            }
        }
        return problems;
    }
}
