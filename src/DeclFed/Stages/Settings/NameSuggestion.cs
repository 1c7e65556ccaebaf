using System;
using System.Collections.Generic;

namespace DeclFed.Stages;

/// <summary>
/// The one "did you mean" rule of DeclFed: the compiler diagnostics, the stages' setting checks and the host's
/// configuration errors all suggest the valid name a mistyped one most likely meant with it, so every hint agrees.
/// </summary>
/// <remarks>The generator compiles this same file (it references no runtime assembly).</remarks>
internal static class NameSuggestion
{
    /// <summary>
    /// The candidate closest to <paramref name="name"/> by case-insensitive optimal-string-alignment distance (Levenshtein
    /// plus adjacent transpositions), when it is close enough to be a plausible typo: at most a third of the name's length,
    /// and at least one edit. <see langword="null"/> when none is.
    /// </summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var lowered = name.ToLowerInvariant();
        foreach (var candidate in candidates)
        {
            var distance = Distance(lowered, candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }
        return bestDistance <= Math.Max(1, name.Length / 3) ? best : null;
    }

    /// <summary>A hint inside a sentence: <c> (did you mean 'Clean'?)</c>, or empty when no candidate is close.</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates) =>
        Find(name, candidates) is { } near ? $" (did you mean '{near}'?)" : string.Empty;

    /// <summary>The end of a message listing valid names: <c>; did you mean 'X'?</c> when a candidate is close, else <c>.</c>.</summary>
    public static string Hint(string name, IEnumerable<string> candidates) =>
        Find(name, candidates) is { } near ? $"; did you mean '{near}'?" : ".";

    /// <summary>The optimal string alignment distance between <paramref name="a"/> and <paramref name="b"/> (case-sensitive).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
