namespace DeclFed;

/// <summary>FedHyper learning-rate adaptation (Wang et al., ICLR 2024), or none (fixed rates).</summary>
public enum FedHyper
{
    /// <summary>Fixed learning rates: the baseline.</summary>
    None,

    /// <summary>G: the server learning rate follows the hypergradient of consecutive global updates.</summary>
    Global,

    /// <summary>GM: as <see cref="Global"/>, with server momentum in the step.</summary>
    GlobalMomentum,

    /// <summary>SL: the server adapts the clients' learning rate from round to round.</summary>
    ServerLocal,

    /// <summary>CL: each client adapts its learning rate step by step inside the round.</summary>
    ClientLocal,

    /// <summary>FULL: GM on the server plus CL on the clients.</summary>
    Full,
}
