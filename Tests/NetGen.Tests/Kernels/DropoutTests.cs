using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

public class DropoutTests
{
    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.3f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void MaskStatisticsAndExactScale(float rate)
    {
        const int n = 100_000;
        float[] x = TestUtil.Uniform(1, n, -3, 3);
        var y = new float[n];
        var mask = new float[n];
        Dropout.Forward(x, y, mask, rate, new Rng(42));
        float scale = 1f / (1f - rate);
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            Assert.True(mask[i] == 0f || mask[i] == scale, $"mask[{i}] = {mask[i]}");
            Assert.Equal(x[i] * mask[i], y[i]);
            if (mask[i] != 0f) kept++;
        }
        // Kept count ~ Binomial(n, 1 − rate): within 6 standard deviations (false-failure chance < 1e-8).
        double p = 1 - rate, sd = Math.Sqrt(n * p * (1 - p));
        Assert.True(Math.Abs(kept - n * p) <= 6 * sd, $"kept {kept} of {n}, expected {n * p} ± {6 * sd}");
        // No long-range pattern: both halves keep about the same fraction.
        int firstHalf = 0;
        for (int i = 0; i < n / 2; i++) if (mask[i] != 0f) firstHalf++;
        double sdHalf = Math.Sqrt(n / 2 * p * (1 - p));
        Assert.True(Math.Abs(firstHalf - n / 2 * p) <= 6 * sdHalf, $"first half kept {firstHalf}");
    }

    [Fact]
    public void SameSeedSameMaskAndDifferentSeedDifferentMask()
    {
        float[] x = TestUtil.Uniform(2, 1001);
        float[] m1 = new float[1001], m2 = new float[1001], m3 = new float[1001], y = new float[1001];
        Dropout.Forward(x, y, m1, 0.4f, new Rng(9));
        Dropout.Forward(x, y, m2, 0.4f, new Rng(9));
        Dropout.Forward(x, y, m3, 0.4f, new Rng(10));
        Assert.Equal(m1, m2);
        Assert.NotEqual(m1, m3);
    }

    [Fact]
    public void RateZeroIsIdentityAndConsumesNoRandomness()
    {
        float[] x = TestUtil.Uniform(3, 37);
        var y = new float[37];
        var mask = new float[37];
        var rng = new Rng(5);
        Dropout.Forward(x, y, mask, 0f, rng);
        Assert.Equal(x, y);
        Assert.All(mask, v => Assert.Equal(1f, v));
        Assert.Equal(new Rng(5).NextUInt64(), rng.NextUInt64());
    }

    [Fact]
    public void RateOneDropsEverything()
    {
        float[] x = TestUtil.Uniform(4, 9);
        var y = new float[9];
        var mask = new float[9];
        Dropout.Forward(x, y, mask, 1f, new Rng(1));
        Assert.All(y, v => Assert.Equal(0f, v));
        Assert.All(mask, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void BackwardMultipliesByTheMaskInPlace()
    {
        float[] x = TestUtil.Uniform(5, 50);
        var y = new float[50];
        var mask = new float[50];
        Dropout.Forward(x, y, mask, 0.5f, new Rng(77));
        float[] dy = TestUtil.Uniform(6, 50);
        var dx = new float[50];
        Dropout.Backward(dy, mask, dx);
        for (int i = 0; i < 50; i++) Assert.Equal(dy[i] * mask[i], dx[i]);
        Dropout.Backward(dy, mask, dy);
        Assert.Equal(dx, dy);
    }

    [Fact]
    public void InPlaceForwardAndInvalidRate()
    {
        float[] x = TestUtil.Uniform(7, 40);
        float[] copy = (float[])x.Clone();
        var mask = new float[40];
        Dropout.Forward(x, x, mask, 0.25f, new Rng(8));
        for (int i = 0; i < 40; i++) Assert.Equal(copy[i] * mask[i], x[i]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(x, x, mask, 1.5f, new Rng(8)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(x, x, mask, float.NaN, new Rng(8)));
    }
}
