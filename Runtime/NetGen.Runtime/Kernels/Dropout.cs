using System;

namespace NetGen.Kernels;

/// <summary>Inverted dropout: the mask holds 0 or <c>1/(1 - rate)</c> per element.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Dropout
{
    /// <summary>Draws a mask from <paramref name="rng"/> and writes <c>y = x ⊙ mask</c>.</summary>
    /// <remarks>
    /// Each element is kept with probability <c>1 − rate</c>, using one <see cref="Rng.NextDouble"/> draw per
    /// element in order (kept when the draw is ≥ rate). <c>rate == 0</c> gives an all-ones mask and
    /// <c>rate == 1</c> an all-zeros mask; neither consumes randomness. <paramref name="y"/> may be <paramref name="x"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is not in [0, 1].</exception>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, Rng rng)
    {
        if (!(rate >= 0f && rate <= 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1].");
        ArgumentNullException.ThrowIfNull(rng);
        int n = x.Length;
        if (y.Length != n || mask.Length != n)
            throw new ArgumentException($"x, y and mask must have the same length; got {n}, {y.Length}, {mask.Length}.", nameof(mask));
        if (rate == 0f)
        {
            mask.Fill(1f);
            x.CopyTo(y);
            return;
        }
        if (rate == 1f)
        {
            mask.Clear();
            y.Clear();
            return;
        }
        float scale = 1f / (1f - rate);
        for (int i = 0; i < n; i++)
        {
            float m = rng.NextDouble() >= rate ? scale : 0f;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    /// <summary><c>dx = dy ⊙ mask</c>; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx)
    {
        int n = dy.Length;
        if (mask.Length != n || dx.Length != n)
            throw new ArgumentException($"dy, mask and dx must have the same length; got {n}, {mask.Length}, {dx.Length}.", nameof(mask));
        for (int i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
    }
}
