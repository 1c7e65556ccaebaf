namespace DeclFed;

/// <summary>How the training records are split among the simulated clients.</summary>
public enum Partition
{
    /// <summary>Shuffled, near-equal shards.</summary>
    Iid,

    /// <summary>Per category, client shares drawn from Dirichlet(α): small α gives each client few categories.</summary>
    Dirichlet,

    /// <summary>Each client holds exactly <see cref="FederatedLoraSettings.CategoriesPerClient"/> categories.</summary>
    Pathological,

    /// <summary>IID content, shard sizes log-normal with σ = <see cref="FederatedLoraSettings.QuantitySigma"/>.</summary>
    QuantitySkew,
}
