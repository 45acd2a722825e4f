using System;

namespace NetGen.Kernels;

/// <summary>Fills weights as Keras' initializers do (fans computed by the generator, Keras <c>compute_fans</c>).</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Initializers
{
    /// <summary>Standard deviation of a unit normal truncated to [−2, 2]; dividing by it restores the intended variance.</summary>
    internal const double TruncationCorrection = 0.87962566103423978;

    /// <summary>Fills <paramref name="weights"/> with draws of <paramref name="kind"/> from <paramref name="rng"/>.</summary>
    /// <remarks>
    /// Keras' VarianceScaling family: variance <c>v = scale / max(1, fan)</c> with glorot (scale 1, fan = (fan_in + fan_out)/2),
    /// he (scale 2, fan_in) and lecun (scale 1, fan_in); uniform kinds draw U(−√(3v), √(3v)); normal kinds draw a normal
    /// with σ = √v / 0.87962566103423978, re-drawing any value outside ±2σ. <see cref="Initializer.RandomUniform"/>,
    /// <see cref="Initializer.RandomNormal"/> and <see cref="Initializer.TruncatedNormal"/> use Keras' defaults (±0.05, σ = 0.05).
    /// The values depend only on the state of <paramref name="rng"/>; the constant kinds draw nothing.
    /// </remarks>
    public static void Fill(Initializer kind, Span<float> weights, int fanIn, int fanOut, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        switch (kind)
        {
            case Initializer.Zeros: weights.Clear(); break;
            case Initializer.Ones: weights.Fill(1f); break;
            case Initializer.RandomUniform: Uniform(weights, 0.05, rng); break;
            case Initializer.RandomNormal: Normal(weights, 0.05, rng); break;
            case Initializer.TruncatedNormal: Truncated(weights, 0.05, rng); break;
            case Initializer.GlorotUniform: Uniform(weights, Math.Sqrt(3 * Variance(1, (fanIn + (double)fanOut) / 2)), rng); break;
            case Initializer.GlorotNormal: Truncated(weights, Math.Sqrt(Variance(1, (fanIn + (double)fanOut) / 2)) / TruncationCorrection, rng); break;
            case Initializer.HeUniform: Uniform(weights, Math.Sqrt(3 * Variance(2, fanIn)), rng); break;
            case Initializer.HeNormal: Truncated(weights, Math.Sqrt(Variance(2, fanIn)) / TruncationCorrection, rng); break;
            case Initializer.LecunUniform: Uniform(weights, Math.Sqrt(3 * Variance(1, fanIn)), rng); break;
            case Initializer.LecunNormal: Truncated(weights, Math.Sqrt(Variance(1, fanIn)) / TruncationCorrection, rng); break;
            case Initializer.Orthogonal: FillOrthogonal(weights, fanIn, rng); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown initializer.");
        }
    }

    /// <summary>
    /// Keras' orthogonal initializer with gain 1 on the weight viewed as (rows, cols), cols = its last axis. The
    /// generator's fan_in is product(shape[:-1]) for the rank-2 weights (Dense, Embedding, recurrent kernels) and
    /// receptive field · input channels for convolution kernels, which is exactly that row count; a weight whose length
    /// fan_in does not divide (a rank-1 weight) is filled as one column.
    /// </summary>
    private static void FillOrthogonal(Span<float> weights, int fanIn, Rng rng)
    {
        if (weights.IsEmpty) return;
        int rows = fanIn >= 1 && weights.Length % fanIn == 0 ? fanIn : weights.Length;
        Orthogonal.Fill(weights, rows, weights.Length / rows, 1.0, rng);
    }

    private static double Variance(double scale, double fan) => scale / Math.Max(1.0, fan);

    private static void Uniform(Span<float> w, double limit, Rng rng)
    {
        for (int i = 0; i < w.Length; i++) w[i] = (float)(limit * (2 * rng.NextDouble() - 1));
    }

    private static void Normal(Span<float> w, double stddev, Rng rng)
    {
        for (int i = 0; i < w.Length; i++) w[i] = (float)(stddev * rng.NextNormal());
    }

    private static void Truncated(Span<float> w, double stddev, Rng rng)
    {
        for (int i = 0; i < w.Length; i++)
        {
            double z;
            do { z = rng.NextNormal(); } while (z < -2.0 || z > 2.0);
            w[i] = (float)(stddev * z);
        }
    }
}
