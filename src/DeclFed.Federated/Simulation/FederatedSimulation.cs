using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DeclFed.Federated.Adapters;
using DeclFed.Federated.Robustness;
using DeclFed.Federated.Sampling;
using DeclFed.Federated.State;
using DeclFed.Federated.ZerothOrder;
using DeclFed.Tensors;
using DeclFed.Tensors.Model;
using DeclFed.Tensors.Nn;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeclFed.Federated.Simulation;

/// <summary>
/// Simulates a federated LoRA run on one machine: N clients share one read-only base model; each round the sampled clients
/// train a LoRA adapter on their own shard (AdamW, or MeZO for FedMeZO and FedKSeed), up to <see cref="SimulationOptions.Parallelism"/>
/// at once on a pool of worker models, and the server aggregates. Memory grows with the clients trained at once and sampled per
/// round, never with N: per client only its shard is held; adapters, optimizer state (created fresh every round, as in the
/// FedIT and FLoRA reference code) and activations exist only while it trains. Deterministic under the seed, whatever the
/// parallelism; checkpointed after every client and every round, and resumable bit-identically.
/// </summary>
public sealed partial class FederatedSimulation
{
    private readonly LlamaWeights _base;
    private readonly IReadOnlyList<SimulatedClient> _clients;
    private readonly SimulationOptions _options;
    private readonly SimulatedMethod _method;
    private readonly LocalTrainer _trainer;
    private readonly ILogger _logger;
    private readonly SimulationCheckpoint? _checkpoint;
    private readonly List<RoundReport> _reports = [];
    private readonly ConcurrentBag<LlamaModel> _idleWorkers = [];
    private readonly int _parallelism;
    private LlamaWeights? _merged;
    private bool _mergedIsCurrent;
    private LlamaModel? _evaluator;
    private bool _checkpointLoaded;
    private int _resumedFromRound;
    private int _workersCreated;
    private int _localTrainings;

    private FederatedSimulation(LlamaWeights baseWeights, IReadOnlyList<SimulatedClient> clients, SimulationOptions options, ILogger? logger,
        Func<LocalTrainer, SimulatedMethod> method, AdapterLayout layout)
    {
        _base = baseWeights;
        _clients = clients;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _parallelism = options.Parallelism == 0 ? Environment.ProcessorCount : options.Parallelism;
        _trainer = new LocalTrainer(baseWeights.Config, layout, clients, options);
        _method = method(_trainer);
        if (options.CheckpointDirectory is { } directory)
        {
            _checkpoint = new SimulationCheckpoint(directory, Fingerprint(), layout);
        }
    }

    /// <summary>
    /// A simulation around <paramref name="server"/>: FedIT, FLoRA, FlexLoRA or HetLoRA with AdamW clients, or FedMeZO (a FedIT
    /// server with <see cref="LocalOptimizer.MeZO"/>). The server's strategy layout must be
    /// <see cref="LoraAdapterBridge.Layout"/> of the base model and target modules, and its client learning rate the local one.
    /// </summary>
    /// <exception cref="ArgumentException">An input is inconsistent or out of range (the message names it).</exception>
    public static FederatedSimulation WithServer(LlamaWeights baseWeights, IReadOnlyList<SimulatedClient> clients, FederatedServer server,
        SimulationOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var layout = SimulationValidation.Check(baseWeights, clients, options, server.Sampler.ClientCount, nameof(server));
        if (SimulationValidation.Difference(layout, server.Strategy.Layout) is { } mismatch)
        {
            throw new ArgumentException($"The server's {server.Strategy.Name} layout does not match the model's target modules: {mismatch}.", nameof(server));
        }
        if (server.ClientLearningRate != options.Local.LearningRate)
        {
            throw new ArgumentException($"The server's client learning rate {server.ClientLearningRate} differs from Local.LearningRate {options.Local.LearningRate}; they are one setting.", nameof(server));
        }
        for (var client = 0; client < clients.Count; client++)
        {
            SimulationValidation.CheckRank(layout, client, server.ProfileOf(client).Rank);
        }
        return new FederatedSimulation(baseWeights, clients, options, logger, trainer => new ServerMethod(server, trainer, clients, options), layout);
    }

    /// <summary>
    /// A FedKSeed (or FedKSeed-Pro) simulation: zeroth-order clients on a LoRA adapter of rank <paramref name="rank"/> and
    /// alpha <paramref name="alpha"/> whose PEFT initialisation derives from the seed, known to everyone. The local steps τ,
    /// learning rate η and ε come from <paramref name="server"/>'s options (clients and server must share them for the
    /// replay to be exact); the batch size and sequence length from <see cref="SimulationOptions.Local"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An input is inconsistent or out of range (the message names it).</exception>
    public static FederatedSimulation WithKSeed(LlamaWeights baseWeights, IReadOnlyList<SimulatedClient> clients, FedKSeedServer server,
        ClientSampler sampler, int rank, float alpha, SimulationOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(sampler);
        var layout = SimulationValidation.Check(baseWeights, clients, options, sampler.ClientCount, nameof(sampler));
        if (rank <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, "The FedKSeed LoRA rank must be positive.");
        }
        if (!(alpha > 0) || !float.IsFinite(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The FedKSeed LoRA alpha must be a positive finite number.");
        }
        SimulationValidation.CheckRank(layout, null, rank);
        if (server.Round != 0)
        {
            throw new ArgumentException($"The FedKSeed server has already run {server.Round} rounds; give the simulation a fresh server (it resumes from its checkpoint directory).", nameof(server));
        }
        return new FederatedSimulation(baseWeights, clients, options, logger,
            trainer => new KSeedMethod(server, sampler, trainer, clients, rank, alpha, options.Seed, logger ?? NullLogger.Instance), layout);
    }

    /// <summary>The number of completed rounds (on first use, a checkpoint in the checkpoint directory is loaded).</summary>
    public int CompletedRounds
    {
        get
        {
            EnsureCheckpointLoaded();
            return _method.Round;
        }
    }

    /// <summary>The method's name (<c>FLoRA</c>, <c>FedIT+MeZO</c>, <c>FedKSeed</c>, …).</summary>
    public string MethodName => _method.Name;

    /// <summary>How many worker models this simulation has created (at most the parallelism): the structural bound on its memory.</summary>
    public int WorkerModelsCreated => _workersCreated;

    /// <summary>How many client local trainings this instance completed (clients whose update a checkpoint already held are not retrained).</summary>
    public int LocalTrainingsRun => _localTrainings;

    /// <summary>
    /// Runs the remaining rounds, resuming from the checkpoint directory when it holds a checkpoint. On cancellation, the updates
    /// of clients that finished in the round in progress are already saved; the round's unfinished clients stop at their next
    /// step and <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    /// <exception cref="FederatedStateException">The checkpoint is corrupt or was written by a different run (the message names the file and the difference).</exception>
    public SimulationResult Run(IProgress<SimulationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        EnsureCheckpointLoaded();
        while (_method.Round < _options.Rounds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunRound(progress, cancellationToken);
        }
        return new SimulationResult(_reports.ToArray(), _method.Ledger, new Dictionary<RejectionKind, int>(_method.Rejections), _resumedFromRound);
    }

    /// <summary>A fresh copy of the base weights with the global model's dense ΔW merged into every target module (the base is untouched).</summary>
    public LlamaWeights BuildGlobalWeights()
    {
        EnsureCheckpointLoaded();
        var weights = _base.Clone();
        MergeGlobalInto(weights);
        return weights;
    }

    /// <summary>The global model as a factored adapter when the method has one (FedIT, HetLoRA at the largest rank, FedMeZO, FedKSeed); null for FLoRA and FlexLoRA.</summary>
    public AdapterUpdate? GlobalAdapter()
    {
        EnsureCheckpointLoaded();
        return _method.GlobalAdapter();
    }

    /// <summary>The mean response-token loss of the global model on <paramref name="data"/> (weighted by counted tokens).</summary>
    /// <exception cref="ArgumentException">The data is empty or holds an invalid sequence.</exception>
    public double EvaluateGlobal(IReadOnlyList<TrainingSequence> data)
    {
        SimulationValidation.CheckSequences(data, _base.Config.VocabSize, _options.Local.SequenceLength, "evaluation data");
        EnsureCheckpointLoaded();
        var merged = CurrentMergedWeights();
        _evaluator ??= new LlamaModel(merged, new ComputeContext(new CpuDevice(Environment.ProcessorCount)));
        return _trainer.MeanLoss(_evaluator, data);
    }

    private void RunRound(IProgress<SimulationProgress>? progress, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var round = _method.Round;
        var jobs = _method.BeginRound();
        var downBytes = _method.Ledger.Round(round).DownBytes;
        var results = new ClientResult?[jobs.Count];
        var failures = new ClientFailure?[jobs.Count];
        _checkpoint?.CheckOpenRound(round, jobs.Select(j => j.ClientId).ToArray());
        for (var i = 0; i < jobs.Count; i++)
        {
            results[i] = _checkpoint?.TryLoadClient(round, jobs[i].ClientId);
        }
        var pending = Enumerable.Range(0, jobs.Count).Where(i => results[i] is null).ToArray();
        if (pending.Length < jobs.Count)
        {
            LogResumedClients(_logger, round + 1, jobs.Count - pending.Length, jobs.Count);
        }
        if (pending.Length > 0 && _method.TrainsOnMergedBase)
        {
            CurrentMergedWeights();
        }
        var progressLock = new object();
        var done = jobs.Count - pending.Length;
        void Report()
        {
            var finished = results.Where(r => r is not null).Select(r => r!).ToArray();
            progress?.Report(new SimulationProgress(round, _options.Rounds, done, jobs.Count,
                finished.Length == 0 ? null : finished.Average(r => r.MeanLoss), downBytes, finished.Sum(r => r.PayloadBytes)));
        }
        if (done > 0)
        {
            Report();
        }

        var next = -1;
        void Work()
        {
            var worker = RentWorker();
            try
            {
                int index;
                while (!cancellation.IsCancellationRequested && (index = Interlocked.Increment(ref next)) < pending.Length)
                {
                    var slot = pending[index];
                    var job = jobs[slot];
                    ClientResult? result = null;
                    try
                    {
                        result = _method.Train(job, worker, cancellation);
                    }
                    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e)
                    {
                        // A client that throws is one failed participant, not a failed round.
                        failures[slot] = new ClientFailure(job.ClientId, $"{e.GetType().Name}: {e.Message}");
                        LogClientFailed(_logger, round + 1, job.ClientId, e);
                    }
                    if (result is not null)
                    {
                        // Outside the client's try: a checkpoint that cannot be written stops the run, it is not the client's failure.
                        _checkpoint?.SaveClient(round, result);
                        results[slot] = result;
                        Interlocked.Increment(ref _localTrainings);
                    }
                    lock (progressLock)
                    {
                        done++;
                        Report();
                    }
                }
            }
            finally
            {
                _idleWorkers.Add(worker);
            }
        }
        var threads = Math.Min(_parallelism, pending.Length);
        if (threads == 1)
        {
            Work();
        }
        else if (threads > 1)
        {
            var tasks = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            try
            {
                Task.WaitAll(tasks);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }
        }
        cancellation.ThrowIfCancellationRequested();

        var completed = results.Where(r => r is not null).Select(r => r!).ToArray();
        var outcome = _method.CompleteRound(completed, failures.Where(f => f is not null).Select(f => f!.Value).ToArray());
        _mergedIsCurrent = false;
        var traffic = _method.Ledger.Round(round);
        double? validation = null;
        var last = round + 1 == _options.Rounds;
        if (_options.Validation is { } data && (last || (_options.EvaluateEvery > 0 && (round + 1) % _options.EvaluateEvery == 0)))
        {
            validation = EvaluateGlobal(data);
        }
        var meanLoss = completed.Length == 0 ? double.NaN : completed.Sum(r => r.MeanLoss) / completed.Length;
        var report = new RoundReport(round, jobs.Select(j => j.ClientId).ToArray(), outcome.Accepted, outcome.Rejected, meanLoss, validation,
            traffic.DownBytes, traffic.UpBytes, outcome.ServerMultiplier, clock.Elapsed.TotalSeconds);
        _reports.Add(report);
        _checkpoint?.Save(_method.Round, _reports, _method.SaveState());
        LogRoundDone(_logger, _method.Name, round + 1, _options.Rounds, outcome.Accepted.Count, jobs.Count, meanLoss,
            validation is { } measured ? measured.ToString("F4", CultureInfo.InvariantCulture) : "not measured",
            Communication.CommunicationLedger.FormatBytes(traffic.DownBytes), Communication.CommunicationLedger.FormatBytes(traffic.UpBytes), report.Seconds);
    }

    private LlamaModel RentWorker()
    {
        if (_idleWorkers.TryTake(out var worker))
        {
            return worker;
        }
        // Workers never outnumber the parallelism: at most that many run at once, and each returns its model to the pool.
        Interlocked.Increment(ref _workersCreated);
        var threads = Math.Max(1, Environment.ProcessorCount / _parallelism);
        return new LlamaModel(_method.TrainsOnMergedBase ? CurrentMergedWeights() : _base, new ComputeContext(new CpuDevice(threads)));
    }

    /// <summary>One reused copy of the base holding the current global model (FLoRA's training base, and what evaluation runs on).</summary>
    private LlamaWeights CurrentMergedWeights()
    {
        lock (_idleWorkers)
        {
            if (_merged is null)
            {
                _merged = _base.Clone();
                _mergedIsCurrent = false;
            }
            if (!_mergedIsCurrent)
            {
                MergeGlobalInto(_merged);
                _mergedIsCurrent = true;
            }
            return _merged;
        }
    }

    // weights ← base + ΔW_global for every target module (other weights are never changed).
    private void MergeGlobalInto(LlamaWeights weights)
    {
        foreach (var module in _trainer.Layout)
        {
            var name = module.Name + ".weight";
            var target = weights[name].Value;
            target.CopyFrom(_base[name].Value);
            var delta = _method.ModuleDelta(module.Name);
            var span = target.Span;
            for (var i = 0; i < span.Length; i++)
            {
                span[i] += delta[i];
            }
        }
    }

    private void EnsureCheckpointLoaded()
    {
        if (_checkpointLoaded)
        {
            return;
        }
        _checkpointLoaded = true;
        if (_checkpoint is null)
        {
            return;
        }
        if (_checkpoint.Load() is not { } loaded)
        {
            // The round-0 checkpoint: client updates saved before the first round completes then have a run to belong to.
            _checkpoint.Save(0, [], _method.SaveState());
            return;
        }
        try
        {
            _method.RestoreState(loaded.MethodState);
        }
        catch (FederatedStateException e)
        {
            throw new FederatedStateException($"{_checkpoint.FilePath}: {e.Message}", e);
        }
        if (_method.Round != loaded.CompletedRounds)
        {
            throw new FederatedStateException($"{_checkpoint.FilePath}: the method state is at round {_method.Round} but the checkpoint records {loaded.CompletedRounds} completed rounds.");
        }
        _reports.AddRange(loaded.Reports);
        _resumedFromRound = loaded.CompletedRounds;
        _checkpoint.RemoveRoundsBefore(loaded.CompletedRounds);
        LogResumed(_logger, _checkpoint.Directory, loaded.CompletedRounds);
    }

    // What must be equal for a checkpoint to continue this run; the method state itself checks its own configuration too.
    private List<KeyValuePair<string, string>> Fingerprint()
    {
        static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
        var data = new StableHash();
        foreach (var client in _clients)
        {
            data.Add(client.Data.Count);
            foreach (var sequence in client.Data)
            {
                data.Add(sequence.PromptLength);
                data.Add(sequence.Tokens.Length);
                foreach (var token in sequence.Tokens)
                {
                    data.Add(token);
                }
            }
        }
        var validation = new StableHash();
        foreach (var sequence in _options.Validation ?? [])
        {
            validation.Add(sequence.PromptLength);
            foreach (var token in sequence.Tokens)
            {
                validation.Add(token);
            }
        }
        var model = new StableHash();
        foreach (var parameter in _base.Parameters)
        {
            model.Add(parameter.Value.Span);
        }
        var local = _options.Local;
        return
        [
            new("method", _method.Name),
            new("clients", Text(_clients.Count)),
            new("client data", data.ToString()),
            new("client profiles", _method.ProfilesDescription()),
            new("seed", Text(_options.Seed)),
            new("target modules", string.Join(",", _options.TargetModules)),
            new("base model", $"{_base.Config.ToJson().ReplaceLineEndings("")}#{model}"),
            new("local training", string.Join(";", local.Optimizer.ToString(), Text(local.Steps), Text(local.BatchSize), Text(local.SequenceLength),
                Text(BitConverter.SingleToInt32Bits(local.LearningRate)), Text(BitConverter.SingleToInt32Bits(local.WeightDecay)),
                Text(BitConverter.DoubleToInt64Bits(local.MaxGradNorm)), Text(BitConverter.SingleToInt32Bits(local.LoraDropout)),
                Text(BitConverter.SingleToInt32Bits(local.ZerothOrderEpsilon)))),
            new("pad token", Text(_options.PadToken)),
            new("validation", $"{_options.EvaluateEvery}#{validation}"),
        ];
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "{Method} round {Round}/{Rounds}: {Accepted}/{Sampled} updates aggregated, mean local loss {Loss:F4}, validation {Validation}, down {Down}, up {Up}, {Seconds:F1} s")]
    private static partial void LogRoundDone(ILogger logger, string method, int round, int rounds, int accepted, int sampled, double loss, string validation, string down, string up, double seconds);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Round {Round}: client {ClientId} failed during local training")]
    private static partial void LogClientFailed(ILogger logger, int round, int clientId, Exception error);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Information, Message = "Resumed from {Directory} after {Rounds} completed rounds")]
    private static partial void LogResumed(ILogger logger, string directory, int rounds);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Information, Message = "Round {Round}: {Saved} of {Sampled} client updates were already saved; training the rest")]
    private static partial void LogResumedClients(ILogger logger, int round, int saved, int sampled);
}
