using DeclFed.Federated.Adapters;
using DeclFed.Federated.Aggregation;

namespace DeclFed.Federated.Robustness;

/// <summary>Why a client update was left out of a round.</summary>
public enum RejectionKind
{
    /// <summary>The modules, their shapes or the rank do not match what the client was assigned.</summary>
    Shape,

    /// <summary>A factor holds NaN or ±∞.</summary>
    NonFinite,

    /// <summary>The update's norm is far outside the round's distribution (robust z-score).</summary>
    NormOutlier,

    /// <summary>The sample count is not positive, or the client is unknown, duplicated or incompatible with the method.</summary>
    Invalid,

    /// <summary>The client failed (threw) during local training.</summary>
    ClientFailure,
}

/// <summary>A rejected update and the reason, for the log and the report.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="Kind">The category.</param>
/// <param name="Reason">A sentence naming what is wrong (module, tensor, value).</param>
public readonly record struct RejectedUpdate(int ClientId, RejectionKind Kind, string Reason);

/// <summary>The updates that count this round and the ones that were left out.</summary>
/// <param name="Accepted">The accepted updates, in client-id order.</param>
/// <param name="Rejected">The rejected ones with reasons.</param>
/// <param name="Norms">‖ΔW_k‖ of every structurally valid update, by client id.</param>
public sealed record ScreeningResult(IReadOnlyList<ClientUpdate> Accepted, IReadOnlyList<RejectedUpdate> Rejected, IReadOnlyDictionary<int, double> Norms);

/// <summary>Settings of <see cref="UpdateScreening"/>.</summary>
public sealed record UpdateScreeningOptions
{
    /// <summary>The robust z-score of the log norm above which an update is an outlier (Iglewicz–Hoaglin recommend 3.5).</summary>
    public double OutlierThreshold { get; init; } = 3.5;

    /// <summary>The fewest valid updates for which the norm test runs (a median of two says nothing).</summary>
    public int MinimumForOutlierTest { get; init; } = 3;

    /// <summary>Whether the norm test runs at all.</summary>
    public bool RejectNormOutliers { get; init; } = true;
}

/// <summary>
/// Screens the updates of a round before aggregation: wrong shapes or rank, NaN/±∞, a non-positive sample count, and norms
/// far outside the round's distribution. The norm is ‖s_k·B_k·A_k‖_F (rank-independent, computed from r × r Gram matrices);
/// the outlier test is the modified z-score 0.6745·|x − median| / MAD of the norms' logarithms (norms of clients with
/// different ranks differ by factors, not offsets), falling back to |x − median| / (1.2533·mean absolute deviation) when the
/// MAD is zero. Rejected updates are reported, and the round goes on with the rest.
/// </summary>
public sealed class UpdateScreening
{
    /// <summary>Creates the screening with <paramref name="options"/> (defaults when null).</summary>
    public UpdateScreening(UpdateScreeningOptions? options = null)
    {
        Options = options ?? new UpdateScreeningOptions();
        if (!(Options.OutlierThreshold > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.OutlierThreshold, "The outlier threshold must be positive.");
        }
    }

    /// <summary>The settings.</summary>
    public UpdateScreeningOptions Options { get; }

    /// <summary>Screens <paramref name="updates"/> against the layout, each client's assigned profile and the strategy's constraints.</summary>
    /// <param name="updates">The round's updates.</param>
    /// <param name="layout">The target modules.</param>
    /// <param name="profiles">The profiles of the clients sampled this round (by id).</param>
    /// <param name="strategy">The aggregation strategy, whose <see cref="IAggregationStrategy.Incompatibility"/> is checked.</param>
    public ScreeningResult Screen(IReadOnlyList<ClientUpdate> updates, AdapterLayout layout, IReadOnlyDictionary<int, ClientProfile> profiles, IAggregationStrategy? strategy = null)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(profiles);
        var rejected = new List<RejectedUpdate>();
        var valid = new List<(ClientUpdate Update, double Norm)>();
        var seen = new HashSet<int>();
        foreach (var update in updates.OrderBy(u => u.ClientId))
        {
            if (!seen.Add(update.ClientId))
            {
                rejected.Add(new(update.ClientId, RejectionKind.Invalid, $"client {update.ClientId} sent more than one update this round"));
                continue;
            }
            if (!profiles.TryGetValue(update.ClientId, out var profile))
            {
                rejected.Add(new(update.ClientId, RejectionKind.Invalid, $"client {update.ClientId} was not sampled this round"));
                continue;
            }
            if (update.SampleCount <= 0)
            {
                rejected.Add(new(update.ClientId, RejectionKind.Invalid, $"the sample count {update.SampleCount} is not positive"));
                continue;
            }
            if (layout.Mismatch(update.Adapter, profile.Rank) is { } mismatch)
            {
                rejected.Add(new(update.ClientId, RejectionKind.Shape, mismatch));
                continue;
            }
            if (update.Adapter.FirstOrDefault(m => m.Alpha != profile.Alpha) is { } scaled)
            {
                rejected.Add(new(update.ClientId, RejectionKind.Shape, $"module '{scaled.Name}' has alpha {scaled.Alpha}, the client's alpha is {profile.Alpha}"));
                continue;
            }
            if (FindNonFinite(update.Adapter) is { } where)
            {
                rejected.Add(new(update.ClientId, RejectionKind.NonFinite, where));
                continue;
            }
            var moduleProblem = update.Adapter
                .Select(m => strategy?.Incompatibility(new ClientProfile(update.ClientId, m.Rank, m.Alpha)) is { } p ? $"module '{m.Name}': {p}" : null)
                .FirstOrDefault(p => p is not null);
            if (moduleProblem is not null)
            {
                rejected.Add(new(update.ClientId, RejectionKind.Invalid, moduleProblem));
                continue;
            }
            var norm = update.Adapter.DeltaNorm();
            if (!double.IsFinite(norm))
            {
                rejected.Add(new(update.ClientId, RejectionKind.NonFinite, "the update's norm overflows"));
                continue;
            }
            valid.Add((update, norm));
        }

        var norms = valid.ToDictionary(v => v.Update.ClientId, v => v.Norm);
        var accepted = new List<ClientUpdate>(valid.Count);
        if (Options.RejectNormOutliers && valid.Count >= Options.MinimumForOutlierTest)
        {
            // On the log scale: norms spread multiplicatively (a rank-64 client's update is naturally several times a rank-4
            // client's), so a fixed z-score threshold means "this many times the typical spread of ratios". A zero update
            // (a client that did not move) scores as an extreme outlier.
            var scores = RobustZScores(valid.Select(v => Math.Log(Math.Max(v.Norm, double.Epsilon))).ToArray());
            for (var i = 0; i < valid.Count; i++)
            {
                if (scores[i] > Options.OutlierThreshold)
                {
                    rejected.Add(new(valid[i].Update.ClientId, RejectionKind.NormOutlier,
                        $"update norm {valid[i].Norm:G4} has robust z-score {scores[i]:G3} > {Options.OutlierThreshold} on the log scale (round median {Median(valid.Select(v => v.Norm).ToArray()):G4})"));
                }
                else
                {
                    accepted.Add(valid[i].Update);
                }
            }
        }
        else
        {
            accepted.AddRange(valid.Select(v => v.Update));
        }
        return new ScreeningResult(accepted, rejected.OrderBy(r => r.ClientId).ToArray(), norms);
    }

    /// <summary>
    /// The modified z-scores |x − median| / (1.4826·MAD) of <paramref name="values"/>, or with 1.2533·(mean absolute deviation)
    /// when the MAD is zero; all zeros when every value is the same.
    /// </summary>
    public static double[] RobustZScores(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var median = Median(values.ToArray());
        var deviations = values.Select(v => Math.Abs(v - median)).ToArray();
        var mad = Median(deviations.ToArray());
        double spread;
        if (mad > 0)
        {
            spread = 1.4826 * mad;
        }
        else
        {
            var meanDeviation = deviations.Average();
            if (meanDeviation == 0)
            {
                return new double[values.Count];
            }
            spread = 1.253314 * meanDeviation;
        }
        return deviations.Select(d => d / spread).ToArray();
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        var n = values.Length;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }

    private static string? FindNonFinite(AdapterUpdate adapter)
    {
        foreach (var module in adapter)
        {
            for (var i = 0; i < module.A.Length; i++)
            {
                if (!float.IsFinite(module.A[i]))
                {
                    return $"module '{module.Name}' lora_A[{i / module.InputFeatures}, {i % module.InputFeatures}] is {module.A[i]}";
                }
            }
            for (var i = 0; i < module.B.Length; i++)
            {
                if (!float.IsFinite(module.B[i]))
                {
                    return $"module '{module.Name}' lora_B[{i / module.Rank}, {i % module.Rank}] is {module.B[i]}";
                }
            }
        }
        return null;
    }
}
