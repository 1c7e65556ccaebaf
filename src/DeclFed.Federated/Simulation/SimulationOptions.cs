using DeclFed.Federated.Adapters;
using DeclFed.Federated.Communication;
using DeclFed.Federated.Robustness;

namespace DeclFed.Federated.Simulation;

/// <summary>One training sequence: token ids; the loss counts the targets of tokens at positions ≥ <paramref name="PromptLength"/> (the response only).</summary>
/// <param name="Tokens">The token ids (at least two, so that one target exists).</param>
/// <param name="PromptLength">How many leading tokens are prompt (no loss on predicting them); 0 trains on every token.</param>
public sealed record TrainingSequence(int[] Tokens, int PromptLength);

/// <summary>A simulated client's local data.</summary>
/// <param name="ClientId">Its index, 0…N−1 (the position in the client list).</param>
/// <param name="Data">Its shard (at least one sequence); its size is the client's aggregation weight n_k.</param>
public sealed record SimulatedClient(int ClientId, IReadOnlyList<TrainingSequence> Data);

/// <summary>The optimizer of a client's local training.</summary>
public enum LocalOptimizer
{
    /// <summary>First-order AdamW on the LoRA factors (back-propagation).</summary>
    AdamW,

    /// <summary>Zeroth-order MeZO on the LoRA factors (two forward passes per step, memory of inference only): FedMeZO.</summary>
    MeZO,
}

/// <summary>How each sampled client trains locally in a round.</summary>
public sealed record LocalTrainingOptions
{
    /// <summary>Local optimizer steps per round.</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Sequences per step; a client's data is cycled in a seeded order per (seed, round, client).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Positions per sequence (longer sequences are truncated, shorter ones padded and masked).</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>The base learning rate; the server's scheduler (FedHyper SL) may change it per round, CL per step.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Decoupled weight decay of AdamW (λ of MeZO).</summary>
    public float WeightDecay { get; init; }

    /// <summary>Clip the global gradient norm of a step to this (≤ 0 disables clipping; AdamW only).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Dropout on the LoRA branch's input while training (AdamW only; zeroth-order losses run without dropout).</summary>
    public float LoraDropout { get; init; }

    /// <summary>The local optimizer.</summary>
    public LocalOptimizer Optimizer { get; init; } = LocalOptimizer.AdamW;

    /// <summary>The MeZO perturbation scale ε (FedKSeed takes ε from its server options, which clients and server share).</summary>
    public float ZerothOrderEpsilon { get; init; } = 1e-3f;
}

/// <summary>Settings of a federated simulation.</summary>
public sealed record SimulationOptions
{
    /// <summary>The total number of rounds.</summary>
    public required int Rounds { get; init; }

    /// <summary>The LoRA target modules by short name (<c>q_proj</c>, <c>v_proj</c>, …).</summary>
    public required IReadOnlyList<string> TargetModules { get; init; }

    /// <summary>Local training.</summary>
    public LocalTrainingOptions Local { get; init; } = new();

    /// <summary>Clients trained at once; 0 = <see cref="Environment.ProcessorCount"/>.</summary>
    public int Parallelism { get; init; }

    /// <summary>The seed every random choice of the engine derives from (data order, fresh adapters, dropout, MeZO directions).</summary>
    public ulong Seed { get; init; }

    /// <summary>The token that pads short sequences (its targets are masked).</summary>
    public int PadToken { get; init; }

    /// <summary>Sequences on which the global model's loss is measured after rounds (null = none).</summary>
    public IReadOnlyList<TrainingSequence>? Validation { get; init; }

    /// <summary>Evaluate every this many rounds (and after the last); 0 = only after the last round.</summary>
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>Where round checkpoints go (null = none); a run resumes from it when it holds one.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>
    /// Fault injection for tests and robustness drills: called with (client, round, trained adapter) on the client's worker
    /// after local training; its result is what the client uploads, and an exception it throws counts as the client failing.
    /// Not used by FedKSeed (its clients upload scalars, not adapters).
    /// </summary>
    public Func<int, int, AdapterUpdate, AdapterUpdate>? UpdateInterceptor { get; init; }
}

/// <summary>Progress of a running simulation, reported after each client of a round finishes.</summary>
/// <param name="Round">The round in progress (0-based).</param>
/// <param name="Rounds">The total number of rounds.</param>
/// <param name="ClientsDone">Clients of this round finished (trained, failed, or found in the checkpoint).</param>
/// <param name="ClientsInRound">Clients sampled this round.</param>
/// <param name="MeanLoss">The mean local training loss of the clients finished so far, or null when none has.</param>
/// <param name="BytesDown">Bytes sent to this round's clients.</param>
/// <param name="BytesUp">Bytes uploaded by this round's finished clients so far.</param>
public sealed record SimulationProgress(int Round, int Rounds, int ClientsDone, int ClientsInRound, double? MeanLoss, long BytesDown, long BytesUp);

/// <summary>The outcome of one round.</summary>
/// <param name="Round">The round index.</param>
/// <param name="Sampled">The sampled clients, ascending.</param>
/// <param name="Accepted">The clients whose updates were aggregated.</param>
/// <param name="Rejected">Rejected updates and failed clients, with reasons.</param>
/// <param name="MeanTrainingLoss">The mean local training loss over the clients that returned an update (NaN when none did).</param>
/// <param name="ValidationLoss">The global model's validation loss after the round, when evaluated.</param>
/// <param name="BytesDown">Bytes sent to clients this round.</param>
/// <param name="BytesUp">Bytes clients uploaded this round.</param>
/// <param name="ServerMultiplier">The scheduler's server learning-rate multiplier this round.</param>
/// <param name="Seconds">Wall-clock seconds of the round (the only field that is not deterministic).</param>
public sealed record RoundReport(int Round, IReadOnlyList<int> Sampled, IReadOnlyList<int> Accepted, IReadOnlyList<RejectedUpdate> Rejected,
    double MeanTrainingLoss, double? ValidationLoss, long BytesDown, long BytesUp, double ServerMultiplier, double Seconds);

/// <summary>What a completed simulation produced.</summary>
public sealed class SimulationResult
{
    internal SimulationResult(IReadOnlyList<RoundReport> rounds, CommunicationLedger ledger, IReadOnlyDictionary<RejectionKind, int> rejections, int resumedFromRound)
    {
        Rounds = rounds;
        Ledger = ledger;
        Rejections = rejections;
        ResumedFromRound = resumedFromRound;
        FinalValidationLoss = rounds.Count > 0 ? rounds[^1].ValidationLoss : null;
    }

    /// <summary>Every round, including those completed before a resume.</summary>
    public IReadOnlyList<RoundReport> Rounds { get; }

    /// <summary>Bytes down and up per client per round.</summary>
    public CommunicationLedger Ledger { get; }

    /// <summary>Rejected updates and failed clients over the whole run, by kind.</summary>
    public IReadOnlyDictionary<RejectionKind, int> Rejections { get; }

    /// <summary>The number of rounds the checkpoint held when this run started (0 when not resumed).</summary>
    public int ResumedFromRound { get; }

    /// <summary>The validation loss after the last round, or null when it was not evaluated.</summary>
    public double? FinalValidationLoss { get; }
}
