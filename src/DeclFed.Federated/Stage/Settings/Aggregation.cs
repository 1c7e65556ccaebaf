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
