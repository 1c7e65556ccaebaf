using DeclFed.Federated.Adapters;
using DeclFed.Tensors.Model;

namespace DeclFed.Federated.Simulation;

/// <summary>The checks a simulation's inputs must pass before anything trains; every message names what is wrong.</summary>
internal static class SimulationValidation
{
    /// <summary>Checks the base, clients and options; returns the layout of the target modules.</summary>
    public static AdapterLayout Check(LlamaWeights baseWeights, IReadOnlyList<SimulatedClient> clients, SimulationOptions options, int samplerClients, string samplerParameter)
    {
        ArgumentNullException.ThrowIfNull(baseWeights);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        if (baseWeights.Parameters.FirstOrDefault(p => p.RequiresGrad) is { } trainable)
        {
            throw new ArgumentException($"The base weights must be frozen (shared read-only by every client), but '{trainable.Name}' requires gradients; call SetRequiresGrad(false).", nameof(baseWeights));
        }
        CheckOptions(options, baseWeights.Config);
        if (clients.Count == 0)
        {
            throw new ArgumentException("The simulation needs at least one client.", nameof(clients));
        }
        if (samplerClients != clients.Count)
        {
            throw new ArgumentException($"The client sampler is configured for {samplerClients} clients, but {clients.Count} clients were given.", samplerParameter);
        }
        for (var i = 0; i < clients.Count; i++)
        {
            var client = clients[i] ?? throw new ArgumentException($"Client {i} is null.", nameof(clients));
            if (client.ClientId != i)
            {
                throw new ArgumentException($"The client at position {i} has id {client.ClientId}; ids must be 0…{clients.Count - 1} in order.", nameof(clients));
            }
            if (client.Data is null || client.Data.Count == 0)
            {
                throw new ArgumentException($"Client {i} has no data; every client needs at least one sequence.", nameof(clients));
            }
            CheckSequences(client.Data, baseWeights.Config.VocabSize, options.Local.SequenceLength, $"client {i}");
        }
        if (options.Validation is { } validation)
        {
            CheckSequences(validation, baseWeights.Config.VocabSize, options.Local.SequenceLength, "the validation set");
        }
        return LoraAdapterBridge.Layout(baseWeights.Config, options.TargetModules);
    }

    /// <summary>Checks that every sequence has at least two tokens, ids inside the vocabulary and at least one counted target.</summary>
    public static void CheckSequences(IReadOnlyList<TrainingSequence> data, int vocabulary, int sequenceLength, string owner)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException($"{Capitalise(owner)} is empty.", nameof(data));
        }
        for (var s = 0; s < data.Count; s++)
        {
            var sequence = data[s] ?? throw new ArgumentException($"{Capitalise(owner)}: sequence {s} is null.", nameof(data));
            var tokens = sequence.Tokens ?? throw new ArgumentException($"{Capitalise(owner)}: sequence {s} has no tokens.", nameof(data));
            if (tokens.Length < 2)
            {
                throw new ArgumentException($"{Capitalise(owner)}: sequence {s} has {tokens.Length} tokens; a training sequence needs at least 2.", nameof(data));
            }
            for (var t = 0; t < tokens.Length; t++)
            {
                if ((uint)tokens[t] >= (uint)vocabulary)
                {
                    throw new ArgumentException($"{Capitalise(owner)}: sequence {s}, position {t}: token {tokens[t]} is outside the vocabulary [0, {vocabulary}).", nameof(data));
                }
            }
            if (sequence.PromptLength < 0 || sequence.PromptLength >= tokens.Length || sequence.PromptLength > sequenceLength)
            {
                throw new ArgumentException(
                    $"{Capitalise(owner)}: sequence {s} has prompt length {sequence.PromptLength} for {tokens.Length} tokens and sequence length {sequenceLength}; " +
                    "it must leave at least one response token inside the sequence length.", nameof(data));
            }
        }
    }

    /// <summary>Checks that <paramref name="rank"/> fits every target module (r ≤ min(d_in, d_out)).</summary>
    public static void CheckRank(AdapterLayout layout, int? client, int rank)
    {
        var who = client is { } id ? $"client {id}" : "the adapter";
        if (rank <= 0)
        {
            throw new ArgumentException($"The LoRA rank of {who} is {rank}; it must be positive.");
        }
        foreach (var module in layout)
        {
            var limit = Math.Min(module.InputFeatures, module.OutputFeatures);
            if (rank > limit)
            {
                throw new ArgumentException($"The LoRA rank {rank} of {who} exceeds min(d_in, d_out) = {limit} of module '{module.Name}' ({module.OutputFeatures}×{module.InputFeatures}).");
            }
        }
    }

    /// <summary>Why the two layouts differ, or null when they list the same modules with the same shapes in the same order.</summary>
    public static string? Difference(AdapterLayout expected, AdapterLayout actual)
    {
        if (expected.Count != actual.Count)
        {
            return $"the model's target modules make {expected.Count} LoRA modules, the server's layout has {actual.Count}";
        }
        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i] != actual[i])
            {
                return $"module {i} is '{actual[i].Name}' ({actual[i].OutputFeatures}×{actual[i].InputFeatures}) in the server's layout, " +
                    $"'{expected[i].Name}' ({expected[i].OutputFeatures}×{expected[i].InputFeatures}) in the model";
            }
        }
        return null;
    }

    private static void CheckOptions(SimulationOptions options, LlamaConfig model)
    {
        if (options.Rounds <= 0)
        {
            throw new ArgumentException($"Rounds is {options.Rounds}; it must be positive.", nameof(options));
        }
        if (options.TargetModules is null || options.TargetModules.Count == 0)
        {
            throw new ArgumentException("TargetModules is empty; name at least one projection (q_proj, v_proj, …).", nameof(options));
        }
        if (options.Parallelism < 0)
        {
            throw new ArgumentException($"Parallelism is {options.Parallelism}; use a positive count or 0 for one per processor.", nameof(options));
        }
        if (options.EvaluateEvery < 0)
        {
            throw new ArgumentException($"EvaluateEvery is {options.EvaluateEvery}; use a positive count or 0 for the last round only.", nameof(options));
        }
        if ((uint)options.PadToken >= (uint)model.VocabSize)
        {
            throw new ArgumentException($"PadToken {options.PadToken} is outside the vocabulary [0, {model.VocabSize}).", nameof(options));
        }
        var local = options.Local ?? throw new ArgumentException("Local is null.", nameof(options));
        if (local.Steps <= 0 || local.BatchSize <= 0)
        {
            throw new ArgumentException($"Local.Steps ({local.Steps}) and Local.BatchSize ({local.BatchSize}) must be positive.", nameof(options));
        }
        if (local.SequenceLength <= 0 || local.SequenceLength > model.MaxPositions)
        {
            throw new ArgumentException($"Local.SequenceLength is {local.SequenceLength}; it must lie in 1…{model.MaxPositions} (the model's max positions).", nameof(options));
        }
        if (!(local.LearningRate > 0) || !float.IsFinite(local.LearningRate))
        {
            throw new ArgumentException($"Local.LearningRate is {local.LearningRate}; it must be a positive finite number.", nameof(options));
        }
        if (!(local.WeightDecay >= 0) || !float.IsFinite(local.WeightDecay))
        {
            throw new ArgumentException($"Local.WeightDecay is {local.WeightDecay}; it must be a non-negative finite number.", nameof(options));
        }
        if (!(local.LoraDropout >= 0 && local.LoraDropout < 1))
        {
            throw new ArgumentException($"Local.LoraDropout is {local.LoraDropout}; it must lie in [0, 1).", nameof(options));
        }
        if (!(local.ZerothOrderEpsilon > 0) || !float.IsFinite(local.ZerothOrderEpsilon))
        {
            throw new ArgumentException($"Local.ZerothOrderEpsilon is {local.ZerothOrderEpsilon}; it must be a positive finite number.", nameof(options));
        }
        if (double.IsNaN(local.MaxGradNorm))
        {
            throw new ArgumentException("Local.MaxGradNorm is NaN.", nameof(options));
        }
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
