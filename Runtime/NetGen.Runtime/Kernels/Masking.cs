using System;

namespace NetGen.Kernels;

/// <summary>
/// Keras <c>Masking(mask_value)</c> (LAYERS.md §8.1): a step is padding when every feature equals the mask value. The
/// output is the input with padded steps zeroed (Keras multiplies by the boolean mask) and the layer starts a padding
/// mask, a (batch, steps) float tensor with 1 = keep and 0 = padding, which the recurrent kernels read.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Masking
{
    /// <summary>Writes the mask (batch, steps) and the masked output (batch, steps, features); <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, int batch, int steps, int features, float maskValue)
    {
        int n = batch * steps;
        Guard.AtLeast(x.Length, n * features, nameof(x), "batch·steps·features");
        Guard.AtLeast(y.Length, n * features, nameof(y), "batch·steps·features");
        Guard.AtLeast(mask.Length, n, nameof(mask), "batch·steps");
        for (int r = 0; r < n; r++)
        {
            var row = x.Slice(r * features, features);
            bool keep = false;
            for (int f = 0; f < features && !keep; f++) keep = row[f] != maskValue;
            mask[r] = keep ? 1f : 0f;
            var yo = y.Slice(r * features, features);
            if (keep) row.CopyTo(yo);
            else yo.Clear();
        }
    }

    /// <summary>Gradient of <see cref="Forward"/>: <c>dx = dy</c> at kept steps, 0 at padded ones; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx, int batch, int steps, int features)
    {
        int n = batch * steps;
        Guard.AtLeast(dy.Length, n * features, nameof(dy), "batch·steps·features");
        Guard.AtLeast(dx.Length, n * features, nameof(dx), "batch·steps·features");
        Guard.AtLeast(mask.Length, n, nameof(mask), "batch·steps");
        for (int r = 0; r < n; r++)
        {
            var yo = dx.Slice(r * features, features);
            if (mask[r] != 0) dy.Slice(r * features, features).CopyTo(yo);
            else yo.Clear();
        }
    }

    /// <summary>
    /// Writes a padding mask as 1 (a real step) and 0 (padding): <paramref name="mask"/> is any mask the layers pass on
    /// (nonzero = keep; an Embedding's mask is its token ids), <paramref name="keep"/> what the network hands its losses.
    /// </summary>
    public static void Indicator(ReadOnlySpan<float> mask, Span<float> keep, int count)
    {
        Guard.AtLeast(mask.Length, count, nameof(mask), "count");
        Guard.AtLeast(keep.Length, count, nameof(keep), "count");
        for (int i = 0; i < count; i++) keep[i] = mask[i] != 0 ? 1f : 0f;
    }

    /// <summary>Clears a gradient (a layer whose output is read only through its other outputs gets no gradient from it).</summary>
    public static void Zero(Span<float> values, int count)
    {
        Guard.AtLeast(values.Length, count, nameof(values), "count");
        values.Slice(0, count).Clear();
    }
}
