using DeclFed.Federated.Adapters;
using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Communication;
using DeclFed.Federated.Randomness;
using DeclFed.Federated.Robustness;
using DeclFed.Federated.Sampling;
using DeclFed.Federated.Scheduling;
using DeclFed.Federated.ServerOptimizers;
using DeclFed.Federated.Simulation;
using DeclFed.Tensors.Model;

namespace DeclFed.Federated.Tests.Simulation;

/// <summary>A tiny model and learnable synthetic clients for the simulation tests.</summary>
internal static class SimulationFixture
{
    public const int Vocabulary = 64;
    public const float LearningRate = 3e-2f;

    public static readonly string[] Targets = ["q_proj", "v_proj", "o_proj", "up_proj", "down_proj"];

    public static LlamaConfig Config { get; } = new()
    {
        VocabSize = Vocabulary,
        HiddenSize = 32,
        NumLayers = 2,
        NumHeads = 4,
        NumKeyValueHeads = 4,
        IntermediateSize = 64,
        MaxPositions = 32,
    };

    /// <summary>A frozen random base (the same for the same seed).</summary>
    public static LlamaWeights Base(ulong seed = 3)
    {
        var weights = new LlamaWeights(Config);
        weights.Initialize(seed);
        weights.SetRequiresGrad(false);
        return weights;
    }

    public static AdapterLayout Layout => LoraAdapterBridge.Layout(Config, Targets);

    /// <summary>The tokens the synthetic language uses (a small part of the vocabulary, so that low-rank adapters can learn it).</summary>
    public const int LanguageTokens = 8;

    /// <summary>
    /// A counting language over the first <see cref="LanguageTokens"/> tokens: after the two prompt tokens every token is the
    /// previous plus one (mod 8), so the response is learnable from the previous token alone.
    /// </summary>
    public static TrainingSequence Sequence(int start, int length = 12)
    {
        var tokens = new int[length];
        for (var t = 0; t < length; t++)
        {
            tokens[t] = (start + t) % LanguageTokens;
        }
        return new TrainingSequence(tokens, 2);
    }

    /// <summary>Clients with non-IID starts: client c starts mostly near its own token.</summary>
    public static IReadOnlyList<SimulatedClient> Clients(int count, int perClient = 6, ulong seed = 17)
    {
        var clients = new List<SimulatedClient>(count);
        for (var c = 0; c < count; c++)
        {
            var random = DeterministicRandom.ForStream(seed, (ulong)c);
            var data = Enumerable.Range(0, perClient).Select(_ => Sequence(c + random.NextInt32(3))).ToArray();
            clients.Add(new SimulatedClient(c, data));
        }
        return clients;
    }

    public static IReadOnlyList<TrainingSequence> Validation(int count = 8) =>
        Enumerable.Range(0, count).Select(i => Sequence(i, 14)).ToArray();

    public static SimulationOptions Options(int rounds, int parallelism = 1, string? checkpoint = null, LocalOptimizer optimizer = LocalOptimizer.AdamW, int steps = 8) => new()
    {
        Rounds = rounds,
        TargetModules = Targets,
        Local = new LocalTrainingOptions
        {
            Steps = steps,
            BatchSize = 4,
            SequenceLength = 16,
            LearningRate = LearningRate,
            Optimizer = optimizer,
            ZerothOrderEpsilon = 1e-2f,
        },
        Parallelism = parallelism,
        Seed = 2024,
        Validation = Validation(),
        CheckpointDirectory = checkpoint,
    };

    /// <summary>A server around <paramref name="strategy"/> with <paramref name="profiles"/>, sampling <paramref name="perRound"/> clients.</summary>
    public static FederatedServer Server(IAggregationStrategy strategy, IReadOnlyList<ClientProfile> profiles, int perRound,
        ILearningRateScheduler? scheduler = null, float learningRate = LearningRate, IServerOptimizer? optimizer = null) =>
        new(strategy, optimizer ?? new FedAvgOptimizer(), scheduler ?? new FixedLearningRate(),
            new ClientSampler(profiles.Count, new ClientSamplingOptions { Count = perRound }, 99),
            // The norm test needs enough updates to estimate a spread: with three, legitimately different ranks look like outliers.
            new UpdateScreening(new UpdateScreeningOptions { MinimumForOutlierTest = 6 }), new CommunicationLedger(), c => profiles[c], learningRate);

    public static IReadOnlyList<ClientProfile> Uniform(int clients, int rank, float alpha) =>
        Enumerable.Range(0, clients).Select(c => new ClientProfile(c, rank, alpha)).ToArray();

    public static IReadOnlyList<ClientProfile> Heterogeneous(int clients, AlphaRule rule, float value) =>
        ClientRanks.FromList(clients, [8, 4, 2], rule, value);

    /// <summary>A server of the named method over the fixture's layout (heterogeneous ranks where the method allows them).</summary>
    public static FederatedServer ServerFor(string method, int clients, int perRound, ILearningRateScheduler? scheduler = null)
    {
        var layout = Layout;
        return method switch
        {
            "FedIT" => Server(new FedItStrategy(layout, 4, 8f, LoraInitialization.Peft(layout, 4, 8f, 5)), Uniform(clients, 4, 8f), perRound, scheduler),
            "FLoRA" => Server(new FloraStrategy(layout), Heterogeneous(clients, AlphaRule.ProportionalToRank, 2f), perRound, scheduler),
            "FlexLoRA" => Server(new FlexLoraStrategy(layout, 8), Heterogeneous(clients, AlphaRule.Fixed, 16f), perRound, scheduler),
            "HetLoRA" => Server(new HetLoraStrategy(layout, 8, 2f, LoraInitialization.Peft(layout, 8, 16f, 5)), Heterogeneous(clients, AlphaRule.ProportionalToRank, 2f), perRound, scheduler),
            _ => throw new ArgumentException(method),
        };
    }

    public static byte[] Bytes(LlamaWeights weights)
    {
        var stream = new MemoryStream();
        foreach (var parameter in weights.Parameters)
        {
            foreach (var value in parameter.Value.Span)
            {
                stream.Write(BitConverter.GetBytes(value));
            }
        }
        return stream.ToArray();
    }

    public static string TemporaryDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "declfed-sim-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
