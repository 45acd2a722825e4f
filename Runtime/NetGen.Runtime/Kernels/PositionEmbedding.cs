using System;
using System.ComponentModel;

namespace NetGen.Kernels;

/// <summary>
/// Keras Hub <c>PositionEmbedding</c>: the output is the first <c>length</c> rows of the <c>embeddings
/// (sequence_length, dim)</c> weight, broadcast over the batch (it depends on the input's shape only).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PositionEmbedding
{
    /// <summary><c>y[b, t, d] = embeddings[t, d]</c> for t &lt; <paramref name="length"/>.</summary>
    public static void Forward(ReadOnlySpan<float> embeddings, Span<float> y, int batch, int length, int dim)
    {
        int size = Check(embeddings.Length, batch, length, dim);
        Guard.AtLeast(y.Length, batch * size, nameof(y), "batch·length·dim");
        ReadOnlySpan<float> rows = embeddings.Slice(0, size);
        for (int b = 0; b < batch; b++) rows.CopyTo(y.Slice(b * size, size));
    }

    /// <summary>
    /// <c>dEmbeddings[t, d] = Σ_b dy[b, t, d]</c> for t &lt; <paramref name="length"/>, 0 for the rows past it (overwritten).
    /// <paramref name="dx"/>, when not empty, is cleared: the output does not depend on the input's values.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dy, Span<float> dEmbeddings, Span<float> dx, int batch, int length, int dim)
    {
        int size = Check(dEmbeddings.Length, batch, length, dim);
        Guard.AtLeast(dy.Length, batch * size, nameof(dy), "batch·length·dim");
        dEmbeddings.Clear();
        Span<float> rows = dEmbeddings.Slice(0, size);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> d = dy.Slice(b * size, size);
            for (int i = 0; i < size; i++) rows[i] += d[i];
        }
        if (!dx.IsEmpty)
        {
            Guard.AtLeast(dx.Length, batch * size, nameof(dx), "batch·length·dim");
            dx.Slice(0, batch * size).Clear();
        }
    }

    private static int Check(int embeddings, int batch, int length, int dim)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "length must be at least 1.");
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be at least 1.");
        Guard.AtLeast(embeddings, length * dim, "embeddings", "length·dim");
        return length * dim;
    }
}
