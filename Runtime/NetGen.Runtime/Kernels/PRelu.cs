using System;
using System.ComponentModel;

namespace NetGen.Kernels;

/// <summary>
/// Parametric ReLU: <c>y = x</c> for <c>x &gt; 0</c>, else <c>alpha[k] · x</c>, where <c>k</c> is the element's index in
/// the per-sample shape with the shared axes dropped (their <c>alphaStrides</c> entry is 0).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PRelu
{
    /// <summary><c>y = x &gt; 0 ? x : alpha·x</c> for <paramref name="batch"/> samples of <paramref name="shape"/> (<paramref name="y"/> may be <paramref name="x"/>).</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> alpha, Span<float> y, int batch, ReadOnlySpan<int> shape, ReadOnlySpan<int> alphaStrides)
    {
        int size = Size(shape);
        Guard.AtLeast(x.Length, batch * size, nameof(x), "batch × sample size");
        Guard.AtLeast(y.Length, batch * size, nameof(y), "batch × sample size");
        Span<int> index = stackalloc int[shape.Length];
        for (int b = 0; b < batch; b++)
        {
            index.Clear();
            int a = 0;
            int start = b * size;
            for (int i = 0; i < size; i++)
            {
                float v = x[start + i];
                y[start + i] = v > 0 ? v : alpha[a] * v;
                a = Next(index, shape, alphaStrides, a);
            }
        }
    }

    /// <summary>
    /// <c>dx = dy · (x &gt; 0 ? 1 : alpha)</c> (skipped when <paramref name="dx"/> is empty) and
    /// <c>dAlpha[k] = Σ dy · x</c> over the batch, the shared axes and the elements with <c>x ≤ 0</c> (overwritten).
    /// At <c>x = 0</c> the slope taken is alpha's (as PyTorch's <c>prelu</c>).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> alpha, ReadOnlySpan<float> dy, Span<float> dx, Span<float> dAlpha,
        int batch, ReadOnlySpan<int> shape, ReadOnlySpan<int> alphaStrides)
    {
        int size = Size(shape);
        Guard.AtLeast(dy.Length, batch * size, nameof(dy), "batch × sample size");
        if (!dx.IsEmpty) Guard.AtLeast(dx.Length, batch * size, nameof(dx), "batch × sample size");
        dAlpha.Slice(0, alpha.Length).Clear();
        Span<int> index = stackalloc int[shape.Length];
        for (int b = 0; b < batch; b++)
        {
            index.Clear();
            int a = 0;
            int start = b * size;
            for (int i = 0; i < size; i++)
            {
                float v = x[start + i], g = dy[start + i];
                if (v > 0)
                {
                    if (!dx.IsEmpty) dx[start + i] = g;
                }
                else
                {
                    dAlpha[a] += g * v;
                    if (!dx.IsEmpty) dx[start + i] = alpha[a] * g;
                }
                a = Next(index, shape, alphaStrides, a);
            }
        }
    }

    private static int Size(ReadOnlySpan<int> shape)
    {
        int size = 1;
        foreach (var d in shape) size *= d;
        return size;
    }

    /// <summary>Advances the row-major multi-index and returns the next element's alpha index.</summary>
    private static int Next(Span<int> index, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, int a)
    {
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            a += strides[d];
            if (++index[d] < shape[d]) return a;
            a -= strides[d] * index[d];
            index[d] = 0;
        }
        return a;
    }
}
