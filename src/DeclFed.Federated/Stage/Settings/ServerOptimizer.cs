namespace DeclFed;

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
