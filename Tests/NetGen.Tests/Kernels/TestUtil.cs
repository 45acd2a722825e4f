using System;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>Shared helpers for the kernel tests: deterministic data and tolerance checks with useful messages.</summary>
internal static class TestUtil
{
    /// <summary>Deterministic uniform values in [lo, hi).</summary>
    public static float[] Uniform(int seed, int count, double lo = -1, double hi = 1)
    {
        var r = new Random(seed);
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float)(lo + (hi - lo) * r.NextDouble());
        return v;
    }

    /// <summary>Asserts <c>|actual − expected| ≤ abs + rel·|expected|</c>.</summary>
    public static void Close(double expected, double actual, double rel, double abs, string what)
    {
        double err = Math.Abs(actual - expected);
        if (!(err <= abs + rel * Math.Abs(expected)))
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (error {err:E3} > {abs:E1} + {rel:E1}·|expected|)");
    }

    /// <summary>Element-wise <see cref="Close(double, double, double, double, string)"/>.</summary>
    public static void AllClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], rel, abs, $"{what}[{i}]");
    }

    /// <summary>Central finite difference of <paramref name="f"/> with respect to element <paramref name="i"/> of <paramref name="x"/>.</summary>
    public static double CentralDifference(Func<double[], double> f, double[] x, int i, double h)
    {
        double keep = x[i];
        x[i] = keep + h;
        double up = f(x);
        x[i] = keep - h;
        double down = f(x);
        x[i] = keep;
        return (up - down) / (2 * h);
    }

    public static double[] ToDouble(ReadOnlySpan<float> v)
    {
        var d = new double[v.Length];
        for (int i = 0; i < v.Length; i++) d[i] = v[i];
        return d;
    }
}
