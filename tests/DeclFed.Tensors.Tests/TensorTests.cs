using DeclFed.Tensors;

namespace DeclFed.Tensors.Tests;

public sealed class TensorTests
{
    [Fact]
    public void ShapesAreCheckedAndNamed()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => new Tensor(2, -1));
        var t = new Tensor(2, 3);
        t[1, 2] = 4f;
        Assert.Equal(4f, t.Span[5]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t[2, 0]);
        var error = Assert.Throws<ArgumentException>(() => t.EnsureShape("layer", "input", 3, 2));
        Assert.Equal("layer input has shape [2, 3], expected [3, 2].", error.Message);
        t.Reshape(3, 2);
        Assert.Equal(4f, t[2, 1]);
        Assert.Equal(2, t.Dim(-1));
    }

    [Fact]
    public void PoolReusesBuffersWithoutNewAllocations()
    {
        var pool = new TensorPool();
        Tensor? slot = null;
        pool.Ensure(ref slot, [3, 5]);
        var allocated = pool.AllocatedElements;
        var buffer = slot!.Capacity;
        for (var i = 0; i < 10; i++)
        {
            pool.Ensure(ref slot, [5, 3]);
            pool.Ensure(ref slot, [2, 2]);
        }
        Assert.Equal(allocated, pool.AllocatedElements);
        Assert.Equal(buffer, slot!.Capacity);
        pool.Ensure(ref slot, [100]); // grows to exactly 100
        Assert.Equal(100, slot!.Capacity);
        Assert.Equal(allocated + 100, pool.AllocatedElements);
        var rented = pool.Rent([10]);
        Assert.Equal(16, rented.Capacity); // rented buffers come in power-of-two buckets
        rented.Span[0] = 7f;
        pool.Return(rented);
        Assert.Equal(7f, pool.Rent([12]).Span[0]); // the same buffer again, not cleared unless asked
    }

    [Fact]
    public void CounterRandomIsAPureFunctionOfSeedStreamAndIndex()
    {
        var all = new float[1001];
        CounterRandom.FillNormal(all, 42, 7, 0f, 1f);
        Assert.Equal(all[999], CounterRandom.Normal(42, 7, 999));
        var tail = new float[1001];
        CounterRandom.FillUniform(tail, 42, 7, 0f, 1f);
        Assert.Equal(tail[555], CounterRandom.Uniform(42, 7, 555));
        Assert.All(tail, v => Assert.InRange(v, 0f, 1f));
        var mean = all.Average();
        var variance = all.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.1, 0.1);
        Assert.InRange(variance, 0.85, 1.15);
        var other = new float[1001];
        CounterRandom.FillNormal(other, 43, 7, 0f, 1f);
        Assert.NotEqual(all, other);
    }

    // Known-answer vectors of Philox4x32-10 from Random123's kat_vectors: counter (c0..c3), key (k0, k1), expected output.
    // CounterRandom.Block takes the counter as (block = c1:c0, stream = c3:c2) and the key as seed = k1:k0.
    [Theory]
    [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void CounterRandomIsPhilox4x32_10OfRandom123(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
    {
        static ulong Join(uint low, uint high) => low | ((ulong)high << 32);
        Assert.Equal((e0, e1, e2, e3), CounterRandom.Block(Join(k0, k1), Join(c2, c3), Join(c0, c1)));
    }
}
