using System.Collections.Generic;
using System.Linq;
using DeclFed.Generators.Model;

namespace DeclFed.Generators.Parsing;

/// <summary>
/// The settings of a <c>[FederatedLoRA]</c> stage as the generator knows them: every property of <c>FederatedLoraSettings</c>
/// except computed ones, in declaration order, with its option kind, its default and its description (the property's
/// <c>&lt;summary&gt;</c> as the generator renders documentation). The generator references no runtime assembly, so they are
/// written here; tests check them against <c>new FederatedLoraSettings()</c>, <c>new FederatedLoRAAttribute()</c> and the
/// documentation comments of <c>FederatedLoraSettings</c>.
/// </summary>
internal static class FederatedSettingTable
{
    public const string AttributeName = "DeclFed.FederatedLoRAAttribute";
    public const string SettingsType = "global::DeclFed.FederatedLoraSettings";
    public const string StageType = "global::DeclFed.Federated.FederatedLoraStage";
    public const string StageMetadataName = "DeclFed.Federated.FederatedLoraStage";

    /// <summary>The projection names LoRA can wrap (<c>FederatedLoraSettings.KnownTargetModules</c>).</summary>
    public static readonly IReadOnlyList<string> KnownTargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" };

    public static readonly IReadOnlyList<FederatedSetting> All = new[]
    {
        Int("Rounds", 20, "Federated rounds."),
        Int("Clients", 16, "Simulated clients (shards of the training data)."),
        Int("ClientsPerRound", 8, "Clients sampled per round (ignored when ClientFraction is set)."),
        Double("ClientFraction", 0.0, "When above 0, the fraction of clients sampled per round (rounded, at least MinClientsPerRound)."),
        Int("MinClientsPerRound", 1, "The fewest clients sampled in a round when sampling by fraction."),
        Enum("Aggregation", "FLoRA", "The aggregation method."),
        new FederatedSetting("Ranks", OptionValueKind.Int32Array, null, new[] { 8 },
            "The clients' LoRA ranks: one value for homogeneous ranks; several values are repeated over the clients in order, or, with RankShares, are resource tiers."),
        new FederatedSetting("RankShares", OptionValueKind.DoubleArray, null, new double[0],
            "When not empty, the share of clients in each tier of Ranks (same length; assigned in a seeded order)."),
        Double("LoraScaling", 2.0, "The LoRA scaling s = α/r, the same for every client (α = s·r), as FLoRA and HetLoRA require."),
        Double("LoraDropout", 0.0, "Dropout on the LoRA input during local training."),
        new FederatedSetting("TargetModules", OptionValueKind.StringArray, null, new[] { "q_proj", "v_proj" },
            "The projections LoRA wraps (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)."),
        Enum("Partition", "Dirichlet", "How the training records are split among the clients (by their category column)."),
        Double("Alpha", 0.5, "The Dirichlet concentration α of the Dirichlet partition (smaller is more skewed)."),
        Int("CategoriesPerClient", 2, "Categories per client for the Pathological partition."),
        Double("QuantitySigma", 1.0, "The log-normal σ of shard sizes for the QuantitySkew partition."),
        Int("MinRecordsPerClient", 1, "The fewest records a client may hold."),
        Int("LocalSteps", 10, "Local optimizer steps per sampled client per round."),
        Int("BatchSize", 8, "Sequences per local step."),
        Int("SequenceLength", 128, "Tokens per training sequence (longer examples are truncated)."),
        Double("LearningRate", 1e-3, "The clients' learning rate (AdamW for first-order methods, SGD for the zeroth-order ones)."),
        Double("WeightDecay", 0.0, "Decoupled weight decay of the local optimizer."),
        Double("MaxGradNorm", 1.0, "Clip each local step's gradient to this global norm (0 disables clipping)."),
        Enum("ServerOptimizer", "FedAvg", "How the server applies the aggregated update."),
        Double("ServerLearningRate", 1.0, "The server learning rate η."),
        Double("ServerMomentum", 0.9, "β of FedAvgM momentum (β₁ of FedAdam and FedYogi)."),
        Enum("FedHyper", "None", "FedHyper learning-rate adaptation, or None for fixed rates."),
        Int("Seeds", 1024, "K, the candidate seeds of FedKSeed."),
        Double("ZerothOrderEpsilon", 1e-3, "The perturbation scale ε of the zeroth-order methods."),
        new FederatedSetting("PromptTemplate", OptionValueKind.String, null, "alpaca",
            "The prompt template that formats the records (alpaca, chatml, instruction)."),
        Int("EvaluateEvery", 1, "Evaluate the global model on the validation records every this many rounds (0: only after the last round)."),
        Int("Parallelism", 0, "Clients trained at the same time (0: one per processor)."),
        Double("OutlierThreshold", 3.5, "The modified z-score above which an update's norm is rejected as an outlier of its round."),
        Enum("SeedScope", "Step", "The seed of the partition, client sampling, initial adapters and data order: the step's own, or the run's (shared by the stages of a comparison)."),
    };

    private static readonly Dictionary<string, FederatedSetting> ByName = All.ToDictionary(s => s.Name);

    public static FederatedSetting? Find(string name) => ByName.TryGetValue(name, out var setting) ? setting : null;

    private static FederatedSetting Int(string name, int value, string description) =>
        new(name, OptionValueKind.Int32, null, value, description);

    private static FederatedSetting Double(string name, double value, string description) =>
        new(name, OptionValueKind.Double, null, value, description);

    // An enum setting's type is the enum of its own name in namespace DeclFed (DeclFed.Aggregation, DeclFed.Partition, …).
    private static FederatedSetting Enum(string name, string defaultMember, string description) =>
        new(name, OptionValueKind.Enum, "DeclFed." + name, defaultMember, description);
}

/// <summary>One setting of a <c>[FederatedLoRA]</c> stage.</summary>
/// <param name="Name">The property name (attribute, settings record and option alike).</param>
/// <param name="Kind">The option kind.</param>
/// <param name="EnumMetadataName">For an enum, its metadata name; null otherwise.</param>
/// <param name="Default">
/// The default: an <c>int</c>, <c>double</c>, <c>string</c>, <c>int[]</c>, <c>double[]</c> or <c>string[]</c>, or for an enum the member name.
/// </param>
/// <param name="Description">The option description shown by <c>describe</c>.</param>
internal sealed class FederatedSetting(string name, OptionValueKind kind, string? enumMetadataName, object @default, string description)
{
    public string Name { get; } = name;
    public OptionValueKind Kind { get; } = kind;
    public string? EnumMetadataName { get; } = enumMetadataName;
    public object Default { get; } = @default;
    public string Description { get; } = description;

    /// <summary>The C# type as people read it (<c>int</c>, <c>int[]</c>, <c>Aggregation</c>).</summary>
    public string TypeDisplay => Kind switch
    {
        OptionValueKind.Int32 => "int",
        OptionValueKind.Double => "double",
        OptionValueKind.String => "string",
        OptionValueKind.Int32Array => "int[]",
        OptionValueKind.DoubleArray => "double[]",
        OptionValueKind.StringArray => "string[]",
        _ => Name,
    };

    /// <summary>The type handed to <c>GetOption&lt;T&gt;</c>: enums are read as their member name.</summary>
    public string ValueTypeName => Kind == OptionValueKind.Enum ? "string" : TypeDisplay;

    /// <summary>The enum type in emitted code (<c>global::DeclFed.Aggregation</c>); empty for other kinds.</summary>
    public string EnumTypeName => EnumMetadataName is null ? string.Empty : "global::" + EnumMetadataName;
}
