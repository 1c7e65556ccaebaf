using DeclFed.Tensors;

namespace DeclFed.Federated.ZerothOrder;

/// <summary>
/// The random direction z ~ N(0, I) of a zeroth-order step, defined element by element: element e of tensor t under
/// seed s is a Box–Muller transform of Philox4x32-10 (<see cref="CounterRandom.Block"/>) with key = s (64 bits) and counter = (e / 4 as 64 bits, t, 0).
/// Server and clients therefore regenerate bit-identical z for the same canonical parameter order, with no RNG state.
/// </summary>
/// <remarks>
/// Each counter yields four 32-bit words; words (0, 1) and (2, 3) are two Box–Muller pairs: u₁ = (x + 1)/2³², u₂ = y/2³²,
/// r = √(−2 ln u₁), giving r·cos(2πu₂) and r·sin(2πu₂). The transform runs in float64 and is rounded once to float32.
/// Every element is computed independently, so the parallel routines split tensors into chunks without changing a bit:
/// each element still sees the same operations in the same order.
/// </remarks>
public static class GaussianDirection
{
    private const double TwoToMinus32 = 1.0 / 4294967296.0;

    /// <summary>Elements per parallel work item (a multiple of 4, so chunks start on counter boundaries).</summary>
    private const int ChunkElements = 1 << 14;

    /// <summary>Writes z[<paramref name="firstElement"/> …] of tensor <paramref name="tensorIndex"/> under <paramref name="seed"/> into <paramref name="destination"/>.</summary>
    public static void Fill(ulong seed, int tensorIndex, long firstElement, Span<float> destination)
    {
        destination.Clear();
        Combine(seed, tensorIndex, firstElement, destination, destination, 1f);
    }

    /// <summary>
    /// <c>destination[i] = origin[i] + scale · z[firstElement + i]</c> (float32 arithmetic) for tensor <paramref name="tensorIndex"/>.
    /// <paramref name="origin"/> and <paramref name="destination"/> may be the same memory.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Combine(ulong seed, int tensorIndex, long firstElement, ReadOnlySpan<float> origin, Span<float> destination, float scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tensorIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(firstElement);
        if (origin.Length != destination.Length)
        {
            throw new ArgumentException($"Tensor {tensorIndex}: the origin holds {origin.Length} values but the destination {destination.Length}.", nameof(destination));
        }
        Span<float> block = stackalloc float[4];
        var i = 0;
        var element = firstElement;
        // Whole counters in the middle take the direct path; a partial counter at either end goes through the block buffer.
        while (i < origin.Length)
        {
            var lane = (int)(element & 3);
            if (lane == 0 && origin.Length - i >= 4)
            {
                var (z0, z1, z2, z3) = GenerateBlock(seed, tensorIndex, element >> 2);
                destination[i] = origin[i] + scale * z0;
                destination[i + 1] = origin[i + 1] + scale * z1;
                destination[i + 2] = origin[i + 2] + scale * z2;
                destination[i + 3] = origin[i + 3] + scale * z3;
                i += 4;
                element += 4;
                continue;
            }
            (block[0], block[1], block[2], block[3]) = GenerateBlock(seed, tensorIndex, element >> 2);
            var take = Math.Min(4 - lane, origin.Length - i);
            for (var j = 0; j < take; j++)
            {
                destination[i + j] = origin[i + j] + scale * block[lane + j];
            }
            i += take;
            element += take;
        }
    }

    /// <summary><c>destination = origin + scale · z</c> over a whole tensor (from element 0).</summary>
    public static void Combine(ulong seed, int tensorIndex, ReadOnlySpan<float> origin, Span<float> destination, float scale) =>
        Combine(seed, tensorIndex, 0, origin, destination, scale);

    /// <summary>Adds <c>scale · z</c> to <paramref name="values"/> (a whole tensor) in place.</summary>
    public static void AddScaled(ulong seed, int tensorIndex, Span<float> values, float scale) => Combine(seed, tensorIndex, 0, values, values, scale);

    /// <summary>
    /// <c>destination = origin + scale · z</c> over a whole tensor, in parallel chunks; bit-identical to <see cref="Combine(ulong, int, ReadOnlySpan{float}, Span{float}, float)"/>.
    /// </summary>
    public static void CombineParallel(ulong seed, int tensorIndex, ReadOnlyMemory<float> origin, Memory<float> destination, float scale)
    {
        if (origin.Length != destination.Length)
        {
            throw new ArgumentException($"Tensor {tensorIndex}: the origin holds {origin.Length} values but the destination {destination.Length}.", nameof(destination));
        }
        var chunks = (origin.Length + ChunkElements - 1) / ChunkElements;
        Parallel.For(0, chunks, chunk =>
        {
            var start = chunk * ChunkElements;
            var length = Math.Min(ChunkElements, origin.Length - start);
            Combine(seed, tensorIndex, start, origin.Span.Slice(start, length), destination.Span.Slice(start, length), scale);
        });
    }

    /// <summary>
    /// Applies <c>values += c_j · z_j</c> for every (seed_j, c_j) of <paramref name="terms"/> in order, to one whole tensor, in
    /// parallel chunks: each chunk stays in cache across all terms, and each element receives the terms in the given order,
    /// so the result is bit-identical to applying the terms one after another.
    /// </summary>
    public static void ApplyTermsParallel(IReadOnlyList<(ulong Seed, float Coefficient)> terms, int tensorIndex, Memory<float> values)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var chunks = (values.Length + ChunkElements - 1) / ChunkElements;
        Parallel.For(0, chunks, chunk =>
        {
            var start = chunk * ChunkElements;
            var slice = values.Span.Slice(start, Math.Min(ChunkElements, values.Length - start));
            foreach (var (seed, coefficient) in terms)
            {
                Combine(seed, tensorIndex, start, slice, slice, coefficient);
            }
        });
    }

    private static (float Z0, float Z1, float Z2, float Z3) GenerateBlock(ulong seed, int tensorIndex, long blockIndex)
    {
        // Counter (block as 64 bits, tensor index, 0) under the 64-bit key: CounterRandom's (seed, stream, block) layout.
        var (x0, x1, x2, x3) = CounterRandom.Block(seed, (uint)tensorIndex, (ulong)blockIndex);
        BoxMuller(x0, x1, out var z0, out var z1);
        BoxMuller(x2, x3, out var z2, out var z3);
        return (z0, z1, z2, z3);
    }

    private static void BoxMuller(uint x, uint y, out float first, out float second)
    {
        var u1 = (x + 1.0) * TwoToMinus32;
        var u2 = y * TwoToMinus32;
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2);
        first = (float)(radius * cos);
        second = (float)(radius * sin);
    }
}
