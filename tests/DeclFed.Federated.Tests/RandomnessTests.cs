using DeclFed.Federated.Randomness;
using DeclFed.Federated.ZerothOrder;

namespace DeclFed.Federated.Tests;

public sealed class RandomnessTests
{
    [Fact]
    public void Gaussian_direction_is_addressable_element_by_element()
    {
        var whole = new float[37];
        GaussianDirection.Fill(12345678901UL, 3, 0, whole);
        for (var start = 0; start < whole.Length; start++)
        {
            var part = new float[Math.Min(6, whole.Length - start)];
            GaussianDirection.Fill(12345678901UL, 3, start, part);
            Assert.Equal(whole.AsSpan(start, part.Length).ToArray(), part);
        }
        var combined = new float[whole.Length];
        GaussianDirection.AddScaled(12345678901UL, 3, combined, 1f);
        Assert.Equal(whole, combined);
    }

    [Fact]
    public void Parallel_chunked_application_is_bit_identical_to_sequential()
    {
        var random = new DeterministicRandom(1);
        var original = Enumerable.Range(0, 70_001).Select(_ => (float)random.NextGaussian()).ToArray();
        var terms = new (ulong Seed, float Coefficient)[] { (11, 0.5f), (99_999_999_999, -1e-3f), (11, 0.25f) };
        var sequential = (float[])original.Clone();
        foreach (var (seed, coefficient) in terms)
        {
            GaussianDirection.AddScaled(seed, 2, sequential, coefficient);
        }
        var parallel = (float[])original.Clone();
        GaussianDirection.ApplyTermsParallel(terms, 2, parallel);
        Assert.Equal(sequential, parallel);

        var combined = new float[original.Length];
        GaussianDirection.CombineParallel(5, 1, original, combined, 0.1f);
        var expected = new float[original.Length];
        GaussianDirection.Combine(5, 1, original, expected, 0.1f);
        Assert.Equal(expected, combined);
    }

    [Fact]
    public void Gaussian_direction_depends_on_seed_and_tensor_and_is_standard_normal()
    {
        var a = new float[200_000];
        GaussianDirection.Fill(7, 0, 0, a);
        var b = new float[a.Length];
        GaussianDirection.Fill(7, 1, 0, b);
        var c = new float[a.Length];
        GaussianDirection.Fill(8, 0, 0, c);
        Assert.NotEqual(a.Take(16), b.Take(16));
        Assert.NotEqual(a.Take(16), c.Take(16));

        var mean = a.Average(x => (double)x);
        var variance = a.Average(x => ((double)x - mean) * ((double)x - mean));
        var kurtosis = a.Average(x => Math.Pow(x - mean, 4)) / (variance * variance);
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
        Assert.InRange(kurtosis, 2.9, 3.1);
        var correlation = a.Zip(b).Average(p => (double)p.First * p.Second);
        Assert.InRange(correlation, -0.01, 0.01);
    }

    [Fact]
    public void Streams_are_reproducible_and_state_round_trips()
    {
        var first = DeterministicRandom.ForStream(42, 1, 2);
        var second = DeterministicRandom.ForStream(42, 1, 2);
        var other = DeterministicRandom.ForStream(42, 2, 1);
        var x = Enumerable.Range(0, 8).Select(_ => first.NextUInt64()).ToArray();
        Assert.Equal(x, Enumerable.Range(0, 8).Select(_ => second.NextUInt64()));
        Assert.NotEqual(x, Enumerable.Range(0, 8).Select(_ => other.NextUInt64()));

        var saved = first.State;
        var continued = Enumerable.Range(0, 5).Select(_ => first.NextUInt64()).ToArray();
        var restored = DeterministicRandom.FromState(saved);
        Assert.Equal(continued, Enumerable.Range(0, 5).Select(_ => restored.NextUInt64()));
    }

    [Fact]
    public void Bounded_integers_are_uniform_and_gamma_has_the_right_mean()
    {
        var random = new DeterministicRandom(3);
        var counts = new int[7];
        for (var i = 0; i < 70_000; i++)
        {
            counts[random.NextInt32(7)]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 9_400, 10_600));

        foreach (var shape in new[] { 0.3, 1.0, 4.5 })
        {
            var mean = Enumerable.Range(0, 40_000).Average(_ => random.NextGamma(shape));
            Assert.InRange(mean, shape * 0.96, shape * 1.04);
        }
    }
}
