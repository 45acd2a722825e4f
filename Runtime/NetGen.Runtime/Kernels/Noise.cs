using System;

namespace NetGen.Kernels;

/// <summary>Training-time noise layers (Keras GaussianNoise, GaussianDropout, AlphaDropout).</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Noise
{
    /// <summary><c>y = x + N(0, stddev²)</c>; the backward pass is the identity.</summary>
    public static void GaussianNoise(ReadOnlySpan<float> x, Span<float> y, float stddev, Rng rng)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] + (float)(stddev * rng.NextNormal());
    }

    /// <summary><c>y = x·n</c>, n ~ N(1, rate/(1 − rate)) saved in <paramref name="mask"/> (backward: <c>Dropout.Backward</c>).</summary>
    public static void GaussianDropout(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, Rng rng)
    {
        double stddev = Math.Sqrt(rate / (1.0 - rate));
        for (int i = 0; i < x.Length; i++)
        {
            float m = rate == 0 ? 1f : (float)(1 + stddev * rng.NextNormal());
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    /// <summary>SELU's saturation value −λα.</summary>
    public const double AlphaPrime = -1.0507009873554805 * 1.6732632423543772;

    /// <summary>
    /// Keras AlphaDropout: kept (uniform ≥ rate) values become <c>a·x + b</c>, dropped ones <c>a·α' + b</c>, with
    /// <c>a = ((1 − rate)(1 + rate·α'²))^(−1/2)</c>, <c>b = −a·α'·rate</c>. The mask holds <c>a</c> or 0, so the
    /// backward pass is <c>Dropout.Backward</c>. Rate 0 is the identity and draws nothing.
    /// </summary>
    public static void AlphaDropout(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, Rng rng)
    {
        if (rate == 0)
        {
            x.CopyTo(y);
            mask.Fill(1);
            return;
        }
        double a = 1 / Math.Sqrt((1 - rate) * (1 + rate * AlphaPrime * AlphaPrime));
        double b = -a * AlphaPrime * rate;
        float dropped = (float)(a * AlphaPrime + b), fa = (float)a, fb = (float)b;
        for (int i = 0; i < x.Length; i++)
        {
            bool keep = rng.NextDouble() >= rate;
            mask[i] = keep ? fa : 0f;
            y[i] = keep ? fa * x[i] + fb : dropped;
        }
    }
}
