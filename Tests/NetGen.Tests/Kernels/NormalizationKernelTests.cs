using System;
using System.Linq;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>LAYERS.md E11 and E15, noise statistics, and the embedding kernel.</summary>
public class NormalizationKernelTests
{
    [Fact]
    public void E11_BatchNormalizationTrainingStepAndInference()
    {
        var x = new float[] { 1, 2, 3, 6 };
        var y = new float[4];
        var movingMean = new float[] { 0 };
        var movingVariance = new float[] { 1 };
        var mean = new float[1];
        var inv = new float[1];
        BatchNormalization.TrainingForward(x, default, default, movingMean, movingVariance, mean, inv, y, 4, 1, 0.99f, 1e-3f);
        Assert.Equal(new[] { -1.0688923, -0.5344461, 0, 1.6033384 }, y.Select(v => (double)v), new Tolerance(2e-6));
        Assert.Equal(0.03, movingMean[0], 6);
        Assert.Equal(1.025, movingVariance[0], 6);
        BatchNormalization.InferenceForward(x, default, default, movingMean, movingVariance, y, 4, 1, 1e-3f);
        Assert.Equal(new[] { 0.9576307, 1.9448788, 2.9321269, 5.8938713 }, y.Select(v => (double)v), new Tolerance(2e-6));
    }

    [Fact]
    public void E11_LayerNormalization()
    {
        var x = new float[] { 1, 2, 3, 6 };
        var y = new float[4];
        LayerNormalization.Forward(x, default, default, y, default, default, 1, 4, 1e-3f);
        Assert.Equal(new[] { -1.0688923, -0.5344461, 0, 1.6033384 }, y.Select(v => (double)v), new Tolerance(2e-6));
        LayerNormalization.Forward(x, default, default, y, default, default, 1, 4, 1e-5f);
        Assert.Equal(new[] { -1.0690434, -0.5345217, 0, 1.6035652 }, y.Select(v => (double)v), new Tolerance(2e-6));
    }

    [Theory]
    [InlineData(0.1, 0.9212845161, 0.1619709701, -1.4577387305)]
    [InlineData(0.2, 0.8789035834, 0.3090399621, -1.2361598486)]
    public void E15_AlphaDropoutConstants(double rate, double a, double b, double dropped)
    {
        var x = Enumerable.Range(0, 4000).Select(i => (float)(i % 7) - 3).ToArray();
        var y = new float[x.Length];
        var mask = new float[x.Length];
        Noise.AlphaDropout(x, y, mask, (float)rate, new Rng(1));
        for (int i = 0; i < x.Length; i++)
        {
            if (mask[i] == 0) Assert.Equal(dropped, y[i], 6);
            else
            {
                Assert.Equal(a, mask[i], 6);
                Assert.Equal(a * x[i] + b, y[i], 5);
            }
        }
        // The kept fraction is 1 − rate within 5 standard errors (sqrt(rate·(1 − rate)/4000) ≈ 0.0047 / 0.0063).
        double kept = mask.Count(m => m != 0) / (double)x.Length;
        Assert.InRange(kept, 1 - rate - 5 * Math.Sqrt(rate * (1 - rate) / x.Length), 1 - rate + 5 * Math.Sqrt(rate * (1 - rate) / x.Length));
    }

    [Fact]
    public void AlphaDropoutKeepsStandardNormalDataStandard()
    {
        const int n = 200_000;
        var rng = new Rng(2);
        var x = Enumerable.Range(0, n).Select(_ => (float)rng.NextNormal()).ToArray();
        var y = new float[n];
        Noise.AlphaDropout(x, y, new float[n], 0.2f, new Rng(3));
        double mean = y.Average(v => (double)v), variance = y.Average(v => (v - mean) * (v - mean));
        // Standard error of the mean ≈ 1/sqrt(n) = 0.0022, of the variance ≈ sqrt(2/n)·(kurtosis term) < 0.006.
        Assert.InRange(mean, -0.011, 0.011);
        Assert.InRange(variance, 0.97, 1.03);
    }

    [Fact]
    public void GaussianNoiseAndGaussianDropoutStatistics()
    {
        const int n = 200_000;
        var ones = Enumerable.Repeat(1f, n).ToArray();
        var y = new float[n];
        Noise.GaussianNoise(ones, y, 0.5f, new Rng(4));
        double mean = y.Average(v => (double)v), variance = y.Average(v => (v - mean) * (v - mean));
        // mean 1 ± 5·0.5/sqrt(n) = 0.0056; variance 0.25 ± 5·0.25·sqrt(2/n) = 0.004.
        Assert.InRange(mean, 1 - 0.0056, 1 + 0.0056);
        Assert.InRange(variance, 0.25 - 0.004, 0.25 + 0.004);
        var mask = new float[n];
        Noise.GaussianDropout(ones, y, mask, 0.2f, new Rng(5));
        mean = y.Average(v => (double)v);
        variance = y.Average(v => (v - mean) * (v - mean));
        // N(1, 0.25): the same bounds.
        Assert.InRange(mean, 1 - 0.0056, 1 + 0.0056);
        Assert.InRange(variance, 0.25 - 0.004, 0.25 + 0.004);
        Assert.Equal(y, mask);
        var again = new float[n];
        Noise.GaussianDropout(ones, again, new float[n], 0.2f, new Rng(5));
        Assert.Equal(y, again); // same seed, same noise
    }

    [Fact]
    public void EmbeddingRejectsBadIdsBeforeWritingAndAccumulatesDuplicates()
    {
        var table = Enumerable.Range(0, 12).Select(v => (float)v).ToArray(); // 4 rows of 3
        var y = new float[9];
        Embedding.Forward(new float[] { 2, 0, 2 }, table, y, 3, 4, 3);
        Assert.Equal(new float[] { 6, 7, 8, 0, 1, 2, 6, 7, 8 }, y);
        foreach (var bad in new[] { -1f, 4f, 2.5f })
        {
            var untouched = Enumerable.Repeat(9f, 9).ToArray();
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Forward(new float[] { 1, bad, 0 }, table, untouched, 3, 4, 3));
            Assert.Equal("input", e.ParamName);
            Assert.Contains("position 1", e.Message);
            Assert.Contains(bad.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
            Assert.All(untouched, v => Assert.Equal(9f, v));
        }
        var dTable = Enumerable.Repeat(5f, 12).ToArray();
        Embedding.BackwardWeights(new float[] { 2, 0, 2 }, new float[] { 1, 1, 1, 2, 2, 2, 3, 3, 3 }, dTable, 3, 4, 3);
        Assert.Equal(new float[] { 2, 2, 2, 0, 0, 0, 4, 4, 4, 0, 0, 0 }, dTable);
    }
}

internal sealed class Tolerance : System.Collections.Generic.IEqualityComparer<double>
{
    private readonly double _absolute;

    public Tolerance(double absolute) => _absolute = absolute;

    public bool Equals(double x, double y) => Math.Abs(x - y) <= _absolute;

    public int GetHashCode(double obj) => 0;
}

public class LayerNormalizationAxisTests
{
    [Fact]
    public void StridedFormEqualsTheRowFormOnTransposedData()
    {
        // (outer 2, features 3, inner 4) against the same numbers laid out as 8 rows of 3 features.
        int outer = 2, features = 3, inner = 4;
        var rng = new Rng(9);
        var x = Enumerable.Range(0, outer * features * inner).Select(_ => (float)rng.NextNormal()).ToArray();
        var dy = Enumerable.Range(0, x.Length).Select(_ => (float)rng.NextNormal()).ToArray();
        var gamma = new float[] { 0.5f, 1.5f, -1 };
        var beta = new float[] { 0.1f, 0, -0.2f };
        int Rows(int o, int f, int i) => (o * inner + i) * features + f;
        int Strided(int o, int f, int i) => (o * features + f) * inner + i;
        var xr = new float[x.Length];
        var dyr = new float[x.Length];
        for (int o = 0; o < outer; o++) for (int f = 0; f < features; f++) for (int i = 0; i < inner; i++)
        {
            xr[Rows(o, f, i)] = x[Strided(o, f, i)];
            dyr[Rows(o, f, i)] = dy[Strided(o, f, i)];
        }
        var y = new float[x.Length]; var yr = new float[x.Length];
        var m = new float[outer * inner]; var s = new float[outer * inner]; var mr = new float[outer * inner]; var sr = new float[outer * inner];
        LayerNormalization.Forward(x, gamma, beta, y, m, s, outer, features, inner, 1e-3f);
        LayerNormalization.Forward(xr, gamma, beta, yr, mr, sr, outer * inner, features, 1e-3f);
        var dx = new float[x.Length]; var dxr = new float[x.Length];
        var dg = new float[3]; var db = new float[3]; var dgr = new float[3]; var dbr = new float[3];
        LayerNormalization.Backward(x, gamma, m, s, dy, dg, db, dx, outer, features, inner);
        LayerNormalization.Backward(xr, gamma, mr, sr, dyr, dgr, dbr, dxr, outer * inner, features);
        for (int o = 0; o < outer; o++) for (int f = 0; f < features; f++) for (int i = 0; i < inner; i++)
        {
            Assert.Equal(yr[Rows(o, f, i)], y[Strided(o, f, i)], 5);
            Assert.Equal(dxr[Rows(o, f, i)], dx[Strided(o, f, i)], 5);
        }
        for (int f = 0; f < 3; f++)
        {
            Assert.Equal(dgr[f], dg[f], 4);
            Assert.Equal(dbr[f], db[f], 4);
        }
    }
}
