using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

public class InitializerTests
{
    private const int N = 200_000;
    private const double C = 0.87962566103423978;

    private static float[] Draw(Initializer kind, int fanIn, int fanOut, ulong seed = 7, int count = N)
    {
        var w = new float[count];
        Initializers.Fill(kind, w, fanIn, fanOut, new Rng(seed));
        return w;
    }

    private static (double Mean, double Var, double MaxAbs) Stats(float[] w)
    {
        double s = 0, s2 = 0, max = 0;
        foreach (float v in w) { s += v; s2 += (double)v * v; max = Math.Max(max, Math.Abs(v)); }
        double mean = s / w.Length;
        return (mean, s2 / w.Length, max); // second moment about 0 (the true mean is 0)
    }

    /// <summary>
    /// Checks a symmetric distribution with the given second moment <paramref name="m2"/> and fourth moment
    /// <paramref name="m4"/>: sample mean within 6 standard errors (√(m2/N)) of 0 and sample second moment within
    /// 6 standard errors (√((m4 − m2²)/N)) of m2. A false failure has probability below 1e-8 per check; a wrong
    /// scale (e.g. fan_in instead of (fan_in + fan_out)/2, a missing 0.8796 correction, or clipping instead of
    /// re-drawing) moves the second moment by many percent, i.e. by dozens of standard errors.
    /// </summary>
    private static void CheckMoments(float[] w, double m2, double m4, double bound, string what)
    {
        (double mean, double var, double max) = Stats(w);
        Assert.True(max <= bound * (1 + 1e-6), $"{what}: max |w| = {max} exceeds {bound}");
        Assert.True(max >= bound * 0.99, $"{what}: max |w| = {max} never approaches the bound {bound}");
        Assert.True(Math.Abs(mean) <= 6 * Math.Sqrt(m2 / w.Length), $"{what}: mean {mean}");
        double se = Math.Sqrt((m4 - m2 * m2) / w.Length);
        Assert.True(Math.Abs(var - m2) <= 6 * se, $"{what}: second moment {var}, expected {m2} ± {6 * se}");
    }

    private static void Uniform(float[] w, double limit, string what)
        => CheckMoments(w, limit * limit / 3, Math.Pow(limit, 4) / 5, limit, what);

    // Unit normal truncated to [−2, 2]: m2 = 1 − 2aφ(a)/Z, m4 = 3·m2 − 2a³φ(a)/Z with a = 2, Z = erf(√2).
    private static readonly double Phi2 = Math.Exp(-2) / Math.Sqrt(2 * Math.PI);
    private static readonly double Z2 = Activations.Erf(Math.Sqrt(2));
    private static readonly double TruncM2 = 1 - 4 * Phi2 / Z2;
    private static readonly double TruncM4 = 3 * TruncM2 - 16 * Phi2 / Z2;

    private static void Truncated(float[] w, double sigma, string what)
        => CheckMoments(w, sigma * sigma * TruncM2, Math.Pow(sigma, 4) * TruncM4, 2 * sigma, what);

    [Fact]
    public void TruncationConstantIsTheStdDevOfTheTruncatedUnitNormal()
        => TestUtil.Close(C * C, TruncM2, 1e-12, 0, "0.87962566103423978²");

    [Fact]
    public void WorkedConstantsE15()
    {
        // glorot_uniform Dense 784→128: limit 0.0811107.
        Uniform(Draw(Initializer.GlorotUniform, 784, 128), 0.0811107, "glorot_uniform 784→128");
        // glorot_normal Dense 784→128: σ = 0.0532377 (truncated at ±2σ).
        Truncated(Draw(Initializer.GlorotNormal, 784, 128), 0.0532377, "glorot_normal 784→128");
        // he_normal Conv2D 3×3×1 (fan_in 9): σ = 0.5359149, values within ±1.0718298.
        Truncated(Draw(Initializer.HeNormal, 9, 288), 0.5359149, "he_normal 3×3×1");
    }

    [Theory]
    [InlineData(784, 128)]
    [InlineData(10, 3)]
    [InlineData(0, 0)] // fans below 1 are treated as 1, as Keras does
    public void VarianceScalingFamily(int fanIn, int fanOut)
    {
        double fanAvg = Math.Max(1, (fanIn + fanOut) / 2.0), fi = Math.Max(1, fanIn);
        Uniform(Draw(Initializer.GlorotUniform, fanIn, fanOut), Math.Sqrt(3 / fanAvg), "glorot_uniform");
        Uniform(Draw(Initializer.HeUniform, fanIn, fanOut), Math.Sqrt(6 / fi), "he_uniform");
        Uniform(Draw(Initializer.LecunUniform, fanIn, fanOut), Math.Sqrt(3 / fi), "lecun_uniform");
        Truncated(Draw(Initializer.GlorotNormal, fanIn, fanOut), Math.Sqrt(1 / fanAvg) / C, "glorot_normal");
        Truncated(Draw(Initializer.HeNormal, fanIn, fanOut), Math.Sqrt(2 / fi) / C, "he_normal");
        Truncated(Draw(Initializer.LecunNormal, fanIn, fanOut), Math.Sqrt(1 / fi) / C, "lecun_normal");
    }

    [Fact]
    public void FixedDistributions()
    {
        Uniform(Draw(Initializer.RandomUniform, 5, 5), 0.05, "random_uniform");
        Truncated(Draw(Initializer.TruncatedNormal, 5, 5), 0.05, "truncated_normal");
        // Untruncated normal, σ = 0.05: m2 = σ², m4 = 3σ⁴; the max of 200k draws is about 4.5σ.
        float[] w = Draw(Initializer.RandomNormal, 5, 5);
        (double mean, double m2, double max) = Stats(w);
        double s2 = 0.05 * 0.05;
        Assert.True(Math.Abs(mean) <= 6 * 0.05 / Math.Sqrt(N), $"random_normal mean {mean}");
        Assert.True(Math.Abs(m2 - s2) <= 6 * Math.Sqrt(2 * s2 * s2 / N), $"random_normal m2 {m2}");
        Assert.True(max > 3.5 * 0.05 && max < 7 * 0.05, $"random_normal max {max}");
        Assert.All(Draw(Initializer.Zeros, 3, 3, count: 17), v => Assert.Equal(0f, v));
        Assert.All(Draw(Initializer.Ones, 3, 3, count: 17), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void DeterministicForARngState()
    {
        foreach (Initializer kind in Enum.GetValues<Initializer>())
        {
            Assert.Equal(Draw(kind, 30, 20, seed: 5, count: 301), Draw(kind, 30, 20, seed: 5, count: 301));
            if (kind is not (Initializer.Zeros or Initializer.Ones))
                Assert.NotEqual(Draw(kind, 30, 20, seed: 5, count: 301), Draw(kind, 30, 20, seed: 6, count: 301));
        }
        // Constant kinds consume no randomness.
        var rng = new Rng(3);
        Initializers.Fill(Initializer.Ones, new float[10], 1, 1, rng);
        Assert.Equal(new Rng(3).NextUInt64(), rng.NextUInt64());
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializers.Fill((Initializer)99, new float[1], 1, 1, new Rng(1)));
    }
}
