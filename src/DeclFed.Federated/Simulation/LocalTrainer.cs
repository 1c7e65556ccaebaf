using DeclFed.Federated.Adapters;
using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Parameters;
using DeclFed.Federated.Randomness;
using DeclFed.Federated.Scheduling;
using DeclFed.Federated.ZerothOrder;
using DeclFed.Tensors.Model;
using DeclFed.Tensors.Training;

namespace DeclFed.Federated.Simulation;

/// <summary>
/// One client's local round on a worker model: first-order AdamW (with a per-step learning rate from the scheduler), MeZO
/// (FedMeZO) or FedKSeed's seeded MeZO steps. Every random choice is derived from (seed, stream, round, client), so a client
/// trains identically whichever worker runs it, in whatever order, and after a resume.
/// </summary>
internal sealed class LocalTrainer
{
    // Stream tags keep the engine's random streams apart from each other and from the server's under one seed.
    private const ulong DataOrderStream = 0x53494D4441UL;   // "SIMDA"
    private const ulong FreshAdapterStream = 0x53494D4652UL; // "SIMFR"
    private const ulong DropoutStream = 0x53494D4450UL;      // "SIMDP"
    private const ulong ZerothOrderStream = 0x53494D5A4FUL;  // "SIMZO"

    private readonly SimulationOptions _options;
    private readonly IReadOnlyList<SimulatedClient> _clients;

    public LocalTrainer(LlamaConfig model, AdapterLayout layout, IReadOnlyList<SimulatedClient> clients, SimulationOptions options)
    {
        Model = model;
        Layout = layout;
        _clients = clients;
        _options = options;
    }

    public LlamaConfig Model { get; }

    public AdapterLayout Layout { get; }

    private LocalTrainingOptions Local => _options.Local;

    /// <summary>A fresh PEFT adapter for a client in a round (the one initialisation path of the engine).</summary>
    public AdapterUpdate FreshAdapter(int round, int client, int rank, float alpha) =>
        LoraInitialization.Peft(Layout, rank, alpha, DeterministicRandom.MixKeys(_options.Seed, FreshAdapterStream, (ulong)round, (ulong)client));

    /// <summary>AdamW steps on a copy of <paramref name="start"/>; returns the trained factors and the mean step loss.</summary>
    public (AdapterUpdate Adapter, double MeanLoss) TrainFirstOrder(LlamaModel model, int round, int client, AdapterUpdate start,
        ILocalLearningRateSchedule schedule, CancellationToken cancellation)
    {
        var adapter = LoraAdapterBridge.ToLoraAdapter(start, Model, _options.TargetModules, Local.LoraDropout);
        adapter.SetRequiresGrad(true);
        model.Attach(adapter);
        try
        {
            var optimizer = new AdamW(adapter.Parameters, weightDecay: Local.WeightDecay);
            // The schedule object is only the Trainer's fallback; every step passes the scheduler's current rate.
            var trainer = new Trainer(model, optimizer, new WarmupCosineSchedule(Local.LearningRate, 0, Local.Steps, Local.LearningRate), Local.MaxGradNorm,
                DeterministicRandom.MixKeys(_options.Seed, DropoutStream, (ulong)round, (ulong)client));
            var batches = new ClientBatches(_clients[client].Data, DataOrder(round, client), Local.BatchSize, Local.SequenceLength, _options.PadToken);
            var change = LoraAdapterBridge.ToAdapterUpdate(adapter).ToParameterSet();
            var previous = new float[adapter.ParameterCount];
            adapter.CopyTo(previous);
            var lossSum = 0.0;
            for (var step = 0; step < Local.Steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                var result = trainer.Step([batches.Step(step)], schedule.Current);
                lossSum += result.Loss;
                ObserveChange(adapter, change, previous);
                schedule.Observe(change);
            }
            return (LoraAdapterBridge.ToAdapterUpdate(adapter), lossSum / Local.Steps);
        }
        finally
        {
            model.Attach(null);
        }
    }

    /// <summary>FedMeZO's local round: MeZO steps on a copy of <paramref name="start"/>, each at the schedule's current rate (FedHyper-CL adapts it).</summary>
    public (AdapterUpdate Adapter, double MeanLoss) TrainMeZo(LlamaModel model, int round, int client, AdapterUpdate start,
        ILocalLearningRateSchedule schedule, CancellationToken cancellation)
    {
        var trained = start.Clone();
        var adapter = LoraAdapterBridge.ToLoraAdapter(trained, Model, _options.TargetModules);
        model.Attach(adapter);
        try
        {
            var loss = ZerothOrderLoss(model, adapter, trained, round, client, cancellation);
            var parameters = trained.TrainableParameters();
            var change = trained.ToParameterSet().ZerosLike(); // its own arrays: ToParameterSet shares the factors
            var previous = parameters.SelectMany(p => p.ToArray()).ToArray();
            var result = FedMeZoClient.Train(trained, loss, Local.Steps, _ => schedule.Current,
                _ =>
                {
                    ObserveChange(parameters, change, previous);
                    schedule.Observe(change);
                },
                new MeZoOptions { Epsilon = Local.ZerothOrderEpsilon, WeightDecay = Local.WeightDecay },
                DeterministicRandom.MixKeys(_options.Seed, ZerothOrderStream), round, client);
            return (trained, result.MeanLoss);
        }
        finally
        {
            model.Attach(null);
        }
    }

    /// <summary>FedKSeed's local round from the global adapter (copied): τ seeded MeZO steps; returns the scalar gradients.</summary>
    public ScalarGradientUpload TrainKSeed(LlamaModel model, int round, int client, AdapterUpdate global, SeedPlan plan, FedKSeedOptions options,
        CancellationToken cancellation)
    {
        var local = global.Clone();
        var adapter = LoraAdapterBridge.ToLoraAdapter(local, Model, _options.TargetModules);
        model.Attach(adapter);
        try
        {
            var loss = ZerothOrderLoss(model, adapter, local, round, client, cancellation);
            return FedKSeedClient.Train(client, plan, local.TrainableParameters(), loss, options, DeterministicRandom.MixKeys(_options.Seed, ZerothOrderStream));
        }
        finally
        {
            model.Attach(null);
        }
    }

    /// <summary>The mean response-token loss (weighted by counted tokens) of <paramref name="model"/> as it is on <paramref name="data"/>.</summary>
    public double MeanLoss(LlamaModel model, IReadOnlyList<TrainingSequence> data)
    {
        double sum = 0;
        long count = 0;
        for (var start = 0; start < data.Count; start += Local.BatchSize)
        {
            var size = Math.Min(Local.BatchSize, data.Count - start);
            var batch = ClientBatches.Build(Enumerable.Range(start, size).Select(i => data[i]).ToArray(), Local.SequenceLength, _options.PadToken);
            var value = Trainer.EvaluateLoss(model, batch);
            sum += value.Sum;
            count += value.Count;
        }
        return count == 0 ? double.NaN : sum / count;
    }

    private int[] DataOrder(int round, int client)
    {
        var order = Enumerable.Range(0, _clients[client].Data.Count).ToArray();
        DeterministicRandom.ForStream(_options.Seed, DataOrderStream, (ulong)round, (ulong)client).Shuffle(order.AsSpan());
        return order;
    }

    // Evaluates local step k's batch on the factors as they are in `values` (MeZO perturbs them in place), without dropout.
    private Func<int, float> ZerothOrderLoss(LlamaModel model, LoraAdapter adapter, AdapterUpdate values, int round, int client, CancellationToken cancellation)
    {
        var batches = new ClientBatches(_clients[client].Data, DataOrder(round, client), Local.BatchSize, Local.SequenceLength, _options.PadToken);
        model.Training = false;
        return step =>
        {
            cancellation.ThrowIfCancellationRequested();
            LoraAdapterBridge.CopyInto(values, adapter);
            var batch = batches.Step(step);
            var logits = model.Forward(batch.Inputs, batch.BatchSize, batch.SequenceLength);
            return (float)model.Loss(logits, batch.Targets, backward: false).Mean;
        };
    }

    // δ_k = w_k − w_{k−1} in the client's own layout, for FedHyper-CL; `previous` advances to w_k.
    private static void ObserveChange(LoraAdapter adapter, ParameterSet change, float[] previous) =>
        ObserveChange(t => adapter.Parameters[t].Value.Span, change, previous);

    private static void ObserveChange(IReadOnlyList<Memory<float>> parameters, ParameterSet change, float[] previous) =>
        ObserveChange(t => parameters[t].Span, change, previous);

    /// <summary>Writes each tensor's change since the last call into <paramref name="change"/> and remembers the current values.</summary>
    private static void ObserveChange(Func<int, ReadOnlySpan<float>> tensor, ParameterSet change, float[] previous)
    {
        var offset = 0;
        for (var t = 0; t < change.Count; t++)
        {
            var current = tensor(t);
            var delta = change[t].Values;
            for (var i = 0; i < delta.Length; i++)
            {
                delta[i] = current[i] - previous[offset + i];
                previous[offset + i] = current[i];
            }
            offset += delta.Length;
        }
    }
}

/// <summary>A client's data cycled in a seeded order: step k takes the next <c>batchSize</c> sequences.</summary>
internal sealed class ClientBatches
{
    private readonly IReadOnlyList<TrainingSequence> _data;
    private readonly int[] _order;
    private readonly int _batchSize;
    private readonly int _sequenceLength;
    private readonly int _padToken;
    private int _cachedStep = -1;
    private TokenBatch? _cached;

    public ClientBatches(IReadOnlyList<TrainingSequence> data, int[] order, int batchSize, int sequenceLength, int padToken)
    {
        _data = data;
        _order = order;
        _batchSize = batchSize;
        _sequenceLength = sequenceLength;
        _padToken = padToken;
    }

    /// <summary>The batch of local step <paramref name="step"/> (the last one is cached: MeZO evaluates each step's batch twice).</summary>
    public TokenBatch Step(int step)
    {
        if (step == _cachedStep && _cached is not null)
        {
            return _cached;
        }
        var sequences = new TrainingSequence[_batchSize];
        for (var i = 0; i < _batchSize; i++)
        {
            sequences[i] = _data[_order[(int)(((long)step * _batchSize + i) % _order.Length)]];
        }
        _cached = Build(sequences, _sequenceLength, _padToken);
        _cachedStep = step;
        return _cached;
    }

    public static TokenBatch Build(IReadOnlyList<TrainingSequence> sequences, int sequenceLength, int padToken) =>
        TokenBatch.FromSequences(sequences.Select(s => s.Tokens).ToArray(), sequences.Select(s => s.PromptLength).ToArray(), sequenceLength, padToken);
}
