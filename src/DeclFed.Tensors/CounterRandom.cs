namespace DeclFed.Tensors;

/// <summary>
/// A counter-based random generator (Philox4x32-10): the value at (seed, stream, index) is a pure function of
/// those three numbers, so any element of any tensor can be regenerated bit-identically, in any order, on
/// any machine, on any number of threads. Used for initialisation, dropout masks, sampling and the seeded
/// perturbations of zeroth-order training (the federated library's Gaussian directions draw from <see cref="Block"/> too,
/// so there is one generator in the code base). <see cref="Block"/> is checked against Random123's known-answer vectors.
/// </summary>
public static class CounterRandom
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>The four 32-bit words of block <paramref name="block"/> of stream <paramref name="stream"/>.</summary>
    public static (uint, uint, uint, uint) Block(ulong seed, ulong stream, ulong block)
    {
        uint c0 = (uint)block, c1 = (uint)(block >> 32), c2 = (uint)stream, c3 = (uint)(stream >> 32);
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (var round = 0; round < 10; round++)
        {
            var p0 = (ulong)M0 * c0;
            var p1 = (ulong)M1 * c2;
            var n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            var n1 = (uint)p1;
            var n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            var n3 = (uint)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0; k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>A uniform float in [0, 1) for element <paramref name="index"/> of a stream (24 random bits).</summary>
    public static float Uniform(ulong seed, ulong stream, ulong index)
    {
        var (a, b, c, d) = Block(seed, stream, index >> 2);
        var word = (index & 3) switch { 0 => a, 1 => b, 2 => c, _ => d };
        return (word >> 8) * (1f / (1 << 24));
    }

    /// <summary>Fills <paramref name="values"/> with uniform floats in [<paramref name="low"/>, <paramref name="high"/>); element i is <see cref="Uniform"/>(seed, stream, i).</summary>
    public static void FillUniform(Span<float> values, ulong seed, ulong stream, float low, float high)
    {
        var width = high - low;
        for (var i = 0; i < values.Length; i += 4)
        {
            var (a, b, c, d) = Block(seed, stream, (ulong)i >> 2);
            Span<uint> words = [a, b, c, d];
            var count = Math.Min(4, values.Length - i);
            for (var j = 0; j < count; j++)
            {
                values[i + j] = low + width * ((words[j] >> 8) * (1f / (1 << 24)));
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="values"/> with normal draws N(<paramref name="mean"/>, <paramref name="std"/>²) by Box–Muller;
    /// element i depends only on (seed, stream, i), computed in double and rounded once.
    /// </summary>
    public static void FillNormal(Span<float> values, ulong seed, ulong stream, float mean, float std)
    {
        for (var i = 0; i < values.Length; i += 4)
        {
            var (a, b, c, d) = Block(seed, stream, (ulong)i >> 2);
            var (z0, z1) = BoxMuller(a, b);
            var (z2, z3) = BoxMuller(c, d);
            Span<double> z = [z0, z1, z2, z3];
            var count = Math.Min(4, values.Length - i);
            for (var j = 0; j < count; j++)
            {
                values[i + j] = (float)(mean + std * z[j]);
            }
        }
    }

    /// <summary>A standard normal draw for element <paramref name="index"/>, equal to what <see cref="FillNormal"/> puts there.</summary>
    public static float Normal(ulong seed, ulong stream, ulong index)
    {
        var (a, b, c, d) = Block(seed, stream, index >> 2);
        var (z0, z1) = (index & 2) == 0 ? BoxMuller(a, b) : BoxMuller(c, d);
        return (float)((index & 1) == 0 ? z0 : z1);
    }

    /// <summary>Mixes several integers into one stream id (SplitMix64 finaliser), for naming sub-streams.</summary>
    public static ulong Stream(ulong a, ulong b = 0, ulong c = 0)
    {
        var x = Mix(a) ^ Mix(b + 0x9E3779B97F4A7C15UL) ^ Mix(c + 0x3C6EF372FE94F82AUL);
        return Mix(x);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static (double, double) BoxMuller(uint a, uint b)
    {
        // u1 in (0, 1] so the logarithm is finite.
        var u1 = ((a >> 8) + 1.0) / (1 << 24);
        var u2 = (b >> 8) / (double)(1 << 24);
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var angle = 2.0 * Math.PI * u2;
        return (radius * Math.Cos(angle), radius * Math.Sin(angle));
    }
}
