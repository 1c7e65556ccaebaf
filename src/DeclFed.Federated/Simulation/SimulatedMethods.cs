using System.Text.Json;
using DeclFed.Federated.Adapters;
using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Communication;
using DeclFed.Federated.Robustness;
using DeclFed.Federated.Sampling;
using DeclFed.Federated.Scheduling;
using DeclFed.Federated.State;
using DeclFed.Federated.ZerothOrder;
using DeclFed.Tensors.Model;
using Microsoft.Extensions.Logging;

namespace DeclFed.Federated.Simulation;

/// <summary>A sampled client's work for the round: where it starts and how its rate evolves.</summary>
internal sealed record ClientJob(int ClientId, AdapterUpdate Start, float LearningRate, ILocalLearningRateSchedule? Schedule);

/// <summary>What a client produced: an adapter (server methods) or FedKSeed's scalar gradients.</summary>
internal sealed record ClientResult(int ClientId, long SampleCount, double MeanLoss, AdapterUpdate? Adapter, ScalarGradientUpload? Upload)
{
    public long PayloadBytes => Adapter?.PayloadBytes ?? Upload!.PayloadBytes;
}

/// <summary>The server's verdict on a round.</summary>
internal sealed record RoundOutcome(IReadOnlyList<int> Accepted, IReadOnlyList<RejectedUpdate> Rejected, double ServerMultiplier);

/// <summary>A federated method as the engine drives it: round start, one client's local work, round completion, state.</summary>
internal abstract class SimulatedMethod
{
    public abstract string Name { get; }

    public abstract int Round { get; }

    public abstract CommunicationLedger Ledger { get; }

    public abstract IReadOnlyDictionary<RejectionKind, int> Rejections { get; }

    /// <summary>Whether clients train on the base with the global ΔW merged in (FLoRA) rather than on the original base.</summary>
    public abstract bool TrainsOnMergedBase { get; }

    /// <summary>Starts the round: the sampled clients' jobs, ascending by id (downlink recorded).</summary>
    public abstract IReadOnlyList<ClientJob> BeginRound();

    public abstract ClientResult Train(ClientJob job, LlamaModel worker, CancellationToken cancellation);

    public abstract RoundOutcome CompleteRound(IReadOnlyList<ClientResult> results, IReadOnlyList<ClientFailure> failures);

    /// <summary>The dense change of <paramref name="module"/> in the global model against the original base.</summary>
    public abstract float[] ModuleDelta(string module);

    public abstract AdapterUpdate? GlobalAdapter();

    /// <summary>Each client's rank and alpha, for the checkpoint fingerprint.</summary>
    public abstract string ProfilesDescription();

    public abstract byte[] SaveState();

    public abstract void RestoreState(ReadOnlySpan<byte> state);
}

/// <summary>FedIT, FLoRA, FlexLoRA, HetLoRA (AdamW clients) and FedMeZO (MeZO clients) around a <see cref="FederatedServer"/>.</summary>
internal sealed class ServerMethod : SimulatedMethod
{
    private readonly FederatedServer _server;
    private readonly LocalTrainer _trainer;
    private readonly IReadOnlyList<SimulatedClient> _clients;
    private readonly LocalOptimizer _optimizer;
    private readonly Func<int, int, AdapterUpdate, AdapterUpdate>? _interceptor;

    public ServerMethod(FederatedServer server, LocalTrainer trainer, IReadOnlyList<SimulatedClient> clients, SimulationOptions options)
    {
        _server = server;
        _trainer = trainer;
        _clients = clients;
        _optimizer = options.Local.Optimizer;
        _interceptor = options.UpdateInterceptor;
    }

    public override string Name => _optimizer == LocalOptimizer.MeZO
        ? $"{_server.Strategy.Name}+MeZO"
        : _server.Strategy.Name;

    public override int Round => _server.Round;

    public override CommunicationLedger Ledger => _server.Ledger;

    public override IReadOnlyDictionary<RejectionKind, int> Rejections => _server.Rejections;

    public override bool TrainsOnMergedBase => _server.Strategy.ClientStart == ClientStart.FreshAdapterOnMergedBase;

    public override IReadOnlyList<ClientJob> BeginRound()
    {
        var plan = _server.BeginRound();
        var jobs = new List<ClientJob>(plan.Clients.Count);
        foreach (var assignment in plan.Clients)
        {
            var profile = assignment.Profile;
            var start = assignment.InitialAdapter ?? _trainer.FreshAdapter(plan.Round, profile.ClientId, profile.Rank, profile.Alpha);
            // FedHyper-CL aligns local steps with the last global update only when it lives in the client's own layout (FedIT).
            var previous = _server.Scheduler.PreviousServerUpdate;
            var direction = previous is not null && previous.HasSameLayout(start.ToParameterSet()) ? previous : null;
            var schedule = _server.Scheduler.CreateLocalSchedule(_server.ClientLearningRate, plan.Clients.Count, direction);
            jobs.Add(new ClientJob(profile.ClientId, start, assignment.LearningRate, schedule));
        }
        return jobs;
    }

    public override ClientResult Train(ClientJob job, LlamaModel worker, CancellationToken cancellation)
    {
        var (adapter, loss) = _optimizer == LocalOptimizer.MeZO
            ? _trainer.TrainMeZo(worker, Round, job.ClientId, job.Start, job.Schedule!, cancellation)
            : _trainer.TrainFirstOrder(worker, Round, job.ClientId, job.Start, job.Schedule!, cancellation);
        if (_interceptor is not null)
        {
            adapter = _interceptor(job.ClientId, Round, adapter) ?? throw new InvalidOperationException($"The update interceptor returned no adapter for client {job.ClientId}.");
        }
        return new ClientResult(job.ClientId, _clients[job.ClientId].Data.Count, loss, adapter, null);
    }

    public override RoundOutcome CompleteRound(IReadOnlyList<ClientResult> results, IReadOnlyList<ClientFailure> failures)
    {
        var summary = _server.CompleteRound(results.Select(r => new ClientUpdate(r.ClientId, r.SampleCount, r.Adapter!)).ToArray(), failures);
        return new RoundOutcome(summary.Accepted, summary.Rejected, summary.ServerMultiplier);
    }

    public override float[] ModuleDelta(string module) => _server.Strategy.GlobalModuleDelta(module);

    public override AdapterUpdate? GlobalAdapter() => _server.Strategy is FactorAveragingStrategy factors ? factors.GlobalAdapter : null;

    public override string ProfilesDescription() => DescribeProfiles(_clients.Count, _server.ProfileOf);

    public override byte[] SaveState() => StateSerializer.ToBytes(_server);

    public override void RestoreState(ReadOnlySpan<byte> state) => StateSerializer.Restore(_server, state);

    internal static string DescribeProfiles(int count, Func<int, ClientProfile> profileOf)
    {
        var hash = new StableHash();
        for (var client = 0; client < count; client++)
        {
            var profile = profileOf(client);
            hash.Add(profile.Rank);
            hash.Add(BitConverter.SingleToInt32Bits(profile.Alpha));
        }
        return hash.ToString();
    }
}

/// <summary>
/// FedKSeed / FedKSeed-Pro: zeroth-order clients on one LoRA adapter of a fixed rank whose PEFT initialisation (from the
/// seed) everyone knows; clients upload K scalar gradients and the global adapter is the initialisation plus the replayed history.
/// </summary>
internal sealed partial class KSeedMethod : SimulatedMethod
{
    private readonly FedKSeedServer _server;
    private readonly ClientSampler _sampler;
    private readonly LocalTrainer _trainer;
    private readonly IReadOnlyList<SimulatedClient> _clients;
    private readonly int _rank;
    private readonly float _alpha;
    private readonly ulong _seed;
    private readonly CommunicationLedger _ledger = new();
    private readonly Dictionary<RejectionKind, int> _rejections = Enum.GetValues<RejectionKind>().ToDictionary(k => k, _ => 0);
    private readonly ILogger _logger;
    private readonly State _state;
    // The number of rounds each client had applied when it last synchronised (−1: never; it then needs the seeds too).
    private int[] _lastSynced;
    private AdapterUpdate _global;
    private SeedPlan? _openPlan;

    public KSeedMethod(FedKSeedServer server, ClientSampler sampler, LocalTrainer trainer, IReadOnlyList<SimulatedClient> clients, int rank, float alpha,
        ulong seed, ILogger logger)
    {
        _server = server;
        _sampler = sampler;
        _trainer = trainer;
        _clients = clients;
        _rank = rank;
        _alpha = alpha;
        _seed = seed;
        _logger = logger;
        _lastSynced = Enumerable.Repeat(-1, clients.Count).ToArray();
        _global = InitialAdapter();
        _state = new State(this);
    }

    public override string Name => _server.Options.ProbabilityDifferentiated ? "FedKSeed-Pro" : "FedKSeed";

    public override int Round => _server.Round;

    public override CommunicationLedger Ledger => _ledger;

    public override IReadOnlyDictionary<RejectionKind, int> Rejections => _rejections;

    public override bool TrainsOnMergedBase => false;

    /// <summary>The fixed starting point every participant regenerates from the seed.</summary>
    public AdapterUpdate InitialAdapter() => _trainer.FreshAdapter(-1, -1, _rank, _alpha);

    public override IReadOnlyList<ClientJob> BeginRound()
    {
        _openPlan = _server.Plan();
        var jobs = new List<ClientJob>();
        foreach (var client in _sampler.Sample(Round))
        {
            // A client replays the rounds it missed: the seeds once (first contact), then each missed round's ΔG.
            var applied = _lastSynced[client];
            var bytes = applied < 0
                ? _server.DownlinkBytes(0)
                : _server.DownlinkBytes(applied) - (applied == 0 ? (long)_server.Seeds.Count * sizeof(ulong) : 0);
            _ledger.Record(Round, client, TransferDirection.Down, bytes, $"{Name} seeds+history");
            _lastSynced[client] = Round;
            jobs.Add(new ClientJob(client, _global, _server.Options.LearningRate, null));
        }
        return jobs;
    }

    public override ClientResult Train(ClientJob job, LlamaModel worker, CancellationToken cancellation)
    {
        var upload = _trainer.TrainKSeed(worker, Round, job.ClientId, job.Start, _openPlan!, _server.Options, cancellation);
        return new ClientResult(job.ClientId, _clients[job.ClientId].Data.Count, upload.MeanLoss, null, upload);
    }

    public override RoundOutcome CompleteRound(IReadOnlyList<ClientResult> results, IReadOnlyList<ClientFailure> failures)
    {
        var round = Round;
        foreach (var result in results)
        {
            _ledger.Record(round, result.ClientId, TransferDirection.Up, result.PayloadBytes, $"{Name} scalars");
        }
        var (accepted, screened) = _server.Screen(results.Select(r => r.Upload!).ToArray());
        var rejected = screened
            .Concat(failures.Select(f => new RejectedUpdate(f.ClientId, RejectionKind.ClientFailure, f.Error)))
            .OrderBy(r => r.ClientId)
            .ToArray();
        foreach (var rejection in rejected)
        {
            _rejections[rejection.Kind]++;
            LogRejected(_logger, round + 1, rejection.ClientId, rejection.Kind, rejection.Reason);
        }
        if (accepted.Count > 0)
        {
            var samples = results.ToDictionary(r => r.ClientId, r => r.SampleCount);
            _server.AggregateRound(accepted.Select(u => (u, (double)samples[u.ClientId])).ToArray());
            _server.Replay(_global.TrainableParameters(), round, round + 1);
        }
        else
        {
            // Nothing to aggregate: the round still advances with a zero increment, so replays stay aligned with round indices.
            _server.AggregateRound([(new ScalarGradientUpload(-1, new float[_server.Seeds.Count], 0, 0, double.NaN), 1.0)]);
        }
        _openPlan = null;
        return new RoundOutcome(accepted.Select(u => u.ClientId).ToArray(), rejected, 1.0);
    }

    public override float[] ModuleDelta(string module) => _global[module].ComputeDelta();

    public override AdapterUpdate? GlobalAdapter() => _global.Clone();

    public override string ProfilesDescription() => ServerMethod.DescribeProfiles(_clients.Count, c => new ClientProfile(c, _rank, _alpha));

    public override byte[] SaveState() => StateSerializer.ToBytes(_state);

    public override void RestoreState(ReadOnlySpan<byte> state)
    {
        StateSerializer.Restore(_state, state);
        _global = InitialAdapter();
        _server.Replay(_global.TrainableParameters(), 0, _server.Round);
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Round {Round}: upload of client {ClientId} rejected ({Kind}): {Reason}")]
    private static partial void LogRejected(ILogger logger, int round, int clientId, RejectionKind kind, string reason);

    /// <summary>The method's checkpoint: the FedKSeed server (seeds, G, history, increments), sampler, ledger, rejections, sync rounds.</summary>
    private sealed class State(KSeedMethod owner) : IStatefulComponent
    {
        public string StateKind => "fedkseed-simulation";

        public void WriteState(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteNumber("rank", owner._rank);
            StateSerializer.WriteUInt64(writer, "seed", owner._seed);
            writer.WriteStartObject("rejections");
            foreach (var kind in Enum.GetValues<RejectionKind>())
            {
                writer.WriteNumber(kind.ToString(), owner._rejections[kind]);
            }
            writer.WriteEndObject();
            writer.WriteStartArray("lastSynced");
            foreach (var round in owner._lastSynced)
            {
                writer.WriteNumberValue(round);
            }
            writer.WriteEndArray();
            foreach (var (name, component) in Components())
            {
                writer.WritePropertyName(name);
                writer.WriteRawValue(StateSerializer.ToBytes(component), skipInputValidation: true);
            }
            writer.WriteEndObject();
        }

        public void ReadState(JsonElement state)
        {
            const string context = "FedKSeed simulation";
            StateSerializer.RequireSameConfiguration(owner._rank, (int)StateSerializer.RequireInt64(state, "rank", context), "the LoRA rank", context);
            StateSerializer.RequireSameConfiguration(owner._seed, StateSerializer.RequireUInt64(state, "seed", context), "the seed", context);
            var synced = StateSerializer.RequireArray(state, "lastSynced", context).EnumerateArray().Select(e => e.GetInt32()).ToArray();
            if (synced.Length != owner._clients.Count)
            {
                throw new FederatedStateException($"{context}: the checkpoint covers {synced.Length} clients, this run has {owner._clients.Count}.");
            }
            foreach (var (name, component) in Components())
            {
                StateSerializer.Restore(component, System.Text.Encoding.UTF8.GetBytes(StateSerializer.Require(state, name, context).GetRawText()));
            }
            var rejections = StateSerializer.Require(state, "rejections", context);
            foreach (var kind in Enum.GetValues<RejectionKind>())
            {
                owner._rejections[kind] = (int)StateSerializer.RequireInt64(rejections, kind.ToString(), context);
            }
            owner._lastSynced = synced;
        }

        private IEnumerable<(string Name, IStatefulComponent Component)> Components() =>
            [("server", owner._server), ("sampler", owner._sampler), ("ledger", owner._ledger)];
    }
}

/// <summary>A 64-bit FNV-1a hash over integers, stable across runs and platforms (checkpoint fingerprints).</summary>
internal sealed class StableHash
{
    private ulong _hash = 0xCBF29CE484222325UL;

    public void Add(long value)
    {
        for (var i = 0; i < 8; i++)
        {
            _hash = (_hash ^ (byte)(value >> (8 * i))) * 0x100000001B3UL;
        }
    }

    public void Add(ReadOnlySpan<float> values)
    {
        foreach (var value in values)
        {
            Add(BitConverter.SingleToInt32Bits(value));
        }
    }

    public override string ToString() => _hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
