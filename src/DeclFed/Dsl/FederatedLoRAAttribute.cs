namespace DeclFed;

/// <summary>How the server combines the clients' LoRA updates (or, for the zeroth-order methods, their scalar gradients).</summary>
public enum Aggregation
{
    /// <summary>FedIT: average A and B separately (one rank for everyone; the naive baseline with cross-term noise).</summary>
    FedIT,

    /// <summary>FLoRA: stack the clients' factors so the global update is exactly Σ p_k B_k A_k, merged into the base each round.</summary>
    FLoRA,

    /// <summary>FlexLoRA: weighted sum of the full ΔW, then a truncated SVD back to each client's rank.</summary>
    FlexLoRA,

    /// <summary>HetLoRA-style zero-padding aggregation with truncation to each client's rank.</summary>
    HetLoRA,

    /// <summary>FedKSeed: zeroth-order clients over K shared seeds, uploading scalar gradients; the server replays them.</summary>
    FedKSeed,

    /// <summary>FedKSeed-Pro: FedKSeed with probability-differentiated seed sampling.</summary>
    FedKSeedPro,

    /// <summary>FedMeZO: MeZO (forward passes only) as the clients' local optimizer, FedAvg of the LoRA weights.</summary>
    FedMeZO,
}

/// <summary>How the training records are split among the simulated clients.</summary>
public enum Partition
{
    /// <summary>Shuffled, near-equal shards.</summary>
    Iid,

    /// <summary>Per category, client shares drawn from Dirichlet(α): small α gives each client few categories.</summary>
    Dirichlet,

    /// <summary>Each client holds exactly <see cref="FederatedLoRAAttribute.CategoriesPerClient"/> categories.</summary>
    Pathological,

    /// <summary>IID content, shard sizes log-normal with σ = <see cref="FederatedLoRAAttribute.QuantitySigma"/>.</summary>
    QuantitySkew,
}

/// <summary>How the server applies the aggregated update (Reddi et al., "Adaptive Federated Optimization").</summary>
public enum ServerOptimizer
{
    /// <summary>x ← x + η·Δ (η = 1: plain averaging).</summary>
    FedAvg,

    /// <summary>Server momentum: m ← β·m + Δ; x ← x + η·m.</summary>
    FedAvgM,

    /// <summary>Adam on the pseudo-gradient, without bias correction.</summary>
    FedAdam,

    /// <summary>Yogi on the pseudo-gradient.</summary>
    FedYogi,
}

/// <summary>FedHyper learning-rate adaptation (Wang et al., ICLR 2024), or none (fixed rates).</summary>
public enum FedHyper
{
    /// <summary>Fixed learning rates: the baseline.</summary>
    None,

    /// <summary>G: the server learning rate follows the hypergradient of consecutive global updates.</summary>
    Global,

    /// <summary>GM: as <see cref="Global"/>, with server momentum in the step.</summary>
    GlobalMomentum,

    /// <summary>SL: the server adapts the clients' learning rate from round to round.</summary>
    ServerLocal,

    /// <summary>CL: each client adapts its learning rate step by step inside the round.</summary>
    ClientLocal,

    /// <summary>FULL: GM on the server plus CL on the clients.</summary>
    Full,
}

/// <summary>Which seed a federated stage draws its partition, client sampling, initial adapters and data order from.</summary>
public enum SeedScope
{
    /// <summary>The step's own seed (derived from the run's seed and the step's name): every stage draws independently.</summary>
    Step,

    /// <summary>
    /// The run's seed alone: stages of one run that compare methods share the same partition, client sampling and initial
    /// adapters, so their differences come from the methods.
    /// </summary>
    Run,
}

/// <summary>
/// Declares a federated LoRA fine-tuning stage on a <c>partial</c> method whose inputs are a base <c>LanguageModel</c> and a
/// <c>Dataset&lt;Instruction&gt;</c> of training records (optionally a second dataset of validation records) and whose output is a
/// <c>LoraModel</c>. The generator writes the body and reports impossible settings at compile time; every property is also
/// an option of the step (<c>--Step:Rounds=5</c>), and the same rules are checked again at start-up
/// (<see cref="FederatedLoraSettings.Validate"/>).
/// </summary>
/// <example>
/// <code>
/// [FederatedLoRA(Rounds = 20, Clients = 16, ClientsPerRound = 8, Aggregation = Aggregation.FLoRA,
///                Ranks = new[] { 16, 8, 4 }, Partition = Partition.Dirichlet, Alpha = 0.5)]
/// public partial LoraModel Finetune(LanguageModel @base, Dataset&lt;Instruction&gt; train);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FederatedLoRAAttribute : Attribute
{
    private static readonly FederatedLoraSettings Defaults = new();

    /// <summary>A one-line description shown by the <c>describe</c> verb.</summary>
    public string? Description { get; set; }

    /// <inheritdoc cref="FederatedLoraSettings.Rounds"/>
    public int Rounds { get; set; } = Defaults.Rounds;

    /// <inheritdoc cref="FederatedLoraSettings.Clients"/>
    public int Clients { get; set; } = Defaults.Clients;

    /// <inheritdoc cref="FederatedLoraSettings.ClientsPerRound"/>
    public int ClientsPerRound { get; set; } = Defaults.ClientsPerRound;

    /// <inheritdoc cref="FederatedLoraSettings.ClientFraction"/>
    public double ClientFraction { get; set; } = Defaults.ClientFraction;

    /// <inheritdoc cref="FederatedLoraSettings.MinClientsPerRound"/>
    public int MinClientsPerRound { get; set; } = Defaults.MinClientsPerRound;

    /// <inheritdoc cref="FederatedLoraSettings.Aggregation"/>
    public Aggregation Aggregation { get; set; } = Defaults.Aggregation;

    /// <inheritdoc cref="FederatedLoraSettings.Ranks"/>
    public int[] Ranks { get; set; } = [.. Defaults.Ranks];

    /// <inheritdoc cref="FederatedLoraSettings.RankShares"/>
    public double[] RankShares { get; set; } = [.. Defaults.RankShares];

    /// <inheritdoc cref="FederatedLoraSettings.LoraScaling"/>
    public double LoraScaling { get; set; } = Defaults.LoraScaling;

    /// <inheritdoc cref="FederatedLoraSettings.LoraDropout"/>
    public double LoraDropout { get; set; } = Defaults.LoraDropout;

    /// <inheritdoc cref="FederatedLoraSettings.TargetModules"/>
    public string[] TargetModules { get; set; } = [.. Defaults.TargetModules];

    /// <inheritdoc cref="FederatedLoraSettings.Partition"/>
    public Partition Partition { get; set; } = Defaults.Partition;

    /// <inheritdoc cref="FederatedLoraSettings.Alpha"/>
    public double Alpha { get; set; } = Defaults.Alpha;

    /// <inheritdoc cref="FederatedLoraSettings.CategoriesPerClient"/>
    public int CategoriesPerClient { get; set; } = Defaults.CategoriesPerClient;

    /// <inheritdoc cref="FederatedLoraSettings.QuantitySigma"/>
    public double QuantitySigma { get; set; } = Defaults.QuantitySigma;

    /// <inheritdoc cref="FederatedLoraSettings.MinRecordsPerClient"/>
    public int MinRecordsPerClient { get; set; } = Defaults.MinRecordsPerClient;

    /// <inheritdoc cref="FederatedLoraSettings.LocalSteps"/>
    public int LocalSteps { get; set; } = Defaults.LocalSteps;

    /// <inheritdoc cref="FederatedLoraSettings.BatchSize"/>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <inheritdoc cref="FederatedLoraSettings.SequenceLength"/>
    public int SequenceLength { get; set; } = Defaults.SequenceLength;

    /// <inheritdoc cref="FederatedLoraSettings.LearningRate"/>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <inheritdoc cref="FederatedLoraSettings.WeightDecay"/>
    public double WeightDecay { get; set; } = Defaults.WeightDecay;

    /// <inheritdoc cref="FederatedLoraSettings.MaxGradNorm"/>
    public double MaxGradNorm { get; set; } = Defaults.MaxGradNorm;

    /// <inheritdoc cref="FederatedLoraSettings.ServerOptimizer"/>
    public ServerOptimizer ServerOptimizer { get; set; } = Defaults.ServerOptimizer;

    /// <inheritdoc cref="FederatedLoraSettings.ServerLearningRate"/>
    public double ServerLearningRate { get; set; } = Defaults.ServerLearningRate;

    /// <inheritdoc cref="FederatedLoraSettings.ServerMomentum"/>
    public double ServerMomentum { get; set; } = Defaults.ServerMomentum;

    /// <inheritdoc cref="FederatedLoraSettings.FedHyper"/>
    public FedHyper FedHyper { get; set; } = Defaults.FedHyper;

    /// <inheritdoc cref="FederatedLoraSettings.Seeds"/>
    public int Seeds { get; set; } = Defaults.Seeds;

    /// <inheritdoc cref="FederatedLoraSettings.ZerothOrderEpsilon"/>
    public double ZerothOrderEpsilon { get; set; } = Defaults.ZerothOrderEpsilon;

    /// <inheritdoc cref="FederatedLoraSettings.PromptTemplate"/>
    public string PromptTemplate { get; set; } = Defaults.PromptTemplate;

    /// <inheritdoc cref="FederatedLoraSettings.EvaluateEvery"/>
    public int EvaluateEvery { get; set; } = Defaults.EvaluateEvery;

    /// <inheritdoc cref="FederatedLoraSettings.Parallelism"/>
    public int Parallelism { get; set; } = Defaults.Parallelism;

    /// <inheritdoc cref="FederatedLoraSettings.OutlierThreshold"/>
    public double OutlierThreshold { get; set; } = Defaults.OutlierThreshold;

    /// <inheritdoc cref="FederatedLoraSettings.SeedScope"/>
    public SeedScope SeedScope { get; set; } = Defaults.SeedScope;
}
