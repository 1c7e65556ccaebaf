using DeclFed.Federated.Adapters;
using DeclFed.Tensors.Model;

namespace DeclFed.Federated.Simulation;

/// <summary>
/// Moves LoRA factors between the federated side (<see cref="AdapterUpdate"/>, what clients upload and the server hands
/// out) and the tensor engine (<see cref="LoraAdapter"/>, what a model trains). Both use the module names of the model
/// (<c>model.layers.0.self_attn.q_proj</c>) and PEFT's factor names, in the same canonical order, so the bridge is a copy.
/// </summary>
public static class LoraAdapterBridge
{
    /// <summary>
    /// The federated layout of the modules <paramref name="targetModules"/> (short names) wraps in a model of shape
    /// <paramref name="model"/>, in the canonical order of <see cref="LoraAdapter"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A target module does not exist in this model, or the list is empty.</exception>
    public static AdapterLayout Layout(LlamaConfig model, IReadOnlyList<string> targetModules)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(targetModules);
        var probe = LoraAdapter.CreateEmpty(model, new LoraConfig { Rank = 1, Alpha = 1f, TargetModules = targetModules });
        return new AdapterLayout(probe.Modules.Select(m => new LoraModuleShape(m.ModuleName, m.OutFeatures, m.InFeatures)));
    }

    /// <summary>
    /// A trainable adapter for <paramref name="model"/> holding a copy of <paramref name="update"/>'s factors (one rank
    /// and alpha for every module, as clients use), with <paramref name="dropout"/> on the LoRA branch.
    /// </summary>
    /// <exception cref="ArgumentException">The update's modules are not those <paramref name="targetModules"/> wraps, or ranks differ between modules.</exception>
    public static LoraAdapter ToLoraAdapter(AdapterUpdate update, LlamaConfig model, IReadOnlyList<string> targetModules, float dropout = 0f)
    {
        ArgumentNullException.ThrowIfNull(update);
        var rank = update.UniformRank ?? throw new ArgumentException("The adapter's modules have different ranks; a client adapter has one rank.", nameof(update));
        var alpha = update[0].Alpha;
        if (update.Any(m => m.Alpha != alpha))
        {
            throw new ArgumentException("The adapter's modules have different alphas; a client adapter has one alpha.", nameof(update));
        }
        var adapter = LoraAdapter.CreateEmpty(model, new LoraConfig { Rank = rank, Alpha = alpha, Dropout = dropout, TargetModules = targetModules });
        CopyInto(update, adapter);
        return adapter;
    }

    /// <summary>Copies the factors of <paramref name="update"/> into <paramref name="adapter"/> (same modules, ranks and shapes).</summary>
    /// <exception cref="ArgumentException">The module lists or a shape differ (the message names the module).</exception>
    public static void CopyInto(AdapterUpdate update, LoraAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(adapter);
        if (update.Count != adapter.Modules.Count)
        {
            throw new ArgumentException($"The update has {update.Count} modules, the adapter {adapter.Modules.Count}.", nameof(update));
        }
        for (var i = 0; i < update.Count; i++)
        {
            var (source, target) = (update[i], adapter.Modules[i]);
            if (source.Name != target.ModuleName || source.Rank != target.Rank
                || source.InputFeatures != target.InFeatures || source.OutputFeatures != target.OutFeatures)
            {
                throw new ArgumentException(
                    $"Module {i}: the update has '{source.Name}' ({source.OutputFeatures}×{source.InputFeatures}, rank {source.Rank}), " +
                    $"the adapter '{target.ModuleName}' ({target.OutFeatures}×{target.InFeatures}, rank {target.Rank}).", nameof(update));
            }
            source.A.CopyTo(target.A.Value.Span);
            source.B.CopyTo(target.B.Value.Span);
        }
    }

    /// <summary>A copy of <paramref name="adapter"/>'s factors as an update (module names and alphas preserved).</summary>
    public static AdapterUpdate ToAdapterUpdate(LoraAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return new AdapterUpdate(adapter.Modules.Select(m => new LoraModuleUpdate(m.ModuleName, m.Rank, m.Alpha, m.InFeatures, m.OutFeatures,
            m.A.Value.Span.ToArray(), m.B.Value.Span.ToArray())));
    }
}
