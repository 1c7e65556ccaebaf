using System.Globalization;

namespace DeclFed;

/// <summary>One setting that cannot work, with the setting's name (the attribute property and option name).</summary>
/// <param name="Setting">The setting, e.g. <c>ClientsPerRound</c>.</param>
/// <param name="Message">Why, in one sentence that says what would work.</param>
public readonly record struct SettingProblem(string Setting, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Setting}: {Message}";
}

/// <summary>
/// The settings of a federated LoRA stage: the values of a <see cref="FederatedLoRAAttribute"/> after configuration
/// overrides. The generator builds one from the step's options; <see cref="Validate"/> applies the rules the generator also
/// checks at compile time (the start-up re-check for values that came from configuration).
/// </summary>
public sealed record FederatedLoraSettings
{
    /// <summary>The <see cref="Graph.StepDescriptor.Kind"/> of a <see cref="FederatedLoRAAttribute"/> stage.</summary>
    public const string StepKind = "FederatedLoRA";

    /// <summary>The projection names LoRA can wrap in a LLaMA-style decoder.</summary>
    public static IReadOnlyList<string> KnownTargetModules { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>Federated rounds.</summary>
    public int Rounds { get; init; } = 20;

    /// <summary>Simulated clients (shards of the training data).</summary>
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
    public IReadOnlyList<int> Ranks { get; init; } = [8];

    /// <summary>When not empty, the share of clients in each tier of <see cref="Ranks"/> (same length; assigned in a seeded order).</summary>
    public IReadOnlyList<double> RankShares { get; init; } = [];

    /// <summary>The LoRA scaling s = α/r, the same for every client (α = s·r), as FLoRA and HetLoRA require.</summary>
    public double LoraScaling { get; init; } = 2.0;

    /// <summary>Dropout on the LoRA input during local training.</summary>
    public double LoraDropout { get; init; }

    /// <summary>The projections LoRA wraps (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>o_proj</c>, <c>gate_proj</c>, <c>up_proj</c>, <c>down_proj</c>).</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = ["q_proj", "v_proj"];

    /// <summary>How the training records are split among the clients (by their category column).</summary>
    public Partition Partition { get; init; } = Partition.Dirichlet;

    /// <summary>The Dirichlet concentration α of the <see cref="Partition.Dirichlet"/> partition (smaller is more skewed).</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Categories per client for the <see cref="Partition.Pathological"/> partition.</summary>
    public int CategoriesPerClient { get; init; } = 2;

    /// <summary>The log-normal σ of shard sizes for the <see cref="Partition.QuantitySkew"/> partition.</summary>
    public double QuantitySigma { get; init; } = 1.0;

    /// <summary>The fewest records a client may hold.</summary>
    public int MinRecordsPerClient { get; init; } = 1;

    /// <summary>Local optimizer steps per sampled client per round.</summary>
    public int LocalSteps { get; init; } = 10;

    /// <summary>Sequences per local step.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Tokens per training sequence (longer examples are truncated).</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>The clients' learning rate (AdamW for first-order methods, SGD for the zeroth-order ones).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay of the local optimizer.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Clip each local step's gradient to this global norm (0 disables clipping).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>How the server applies the aggregated update.</summary>
    public ServerOptimizer ServerOptimizer { get; init; } = ServerOptimizer.FedAvg;

    /// <summary>The server learning rate η.</summary>
    public double ServerLearningRate { get; init; } = 1.0;

    /// <summary>β of <see cref="ServerOptimizer.FedAvgM"/> momentum (β₁ of FedAdam and FedYogi).</summary>
    public double ServerMomentum { get; init; } = 0.9;

    /// <summary>FedHyper learning-rate adaptation, or <see cref="FedHyper.None"/> for fixed rates.</summary>
    public FedHyper FedHyper { get; init; } = FedHyper.None;

    /// <summary>K, the candidate seeds of FedKSeed.</summary>
    public int Seeds { get; init; } = 1024;

    /// <summary>The perturbation scale ε of the zeroth-order methods.</summary>
    public double ZerothOrderEpsilon { get; init; } = 1e-3;

    /// <summary>The prompt template that formats the records (<c>alpaca</c>, <c>chatml</c>, <c>instruction</c>).</summary>
    public string PromptTemplate { get; init; } = "alpaca";

    /// <summary>Evaluate the global model on the validation records every this many rounds (0: only after the last round).</summary>
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>Clients trained at the same time (0: one per processor).</summary>
    public int Parallelism { get; init; }

    /// <summary>The modified z-score above which an update's norm is rejected as an outlier of its round.</summary>
    public double OutlierThreshold { get; init; } = 3.5;

    /// <summary>The seed of the partition, client sampling, initial adapters and data order: the step's own, or the run's (shared by the stages of a comparison).</summary>
    public SeedScope SeedScope { get; init; } = SeedScope.Step;

    /// <summary>True when the method trains with forward passes only (FedKSeed, FedKSeed-Pro, FedMeZO).</summary>
    public bool IsZerothOrder => Aggregation is Aggregation.FedKSeed or Aggregation.FedKSeedPro or Aggregation.FedMeZO;

    /// <summary>True when <see cref="Ranks"/> holds more than one distinct rank.</summary>
    public bool HasHeterogeneousRanks => Ranks.Distinct().Count() > 1;

    /// <summary>
    /// Every setting that cannot work, independent of the base model (the stage also checks ranks against the layer widths
    /// once the model is loaded). Empty when the settings are usable.
    /// </summary>
    public IReadOnlyList<SettingProblem> Validate()
    {
        // A list initialized to null is read as empty (which reports the missing rank or module); a null RankShares would read
        // as "no tiers" while the stage cannot read it at all, so it is reported as well.
        if (Ranks is null || RankShares is null || TargetModules is null)
        {
            var normalized = (this with { Ranks = Ranks ?? [], RankShares = RankShares ?? [], TargetModules = TargetModules ?? [] }).Validate();
            return RankShares is null ? [new SettingProblem(nameof(RankShares), "is null; give an empty list for no tiers, or one share per rank."), .. normalized] : normalized;
        }

        var problems = new List<SettingProblem>();
        void Problem(string setting, string message) => problems.Add(new SettingProblem(setting, message));
        static string F(double value) => value.ToString("G", CultureInfo.InvariantCulture);
        void Member<TEnum>(string setting, TEnum value)
            where TEnum : struct, Enum
        {
            if (!Enum.IsDefined(value))
            {
                Problem(setting, $"{value} is not a member of {typeof(TEnum).Name}; use one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
            }
        }

        Member(nameof(Aggregation), Aggregation);
        Member(nameof(Partition), Partition);
        Member(nameof(ServerOptimizer), ServerOptimizer);
        Member(nameof(SeedScope), SeedScope);
        Member(nameof(FedHyper), FedHyper);

        if (Rounds < 1)
        {
            Problem(nameof(Rounds), $"{Rounds} rounds: at least one round is needed.");
        }
        if (Clients < 1)
        {
            Problem(nameof(Clients), $"{Clients} clients: at least one client is needed.");
        }
        if (ClientFraction != 0)
        {
            if (!(ClientFraction > 0 && ClientFraction <= 1))
            {
                Problem(nameof(ClientFraction), $"{F(ClientFraction)} is not a fraction in (0, 1]; use 0 to sample {nameof(ClientsPerRound)} clients.");
            }
            if (MinClientsPerRound < 1 || MinClientsPerRound > Math.Max(Clients, 1))
            {
                Problem(nameof(MinClientsPerRound), $"{MinClientsPerRound} must be between 1 and the {Clients} clients.");
            }
        }
        else if (ClientsPerRound < 1)
        {
            Problem(nameof(ClientsPerRound), $"{ClientsPerRound} clients per round: at least one client must train each round.");
        }
        else if (ClientsPerRound > Clients && Clients >= 1)
        {
            Problem(nameof(ClientsPerRound), $"{ClientsPerRound} clients per round is more than the {Clients} clients.");
        }

        if (Ranks.Count == 0)
        {
            Problem(nameof(Ranks), "no rank is given; give one rank, or several for heterogeneous clients.");
        }
        foreach (var rank in Ranks.Where(r => r < 1).Distinct())
        {
            Problem(nameof(Ranks), $"rank {rank} is not positive.");
        }
        if (HasHeterogeneousRanks && Aggregation is Aggregation.FedIT or Aggregation.FedMeZO or Aggregation.FedKSeed or Aggregation.FedKSeedPro)
        {
            Problem(nameof(Ranks), $"{Aggregation} averages the clients' factors and needs one rank for everyone, but ranks {string.Join(", ", Ranks.Distinct())} are given; use FLoRA, FlexLoRA or HetLoRA for heterogeneous ranks.");
        }
        if (RankShares.Count > 0)
        {
            if (RankShares.Count != Ranks.Count)
            {
                Problem(nameof(RankShares), $"{RankShares.Count} shares are given for {Ranks.Count} rank tiers; give one share per rank.");
            }
            if (RankShares.Any(s => !(s > 0) || double.IsInfinity(s)))
            {
                Problem(nameof(RankShares), "every tier's share must be a positive number.");
            }
        }
        if (!(LoraScaling > 0) || double.IsInfinity(LoraScaling))
        {
            Problem(nameof(LoraScaling), $"the LoRA scaling {F(LoraScaling)} must be a positive number.");
        }
        if (!(LoraDropout >= 0 && LoraDropout < 1))
        {
            Problem(nameof(LoraDropout), $"dropout {F(LoraDropout)} must be in [0, 1).");
        }

        if (TargetModules.Count == 0)
        {
            Problem(nameof(TargetModules), $"no target module is given; use some of {string.Join(", ", KnownTargetModules)}.");
        }
        foreach (var module in TargetModules.Where(m => !KnownTargetModules.Contains(m, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal))
        {
            Problem(nameof(TargetModules), $"'{module}' is not a projection of the model; use some of {string.Join(", ", KnownTargetModules)}.");
        }
        foreach (var module in TargetModules.GroupBy(m => m, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            Problem(nameof(TargetModules), $"'{module}' is listed more than once.");
        }

        switch (Partition)
        {
            case Partition.Dirichlet when !(Alpha > 0) || double.IsInfinity(Alpha):
                Problem(nameof(Alpha), $"the Dirichlet concentration α = {F(Alpha)} must be a positive number.");
                break;
            case Partition.Pathological when CategoriesPerClient < 1:
                Problem(nameof(CategoriesPerClient), $"{CategoriesPerClient} categories per client: each client needs at least one.");
                break;
            case Partition.QuantitySkew when !(QuantitySigma >= 0) || double.IsInfinity(QuantitySigma):
                Problem(nameof(QuantitySigma), $"σ = {F(QuantitySigma)} must be a non-negative number.");
                break;
        }
        if (MinRecordsPerClient < 1)
        {
            Problem(nameof(MinRecordsPerClient), $"{MinRecordsPerClient}: every client needs at least one record.");
        }

        if (LocalSteps < 1)
        {
            Problem(nameof(LocalSteps), $"{LocalSteps} local steps: clients must take at least one step.");
        }
        if (BatchSize < 1)
        {
            Problem(nameof(BatchSize), $"batch size {BatchSize} must be at least 1.");
        }
        if (SequenceLength < 2)
        {
            Problem(nameof(SequenceLength), $"sequence length {SequenceLength} must be at least 2 tokens.");
        }
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            Problem(nameof(LearningRate), $"the learning rate {F(LearningRate)} must be a positive number.");
        }
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
        {
            Problem(nameof(WeightDecay), $"weight decay {F(WeightDecay)} must be a non-negative number.");
        }
        if (!(MaxGradNorm >= 0) || double.IsInfinity(MaxGradNorm))
        {
            Problem(nameof(MaxGradNorm), $"{F(MaxGradNorm)} must be a non-negative number (0 disables clipping).");
        }

        if (!(ServerLearningRate > 0) || double.IsInfinity(ServerLearningRate))
        {
            Problem(nameof(ServerLearningRate), $"the server learning rate {F(ServerLearningRate)} must be a positive number.");
        }
        if (!(ServerMomentum >= 0 && ServerMomentum < 1))
        {
            Problem(nameof(ServerMomentum), $"momentum {F(ServerMomentum)} must be in [0, 1).");
        }
        if (Aggregation is Aggregation.FedKSeed or Aggregation.FedKSeedPro)
        {
            if (ServerOptimizer != ServerOptimizer.FedAvg)
            {
                Problem(nameof(ServerOptimizer), $"{Aggregation} replays scalar gradients and has no server optimizer; use FedAvg.");
            }
            if (FedHyper != FedHyper.None)
            {
                Problem(nameof(FedHyper), $"{Aggregation} needs a constant learning rate for its exact replay; use None.");
            }
            if (Seeds < 1)
            {
                Problem(nameof(Seeds), $"{Seeds} seeds: FedKSeed needs at least one candidate seed.");
            }
        }
        if (IsZerothOrder && (!(ZerothOrderEpsilon > 0) || double.IsInfinity(ZerothOrderEpsilon)))
        {
            Problem(nameof(ZerothOrderEpsilon), $"ε = {F(ZerothOrderEpsilon)} must be a positive number.");
        }
        if (string.IsNullOrWhiteSpace(PromptTemplate))
        {
            Problem(nameof(PromptTemplate), "no prompt template is given; use alpaca, chatml or instruction.");
        }
        if (EvaluateEvery < 0)
        {
            Problem(nameof(EvaluateEvery), $"{EvaluateEvery} must be 0 (after the last round only) or a positive number of rounds.");
        }
        if (Parallelism < 0)
        {
            Problem(nameof(Parallelism), $"{Parallelism} must be 0 (one client per processor) or a positive number of clients.");
        }
        if (!(OutlierThreshold > 0) || double.IsInfinity(OutlierThreshold))
        {
            Problem(nameof(OutlierThreshold), $"the outlier threshold {F(OutlierThreshold)} must be a positive number.");
        }
        return problems;
    }

    /// <summary>
    /// The settings a stage's bound options describe: <paramref name="option"/> returns the value of the option named like
    /// a property (<see cref="int"/>, <see cref="double"/>, <see cref="string"/>, enum members by name, <c>int[]</c>,
    /// <c>double[]</c>, <c>string[]</c>), or <see langword="null"/> to keep the property's default. The host uses it to
    /// apply <see cref="Validate"/> to configuration overrides before any step runs.
    /// </summary>
    /// <exception cref="ArgumentException">An option has a value of the wrong type, or an enum option names no member.</exception>
    public static FederatedLoraSettings FromOptions(Func<string, object?> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        var defaults = new FederatedLoraSettings();
        T Get<T>(string name, T fallback) => option(name) switch
        {
            null => fallback,
            T value => value,
            var other => throw new ArgumentException($"Option {name}: expected a {typeof(T).Name}, got {other.GetType().Name}."),
        };
        TEnum GetEnum<TEnum>(string name, TEnum fallback) where TEnum : struct, Enum => option(name) switch
        {
            null => fallback,
            TEnum value => value,
            string text when Enum.TryParse<TEnum>(text, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed) => parsed,
            var other => throw new ArgumentException($"Option {name}: '{other}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}."),
        };
        return new FederatedLoraSettings
        {
            Rounds = Get(nameof(Rounds), defaults.Rounds),
            Clients = Get(nameof(Clients), defaults.Clients),
            ClientsPerRound = Get(nameof(ClientsPerRound), defaults.ClientsPerRound),
            ClientFraction = Get(nameof(ClientFraction), defaults.ClientFraction),
            MinClientsPerRound = Get(nameof(MinClientsPerRound), defaults.MinClientsPerRound),
            Aggregation = GetEnum(nameof(Aggregation), defaults.Aggregation),
            Ranks = Get<int[]>(nameof(Ranks), [.. defaults.Ranks]),
            RankShares = Get<double[]>(nameof(RankShares), [.. defaults.RankShares]),
            LoraScaling = Get(nameof(LoraScaling), defaults.LoraScaling),
            LoraDropout = Get(nameof(LoraDropout), defaults.LoraDropout),
            TargetModules = Get<string[]>(nameof(TargetModules), [.. defaults.TargetModules]),
            Partition = GetEnum(nameof(Partition), defaults.Partition),
            Alpha = Get(nameof(Alpha), defaults.Alpha),
            CategoriesPerClient = Get(nameof(CategoriesPerClient), defaults.CategoriesPerClient),
            QuantitySigma = Get(nameof(QuantitySigma), defaults.QuantitySigma),
            MinRecordsPerClient = Get(nameof(MinRecordsPerClient), defaults.MinRecordsPerClient),
            LocalSteps = Get(nameof(LocalSteps), defaults.LocalSteps),
            BatchSize = Get(nameof(BatchSize), defaults.BatchSize),
            SequenceLength = Get(nameof(SequenceLength), defaults.SequenceLength),
            LearningRate = Get(nameof(LearningRate), defaults.LearningRate),
            WeightDecay = Get(nameof(WeightDecay), defaults.WeightDecay),
            MaxGradNorm = Get(nameof(MaxGradNorm), defaults.MaxGradNorm),
            ServerOptimizer = GetEnum(nameof(ServerOptimizer), defaults.ServerOptimizer),
            ServerLearningRate = Get(nameof(ServerLearningRate), defaults.ServerLearningRate),
            ServerMomentum = Get(nameof(ServerMomentum), defaults.ServerMomentum),
            FedHyper = GetEnum(nameof(FedHyper), defaults.FedHyper),
            Seeds = Get(nameof(Seeds), defaults.Seeds),
            ZerothOrderEpsilon = Get(nameof(ZerothOrderEpsilon), defaults.ZerothOrderEpsilon),
            PromptTemplate = Get(nameof(PromptTemplate), defaults.PromptTemplate),
            EvaluateEvery = Get(nameof(EvaluateEvery), defaults.EvaluateEvery),
            Parallelism = Get(nameof(Parallelism), defaults.Parallelism),
            OutlierThreshold = Get(nameof(OutlierThreshold), defaults.OutlierThreshold),
            SeedScope = GetEnum(nameof(SeedScope), defaults.SeedScope),
        };
    }

    /// <summary>Throws when <see cref="Validate"/> finds a problem, listing all of them.</summary>
    /// <param name="stage">The stage's name, for the message.</param>
    /// <exception cref="ArgumentException">At least one setting cannot work.</exception>
    public FederatedLoraSettings EnsureValid(string stage)
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"{stage}: {problems.Count} setting(s) cannot work:" + Environment.NewLine +
                string.Join(Environment.NewLine, problems.Select(p => "  " + p)));
        }
        return this;
    }
}
