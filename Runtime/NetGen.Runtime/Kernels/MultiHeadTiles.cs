using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// The AVX-512 paths of MultiHeadAttention's forward pass, for the sizes of a small Transformer (a few heads of 16 over
/// up to 16 tokens), where the generic code's cost is overhead rather than arithmetic:
/// <list type="bullet">
/// <item><see cref="Project"/>: a Dense product with bias for a number of units that is a multiple of 16 (the
/// projections, heads·keyDim wide): 4 rows × 64 columns of the output held in 16 registers while the kernel's rows
/// (row-major, read in place: 64 features by 64 units is 16 KiB, in L1) stream past. No packing, no per-call setup, any
/// number of rows (batch·T), so a batch is one product.</item>
/// <item><see cref="Heads"/>: the attention core for at most 16 keys, one 512-bit vector per row of scores: per sample
/// and head, K's block is transposed into a 16-wide scratch (keyDim rows), 8 rows of scores at a time are summed in
/// registers, masked, and go through the softmax there (row maximum and sum by in-register reductions, the exponential
/// by <see cref="VectorExp"/>), then the weights times V, 8 rows at a time.</item>
/// </list>
/// Every sum runs over its index in order with fused multiply-adds, as <see cref="StridedProduct"/> does; the softmax is
/// the one of <see cref="Attention"/> (maximum subtracted, masked entries exactly 0, a row with no allowed key all 0).
/// </summary>
internal static class MultiHeadTiles
{
    /// <summary>Whether <see cref="Project"/> applies: AVX-512 and a multiple of 16 units.</summary>
    public static bool ProjectApplies(int units) => Vector512.IsHardwareAccelerated && units > 0 && units % 16 == 0;

    /// <summary>Whether <see cref="Heads"/> applies: AVX-512 and at most 16 keys.</summary>
    public static bool HeadsApply(int keyLength) => Vector512.IsHardwareAccelerated && keyLength <= 16;

    /// <summary>Floats of scratch <see cref="Heads"/> uses: 16·keyDim (K transposed) + 16·T (the weights, rows padded to 16).</summary>
    public static int HeadsScratchSize(int queryLength, int keyDim) => 16 * (keyDim + queryLength);

    /// <summary>
    /// <c>y = x·kernel + bias</c> for x (rows × k), kernel (k × n) row-major, n a multiple of 16 (<see cref="ProjectApplies"/>);
    /// an empty bias is none. Sizes are the caller's to check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Project(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int rows, int k, int n)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float wr = ref MemoryMarshal.GetReference(kernel);
        ref float yr = ref MemoryMarshal.GetReference(y);
        bool hasBias = !bias.IsEmpty;
        ref float br = ref MemoryMarshal.GetReference(bias);
        int i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            ref float xi = ref Unsafe.Add(ref xr, (nint)i * k);
            ref float yi = ref Unsafe.Add(ref yr, (nint)i * n);
            int j = 0;
            for (; j + 64 <= n; j += 64)
                Tile4x4(ref xi, k, ref Unsafe.Add(ref wr, j), n, ref Unsafe.Add(ref yi, j), hasBias, ref Unsafe.Add(ref br, hasBias ? j : 0));
            for (; j < n; j += 16)
                Tile4x1(ref xi, k, ref Unsafe.Add(ref wr, j), n, ref Unsafe.Add(ref yi, j), hasBias, ref Unsafe.Add(ref br, hasBias ? j : 0));
        }
        for (; i < rows; i++)
        {
            ref float xi = ref Unsafe.Add(ref xr, (nint)i * k);
            ref float yi = ref Unsafe.Add(ref yr, (nint)i * n);
            for (int j = 0; j < n; j += 16)
            {
                var acc = Vector512<float>.Zero;
                ref float wj = ref Unsafe.Add(ref wr, j);
                for (int p = 0; p < k; p++)
                    acc = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, p)), Vector512.LoadUnsafe(ref wj, (nuint)((nint)p * n)), acc);
                if (hasBias) acc = Vector512.LoadUnsafe(ref br, (nuint)j) + acc;
                acc.StoreUnsafe(ref yi, (nuint)j);
            }
        }
    }

    /// <summary>4 rows × 4 vectors of y: 16 accumulators, each row of the kernel's 64 columns loaded once per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x4(ref float x, int k, ref float w, int n, ref float y, bool hasBias, ref float bias)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        ref float x1 = ref Unsafe.Add(ref x, k);
        ref float x2 = ref Unsafe.Add(ref x, 2 * k);
        ref float x3 = ref Unsafe.Add(ref x, 3 * k);
        ref float wp = ref w;
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref wp);
            var b1 = Vector512.LoadUnsafe(ref wp, 16);
            var b2 = Vector512.LoadUnsafe(ref wp, 32);
            var b3 = Vector512.LoadUnsafe(ref wp, 48);
            var a = Vector512.Create(Unsafe.Add(ref x, p));
            c00 = Vector512.FusedMultiplyAdd(a, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(a, b2, c02);
            c03 = Vector512.FusedMultiplyAdd(a, b3, c03);
            a = Vector512.Create(Unsafe.Add(ref x1, p));
            c10 = Vector512.FusedMultiplyAdd(a, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(a, b2, c12);
            c13 = Vector512.FusedMultiplyAdd(a, b3, c13);
            a = Vector512.Create(Unsafe.Add(ref x2, p));
            c20 = Vector512.FusedMultiplyAdd(a, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(a, b2, c22);
            c23 = Vector512.FusedMultiplyAdd(a, b3, c23);
            a = Vector512.Create(Unsafe.Add(ref x3, p));
            c30 = Vector512.FusedMultiplyAdd(a, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(a, b2, c32);
            c33 = Vector512.FusedMultiplyAdd(a, b3, c33);
            wp = ref Unsafe.Add(ref wp, n);
        }
        if (hasBias)
        {
            var d0 = Vector512.LoadUnsafe(ref bias);
            var d1 = Vector512.LoadUnsafe(ref bias, 16);
            var d2 = Vector512.LoadUnsafe(ref bias, 32);
            var d3 = Vector512.LoadUnsafe(ref bias, 48);
            c00 = d0 + c00; c01 = d1 + c01; c02 = d2 + c02; c03 = d3 + c03;
            c10 = d0 + c10; c11 = d1 + c11; c12 = d2 + c12; c13 = d3 + c13;
            c20 = d0 + c20; c21 = d1 + c21; c22 = d2 + c22; c23 = d3 + c23;
            c30 = d0 + c30; c31 = d1 + c31; c32 = d2 + c32; c33 = d3 + c33;
        }
        c00.StoreUnsafe(ref y); c01.StoreUnsafe(ref y, 16); c02.StoreUnsafe(ref y, 32); c03.StoreUnsafe(ref y, 48);
        ref float y1 = ref Unsafe.Add(ref y, n);
        c10.StoreUnsafe(ref y1); c11.StoreUnsafe(ref y1, 16); c12.StoreUnsafe(ref y1, 32); c13.StoreUnsafe(ref y1, 48);
        ref float y2 = ref Unsafe.Add(ref y, 2 * n);
        c20.StoreUnsafe(ref y2); c21.StoreUnsafe(ref y2, 16); c22.StoreUnsafe(ref y2, 32); c23.StoreUnsafe(ref y2, 48);
        ref float y3 = ref Unsafe.Add(ref y, 3 * n);
        c30.StoreUnsafe(ref y3); c31.StoreUnsafe(ref y3, 16); c32.StoreUnsafe(ref y3, 32); c33.StoreUnsafe(ref y3, 48);
    }

    /// <summary>4 rows × 1 vector of y (the last 16 to 48 columns of a width that is not a multiple of 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x1(ref float x, int k, ref float w, int n, ref float y, bool hasBias, ref float bias)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        ref float x1 = ref Unsafe.Add(ref x, k);
        ref float x2 = ref Unsafe.Add(ref x, 2 * k);
        ref float x3 = ref Unsafe.Add(ref x, 3 * k);
        ref float wp = ref w;
        for (int p = 0; p < k; p++)
        {
            var b = Vector512.LoadUnsafe(ref wp);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x, p)), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x1, p)), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x2, p)), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x3, p)), b, c3);
            wp = ref Unsafe.Add(ref wp, n);
        }
        if (hasBias)
        {
            var d = Vector512.LoadUnsafe(ref bias);
            c0 = d + c0; c1 = d + c1; c2 = d + c2; c3 = d + c3;
        }
        c0.StoreUnsafe(ref y);
        c1.StoreUnsafe(ref y, (nuint)n);
        c2.StoreUnsafe(ref y, (nuint)(2 * n));
        c3.StoreUnsafe(ref y, (nuint)(3 * n));
    }

    /// <summary>
    /// <see cref="Attention.MultiHeadForward"/> for at most 16 keys (<see cref="HeadsApply"/>), same arguments (checked by
    /// the caller) and results; <paramref name="scratch"/> holds <see cref="HeadsScratchSize"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Heads(
        ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        ReadOnlySpan<float> attentionMask, ReadOnlySpan<float> queryMask, ReadOnlySpan<float> valueMask, ReadOnlySpan<float> keyMask, bool causal,
        ReadOnlySpan<float> dropoutMask, Span<float> output, Span<float> probabilities, Span<float> scratch,
        int batch, int t, int s, int heads, int keyDim, int valueDim)
    {
        int ts = t * s, hk = heads * keyDim, hv = heads * valueDim;
        Span<float> kt = scratch.Slice(0, 16 * keyDim), w = scratch.Slice(16 * keyDim, 16 * t);
        // The transposed K's lanes past the last key stay 0 (their scores are masked anyway).
        if (s < 16) kt.Clear();
        ref float ktr = ref MemoryMarshal.GetReference(kt);
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float qr = ref MemoryMarshal.GetReference(query);
        ref float kr = ref MemoryMarshal.GetReference(key);
        ref float vr = ref MemoryMarshal.GetReference(value);
        ref float or = ref MemoryMarshal.GetReference(output);
        ref float pr = ref MemoryMarshal.GetReference(probabilities);
        var scale = Vector512.Create(1f / MathF.Sqrt(keyDim));
        bool masked = !attentionMask.IsEmpty || !queryMask.IsEmpty || !valueMask.IsEmpty || !keyMask.IsEmpty;
        Span<float> allowedKeys = stackalloc float[16];
        Span<float> attentionRow = stackalloc float[16];
        var lanes = Vector512.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f);
        var keysInRange = Vector512.LessThan(lanes, Vector512.Create((float)s));
        for (int b = 0; b < batch; b++)
        {
            // Keys any query of this sample may attend: in range, and allowed by the value and key masks.
            var keyAllowed = keysInRange;
            if (!valueMask.IsEmpty || !keyMask.IsEmpty)
            {
                allowedKeys.Clear();
                for (int j = 0; j < s; j++)
                    allowedKeys[j] = (valueMask.IsEmpty || valueMask[b * s + j] != 0f) && (keyMask.IsEmpty || keyMask[b * s + j] != 0f) ? 1f : 0f;
                keyAllowed &= Vector512.GreaterThan(Vector512.Create<float>(allowedKeys), Vector512<float>.Zero);
            }
            for (int n = 0; n < heads; n++)
            {
                int qOff = (b * t * heads + n) * keyDim, kOff = (b * s * heads + n) * keyDim;
                int vOff = (b * s * heads + n) * valueDim, oOff = (b * t * heads + n) * valueDim, pOff = (b * heads + n) * ts;
                ref float kh = ref Unsafe.Add(ref kr, kOff);
                for (int j = 0; j < s; j++)
                {
                    ref float row = ref Unsafe.Add(ref kh, (nint)j * hk);
                    for (int e = 0; e < keyDim; e++) Unsafe.Add(ref ktr, e * 16 + j) = Unsafe.Add(ref row, e);
                }
                ref float qh = ref Unsafe.Add(ref qr, qOff);
                int i = 0;
                for (; i + 8 <= t; i += 8)
                {
                    Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                    ref float q0 = ref Unsafe.Add(ref qh, (nint)i * hk);
                    for (int e = 0; e < keyDim; e++)
                    {
                        var kv = Vector512.LoadUnsafe(ref ktr, (nuint)(e * 16));
                        ref float qe = ref Unsafe.Add(ref q0, e);
                        a0 = Vector512.FusedMultiplyAdd(Vector512.Create(qe), kv, a0);
                        a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qe, hk)), kv, a1);
                        a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qe, 2 * hk)), kv, a2);
                        a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qe, 3 * hk)), kv, a3);
                        a4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qe, 4 * hk)), kv, a4);
                        a5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qe, 5 * hk)), kv, a5);
                        a6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qe, 6 * hk)), kv, a6);
                        a7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref qe, 7 * hk)), kv, a7);
                    }
                    ref float w0 = ref Unsafe.Add(ref wr, i * 16);
                    Softmax(a0 * scale, ref w0, i, b, s, t, causal, masked, keyAllowed, lanes, attentionMask, queryMask, attentionRow);
                    Softmax(a1 * scale, ref Unsafe.Add(ref w0, 16), i + 1, b, s, t, causal, masked, keyAllowed, lanes, attentionMask, queryMask, attentionRow);
                    Softmax(a2 * scale, ref Unsafe.Add(ref w0, 32), i + 2, b, s, t, causal, masked, keyAllowed, lanes, attentionMask, queryMask, attentionRow);
                    Softmax(a3 * scale, ref Unsafe.Add(ref w0, 48), i + 3, b, s, t, causal, masked, keyAllowed, lanes, attentionMask, queryMask, attentionRow);
                    Softmax(a4 * scale, ref Unsafe.Add(ref w0, 64), i + 4, b, s, t, causal, masked, keyAllowed, lanes, attentionMask, queryMask, attentionRow);
                    Softmax(a5 * scale, ref Unsafe.Add(ref w0, 80), i + 5, b, s, t, causal, masked, keyAllowed, lanes, attentionMask, queryMask, attentionRow);
                    Softmax(a6 * scale, ref Unsafe.Add(ref w0, 96), i + 6, b, s, t, causal, masked, keyAllowed, lanes, attentionMask, queryMask, attentionRow);
                    Softmax(a7 * scale, ref Unsafe.Add(ref w0, 112), i + 7, b, s, t, causal, masked, keyAllowed, lanes, attentionMask, queryMask, attentionRow);
                }
                for (; i < t; i++)
                {
                    var a0 = Vector512<float>.Zero;
                    ref float q0 = ref Unsafe.Add(ref qh, (nint)i * hk);
                    for (int e = 0; e < keyDim; e++)
                        a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, e)), Vector512.LoadUnsafe(ref ktr, (nuint)(e * 16)), a0);
                    Softmax(a0 * scale, ref Unsafe.Add(ref wr, i * 16), i, b, s, t, causal, masked, keyAllowed, lanes, attentionMask, queryMask, attentionRow);
                }
                // The probabilities (Keras' scores) out of the padded rows; then the weights after dropout back into them.
                ref float ph = ref Unsafe.Add(ref pr, pOff);
                if (s == 16)
                {
                    w.Slice(0, ts).CopyTo(probabilities.Slice(pOff, ts));
                    if (!dropoutMask.IsEmpty)
                    {
                        ref float mr = ref Unsafe.Add(ref MemoryMarshal.GetReference(dropoutMask), pOff);
                        for (int r = 0; r < t; r++)
                            (Vector512.LoadUnsafe(ref wr, (nuint)(r * 16)) * Vector512.LoadUnsafe(ref mr, (nuint)(r * 16))).StoreUnsafe(ref wr, (nuint)(r * 16));
                    }
                }
                else
                {
                    for (int r = 0; r < t; r++)
                    {
                        Span<float> wRow = w.Slice(r * 16, s);
                        wRow.CopyTo(probabilities.Slice(pOff + r * s, s));
                        if (!dropoutMask.IsEmpty)
                        {
                            ReadOnlySpan<float> m = dropoutMask.Slice(pOff + r * s, s);
                            for (int j = 0; j < s; j++) wRow[j] *= m[j];
                        }
                    }
                }
                if (valueDim % 16 != 0)
                {
                    StridedProduct.Run(w, 0, 16, 1, value, vOff, hv, output, oOff, hv, t, s, valueDim, 1f);
                    continue;
                }
                // O (T, valueDim) = W·V, 8 rows × one vector of columns at a time.
                ref float vh = ref Unsafe.Add(ref vr, vOff);
                ref float oh = ref Unsafe.Add(ref or, oOff);
                for (int c = 0; c < valueDim; c += 16)
                {
                    i = 0;
                    for (; i + 8 <= t; i += 8)
                    {
                        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                        ref float w0 = ref Unsafe.Add(ref wr, i * 16);
                        for (int j = 0; j < s; j++)
                        {
                            var vv = Vector512.LoadUnsafe(ref vh, (nuint)(j * hv + c));
                            ref float wj = ref Unsafe.Add(ref w0, j);
                            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(wj), vv, a0);
                            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref wj, 16)), vv, a1);
                            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref wj, 32)), vv, a2);
                            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref wj, 48)), vv, a3);
                            a4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref wj, 64)), vv, a4);
                            a5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref wj, 80)), vv, a5);
                            a6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref wj, 96)), vv, a6);
                            a7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref wj, 112)), vv, a7);
                        }
                        ref float o0 = ref Unsafe.Add(ref oh, (nint)i * hv + c);
                        a0.StoreUnsafe(ref o0);
                        a1.StoreUnsafe(ref o0, (nuint)hv);
                        a2.StoreUnsafe(ref o0, (nuint)(2 * hv));
                        a3.StoreUnsafe(ref o0, (nuint)(3 * hv));
                        a4.StoreUnsafe(ref o0, (nuint)(4 * hv));
                        a5.StoreUnsafe(ref o0, (nuint)(5 * hv));
                        a6.StoreUnsafe(ref o0, (nuint)(6 * hv));
                        a7.StoreUnsafe(ref o0, (nuint)(7 * hv));
                    }
                    for (; i < t; i++)
                    {
                        var a0 = Vector512<float>.Zero;
                        ref float w0 = ref Unsafe.Add(ref wr, i * 16);
                        for (int j = 0; j < s; j++)
                            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref w0, j)), Vector512.LoadUnsafe(ref vh, (nuint)(j * hv + c)), a0);
                        a0.StoreUnsafe(ref oh, (nuint)((nint)i * hv + c));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Row <paramref name="i"/> of the scaled scores → its softmax weights over the allowed keys, stored as 16 floats at
    /// <paramref name="w"/> (0 past the last key, and everywhere for a row with no allowed key).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Softmax(Vector512<float> x, ref float w, int i, int b, int s, int t, bool causal, bool masked, Vector512<float> keyAllowed,
        Vector512<float> lanes, ReadOnlySpan<float> attentionMask, ReadOnlySpan<float> queryMask, Span<float> attentionRow)
    {
        var allowed = keyAllowed;
        if (causal) allowed &= Vector512.LessThanOrEqual(lanes, Vector512.Create((float)i));
        if (masked)
        {
            if (!queryMask.IsEmpty && queryMask[b * t + i] == 0f) allowed = Vector512<float>.Zero;
            if (!attentionMask.IsEmpty)
            {
                attentionMask.Slice((b * t + i) * s, s).CopyTo(attentionRow);
                allowed &= ~Vector512.Equals(Vector512.Create<float>(attentionRow), Vector512<float>.Zero);
            }
            if (Vector512.EqualsAll(allowed.AsInt32(), Vector512<int>.Zero))
            {
                Vector512<float>.Zero.StoreUnsafe(ref w);
                return;
            }
        }
        x = Vector512.ConditionalSelect(allowed, x, Vector512.Create(float.NegativeInfinity));
        var e = VectorExp.Exp(x - Vector512.Create(MaxAcross(x)));
        (e * Vector512.Create(1f / Vector512.Sum(e))).StoreUnsafe(ref w);
    }

    /// <summary>The largest lane (NaN if a lane is NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxAcross(Vector512<float> x)
    {
        var m = Vector256.Max(x.GetLower(), x.GetUpper());
        var q = Vector128.Max(m.GetLower(), m.GetUpper());
        q = Vector128.Max(q, Vector128.Shuffle(q, Vector128.Create(2, 3, 0, 1)));
        q = Vector128.Max(q, Vector128.Shuffle(q, Vector128.Create(1, 0, 3, 2)));
        return q.ToScalar();
    }
}
