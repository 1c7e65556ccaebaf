using System.Text.Json;
using DeclFed.Federated.Adapters;
using DeclFed.Federated.Aggregation;
using DeclFed.Federated.Communication;
using DeclFed.Federated.Robustness;
using DeclFed.Federated.Sampling;
using DeclFed.Federated.Scheduling;
using DeclFed.Federated.ServerOptimizers;
using DeclFed.Federated.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeclFed.Federated;

/// <summary>What one sampled client receives at the start of a round.</summary>
/// <param name="Profile">Its rank and alpha.</param>
/// <param name="InitialAdapter">The adapter to start from, or null for a fresh PEFT initialisation (see <see cref="IAggregationStrategy.ClientStart"/>).</param>
/// <param name="LearningRate">Its local learning rate this round (from the scheduler).</param>
public sealed record ClientAssignment(ClientProfile Profile, AdapterUpdate? InitialAdapter, float LearningRate);

/// <summary>The start of a round: its index and the sampled clients' assignments (ascending by client id).</summary>
/// <param name="Round">The round index.</param>
/// <param name="Clients">The assignments.</param>
public sealed record RoundPlan(int Round, IReadOnlyList<ClientAssignment> Clients);

/// <summary>A client that failed during local training (it threw): the round goes on without it.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="Error">The error message.</param>
public readonly record struct ClientFailure(int ClientId, string Error);

/// <summary>The outcome of a round, for the log, progress and the report.</summary>
/// <param name="Round">The round index.</param>
/// <param name="Sampled">The sampled clients.</param>
/// <param name="Accepted">The clients whose updates were aggregated.</param>
/// <param name="Rejected">The rejected updates and failures, with reasons.</param>
/// <param name="ServerMultiplier">The scheduler's server learning-rate multiplier this round.</param>
/// <param name="PseudoGradientNorm">‖Δ‖ of the aggregated update before the server step (0 when skipped).</param>
/// <param name="Traffic">Bytes down and up this round.</param>
/// <param name="Skipped">True when no update was accepted and the global model did not change.</param>
public sealed record RoundSummary(int Round, IReadOnlyList<int> Sampled, IReadOnlyList<int> Accepted, IReadOnlyList<RejectedUpdate> Rejected,
    double ServerMultiplier, double PseudoGradientNorm, RoundTraffic Traffic, bool Skipped);

/// <summary>
/// The server side of a federated LoRA run: samples clients, hands out their starting adapters and learning rates, screens
/// the returned updates, aggregates them with the strategy, applies the server optimizer under the learning-rate
/// scheduler, and accounts every byte. Its whole state (round index, strategy, optimizer, scheduler, sampler configuration,
/// ledger, rejection counts) checkpoints to deterministic JSON.
/// </summary>
public sealed partial class FederatedServer : IStatefulComponent
{
    private readonly Func<int, ClientProfile> _profileOf;
    private readonly ILogger _logger;
    private readonly Dictionary<RejectionKind, int> _rejections = Enum.GetValues<RejectionKind>().ToDictionary(k => k, _ => 0);
    private RoundPlan? _openPlan;

    /// <summary>Creates the server.</summary>
    /// <param name="strategy">The aggregation method.</param>
    /// <param name="optimizer">The server optimizer.</param>
    /// <param name="scheduler">The learning-rate scheduler (FedHyper or fixed).</param>
    /// <param name="sampler">The client sampler.</param>
    /// <param name="screening">The update screening.</param>
    /// <param name="ledger">The communication ledger.</param>
    /// <param name="profileOf">Each client's rank and alpha, by id.</param>
    /// <param name="clientLearningRate">The clients' base learning rate.</param>
    /// <param name="logger">Where rejections and round summaries are logged.</param>
    public FederatedServer(IAggregationStrategy strategy, IServerOptimizer optimizer, ILearningRateScheduler scheduler, ClientSampler sampler,
        UpdateScreening screening, CommunicationLedger ledger, Func<int, ClientProfile> profileOf, float clientLearningRate, ILogger? logger = null)
    {
        Strategy = strategy ?? throw new ArgumentNullException(nameof(strategy));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
        Sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
        Screening = screening ?? throw new ArgumentNullException(nameof(screening));
        Ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _profileOf = profileOf ?? throw new ArgumentNullException(nameof(profileOf));
        if (!(clientLearningRate > 0) || !float.IsFinite(clientLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(clientLearningRate), clientLearningRate, "The client learning rate must be a positive finite number.");
        }
        ClientLearningRate = clientLearningRate;
        _logger = logger ?? NullLogger.Instance;
        for (var client = 0; client < sampler.ClientCount; client++)
        {
            var profile = profileOf(client);
            if (profile.ClientId != client)
            {
                throw new ArgumentException($"The profile of client {client} carries id {profile.ClientId}.", nameof(profileOf));
            }
            if (strategy.Incompatibility(profile) is { } problem)
            {
                throw new ArgumentException($"{strategy.Name}: client {client} (rank {profile.Rank}, alpha {profile.Alpha}) cannot take part: {problem}.", nameof(profileOf));
            }
        }
    }

    /// <summary>The aggregation method.</summary>
    public IAggregationStrategy Strategy { get; }

    /// <summary>The server optimizer.</summary>
    public IServerOptimizer Optimizer { get; }

    /// <summary>The learning-rate scheduler.</summary>
    public ILearningRateScheduler Scheduler { get; }

    /// <summary>The client sampler.</summary>
    public ClientSampler Sampler { get; }

    /// <summary>The update screening.</summary>
    public UpdateScreening Screening { get; }

    /// <summary>The communication ledger.</summary>
    public CommunicationLedger Ledger { get; }

    /// <summary>The clients' base learning rate.</summary>
    public float ClientLearningRate { get; }

    /// <summary>The rank and alpha of client <paramref name="clientId"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not one of the sampler's clients.</exception>
    public ClientProfile ProfileOf(int clientId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clientId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(clientId, Sampler.ClientCount);
        return _profileOf(clientId);
    }

    /// <summary>The index of the round in progress (the number of completed rounds).</summary>
    public int Round { get; private set; }

    /// <summary>Rejected updates over the whole run, by kind.</summary>
    public IReadOnlyDictionary<RejectionKind, int> Rejections => _rejections;

    /// <inheritdoc/>
    public string StateKind => "federated-server";

    /// <summary>
    /// Starts round <see cref="Round"/>: samples the clients, prepares their assignments and records the downlink.
    /// Calling it again before <see cref="CompleteRound"/> returns the same plan.
    /// </summary>
    public RoundPlan BeginRound()
    {
        if (_openPlan is { } open && open.Round == Round)
        {
            return open;
        }
        var rate = Scheduler.ClientLearningRate(ClientLearningRate);
        var assignments = new List<ClientAssignment>();
        foreach (var client in Sampler.Sample(Round))
        {
            var profile = _profileOf(client);
            var initial = Strategy.InitialAdapter(profile);
            assignments.Add(new ClientAssignment(profile, initial, rate));
            Ledger.Record(Round, client, TransferDirection.Down, Strategy.DownlinkBytes(profile), $"{Strategy.Name} r={profile.Rank}");
        }
        _openPlan = new RoundPlan(Round, assignments);
        return _openPlan;
    }

    /// <summary>
    /// Completes the open round with the clients' updates (and failures): screens, aggregates what was accepted with p_k
    /// renormalised over it, applies the server step and advances <see cref="Round"/>. With nothing accepted the global model
    /// stays as it was.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="BeginRound"/> was not called for this round.</exception>
    public RoundSummary CompleteRound(IReadOnlyList<ClientUpdate> updates, IReadOnlyList<ClientFailure>? failures = null)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (_openPlan is not { } plan || plan.Round != Round)
        {
            throw new InvalidOperationException($"Round {Round} was not started: call BeginRound first.");
        }
        var profiles = plan.Clients.ToDictionary(c => c.Profile.ClientId, c => c.Profile);
        foreach (var update in updates)
        {
            Ledger.Record(Round, update.ClientId, TransferDirection.Up, update.Adapter.PayloadBytes, $"adapter r={update.Adapter.UniformRank?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "mixed"}");
        }
        var screening = Screening.Screen(updates, Strategy.Layout, profiles, Strategy);
        var rejected = screening.Rejected
            .Concat((failures ?? []).Select(f => new RejectedUpdate(f.ClientId, RejectionKind.ClientFailure, f.Error)))
            .OrderBy(r => r.ClientId)
            .ToArray();
        foreach (var rejection in rejected)
        {
            _rejections[rejection.Kind]++;
            LogRejected(_logger, Round + 1, rejection.ClientId, rejection.Kind, rejection.Reason);
        }

        var skipped = screening.Accepted.Count == 0;
        double norm = 0;
        if (skipped)
        {
            LogSkipped(_logger, Round + 1, updates.Count, failures?.Count ?? 0);
        }
        else
        {
            var weighted = WeightedClientUpdate.BySampleCount(screening.Accepted);
            var pseudoGradient = Strategy.Aggregate(weighted);
            norm = pseudoGradient.Norm();
            var changed = Scheduler.AdjustServerStep(pseudoGradient);
            Optimizer.Step(Strategy.Global, pseudoGradient);
            Strategy.CompleteRound(globalIsPlainAggregate: !changed && Optimizer.IsPlainAverage);
        }
        var summary = new RoundSummary(Round, plan.Clients.Select(c => c.Profile.ClientId).ToArray(), screening.Accepted.Select(u => u.ClientId).ToArray(),
            rejected, Scheduler.ServerMultiplier, norm, Ledger.Round(Round), skipped);
        LogRound(_logger, Round + 1, summary.Accepted.Count, summary.Sampled.Count, rejected.Length, norm, Scheduler.ServerMultiplier,
            CommunicationLedger.FormatBytes(summary.Traffic.DownBytes), CommunicationLedger.FormatBytes(summary.Traffic.UpBytes));
        Round++;
        _openPlan = null;
        return summary;
    }

    /// <inheritdoc/>
    public void WriteState(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("round", Round);
        writer.WriteStartObject("rejections");
        foreach (var kind in Enum.GetValues<RejectionKind>())
        {
            writer.WriteNumber(kind.ToString(), _rejections[kind]);
        }
        writer.WriteEndObject();
        WriteComponent(writer, "strategy", Strategy);
        WriteComponent(writer, "optimizer", Optimizer);
        WriteComponent(writer, "scheduler", Scheduler);
        WriteComponent(writer, "sampler", Sampler);
        WriteComponent(writer, "ledger", Ledger);
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public void ReadState(JsonElement state)
    {
        const string context = "federated server";
        var round = (int)StateSerializer.RequireInt64(state, "round", context);
        if (round < 0)
        {
            throw new FederatedStateException($"{context}: the round index {round} is negative.");
        }
        var rejections = StateSerializer.Require(state, "rejections", context);
        foreach (var kind in Enum.GetValues<RejectionKind>())
        {
            _rejections[kind] = (int)StateSerializer.RequireInt64(rejections, kind.ToString(), context);
        }
        ReadComponent(state, "strategy", Strategy);
        ReadComponent(state, "optimizer", Optimizer);
        ReadComponent(state, "scheduler", Scheduler);
        ReadComponent(state, "sampler", Sampler);
        ReadComponent(state, "ledger", Ledger);
        Round = round;
        _openPlan = null;
    }

    private static void WriteComponent(Utf8JsonWriter writer, string name, IStatefulComponent component)
    {
        writer.WriteStartObject(name);
        writer.WriteString("kind", component.StateKind);
        writer.WritePropertyName("state");
        component.WriteState(writer);
        writer.WriteEndObject();
    }

    private static void ReadComponent(JsonElement state, string name, IStatefulComponent component)
    {
        var element = StateSerializer.Require(state, name, "federated server");
        var kind = StateSerializer.RequireString(element, "kind", name);
        if (!string.Equals(kind, component.StateKind, StringComparison.Ordinal))
        {
            throw new FederatedStateException($"federated server: the checkpoint's {name} is '{kind}', but this run uses '{component.StateKind}'.");
        }
        component.ReadState(StateSerializer.Require(element, "state", name));
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Round {Round}: update of client {ClientId} rejected ({Kind}): {Reason}")]
    private static partial void LogRejected(ILogger logger, int round, int clientId, RejectionKind kind, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Round {Round}: no update accepted ({Updates} received, {Failures} clients failed); the global model is unchanged")]
    private static partial void LogSkipped(ILogger logger, int round, int updates, int failures);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Debug, Message = "Round {Round}: {Accepted}/{Sampled} updates aggregated, {Rejected} rejected, |Δ| = {Norm:G4}, server LR ×{Multiplier:G4}, down {Down}, up {Up}")]
    private static partial void LogRound(ILogger logger, int round, int accepted, int sampled, int rejected, double norm, double multiplier, string down, string up);
}
