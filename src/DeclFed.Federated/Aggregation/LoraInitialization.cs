using DeclFed.Federated.Adapters;
using DeclFed.Tensors;
using DeclFed.Tensors.Nn;

namespace DeclFed.Federated.Aggregation;

/// <summary>PEFT's default LoRA initialisation, seeded: A ~ Kaiming-uniform(a = √5), i.e. U(−1/√d_in, 1/√d_in), and B = 0.</summary>
public static class LoraInitialization
{
    /// <summary>
    /// A fresh adapter of <paramref name="rank"/> over <paramref name="layout"/>; the same seed gives the same values, and the
    /// same values as the tensor library's <c>new LoraAdapter(model, config, seed)</c> (both draw each A from
    /// <see cref="CounterRandom"/> keyed by the seed and the parameter's name), so server and clients agree on an initialisation.
    /// </summary>
    public static AdapterUpdate Peft(AdapterLayout layout, int rank, float alpha, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var modules = new List<LoraModuleUpdate>(layout.Count);
        foreach (var shape in layout)
        {
            var module = LoraModuleUpdate.Zeros(shape, rank, alpha);
            var bound = 1f / MathF.Sqrt(module.InputFeatures);
            CounterRandom.FillUniform(module.A, seed, LoraWeights.StableHash(shape.Name + ".lora_A.weight"), -bound, bound);
            modules.Add(module);
        }
        return new AdapterUpdate(modules);
    }
}
