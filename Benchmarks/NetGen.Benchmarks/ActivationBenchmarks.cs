using System;
using BenchmarkDotNet.Attributes;
using NetGen.Kernels;

namespace NetGen.Benchmarks;

/// <summary>
/// Element-wise activation kernels against the scalar loops they replaced (copied below as the baseline, so the ratio
/// comes from one run on the same machine state). Run a short job:
/// <c>dotnet run -c Release --project Benchmarks/NetGen.Benchmarks -- --filter '*ActivationBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class ActivationBenchmarks
{
    [Params(4096, 65536)]
    public int Size;

    [Params("Sigmoid", "Tanh", "Swish", "Mish", "GeluTanh", "Softmax", "Gelu")]
    public string Function = "Sigmoid";

    private float[] _x = Array.Empty<float>();
    private float[] _y = Array.Empty<float>();

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _x = new float[Size];
        _y = new float[Size];
        for (int i = 0; i < Size; i++) _x[i] = (float)(rng.NextDouble() * 12 - 6);
    }

    /// <summary>The scalar loops (before vectorization).</summary>
    [Benchmark(Baseline = true)]
    public void Scalar()
    {
        switch (Function)
        {
            case "Sigmoid": ScalarBaseline.Sigmoid(_x, _y); break;
            case "Tanh": ScalarBaseline.Tanh(_x, _y); break;
            case "Swish": ScalarBaseline.Swish(_x, _y); break;
            case "Mish": ScalarBaseline.Mish(_x, _y); break;
            case "GeluTanh": ScalarBaseline.GeluTanh(_x, _y); break;
            case "Gelu": ScalarBaseline.Gelu(_x, _y); break;
            default: ScalarBaseline.Softmax(_x, _y, 512); break;
        }
    }

    /// <summary>The runtime's kernels.</summary>
    [Benchmark]
    public void Kernel()
    {
        switch (Function)
        {
            case "Sigmoid": Activations.Sigmoid(_x, _y); break;
            case "Tanh": Activations.Tanh(_x, _y); break;
            case "Swish": Activations.Swish(_x, _y); break;
            case "Mish": Activations.Mish(_x, _y); break;
            case "GeluTanh": Activations.GeluTanh(_x, _y); break;
            case "Gelu": Activations.Gelu(_x, _y); break;
            default: Activations.Softmax(_x, _y, 512); break;
        }
    }
}

/// <summary>Copies of the scalar activation loops as they were before vectorization (the benchmarks' baseline).</summary>
internal static class ScalarBaseline
{
    private static float SigmoidOf(float v)
    {
        if (v >= 0f) return 1f / (1f + MathF.Exp(-v));
        float e = MathF.Exp(v);
        return e / (1f + e);
    }

    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = SigmoidOf(x[i]);
    }

    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = MathF.Tanh(x[i]);
    }

    public static void Swish(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * SigmoidOf(x[i]);
    }

    public static void Mish(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double e = Math.Exp(v), m = e * (e + 2);
            y[i] = v > 20 ? (float)v : (float)(v * m / (m + 2));
        }
    }

    public static void GeluTanh(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double u = 0.79788456080286535588 * (v + 0.044715 * v * v * v);
            y[i] = (float)(v / (1 + Math.Exp(-2 * u)));
        }
    }

    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int cols)
    {
        for (int r = 0; r < x.Length; r += cols)
        {
            ReadOnlySpan<float> xr = x.Slice(r, cols);
            Span<float> yr = y.Slice(r, cols);
            float max = float.NegativeInfinity;
            for (int j = 0; j < cols; j++) max = Math.Max(max, xr[j]);
            double sum = 0;
            for (int j = 0; j < cols; j++)
            {
                float e = MathF.Exp(xr[j] - max);
                yr[j] = e;
                sum += e;
            }
            float inv = (float)(1.0 / sum);
            for (int j = 0; j < cols; j++) yr[j] *= inv;
        }
    }

    /// <summary>Exact gelu as it was: a scalar double loop over erfc from the series/continued fraction.</summary>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double cdf = Erfc(-v * 0.70710678118654752440);
            y[i] = cdf == 0 ? -0f : (float)(0.5 * v * cdf);
        }
    }

    private static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2.0 - Erfc(-x);
        if (x <= 2.5) return 1.0 - Activations.Erf(x);
        if (x > 27.0) return 0.0;
        double f = x;
        for (int k = 60; k >= 1; k--) f = x + 0.5 * k / f;
        return Math.Exp(-x * x) * 0.56418958354775628 / f;
    }
}
