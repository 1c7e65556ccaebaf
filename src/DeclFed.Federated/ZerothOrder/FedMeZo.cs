using DeclFed.Federated.Adapters;
using DeclFed.Federated.Randomness;

namespace DeclFed.Federated.ZerothOrder;

/// <summary>What a FedMeZO client's local round did.</summary>
/// <param name="StepsApplied">Steps that updated the adapter.</param>
/// <param name="StepsSkipped">Steps skipped (non-finite loss or clipped difference).</param>
/// <param name="MeanLoss">The mean of (L₊ + L₋)/2 over applied steps (NaN when none applied).</param>
public readonly record struct FedMeZoLocalResult(int StepsApplied, int StepsSkipped, double MeanLoss);

/// <summary>
/// FedMeZO (FederatedScope): MeZO is the local optimiser of the LoRA parameters (memory of inference only), and the server
/// averages the LoRA weights with FedAvg (use <see cref="Aggregation.FedItStrategy"/> for the averaging).
/// </summary>
public static class FedMeZoClient
{
    /// <summary>
    /// Runs <paramref name="steps"/> MeZO steps on <paramref name="adapter"/> (in place). Step k's direction seed is derived
    /// from (seed, round, client, k), so a rerun repeats exactly. <paramref name="lossOfStep"/> evaluates step k's batch.
    /// </summary>
    public static FedMeZoLocalResult Train(AdapterUpdate adapter, Func<int, float> lossOfStep, int steps, float learningRate, MeZoOptions options, ulong seed, int round, int clientId) =>
        Train(adapter, lossOfStep, steps, _ => learningRate, afterStep: null, options, seed, round, clientId);

    /// <summary>
    /// As <see cref="Train(AdapterUpdate, Func{int, float}, int, float, MeZoOptions, ulong, int, int)"/>, with step k's learning
    /// rate from <paramref name="learningRateOfStep"/> and <paramref name="afterStep"/> called after each step (a per-step
    /// schedule such as FedHyper-CL observes the change there).
    /// </summary>
    public static FedMeZoLocalResult Train(AdapterUpdate adapter, Func<int, float> lossOfStep, int steps, Func<int, float> learningRateOfStep,
        Action<int>? afterStep, MeZoOptions options, ulong seed, int round, int clientId)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(lossOfStep);
        ArgumentNullException.ThrowIfNull(learningRateOfStep);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var stepper = new MeZoStep(adapter.TrainableParameters(), options);
        var applied = 0;
        var lossSum = 0.0;
        for (var step = 0; step < steps; step++)
        {
            var k = step;
            var directionSeed = DeterministicRandom.MixKeys(seed, (ulong)round, (ulong)clientId, (ulong)step);
            var result = stepper.Step(directionSeed, () => lossOfStep(k), learningRateOfStep(k));
            if (result.Applied)
            {
                applied++;
                lossSum += 0.5 * ((double)result.LossPlus + result.LossMinus);
            }
            afterStep?.Invoke(k);
        }
        return new FedMeZoLocalResult(applied, steps - applied, applied == 0 ? double.NaN : lossSum / applied);
    }

    /// <summary>
    /// FedMeZO's round-wise personalised learning rate: η_i = η + spread·(L_i − L̄)/max_j |L_j − L̄| from the clients'
    /// last-round losses (clients with higher loss step further); η for everyone when all losses are equal.
    /// </summary>
    public static IReadOnlyDictionary<int, float> RoundWiseLearningRates(float baseLearningRate, float spread, IReadOnlyDictionary<int, double> lastLosses)
    {
        ArgumentNullException.ThrowIfNull(lastLosses);
        var finite = lastLosses.Where(p => double.IsFinite(p.Value)).ToArray();
        if (finite.Length == 0)
        {
            return lastLosses.ToDictionary(p => p.Key, _ => baseLearningRate);
        }
        var mean = finite.Average(p => p.Value);
        var largest = finite.Max(p => Math.Abs(p.Value - mean));
        return lastLosses.ToDictionary(
            p => p.Key,
            p => largest == 0 || !double.IsFinite(p.Value) ? baseLearningRate : (float)(baseLearningRate + spread * (p.Value - mean) / largest));
    }
}
