using System.Linq;
using DeclFed.Stages;

namespace DeclFed;

/// <summary>
/// The settings of a federated LoRA stage, declared once: each property is a setting of <see cref="FederatedLoraAttribute"/>
/// (which derives from this class) and an option of the step (<c>--Finetune:Rounds=5</c>), with its default, its
/// documentation and its constraints; <see cref="CheckRules"/> holds the rules across settings. The stage's analyzer checks
/// them on the attribute at build time, <see cref="StageSettings.Validate"/> after configuration overrides at start-up.
/// </summary>
/// <remarks>This file is also compiled into the stage's analyzer, so it uses nothing beyond .NET Standard 2.0.</remarks>
public partial class FederatedLoraSettings : StageSettings
{
    /// <summary>An aggregation method that needs one rank for every client was given several.</summary>
    public static readonly SettingRule HeterogeneousRanks = new("DF0026", "Aggregation method needs one rank for every client");

    /// <summary>More clients per round than clients, or none.</summary>
    public static readonly SettingRule ClientsPerRoundInvalid = new("DF0028", "Clients per round cannot be sampled");

    /// <summary>The Dirichlet partition with a concentration that is not positive.</summary>
    public static readonly SettingRule DirichletAlphaNotPositive = new("DF0031", "Dirichlet concentration is not positive");

    /// <summary>Rank tiers and their shares of different lengths.</summary>
    public static readonly SettingRule RankSharesLength = new("DF0032", "RankShares and Ranks differ in length");

    /// <summary>A setting the aggregation method cannot use.</summary>
    public static readonly SettingRule NotForAggregation = new("DF0034", "Setting does not apply to the aggregation method");

    /// <summary>Federated rounds.</summary>
    [Minimum(1, Why = "at least one round is needed")]
    public int Rounds { get; init; } = 20;

    /// <summary>Simulated clients (shards of the training data).</summary>
    [Minimum(1, Why = "at least one client is needed")]
    public int Clients { get; init; } = 16;

    /// <summary>Clients sampled per round (ignored when <see cref="ClientFraction"/> is set).</summary>
    public int ClientsPerRound { get; init; } = 8;

    /// <summary>When above 0, the fraction of clients sampled per round (rounded, at least <see cref="MinClientsPerRound"/>).</summary>
    public double ClientFraction { get; init; }

    /// <summary>The fewest clients sampled in a round when sampling by fraction.</summary>
    public int MinClientsPerRound { get; init; } = 1;

    /// <summary>The aggregation method.</summary>
    public Aggregation Aggregation { get; init; } = Aggregation.FLoRA;

    /// <summary>
    /// The clients' LoRA ranks: one value for homogeneous ranks; several values are repeated over the clients in order, or,
    /// with <see cref="RankShares"/>, are resource tiers.
    /// </summary>
    [NotEmpty(Why = "give one rank, or several for heterogeneous clients")]
    [Minimum(1, Why = "every client needs a LoRA rank of at least 1")]
    public int[] Ranks { get; init; } = [8];

    /// <summary>When not empty, the share of clients in each tier of <see cref="Ranks"/> (same length; assigned in a seeded order).</summary>
    [Positive(Why = "every tier's share must be a positive number")]
    public double[] RankShares { get; init; } = [];

    /// <summary>The LoRA scaling s = α/r, the same for every client (α = s·r), as FLoRA and HetLoRA require.</summary>
    [Positive(Why = "the LoRA scaling must be a positive number")]
    public double LoraScaling { get; init; } = 2.0;

    /// <summary>Dropout on the LoRA input during local training.</summary>
    [Minimum(0, Why = "dropout must be in [0, 1)")]
    [Maximum(1, Exclusive = true, Why = "dropout must be in [0, 1)")]
    public double LoraDropout { get; init; }

    /// <summary>The projections LoRA wraps (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>o_proj</c>, <c>gate_proj</c>, <c>up_proj</c>, <c>down_proj</c>).</summary>
    [NotEmpty(Why = "give some of q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj")]
    [OneOf("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", Why = "is not a projection of the model")]
    [Distinct]
    public string[] TargetModules { get; init; } = ["q_proj", "v_proj"];

    /// <summary>How the training records are split among the clients (by their category column).</summary>
    public Partition Partition { get; init; } = Partition.Dirichlet;

    /// <summary>The Dirichlet concentration α of the <see cref="Partition.Dirichlet"/> partition (smaller is more skewed).</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Categories per client for the <see cref="Partition.Pathological"/> partition.</summary>
    public int CategoriesPerClient { get; init; } = 2;

    /// <summary>The log-normal σ of shard sizes for the <see cref="Partition.QuantitySkew"/> partition.</summary>
    public double QuantitySigma { get; init; } = 1.0;

    /// <summary>The fewest records a client may hold.</summary>
    [Minimum(1, Why = "every client needs at least one record")]
    public int MinRecordsPerClient { get; init; } = 1;

    /// <summary>Local optimizer steps per sampled client per round.</summary>
    [Minimum(1, Why = "clients must take at least one local step")]
    public int LocalSteps { get; init; } = 10;

    /// <summary>Sequences per local step.</summary>
    [Minimum(1, Why = "the batch size must be at least 1")]
    public int BatchSize { get; init; } = 8;

    /// <summary>Tokens per training sequence (longer examples are truncated).</summary>
    [Minimum(2, Why = "the sequence length must be at least 2 tokens")]
    public int SequenceLength { get; init; } = 128;

    /// <summary>The clients' learning rate (AdamW for first-order methods, SGD for the zeroth-order ones).</summary>
    [Positive(Why = "the learning rate must be a positive number")]
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay of the local optimizer.</summary>
    [NonNegative(Why = "weight decay must be a non-negative number")]
    public double WeightDecay { get; init; }

    /// <summary>Clip each local step's gradient to this global norm (0 disables clipping).</summary>
    [NonNegative(Why = "the gradient clipping norm must be a non-negative number (0 disables clipping)")]
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>How the server applies the aggregated update.</summary>
    public ServerOptimizer ServerOptimizer { get; init; } = ServerOptimizer.FedAvg;

    /// <summary>The server learning rate η.</summary>
    [Positive(Why = "the server learning rate must be a positive number")]
    public double ServerLearningRate { get; init; } = 1.0;

    /// <summary>β of <see cref="ServerOptimizer.FedAvgM"/> momentum (β₁ of FedAdam and FedYogi).</summary>
    [Minimum(0, Why = "momentum must be in [0, 1)")]
    [Maximum(1, Exclusive = true, Why = "momentum must be in [0, 1)")]
    public double ServerMomentum { get; init; } = 0.9;

    /// <summary>FedHyper learning-rate adaptation, or <see cref="FedHyper.None"/> for fixed rates.</summary>
    public FedHyper FedHyper { get; init; } = FedHyper.None;

    /// <summary>K, the candidate seeds of FedKSeed.</summary>
    public int Seeds { get; init; } = 1024;

    /// <summary>The perturbation scale ε of the zeroth-order methods.</summary>
    public double ZerothOrderEpsilon { get; init; } = 1e-3;

    /// <summary>The prompt template that formats the records (<c>alpaca</c>, <c>chatml</c>, <c>instruction</c>).</summary>
    [OneOf("alpaca", "chatml", "instruction", Why = "is not a built-in prompt template")]
    public string PromptTemplate { get; init; } = "alpaca";

    /// <summary>Evaluate the global model on the validation records every this many rounds (0: only after the last round).</summary>
    [Minimum(0, Why = "use 0 (after the last round only) or a positive number of rounds")]
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>Clients trained at the same time (0: one per processor).</summary>
    [Minimum(0, Why = "use 0 (one client per processor) or a positive number of clients")]
    public int Parallelism { get; init; }

    /// <summary>The modified z-score above which an update's norm is rejected as an outlier of its round.</summary>
    [Positive(Why = "the outlier threshold must be a positive number")]
    public double OutlierThreshold { get; init; } = 3.5;

    /// <summary>The seed of the partition, client sampling, initial adapters and data order: the step's own, or the run's (shared by the stages of a comparison).</summary>
    public SeedScope SeedScope { get; init; } = SeedScope.Step;

    /// <summary>True when the method trains with forward passes only (FedKSeed, FedKSeed-Pro, FedMeZO).</summary>
    public bool IsZerothOrder => Aggregation is Aggregation.FedKSeed or Aggregation.FedKSeedPro or Aggregation.FedMeZO;

    /// <summary>True when <see cref="Ranks"/> holds more than one distinct rank.</summary>
    public bool HasHeterogeneousRanks => Ranks is not null && Ranks.Distinct().Count() > 1;

    /// <summary>
    /// The rules across settings. The stage checks what needs the base model (every rank within the width of the layers it
    /// wraps) once the model is loaded.
    /// </summary>
    protected override void CheckRules(SettingProblems problems)
    {
        if (ClientFraction != 0)
        {
            if (!(ClientFraction > 0 && ClientFraction <= 1))
            {
                problems.Add(SettingRule.OutOfRange, nameof(ClientFraction),
                    $"ClientFraction = {SettingText.Display(ClientFraction)}: the fraction of clients sampled per round must be in (0, 1]; use 0 to sample ClientsPerRound clients");
            }
            if (MinClientsPerRound < 1 || MinClientsPerRound > System.Math.Max(Clients, 1))
            {
                problems.Add(SettingRule.OutOfRange, nameof(MinClientsPerRound),
                    $"MinClientsPerRound = {MinClientsPerRound}: must be between 1 and the {Clients} clients", nameof(Clients));
            }
        }
        else if (ClientsPerRound < 1)
        {
            problems.Add(ClientsPerRoundInvalid, nameof(ClientsPerRound),
                $"ClientsPerRound = {ClientsPerRound} is less than 1: at least one client must train each round");
        }
        else if (ClientsPerRound > Clients && Clients >= 1)
        {
            problems.Add(ClientsPerRoundInvalid, nameof(ClientsPerRound),
                $"ClientsPerRound = {ClientsPerRound} is more than the {Clients} clients; sample at most Clients clients per round, or set ClientFraction",
                nameof(Clients));
        }

        if (HasHeterogeneousRanks && Aggregation is Aggregation.FedIT or Aggregation.FedMeZO or Aggregation.FedKSeed or Aggregation.FedKSeedPro)
        {
            problems.Add(HeterogeneousRanks, nameof(Ranks),
                $"{Aggregation} averages the clients' LoRA factors and needs one rank for every client, but Ranks gives {string.Join(", ", Ranks.Distinct())}; " +
                "use FLoRA, FlexLoRA or HetLoRA for heterogeneous ranks, or give a single rank", nameof(Aggregation));
        }
        if (RankShares is { Length: > 0 } && RankShares.Length != (Ranks?.Length ?? 0))
        {
            problems.Add(RankSharesLength, nameof(RankShares),
                $"RankShares gives {RankShares.Length} shares for {Ranks?.Length ?? 0} rank tiers in Ranks; give one share per rank", nameof(Ranks));
        }

        switch (Partition)
        {
            case Partition.Dirichlet when !(Alpha > 0) || double.IsInfinity(Alpha):
                problems.Add(DirichletAlphaNotPositive, nameof(Alpha),
                    $"Alpha = {SettingText.Display(Alpha)} with Partition.Dirichlet: the Dirichlet concentration α must be a positive number (smaller is more skewed, for example 0.5)",
                    nameof(Partition));
                break;
            case Partition.Pathological when CategoriesPerClient < 1:
                problems.Add(SettingRule.OutOfRange, nameof(CategoriesPerClient),
                    $"CategoriesPerClient = {CategoriesPerClient}: with Partition.Pathological each client needs at least one category", nameof(Partition));
                break;
            case Partition.QuantitySkew when !(QuantitySigma >= 0) || double.IsInfinity(QuantitySigma):
                problems.Add(SettingRule.OutOfRange, nameof(QuantitySigma),
                    $"QuantitySigma = {SettingText.Display(QuantitySigma)}: with Partition.QuantitySkew the log-normal σ of shard sizes must be a non-negative number",
                    nameof(Partition));
                break;
        }

        if (Aggregation is Aggregation.FedKSeed or Aggregation.FedKSeedPro)
        {
            if (ServerOptimizer != ServerOptimizer.FedAvg)
            {
                problems.Add(NotForAggregation, nameof(ServerOptimizer),
                    $"ServerOptimizer = {ServerOptimizer} cannot be used with {Aggregation}: it replays scalar gradients and has no server optimizer; use FedAvg",
                    nameof(Aggregation));
            }
            if (FedHyper != FedHyper.None)
            {
                problems.Add(NotForAggregation, nameof(FedHyper),
                    $"FedHyper = {FedHyper} cannot be used with {Aggregation}: its exact replay needs a constant learning rate; use None", nameof(Aggregation));
            }
            if (Seeds < 1)
            {
                problems.Add(SettingRule.OutOfRange, nameof(Seeds),
                    $"Seeds = {Seeds}: {Aggregation} needs at least one candidate seed", nameof(Aggregation));
            }
        }
        if (IsZerothOrder && (!(ZerothOrderEpsilon > 0) || double.IsInfinity(ZerothOrderEpsilon)))
        {
            problems.Add(SettingRule.OutOfRange, nameof(ZerothOrderEpsilon),
                $"ZerothOrderEpsilon = {SettingText.Display(ZerothOrderEpsilon)}: the perturbation scale ε of {Aggregation} must be a positive number", nameof(Aggregation));
        }
    }
}
