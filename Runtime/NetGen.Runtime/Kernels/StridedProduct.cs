using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>
/// Small matrix products read and written in place through strides: <c>C = α·A·B</c> with A addressed by a (row stride,
/// column stride) pair (so Aᵀ is the same call with the strides swapped), B and C by a row stride. Made for the
/// per-head products of MultiHeadAttention (16 tokens × 16 features × a few heads), where the head's rows of Q, K, V
/// and of the output are interleaved with the other heads' (row stride heads·keyDim): no gather into a contiguous copy,
/// no packing, no scatter back. Vectorised over C's columns (<see cref="Vector{T}"/>), four rows of C at a time so four
/// independent multiply-add chains share each loaded row of B; the columns past the last full vector run in scalar code.
/// </summary>
internal static class StridedProduct
{
    /// <summary>
    /// <c>C[cOffset + i·ldc + j] = α·Σ_p A[aOffset + i·ars + p·acs]·B[bOffset + p·ldb + j]</c> for i &lt; m, j &lt; n,
    /// p &lt; k (overwriting C). Every index is checked against the spans before the loops.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ReadOnlySpan<float> a, int aOffset, int ars, int acs, ReadOnlySpan<float> b, int bOffset, int ldb,
        Span<float> c, int cOffset, int ldc, int m, int k, int n, float alpha)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            for (int i = 0; i < m; i++) c.Slice(cOffset + i * ldc, n).Clear();
            return;
        }
        if (aOffset < 0 || ars < 0 || acs < 0 || (long)aOffset + (long)(m - 1) * ars + (long)(k - 1) * acs >= a.Length)
            throw new ArgumentOutOfRangeException(nameof(a), "A's strides run past its span.");
        if (bOffset < 0 || ldb < 0 || (long)bOffset + (long)(k - 1) * ldb + n > b.Length)
            throw new ArgumentOutOfRangeException(nameof(b), "B's strides run past its span.");
        if (cOffset < 0 || ldc < 0 || (long)cOffset + (long)(m - 1) * ldc + n > c.Length)
            throw new ArgumentOutOfRangeException(nameof(c), "C's strides run past its span.");
        ref float ar = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), aOffset);
        ref float br = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), bOffset);
        ref float cr = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), cOffset);
        int w = Vector<float>.Count, j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var scale = new Vector<float>(alpha);
            for (; j + w <= n; j += w)
            {
                int i = 0;
                for (; i + 4 <= m; i += 4)
                {
                    ref float a0 = ref Unsafe.Add(ref ar, i * ars);
                    Vector<float> c0 = Vector<float>.Zero, c1 = Vector<float>.Zero, c2 = Vector<float>.Zero, c3 = Vector<float>.Zero;
                    for (int p = 0; p < k; p++)
                    {
                        var bv = Vector.LoadUnsafe(ref br, (nuint)(p * ldb + j));
                        ref float ap = ref Unsafe.Add(ref a0, p * acs);
                        c0 = Vector.MultiplyAddEstimate(new Vector<float>(ap), bv, c0);
                        c1 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref ap, ars)), bv, c1);
                        c2 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref ap, 2 * ars)), bv, c2);
                        c3 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref ap, 3 * ars)), bv, c3);
                    }
                    (c0 * scale).StoreUnsafe(ref cr, (nuint)(i * ldc + j));
                    (c1 * scale).StoreUnsafe(ref cr, (nuint)((i + 1) * ldc + j));
                    (c2 * scale).StoreUnsafe(ref cr, (nuint)((i + 2) * ldc + j));
                    (c3 * scale).StoreUnsafe(ref cr, (nuint)((i + 3) * ldc + j));
                }
                for (; i < m; i++)
                {
                    ref float a0 = ref Unsafe.Add(ref ar, i * ars);
                    Vector<float> c0 = Vector<float>.Zero;
                    for (int p = 0; p < k; p++)
                        c0 = Vector.MultiplyAddEstimate(new Vector<float>(Unsafe.Add(ref a0, p * acs)), Vector.LoadUnsafe(ref br, (nuint)(p * ldb + j)), c0);
                    (c0 * scale).StoreUnsafe(ref cr, (nuint)(i * ldc + j));
                }
            }
        }
        for (; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                ref float a0 = ref Unsafe.Add(ref ar, i * ars);
                float sum = 0;
                for (int p = 0; p < k; p++) sum = float.MultiplyAddEstimate(Unsafe.Add(ref a0, p * acs), Unsafe.Add(ref br, p * ldb + j), sum);
                Unsafe.Add(ref cr, i * ldc + j) = alpha * sum;
            }
        }
    }

    /// <summary>
    /// The (rows × cols) block of <paramref name="src"/> at <paramref name="offset"/> with row stride <paramref name="ld"/>,
    /// transposed into the contiguous (cols × rows) start of <paramref name="dst"/>.
    /// </summary>
    public static void Transpose(ReadOnlySpan<float> src, int offset, int ld, int rows, int cols, Span<float> dst)
    {
        if (rows <= 0 || cols <= 0) return;
        if (offset < 0 || (long)offset + (long)(rows - 1) * ld + cols > src.Length)
            throw new ArgumentOutOfRangeException(nameof(src), "The block runs past its span.");
        if ((long)rows * cols > dst.Length) throw new ArgumentOutOfRangeException(nameof(dst), "dst is too small for the block.");
        ref float s = ref Unsafe.Add(ref MemoryMarshal.GetReference(src), offset);
        ref float d = ref MemoryMarshal.GetReference(dst);
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref s, r * ld);
            for (int e = 0; e < cols; e++) Unsafe.Add(ref d, e * rows + r) = Unsafe.Add(ref row, e);
        }
    }
}
