using System;

namespace NetGen.Kernels;

/// <summary>Keras <c>Permute(dims)</c>: reorders the non-batch axes of every sample (LAYERS.md §4).</summary>
/// <remarks>
/// <c>dims</c> is 0-based here (a permutation of 0..r−1 over the per-sample axes; the generator converts Keras'
/// 1-based dims): output axis j is input axis <c>dims[j]</c>. The output is written in order, reading the input with
/// the permuted strides; when the last axis stays last, whole rows are copied.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Permute
{
    /// <summary>Largest supported per-sample rank.</summary>
    public const int MaxRank = 8;

    /// <summary>
    /// <c>y[s, i_dims[0], …, i_dims[r−1]] = x[s, i_0, …, i_{r−1}]</c> for each of the <paramref name="n"/> samples, where
    /// <paramref name="inShape"/> is the per-sample input shape.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int n, ReadOnlySpan<int> inShape, ReadOnlySpan<int> dims)
    {
        int size = CheckShape(n, inShape, dims);
        if (x.Length < (long)n * size) throw new ArgumentException($"x must hold {(long)n * size} floats (n·product of inShape), but has {x.Length}.", nameof(x));
        if (y.Length < (long)n * size) throw new ArgumentException($"y must hold {(long)n * size} floats (n·product of inShape), but has {y.Length}.", nameof(y));
        Gather(x, y, n, size, inShape, dims);
    }

    /// <summary>Backward of <see cref="Forward"/> with the same <paramref name="inShape"/> and <paramref name="dims"/>: <paramref name="dx"/> (overwritten) is <paramref name="dy"/> permuted back.</summary>
    public static void Backward(ReadOnlySpan<float> dy, Span<float> dx, int n, ReadOnlySpan<int> inShape, ReadOnlySpan<int> dims)
    {
        int size = CheckShape(n, inShape, dims);
        if (dy.Length < (long)n * size) throw new ArgumentException($"dy must hold {(long)n * size} floats (n·product of inShape), but has {dy.Length}.", nameof(dy));
        if (dx.Length < (long)n * size) throw new ArgumentException($"dx must hold {(long)n * size} floats (n·product of inShape), but has {dx.Length}.", nameof(dx));
        // The inverse: dy has shape outShape[j] = inShape[dims[j]], and input axis dims[j] is its axis j.
        int r = inShape.Length;
        Span<int> outShape = stackalloc int[MaxRank];
        Span<int> inverse = stackalloc int[MaxRank];
        for (int j = 0; j < r; j++)
        {
            outShape[j] = inShape[dims[j]];
            inverse[dims[j]] = j;
        }
        Gather(dy, dx, n, size, outShape.Slice(0, r), inverse.Slice(0, r));
    }

    /// <summary>Writes the permutation of every sample of <paramref name="source"/> (shape <paramref name="shape"/>) into <paramref name="destination"/> in output order.</summary>
    private static void Gather(ReadOnlySpan<float> source, Span<float> destination, int n, int size, ReadOnlySpan<int> shape, ReadOnlySpan<int> dims)
    {
        int r = shape.Length;
        if (size == 0 || n == 0) return;
        if (r <= 1)
        {
            source.Slice(0, n * size).CopyTo(destination);
            return;
        }
        // Strides of the source, then for each output axis j its extent and the source stride it walks.
        Span<int> inStride = stackalloc int[MaxRank];
        Span<int> extent = stackalloc int[MaxRank];
        Span<int> stride = stackalloc int[MaxRank];
        Span<int> index = stackalloc int[MaxRank];
        inStride[r - 1] = 1;
        for (int a = r - 2; a >= 0; a--) inStride[a] = inStride[a + 1] * shape[a + 1];
        for (int j = 0; j < r; j++)
        {
            extent[j] = shape[dims[j]];
            stride[j] = inStride[dims[j]];
        }
        int inner = extent[r - 1], innerStride = stride[r - 1];
        int outerCount = size / inner;
        for (int s = 0; s < n; s++)
        {
            ReadOnlySpan<float> src = source.Slice(s * size, size);
            Span<float> dst = destination.Slice(s * size, size);
            index.Clear();
            int from = 0; // source offset of the current output row's first element
            for (int row = 0; row < outerCount; row++)
            {
                Span<float> d = dst.Slice(row * inner, inner);
                if (innerStride == 1) src.Slice(from, inner).CopyTo(d);
                else
                    for (int i = 0, f = from; i < inner; i++, f += innerStride) d[i] = src[f];
                // Odometer over the output axes before the last.
                for (int j = r - 2; j >= 0; j--)
                {
                    from += stride[j];
                    if (++index[j] < extent[j]) break;
                    from -= stride[j] * extent[j];
                    index[j] = 0;
                }
            }
        }
    }

    private static int CheckShape(int n, ReadOnlySpan<int> inShape, ReadOnlySpan<int> dims)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"n must be non-negative, but is {n}.");
        int r = inShape.Length;
        if (r > MaxRank) throw new ArgumentException($"inShape must have rank at most {MaxRank}, but has {r} axes.", nameof(inShape));
        if (dims.Length != r) throw new ArgumentException($"dims must hold {r} axes (the rank of inShape), but has {dims.Length}.", nameof(dims));
        int seen = 0;
        for (int j = 0; j < r; j++)
        {
            int d = dims[j];
            if (d < 0 || d >= r || (seen & (1 << d)) != 0)
                throw new ArgumentException($"dims must be a permutation of 0..{r - 1} (0-based per-sample axes); dims[{j}] = {d} is out of range or repeated.", nameof(dims));
            seen |= 1 << d;
        }
        long size = 1;
        for (int a = 0; a < r; a++)
        {
            if (inShape[a] < 0) throw new ArgumentException($"inShape[{a}] must be non-negative, but is {inShape[a]}.", nameof(inShape));
            size *= inShape[a];
        }
        if (size * n > int.MaxValue) throw new ArgumentException($"n·product of inShape = {size * n} exceeds the span limit.", nameof(inShape));
        return (int)size;
    }
}
