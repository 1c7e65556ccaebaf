using System.Globalization;
using DeclFed.Data;
using DeclFed.Data.Tokenizers;
using DeclFed.Federated.Adapters;
using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Communication;
using DeclFed.Federated.Partitioning;
using DeclFed.Federated.Randomness;
using DeclFed.Federated.Robustness;
using DeclFed.Federated.Sampling;
using DeclFed.Federated.Scheduling;
using DeclFed.Federated.ServerOptimizers;
using DeclFed.Federated.Simulation;
using DeclFed.Federated.ZerothOrder;
using DeclFed.Models;
using DeclFed.Tensors;
using DeclFed.Tensors.Model;
using Microsoft.Extensions.Logging;

namespace DeclFed.Federated;

/// <summary>
/// One federated LoRA stage from settings to model: everything that depends on the data and the base model is checked and
/// prepared in <see cref="Prepare"/> (before any training, so a bad setting fails in seconds), then <see cref="Execute"/>
/// runs the simulation and packages the result.
/// </summary>
internal sealed partial class FederatedLoraRun
{
    // Independent seeds per purpose, derived from the stage's seed.
    private const ulong PartitionStream = 0x5041525449UL, RankStream = 0x52414E4BUL, SamplerStream = 0x53414D50UL,
        ServerStream = 0x53525652UL, SimulationStream = 0x53494D55UL;

    private readonly string _stage;
    private readonly FederatedLoraSettings _settings;
    private readonly LanguageModel _base;
    private readonly DataPartition _partition;
    private readonly IReadOnlyList<ClientProfile> _profiles;
    private readonly IReadOnlyList<string> _tunedParameters;
    private readonly int _droppedRecords;
    private readonly ulong _seed;
    private readonly ILogger _logger;
    private readonly FederatedSimulation _simulation;

    private FederatedLoraRun(string stage, FederatedLoraSettings settings, LanguageModel @base, DataPartition partition,
        IReadOnlyList<ClientProfile> profiles, IReadOnlyList<string> tunedParameters, int droppedRecords, ulong seed, ILogger logger,
        FederatedSimulation simulation)
    {
        _stage = stage;
        _settings = settings;
        _base = @base;
        _partition = partition;
        _profiles = profiles;
        _tunedParameters = tunedParameters;
        _droppedRecords = droppedRecords;
        _seed = seed;
        _logger = logger;
        _simulation = simulation;
    }

    /// <summary>Checks everything and builds the simulation; no training happens here.</summary>
    public static FederatedLoraRun Prepare(string stage, FederatedLoraSettings settings, LanguageModel @base, Dataset<Instruction> train,
        Dataset<Instruction>? validation, ulong seed, string? checkpointDirectory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(@base);
        ArgumentNullException.ThrowIfNull(train);
        settings.EnsureValid(stage);
        @base.Weights.SetRequiresGrad(false); // the base is shared read-only by every client
        var template = ResolveTemplate(stage, settings);
        var tunedParameters = CheckAgainstModel(stage, settings, @base.Config);

        var padToken = @base.Tokenizer.SpecialTokens.TryGetValue("<|endoftext|>", out var endOfText) ? endOfText : 0;
        var (records, sequences) = Tokenize(stage, train, template, @base.Tokenizer, settings.SequenceLength);
        var dropped = train.Count - records.Count;
        if (records.Count == 0)
        {
            throw new ArgumentException(train.Count == 0
                ? $"{stage}: the training dataset is empty."
                : $"{stage}: none of the {train.Count} training records keeps a response token within {settings.SequenceLength} tokens; raise SequenceLength.");
        }
        if (dropped > 0)
        {
            LogDropped(logger, dropped, train.Count, settings.SequenceLength);
        }

        var partition = Partition(stage, settings, records, dropped, DeterministicRandom.MixKeys(seed, PartitionStream));
        LogPartition(logger, partition.Method, partition.Statistics.Summary());
        var clients = partition.ClientRecords
            .Select((indices, client) => new SimulatedClient(client, indices.Select(i => sequences[i]).ToArray()))
            .ToArray();

        var profiles = settings.RankShares.Length > 0
            ? ClientRanks.FromTiers(settings.Clients, settings.Ranks.Zip(settings.RankShares).ToArray(), AlphaRule.ProportionalToRank,
                (float)settings.LoraScaling, DeterministicRandom.MixKeys(seed, RankStream))
            : ClientRanks.FromList(settings.Clients, settings.Ranks, AlphaRule.ProportionalToRank, (float)settings.LoraScaling);

        IReadOnlyList<TrainingSequence>? validationSequences = null;
        if (validation is { Count: > 0 })
        {
            validationSequences = Tokenize(stage, validation, template, @base.Tokenizer, settings.SequenceLength).Sequences;
        }
        var options = new SimulationOptions
        {
            Rounds = settings.Rounds,
            TargetModules = settings.TargetModules,
            Local = new LocalTrainingOptions
            {
                Steps = settings.LocalSteps,
                BatchSize = settings.BatchSize,
                SequenceLength = settings.SequenceLength,
                LearningRate = (float)settings.LearningRate,
                WeightDecay = (float)settings.WeightDecay,
                MaxGradNorm = settings.MaxGradNorm,
                LoraDropout = (float)settings.LoraDropout,
                Optimizer = settings.IsZerothOrder ? LocalOptimizer.MeZO : LocalOptimizer.AdamW,
                ZerothOrderEpsilon = (float)settings.ZerothOrderEpsilon,
            },
            Parallelism = settings.Parallelism,
            Seed = DeterministicRandom.MixKeys(seed, SimulationStream),
            PadToken = padToken,
            Validation = validationSequences is { Count: > 0 } ? validationSequences : null,
            EvaluateEvery = settings.EvaluateEvery,
            CheckpointDirectory = checkpointDirectory,
        };
        var simulation = CreateSimulation(settings, @base, clients, profiles, options, seed, logger);
        return new FederatedLoraRun(stage, settings, @base, partition, profiles, tunedParameters, dropped, seed, logger, simulation);
    }

    /// <summary>Runs (or resumes) the simulation and packages the global model with its report.</summary>
    public LoraModel Execute(IProgress<SimulationProgress>? progress, CancellationToken cancellationToken)
    {
        var result = _simulation.Run(progress, cancellationToken);
        var weights = _simulation.BuildGlobalWeights();
        var tuned = _tunedParameters.ToDictionary(name => name, name => weights[name].Value.Clone(), StringComparer.Ordinal);
        var adapter = _simulation.GlobalAdapter() is { } factored ? LoraAdapterBridge.ToLoraAdapter(factored, _base.Config, _settings.TargetModules) : null;
        var record = new FineTuningRecord(
            Method: _settings.Aggregation.ToString(),
            Rounds: _settings.Rounds,
            Clients: _settings.Clients,
            Ranks: _profiles.Select(p => p.Rank).Distinct().Order().ToArray(),
            TargetModules: _settings.TargetModules.ToArray(),
            FinalValidationLoss: result.FinalValidationLoss,
            BytesDown: result.Ledger.Total(TransferDirection.Down),
            BytesUp: result.Ledger.Total(TransferDirection.Up),
            RejectedUpdates: result.Rejections.Values.Sum(),
            Seed: _seed);
        LogFinished(_logger, _settings.Aggregation.ToString(), _settings.Rounds,
            result.FinalValidationLoss?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "not measured",
            CommunicationLedger.FormatBytes(record.BytesDown), CommunicationLedger.FormatBytes(record.BytesUp), record.RejectedUpdates);
        var report = FederatedLoraReport.Write(_stage, _settings, _base, _partition, _profiles, _droppedRecords, result, _seed);
        return new LoraModel(_base, tuned, adapter, record, report);
    }

    private static PromptTemplate ResolveTemplate(string stage, FederatedLoraSettings settings)
    {
        try
        {
            return PromptTemplate.Get(settings.PromptTemplate);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{stage}: PromptTemplate: {e.Message}", e);
        }
    }

    /// <summary>
    /// The checks that need the model: every target module exists in it, and no client's rank exceeds the width of a
    /// wrapped projection (min(d_in, d_out), where a rank stops adding capacity). Returns the base parameters LoRA tunes.
    /// </summary>
    private static IReadOnlyList<string> CheckAgainstModel(string stage, FederatedLoraSettings settings, LlamaConfig config)
    {
        if (!config.IsGatedMlp && settings.TargetModules.Contains("gate_proj", StringComparer.Ordinal))
        {
            throw new ArgumentException($"{stage}: TargetModules: 'gate_proj' does not exist in this base model (its MLP is not gated).");
        }
        var layout = LoraAdapterBridge.Layout(config, settings.TargetModules);
        var narrowest = layout.MinBy(m => Math.Min(m.InputFeatures, m.OutputFeatures))!;
        var width = Math.Min(narrowest.InputFeatures, narrowest.OutputFeatures);
        var tooLarge = settings.Ranks.Where(r => r > width).Distinct().Order().ToArray();
        if (tooLarge.Length > 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{stage}: Ranks: rank {string.Join(", ", tooLarge)} exceeds the width of {narrowest.Name} ({width} = min(d_in {narrowest.InputFeatures}, d_out {narrowest.OutputFeatures})); use ranks up to {width}."));
        }
        return layout.Select(m => m.Name + ".weight").ToArray();
    }

    private static (IReadOnlyList<Instruction> Records, IReadOnlyList<TrainingSequence> Sequences) Tokenize(
        string stage, IReadOnlyList<Instruction> records, PromptTemplate template, BpeTokenizer tokenizer, int sequenceLength)
    {
        var kept = new List<Instruction>(records.Count);
        var sequences = new List<TrainingSequence>(records.Count);
        foreach (var record in records)
        {
            // One token more than the window: inputs are tokens [0, n−1), targets [1, n).
            TokenizedExample example;
            try
            {
                example = template.Tokenize(tokenizer, record.Prompt, record.Input, record.Response, sequenceLength + 1);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{stage}: SequenceLength {sequenceLength} is too short for the {template.Name} template: {e.Message}", e);
            }
            var promptLength = Array.IndexOf(example.LossMask, true);
            if (promptLength < 0)
            {
                continue; // no response token survived truncation: nothing to learn from this record
            }
            kept.Add(record);
            sequences.Add(new TrainingSequence(example.Ids, promptLength));
        }
        return (kept, sequences);
    }

    private static DataPartition Partition(string stage, FederatedLoraSettings settings, IReadOnlyList<Instruction> records, int dropped, ulong seed)
    {
        var policy = EmptyShardPolicy.Borrow;
        IPartitioner partitioner = settings.Partition switch
        {
            DeclFed.Partition.Iid => new IidPartitioner(settings.Clients, seed),
            DeclFed.Partition.Dirichlet => new DirichletPartitioner(settings.Clients, settings.Alpha, seed, settings.MinRecordsPerClient, policy),
            DeclFed.Partition.Pathological => new PathologicalPartitioner(settings.Clients, settings.CategoriesPerClient, seed),
            DeclFed.Partition.QuantitySkew => new QuantitySkewPartitioner(settings.Clients, settings.QuantitySigma, seed, settings.MinRecordsPerClient),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Partition, "Unknown partition."),
        };
        var byCategory = settings.Partition is DeclFed.Partition.Dirichlet or DeclFed.Partition.Pathological;
        try
        {
            return partitioner.Partition(records, byCategory ? r => string.IsNullOrWhiteSpace(r.Category) ? null : r.Category : null);
        }
        catch (PartitionException e)
        {
            var left = dropped > 0
                ? string.Create(CultureInfo.InvariantCulture, $" ({dropped} more were left out: no response token within {settings.SequenceLength} tokens)")
                : "";
            throw new PartitionException(string.Create(CultureInfo.InvariantCulture,
                $"{stage}: cannot split {records.Count} training records{left} among {settings.Clients} clients with {partitioner.Description}: {e.Message}"), e);
        }
    }

    private static FederatedSimulation CreateSimulation(FederatedLoraSettings settings, LanguageModel @base, IReadOnlyList<SimulatedClient> clients,
        IReadOnlyList<ClientProfile> profiles, SimulationOptions options, ulong seed, ILogger logger)
    {
        var samplerOptions = settings.ClientFraction > 0
            ? new ClientSamplingOptions { Fraction = settings.ClientFraction, Minimum = settings.MinClientsPerRound }
            : new ClientSamplingOptions { Count = settings.ClientsPerRound, Minimum = 1 };
        var sampler = new ClientSampler(settings.Clients, samplerOptions, DeterministicRandom.MixKeys(seed, SamplerStream));
        var serverSeed = DeterministicRandom.MixKeys(seed, ServerStream);
        var scaling = (float)settings.LoraScaling;

        if (settings.Aggregation is DeclFed.Aggregation.FedKSeed or DeclFed.Aggregation.FedKSeedPro)
        {
            var kseed = new FedKSeedServer(new FedKSeedOptions
            {
                SeedCount = settings.Seeds,
                LearningRate = (float)settings.LearningRate,
                Epsilon = (float)settings.ZerothOrderEpsilon,
                LocalSteps = settings.LocalSteps,
                ProbabilityDifferentiated = settings.Aggregation == DeclFed.Aggregation.FedKSeedPro,
            }, serverSeed);
            var rank = settings.Ranks[0];
            return FederatedSimulation.WithKSeed(@base.Weights, clients, kseed, sampler, rank, scaling * rank, options, logger);
        }

        var layout = LoraAdapterBridge.Layout(@base.Config, settings.TargetModules);
        var maxRank = profiles.Max(p => p.Rank);
        IAggregationStrategy strategy = settings.Aggregation switch
        {
            DeclFed.Aggregation.FedIT or DeclFed.Aggregation.FedMeZO =>
                new FedItStrategy(layout, maxRank, scaling * maxRank, LoraInitialization.Peft(layout, maxRank, scaling * maxRank, serverSeed)),
            DeclFed.Aggregation.FLoRA => new FloraStrategy(layout),
            DeclFed.Aggregation.FlexLoRA => new FlexLoraStrategy(layout, maxRank),
            DeclFed.Aggregation.HetLoRA => new HetLoraStrategy(layout, maxRank, scaling, LoraInitialization.Peft(layout, maxRank, scaling * maxRank, serverSeed)),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Aggregation, "Unknown aggregation."),
        };
        var learningRate = (float)settings.ServerLearningRate;
        var momentum = (float)settings.ServerMomentum;
        IServerOptimizer optimizer = settings.ServerOptimizer switch
        {
            ServerOptimizer.FedAvg => new FedAvgOptimizer(learningRate),
            ServerOptimizer.FedAvgM => new FedAvgMomentumOptimizer(learningRate, momentum),
            ServerOptimizer.FedAdam => new AdaptiveServerOptimizer(SecondMomentRule.Adam, learningRate, momentum),
            ServerOptimizer.FedYogi => new AdaptiveServerOptimizer(SecondMomentRule.Yogi, learningRate, momentum),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.ServerOptimizer, "Unknown server optimizer."),
        };
        ILearningRateScheduler scheduler = settings.FedHyper switch
        {
            DeclFed.FedHyper.None => new FixedLearningRate(),
            DeclFed.FedHyper.Global => new FedHyperScheduler(FedHyperVariant.Global),
            DeclFed.FedHyper.GlobalMomentum => new FedHyperScheduler(FedHyperVariant.GlobalMomentum),
            DeclFed.FedHyper.ServerLocal => new FedHyperScheduler(FedHyperVariant.ServerLocal),
            DeclFed.FedHyper.ClientLocal => new FedHyperScheduler(FedHyperVariant.ClientLocal),
            DeclFed.FedHyper.Full => new FedHyperScheduler(FedHyperVariant.Full),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.FedHyper, "Unknown FedHyper variant."),
        };
        // The norm-outlier test needs enough updates to estimate a round's spread: with mixed ranks, norms differ by rank,
        // and three or four updates flag legitimate ones. Below six updates only the hard checks apply (shapes, NaN/Inf).
        var screening = new UpdateScreening(new UpdateScreeningOptions { OutlierThreshold = settings.OutlierThreshold, MinimumForOutlierTest = 6 });
        var server = new FederatedServer(strategy, optimizer, scheduler, sampler, screening, new CommunicationLedger(), client => profiles[client],
            (float)settings.LearningRate, logger);
        return FederatedSimulation.WithServer(@base.Weights, clients, server, options, logger);
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Warning, Message = "{Dropped} of {Total} training records have no response token within {SequenceLength} tokens and are left out")]
    private static partial void LogDropped(ILogger logger, int dropped, int total, int sequenceLength);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Information, Message = "{Method} partition: {Summary}")]
    private static partial void LogPartition(ILogger logger, string method, string summary);

    [LoggerMessage(EventId = 5403, Level = LogLevel.Information, Message = "{Method} finished {Rounds} rounds; validation loss {Loss}; traffic down {Down}, up {Up}; {Rejected} updates rejected")]
    private static partial void LogFinished(ILogger logger, string method, int rounds, string loss, string down, string up, int rejected);
}
