using System;

namespace NetGen.Kernels;

/// <summary>Inverted dropout: the mask holds 0 or <c>1/(1 - rate)</c> per element.</summary>
public static class Dropout
{
    /// <summary>Draws a mask from <paramref name="rng"/> and writes <c>y = x ⊙ mask</c>.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, Rng rng)
        => throw new NotImplementedException();

    /// <summary><c>dx = dy ⊙ mask</c>; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx)
        => throw new NotImplementedException();
}
