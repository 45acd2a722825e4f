using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// Kernels of Keras' <c>Attention</c> (Luong, score modes dot and concat), <c>AdditiveAttention</c> (Bahdanau) and the
/// core of <c>MultiHeadAttention</c> (LAYERS.md §13): scores, masked numerically stable softmax, optional dropout of the
/// weights, the weighted sum of values, and their backward passes.
/// </summary>
/// <remarks>
/// <para><b>Layouts.</b> Row-major. Attention/AdditiveAttention: query (batch, Tq, dim), key (batch, Tv, dim), value
/// (batch, Tv, valueDim), output (batch, Tq, valueDim), weights (batch, Tq, Tv). MultiHeadAttention core: the projected
/// query (batch, T, heads, keyDim), key (batch, S, heads, keyDim) and value (batch, S, heads, valueDim) exactly as the
/// Keras projections produce them, output (batch, T, heads, valueDim), weights (batch, heads, T, S). The projections
/// themselves are Dense products: Keras' <c>query/kernel</c> (dim, heads, keyDim) is a (dim, heads·keyDim) Dense kernel
/// and <c>query/bias</c> (heads, keyDim) its bias, likewise key and value; <c>attention_output/kernel</c>
/// (heads, valueDim, out) is a (heads·valueDim, out) Dense kernel applied to the core's output, with bias (out).
/// So a MultiHeadAttention layer is <see cref="Dense.Forward"/> ×3, <see cref="MultiHeadForward"/>, <see cref="Dense.Forward"/>.</para>
/// <para><b>Masks</b> are float spans, nonzero = may attend; an empty span means no mask. Attention/AdditiveAttention
/// (Keras <c>_apply_scores</c>): the score mask is the value mask AND the causal mask (key j ≤ query i); masked scores get
/// −1e9, so they weigh exactly 0; the output rows of masked queries are set to 0. A query row with no allowed key
/// gets −1e9 on every score, which in float32 rounds every score to the same value: Keras' weights are uniform, 1/Tv
/// on every key, and so are these (their gradient with respect to the scores is taken as 0, the forward not depending
/// on them). MultiHeadAttention (Keras' masked Softmax layer): the mask is attention_mask AND query_mask[t] AND
/// value_mask[s] AND key_mask[s] AND causal (s ≤ t); masked weights are exactly 0 and a row with no allowed key has all
/// weights 0 (current Keras; Keras 3.0 gave a uniform row), so its output is the output projection's bias alone.</para>
/// <para><b>Softmax</b> subtracts the row maximum over the allowed entries before exponentiating.</para>
/// <para><b>Dropout hook.</b> An optional <c>dropoutMask</c> of the weights' shape holds 0 or 1/(1 − rate) per weight
/// (the caller draws it, e.g. with <see cref="Dropout"/>'s mask kernels, in training only); the weights used are
/// probabilities ⊙ mask. The optional <c>scores</c> output of Attention/AdditiveAttention is the weights after dropout (what Keras
/// returns there); MultiHeadAttention's scores are the probabilities before dropout, i.e. the <c>probabilities</c>
/// buffer itself.</para>
/// <para><b>What the backward keeps.</b> The forward writes the softmax probabilities (one Tq×Tv matrix per head per
/// sample) into the caller's <c>probabilities</c> buffer and the backward reads them back: nothing else is kept
/// between the passes. The backward uses per-sample (per head) scratch only; concat and additive scores recompute
/// their tanh terms. No allocation per call: buffer sizes come from the <c>…ScratchSize</c> functions. Gradients are
/// overwritten, never accumulated. When key and value are the same tensor (Keras' default key = value), pass it for
/// both and add <c>dKey</c> to <c>dValue</c> afterwards (they must be distinct buffers).</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Attention
{
    // ------------------------------------------------------------------ Attention / AdditiveAttention

    /// <summary>Floats of <c>scratch</c> for <see cref="Forward"/>: Tq·Tv.</summary>
    public static int ForwardScratchSize(int queryLength, int valueLength) => queryLength * valueLength;

    /// <summary>Floats of <c>scratch</c> for <see cref="Backward"/>: 2·Tq·Tv + Tq·(valueDim + dim).</summary>
    public static int BackwardScratchSize(int queryLength, int valueLength, int dim, int valueDim)
        => 2 * queryLength * valueLength + queryLength * (valueDim + dim);

    /// <summary>
    /// Keras Attention / AdditiveAttention forward. <paramref name="scale"/>: empty (no <c>use_scale</c>), one float
    /// (Attention) or <paramref name="dim"/> floats (AdditiveAttention); <paramref name="concatScoreWeight"/>: one float
    /// for <see cref="AttentionScore.Concat"/>, else empty. <paramref name="probabilities"/> (batch, Tq, Tv) receives the
    /// softmax weights before dropout and must be kept for <see cref="Backward"/>; <paramref name="scores"/>, if not
    /// empty, receives the weights after dropout (Keras' <c>return_attention_scores</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(
        AttentionScore score, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> concatScoreWeight,
        ReadOnlySpan<float> queryMask, ReadOnlySpan<float> valueMask, bool causal, ReadOnlySpan<float> dropoutMask,
        Span<float> output, Span<float> probabilities, Span<float> scores, Span<float> scratch,
        int batch, int queryLength, int valueLength, int dim, int valueDim)
    {
        CheckLuong(score, query, key, value, scale, concatScoreWeight, queryMask, valueMask, dropoutMask, batch, queryLength, valueLength, dim, valueDim);
        int tq = queryLength, tv = valueLength, qv = tq * tv;
        Guard.AtLeast(output.Length, batch * tq * valueDim, nameof(output), "batch·Tq·valueDim");
        Guard.AtLeast(probabilities.Length, batch * qv, nameof(probabilities), "batch·Tq·Tv");
        if (!scores.IsEmpty) Guard.AtLeast(scores.Length, batch * qv, nameof(scores), "batch·Tq·Tv");
        Guard.AtLeast(scratch.Length, ForwardScratchSize(tq, tv), nameof(scratch), "Attention.ForwardScratchSize");
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> qb = query.Slice(b * tq * dim, tq * dim), kb = key.Slice(b * tv * dim, tv * dim);
            ReadOnlySpan<float> vb = value.Slice(b * tv * valueDim, tv * valueDim);
            Span<float> p = probabilities.Slice(b * qv, qv);
            RawScores(score, qb, kb, scale, concatScoreWeight, p, tq, tv, dim);
            ReadOnlySpan<float> vm = valueMask.IsEmpty ? default : valueMask.Slice(b * tv, tv);
            for (int i = 0; i < tq; i++) LuongSoftmaxRow(p.Slice(i * tv, tv), vm, causal, i);
            ReadOnlySpan<float> w = p;
            if (!dropoutMask.IsEmpty)
            {
                Span<float> dropped = scratch.Slice(0, qv);
                ReadOnlySpan<float> m = dropoutMask.Slice(b * qv, qv);
                for (int i = 0; i < qv; i++) dropped[i] = p[i] * m[i];
                w = dropped;
            }
            if (!scores.IsEmpty) w.CopyTo(scores.Slice(b * qv, qv));
            Span<float> ob = output.Slice(b * tq * valueDim, tq * valueDim);
            Gemm.MatMul(w, vb, ob, tq, tv, valueDim);
            if (!queryMask.IsEmpty)
                for (int i = 0; i < tq; i++)
                    if (queryMask[b * tq + i] == 0f) ob.Slice(i * valueDim, valueDim).Clear();
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward"/> (same arguments; <paramref name="probabilities"/> as the forward left it).
    /// <paramref name="dScores"/> (batch, Tq, Tv) is the upstream gradient of the <c>scores</c> output, or empty.
    /// <paramref name="dScale"/> and <paramref name="dConcatScoreWeight"/> are skipped when empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(
        AttentionScore score, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> concatScoreWeight,
        ReadOnlySpan<float> queryMask, ReadOnlySpan<float> valueMask, bool causal, ReadOnlySpan<float> dropoutMask,
        ReadOnlySpan<float> probabilities, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> dScores,
        Span<float> dQuery, Span<float> dKey, Span<float> dValue, Span<float> dScale, Span<float> dConcatScoreWeight, Span<float> scratch,
        int batch, int queryLength, int valueLength, int dim, int valueDim)
    {
        CheckLuong(score, query, key, value, scale, concatScoreWeight, queryMask, valueMask, dropoutMask, batch, queryLength, valueLength, dim, valueDim);
        int tq = queryLength, tv = valueLength, qv = tq * tv;
        Guard.AtLeast(probabilities.Length, batch * qv, nameof(probabilities), "batch·Tq·Tv");
        Guard.AtLeast(dOutput.Length, batch * tq * valueDim, nameof(dOutput), "batch·Tq·valueDim");
        if (!dScores.IsEmpty) Guard.AtLeast(dScores.Length, batch * qv, nameof(dScores), "batch·Tq·Tv");
        Guard.AtLeast(dQuery.Length, batch * tq * dim, nameof(dQuery), "batch·Tq·dim");
        Guard.AtLeast(dKey.Length, batch * tv * dim, nameof(dKey), "batch·Tv·dim");
        Guard.AtLeast(dValue.Length, batch * tv * valueDim, nameof(dValue), "batch·Tv·valueDim");
        if (!dScale.IsEmpty) Guard.AtLeast(dScale.Length, scale.Length, nameof(dScale), "the scale size");
        Guard.AtLeast(scratch.Length, BackwardScratchSize(tq, tv, dim, valueDim), nameof(scratch), "Attention.BackwardScratchSize");
        Span<float> w = scratch.Slice(0, qv), ds = scratch.Slice(qv, qv);
        Span<float> dom = scratch.Slice(2 * qv, tq * valueDim), g = scratch.Slice(2 * qv + tq * valueDim, tq * dim);
        if (!dScale.IsEmpty) dScale.Slice(0, scale.Length).Clear();
        if (!dConcatScoreWeight.IsEmpty) dConcatScoreWeight.Slice(0, 1).Clear();
        float a = scale.IsEmpty || score == AttentionScore.Additive ? 1f : scale[0];
        float cw = concatScoreWeight.IsEmpty ? 1f : concatScoreWeight[0];
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> qb = query.Slice(b * tq * dim, tq * dim), kb = key.Slice(b * tv * dim, tv * dim);
            ReadOnlySpan<float> vb = value.Slice(b * tv * valueDim, tv * valueDim);
            ReadOnlySpan<float> p = probabilities.Slice(b * qv, qv);
            ReadOnlySpan<float> vm = valueMask.IsEmpty ? default : valueMask.Slice(b * tv, tv);
            ReadOnlySpan<float> dm = dropoutMask.IsEmpty ? default : dropoutMask.Slice(b * qv, qv);
            Span<float> dqb = dQuery.Slice(b * tq * dim, tq * dim), dkb = dKey.Slice(b * tv * dim, tv * dim);
            Span<float> dvb = dValue.Slice(b * tv * valueDim, tv * valueDim);
            // dO with the query mask applied (masked query rows were zeroed after the weighted sum).
            dOutput.Slice(b * tq * valueDim, tq * valueDim).CopyTo(dom);
            if (!queryMask.IsEmpty)
                for (int i = 0; i < tq; i++)
                    if (queryMask[b * tq + i] == 0f) dom.Slice(i * valueDim, valueDim).Clear();
            for (int i = 0; i < qv; i++) w[i] = dm.IsEmpty ? p[i] : p[i] * dm[i];
            Gemm.MatMulTransposeA(w, dom, dvb, tv, tq, valueDim);
            Gemm.MatMulTransposeB(dom, vb, ds, tq, valueDim, tv);
            if (!dm.IsEmpty) for (int i = 0; i < qv; i++) ds[i] *= dm[i];
            if (!dScores.IsEmpty)
            {
                ReadOnlySpan<float> dsc = dScores.Slice(b * qv, qv);
                // The scores output is the weights after dropout: its gradient reaches the probabilities through the mask.
                for (int i = 0; i < qv; i++) ds[i] += dm.IsEmpty ? dsc[i] : dsc[i] * dm[i];
            }
            for (int i = 0; i < tq; i++)
            {
                Span<float> row = ds.Slice(i * tv, tv);
                if (AllowedCount(vm, causal, i, tv) == 0) row.Clear();
                else SoftmaxBackwardRow(p.Slice(i * tv, tv), row);
            }
            switch (score)
            {
                case AttentionScore.Dot:
                    Gemm.MatMul(ds, kb, g, tq, tv, dim);
                    if (!scale.IsEmpty && !dScale.IsEmpty)
                    {
                        float sum = 0;
                        for (int i = 0; i < tq * dim; i++) sum += qb[i] * g[i];
                        dScale[0] += sum;
                    }
                    for (int i = 0; i < tq * dim; i++) dqb[i] = a * g[i];
                    Gemm.MatMulTransposeA(ds, qb, dkb, tv, tq, dim);
                    if (a != 1f) for (int i = 0; i < tv * dim; i++) dkb[i] *= a;
                    break;
                case AttentionScore.Concat:
                    dqb.Clear();
                    dkb.Clear();
                    for (int i = 0; i < tq; i++)
                    {
                        for (int j = 0; j < tv; j++)
                        {
                            float d = ds[i * tv + j];
                            if (d == 0f) continue;
                            float tsum = 0, ssum = 0;
                            for (int e = 0; e < dim; e++)
                            {
                                float u = qb[i * dim + e] + kb[j * dim + e];
                                float t = MathF.Tanh(a * u);
                                float gt = d * cw * (1f - t * t);
                                dqb[i * dim + e] += gt * a;
                                dkb[j * dim + e] += gt * a;
                                tsum += t;
                                ssum += gt * u;
                            }
                            if (!dConcatScoreWeight.IsEmpty && !concatScoreWeight.IsEmpty) dConcatScoreWeight[0] += d * tsum;
                            if (!dScale.IsEmpty && !scale.IsEmpty) dScale[0] += ssum;
                        }
                    }
                    break;
                default:
                    dqb.Clear();
                    dkb.Clear();
                    for (int i = 0; i < tq; i++)
                    {
                        for (int j = 0; j < tv; j++)
                        {
                            float d = ds[i * tv + j];
                            if (d == 0f) continue;
                            for (int e = 0; e < dim; e++)
                            {
                                float t = MathF.Tanh(qb[i * dim + e] + kb[j * dim + e]);
                                float se = scale.IsEmpty ? 1f : scale[e];
                                float gt = d * se * (1f - t * t);
                                dqb[i * dim + e] += gt;
                                dkb[j * dim + e] += gt;
                                if (!dScale.IsEmpty && !scale.IsEmpty) dScale[e] += d * t;
                            }
                        }
                    }
                    break;
            }
        }
    }

    private static void RawScores(AttentionScore score, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> scale,
        ReadOnlySpan<float> concatScoreWeight, Span<float> s, int tq, int tv, int dim)
    {
        switch (score)
        {
            case AttentionScore.Dot:
                Gemm.MatMulTransposeB(q, k, s, tq, dim, tv);
                if (!scale.IsEmpty)
                {
                    float a = scale[0];
                    for (int i = 0; i < tq * tv; i++) s[i] *= a;
                }
                break;
            case AttentionScore.Concat:
            {
                float a = scale.IsEmpty ? 1f : scale[0], cw = concatScoreWeight[0];
                for (int i = 0; i < tq; i++)
                {
                    for (int j = 0; j < tv; j++)
                    {
                        float sum = 0;
                        for (int e = 0; e < dim; e++) sum += MathF.Tanh(a * (q[i * dim + e] + k[j * dim + e]));
                        s[i * tv + j] = cw * sum;
                    }
                }
                break;
            }
            default:
                for (int i = 0; i < tq; i++)
                {
                    for (int j = 0; j < tv; j++)
                    {
                        float sum = 0;
                        for (int e = 0; e < dim; e++) sum += (scale.IsEmpty ? 1f : scale[e]) * MathF.Tanh(q[i * dim + e] + k[j * dim + e]);
                        s[i * tv + j] = sum;
                    }
                }
                break;
        }
    }

    private static int AllowedCount(ReadOnlySpan<float> valueMask, bool causal, int i, int tv)
    {
        int end = causal ? Math.Min(tv, i + 1) : tv;
        if (valueMask.IsEmpty) return end;
        int n = 0;
        for (int j = 0; j < end; j++) if (valueMask[j] != 0f) n++;
        return n;
    }

    /// <summary>Softmax of one Attention row over the allowed keys; a row with none is uniform (Keras' −1e9 in float32).</summary>
    private static void LuongSoftmaxRow(Span<float> row, ReadOnlySpan<float> valueMask, bool causal, int i)
    {
        int tv = row.Length;
        int end = causal ? Math.Min(tv, i + 1) : tv;
        for (int j = end; j < tv; j++) row[j] = float.NegativeInfinity;
        if (!valueMask.IsEmpty)
            for (int j = 0; j < end; j++)
                if (valueMask[j] == 0f) row[j] = float.NegativeInfinity;
        if (AllowedCount(valueMask, causal, i, tv) == 0)
        {
            row.Fill(1f / tv);
            return;
        }
        SoftmaxRow(row);
    }

    /// <summary>
    /// Stable softmax in place over a row with at least one finite entry; masked entries (−∞) get exactly 0. The
    /// exponential is <see cref="VectorExp"/> on 512-bit vectors, then <see cref="Vector{T}"/> ones, the tail in scalar.
    /// </summary>
    private static void SoftmaxRow(Span<float> row)
    {
        int len = row.Length, w = Vector<float>.Count;
        ref float r = ref MemoryMarshal.GetReference(row);
        float max = float.NegativeInfinity, sum = 0;
        for (int j = 0; j < len; j++) if (Unsafe.Add(ref r, j) > max) max = Unsafe.Add(ref r, j);
        int k = 0;
        if (Vector512.IsHardwareAccelerated && len >= 16)
        {
            var shift = Vector512.Create(max);
            var sums = Vector512<float>.Zero;
            for (; k + 16 <= len; k += 16)
            {
                var e = VectorExp.Exp(Vector512.LoadUnsafe(ref r, (nuint)k) - shift);
                e.StoreUnsafe(ref r, (nuint)k);
                sums += e;
            }
            sum = Vector512.Sum(sums);
        }
        bool vectors = Vector.IsHardwareAccelerated && len - k >= w;
        if (vectors)
        {
            var shift = new Vector<float>(max);
            var sums = Vector<float>.Zero;
            for (; k + w <= len; k += w)
            {
                var e = VectorExp.Exp(Vector.LoadUnsafe(ref r, (nuint)k) - shift);
                e.StoreUnsafe(ref r, (nuint)k);
                sums += e;
            }
            sum += Vector.Sum(sums);
        }
        for (; k < len; k++)
        {
            float e = MathF.Exp(row[k] - max);
            row[k] = e;
            sum += e;
        }
        float inv = 1f / sum;
        k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var scale = new Vector<float>(inv);
            for (; k + w <= len; k += w) (Vector.LoadUnsafe(ref r, (nuint)k) * scale).StoreUnsafe(ref r, (nuint)k);
        }
        for (; k < len; k++) row[k] *= inv;
    }

    /// <summary><c>ds = p ⊙ (dp − Σ p·dp)</c> in place over <paramref name="grad"/>.</summary>
    private static void SoftmaxBackwardRow(ReadOnlySpan<float> p, Span<float> grad)
    {
        int len = p.Length, w = Vector<float>.Count, k = 0;
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        float dot = 0;
        bool vectors = Vector.IsHardwareAccelerated && len >= w && grad.Length >= len;
        if (vectors)
        {
            var dots = Vector<float>.Zero;
            for (; k + w <= len; k += w) dots += Vector.LoadUnsafe(ref pr, (nuint)k) * Vector.LoadUnsafe(ref gr, (nuint)k);
            dot = Vector.Sum(dots);
        }
        for (; k < len; k++) dot += p[k] * grad[k];
        k = 0;
        if (vectors)
        {
            var d = new Vector<float>(dot);
            for (; k + w <= len; k += w)
                (Vector.LoadUnsafe(ref pr, (nuint)k) * (Vector.LoadUnsafe(ref gr, (nuint)k) - d)).StoreUnsafe(ref gr, (nuint)k);
        }
        for (; k < len; k++) grad[k] = p[k] * (grad[k] - dot);
    }

    private static void CheckLuong(AttentionScore score, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> concatScoreWeight, ReadOnlySpan<float> queryMask, ReadOnlySpan<float> valueMask,
        ReadOnlySpan<float> dropoutMask, int batch, int tq, int tv, int dim, int valueDim)
    {
        Positive(batch, nameof(batch));
        Positive(tq, "queryLength");
        Positive(tv, "valueLength");
        Positive(dim, nameof(dim));
        Positive(valueDim, nameof(valueDim));
        Guard.AtLeast(query.Length, batch * tq * dim, nameof(query), "batch·Tq·dim");
        Guard.AtLeast(key.Length, batch * tv * dim, nameof(key), "batch·Tv·dim");
        Guard.AtLeast(value.Length, batch * tv * valueDim, nameof(value), "batch·Tv·valueDim");
        if (score == AttentionScore.Additive)
        {
            if (!scale.IsEmpty) Guard.AtLeast(scale.Length, dim, nameof(scale), "dim (AdditiveAttention's scale vector)");
        }
        else if (!scale.IsEmpty) Guard.AtLeast(scale.Length, 1, nameof(scale), "the scalar scale");
        if (score == AttentionScore.Concat) Guard.AtLeast(concatScoreWeight.Length, 1, nameof(concatScoreWeight), "the scalar concat_score_weight");
        if (!queryMask.IsEmpty) Guard.AtLeast(queryMask.Length, batch * tq, nameof(queryMask), "batch·Tq");
        if (!valueMask.IsEmpty) Guard.AtLeast(valueMask.Length, batch * tv, nameof(valueMask), "batch·Tv");
        if (!dropoutMask.IsEmpty) Guard.AtLeast(dropoutMask.Length, batch * tq * tv, nameof(dropoutMask), "batch·Tq·Tv");
    }

    private static void Positive(int v, string name)
    {
        if (v < 1) throw new ArgumentOutOfRangeException(name, v, $"{name} must be at least 1.");
    }

    // ------------------------------------------------------------------ MultiHeadAttention core

    /// <summary>
    /// Floats of <c>scratch</c> for <see cref="MultiHeadForward"/>: (keyDim + T)·max(S, 16), K transposed and the weights
    /// after dropout, their rows padded to 16 keys for the 512-bit path.
    /// </summary>
    public static int MultiHeadForwardScratchSize(int queryLength, int keyLength, int keyDim, int valueDim)
        => (keyDim + queryLength) * Math.Max(keyLength, 16);

    /// <summary>
    /// One of MultiHeadAttention's projections, a Dense product: <c>y = x·kernel + bias</c> with x (rows × inFeatures),
    /// kernel (inFeatures × units) row-major (Keras' <c>query/kernel</c> (dim, heads, keyDim) viewed as (dim, heads·keyDim),
    /// or <c>attention_output/kernel</c> (heads, valueDim, out) as (heads·valueDim, out)) and bias (units) or empty. rows
    /// is batch·positions: all samples are one product. With AVX-512 and a multiple of 16 units a register-tiled product
    /// that reads the kernel in place (no packing: a projection's kernel is a few tens of KiB, in L1/L2); otherwise
    /// <see cref="Dense.Forward"/>. Equal to <see cref="Dense.Forward"/> up to float rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiHeadProjection(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int rows, int inFeatures, int units)
    {
        Positive(rows, nameof(rows));
        Positive(inFeatures, nameof(inFeatures));
        Positive(units, nameof(units));
        Guard.AtLeast(x.Length, rows * inFeatures, nameof(x), "rows·inFeatures");
        Guard.AtLeast(kernel.Length, inFeatures * units, nameof(kernel), "inFeatures·units");
        if (!bias.IsEmpty) Guard.AtLeast(bias.Length, units, nameof(bias), "units");
        Guard.AtLeast(y.Length, rows * units, nameof(y), "rows·units");
        if (MultiHeadTiles.ProjectApplies(units)) MultiHeadTiles.Project(x, kernel, bias, y, rows, inFeatures, units);
        else Dense.Forward(x, kernel, bias, y, rows, inFeatures, units);
    }

    /// <summary>Floats of <c>scratch</c> for <see cref="MultiHeadBackward"/>: valueDim·S (V transposed) + 2·T·S.</summary>
    public static int MultiHeadBackwardScratchSize(int queryLength, int keyLength, int keyDim, int valueDim)
        => valueDim * keyLength + 2 * queryLength * keyLength;

    /// <summary>
    /// MultiHeadAttention core forward: per sample and head, <c>P = softmax(mask(Q/√keyDim · Kᵀ))</c>, <c>O = (P ⊙ dropout)·V</c>.
    /// <paramref name="probabilities"/> (batch, heads, T, S) receives P (Keras' attention scores, before dropout) and must be
    /// kept for <see cref="MultiHeadBackward"/>. <paramref name="attentionMask"/> is (batch, T, S); the other masks (batch, T)
    /// or (batch, S); <paramref name="dropoutMask"/> (batch, heads, T, S).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiHeadForward(
        ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        ReadOnlySpan<float> attentionMask, ReadOnlySpan<float> queryMask, ReadOnlySpan<float> valueMask, ReadOnlySpan<float> keyMask, bool causal,
        ReadOnlySpan<float> dropoutMask, Span<float> output, Span<float> probabilities, Span<float> scratch,
        int batch, int queryLength, int keyLength, int heads, int keyDim, int valueDim)
    {
        CheckMultiHead(query, key, value, attentionMask, queryMask, valueMask, keyMask, dropoutMask, batch, queryLength, keyLength, heads, keyDim, valueDim);
        int t = queryLength, s = keyLength, ts = t * s;
        Guard.AtLeast(output.Length, batch * t * heads * valueDim, nameof(output), "batch·T·heads·valueDim");
        Guard.AtLeast(probabilities.Length, batch * heads * ts, nameof(probabilities), "batch·heads·T·S");
        Guard.AtLeast(scratch.Length, MultiHeadForwardScratchSize(t, s, keyDim, valueDim), nameof(scratch), "Attention.MultiHeadForwardScratchSize");
        if (MultiHeadTiles.HeadsApply(s))
        {
            // At most 16 keys: one 512-bit vector per row of scores, the softmax in registers.
            MultiHeadTiles.Heads(query, key, value, attentionMask, queryMask, valueMask, keyMask, causal, dropoutMask, output, probabilities, scratch,
                batch, t, s, heads, keyDim, valueDim);
            return;
        }
        // Per head, the products read Q, V and the output in place (row stride heads·keyDim or heads·valueDim); only K is
        // copied, transposed, so that the scores' rows come out as vectors over the keys.
        Span<float> kt = scratch.Slice(0, keyDim * s), w = scratch.Slice(keyDim * s, ts);
        int hk = heads * keyDim, hv = heads * valueDim;
        float inv = 1f / MathF.Sqrt(keyDim);
        bool unmasked = attentionMask.IsEmpty && queryMask.IsEmpty && valueMask.IsEmpty && keyMask.IsEmpty;
        for (int b = 0; b < batch; b++)
        {
            for (int n = 0; n < heads; n++)
            {
                int qOff = (b * t * heads + n) * keyDim, kOff = (b * s * heads + n) * keyDim;
                int vOff = (b * s * heads + n) * valueDim, oOff = (b * t * heads + n) * valueDim, pOff = (b * heads + n) * ts;
                StridedProduct.Transpose(key, kOff, hk, s, keyDim, kt);
                // Scores (T, S) = (Q/√keyDim)·Kᵀ.
                StridedProduct.Run(query, qOff, hk, 1, kt, 0, s, probabilities, pOff, s, t, keyDim, s, inv);
                Span<float> p = probabilities.Slice(pOff, ts);
                for (int i = 0; i < t; i++)
                {
                    Span<float> row = p.Slice(i * s, s);
                    if (unmasked)
                    {
                        // No mask but the causal one: row i keeps keys 0..i (at least key 0).
                        if (causal && i + 1 < s) row.Slice(i + 1).Fill(float.NegativeInfinity);
                        SoftmaxRow(row);
                        continue;
                    }
                    int allowed = 0;
                    for (int j = 0; j < s; j++)
                    {
                        if (MultiHeadAllowed(attentionMask, queryMask, valueMask, keyMask, causal, b, i, j, t, s)) allowed++;
                        else row[j] = float.NegativeInfinity;
                    }
                    if (allowed == 0) row.Clear();
                    else SoftmaxRow(row);
                }
                if (dropoutMask.IsEmpty)
                {
                    StridedProduct.Run(probabilities, pOff, s, 1, value, vOff, hv, output, oOff, hv, t, s, valueDim, 1f);
                }
                else
                {
                    ReadOnlySpan<float> m = dropoutMask.Slice(pOff, ts);
                    for (int i = 0; i < ts; i++) w[i] = p[i] * m[i];
                    StridedProduct.Run(w, 0, s, 1, value, vOff, hv, output, oOff, hv, t, s, valueDim, 1f);
                }
            }
        }
    }

    /// <summary>
    /// Backward of <see cref="MultiHeadForward"/> (same arguments, <paramref name="probabilities"/> as the forward left it):
    /// the gradients of the projected query, key and value. <paramref name="dScores"/> (batch, heads, T, S) is the upstream
    /// gradient of the scores output, or empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiHeadBackward(
        ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        ReadOnlySpan<float> attentionMask, ReadOnlySpan<float> queryMask, ReadOnlySpan<float> valueMask, ReadOnlySpan<float> keyMask, bool causal,
        ReadOnlySpan<float> dropoutMask, ReadOnlySpan<float> probabilities, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> dScores,
        Span<float> dQuery, Span<float> dKey, Span<float> dValue, Span<float> scratch,
        int batch, int queryLength, int keyLength, int heads, int keyDim, int valueDim)
    {
        CheckMultiHead(query, key, value, attentionMask, queryMask, valueMask, keyMask, dropoutMask, batch, queryLength, keyLength, heads, keyDim, valueDim);
        int t = queryLength, s = keyLength, ts = t * s;
        Guard.AtLeast(probabilities.Length, batch * heads * ts, nameof(probabilities), "batch·heads·T·S");
        Guard.AtLeast(dOutput.Length, batch * t * heads * valueDim, nameof(dOutput), "batch·T·heads·valueDim");
        if (!dScores.IsEmpty) Guard.AtLeast(dScores.Length, batch * heads * ts, nameof(dScores), "batch·heads·T·S");
        Guard.AtLeast(dQuery.Length, batch * t * heads * keyDim, nameof(dQuery), "batch·T·heads·keyDim");
        Guard.AtLeast(dKey.Length, batch * s * heads * keyDim, nameof(dKey), "batch·S·heads·keyDim");
        Guard.AtLeast(dValue.Length, batch * s * heads * valueDim, nameof(dValue), "batch·S·heads·valueDim");
        Guard.AtLeast(scratch.Length, MultiHeadBackwardScratchSize(t, s, keyDim, valueDim), nameof(scratch), "Attention.MultiHeadBackwardScratchSize");
        // As the forward: Q, K, V, dO and the gradients are read and written in place, per head, through their row
        // strides; V is copied transposed for dO·Vᵀ.
        Span<float> vt = scratch.Slice(0, valueDim * s), w = scratch.Slice(valueDim * s, ts), ds = scratch.Slice(valueDim * s + ts, ts);
        int hk = heads * keyDim, hv = heads * valueDim;
        float inv = 1f / MathF.Sqrt(keyDim);
        for (int b = 0; b < batch; b++)
        {
            for (int n = 0; n < heads; n++)
            {
                int qOff = (b * t * heads + n) * keyDim, kOff = (b * s * heads + n) * keyDim;
                int vOff = (b * s * heads + n) * valueDim, oOff = (b * t * heads + n) * valueDim, pOff = (b * heads + n) * ts;
                ReadOnlySpan<float> p = probabilities.Slice(pOff, ts);
                ReadOnlySpan<float> m = dropoutMask.IsEmpty ? default : dropoutMask.Slice(pOff, ts);
                // dV (S, valueDim) = Wᵀ·dO, W the weights after dropout.
                if (m.IsEmpty)
                {
                    StridedProduct.Run(probabilities, pOff, 1, s, dOutput, oOff, hv, dValue, vOff, hv, s, t, valueDim, 1f);
                }
                else
                {
                    for (int i = 0; i < ts; i++) w[i] = p[i] * m[i];
                    StridedProduct.Run(w, 0, 1, s, dOutput, oOff, hv, dValue, vOff, hv, s, t, valueDim, 1f);
                }
                // dW (T, S) = dO·Vᵀ.
                StridedProduct.Transpose(value, vOff, hv, s, valueDim, vt);
                StridedProduct.Run(dOutput, oOff, hv, 1, vt, 0, s, ds, 0, s, t, valueDim, s, 1f);
                if (!m.IsEmpty) for (int i = 0; i < ts; i++) ds[i] *= m[i];
                if (!dScores.IsEmpty)
                {
                    ReadOnlySpan<float> d = dScores.Slice(pOff, ts);
                    for (int i = 0; i < ts; i++) ds[i] += d[i];
                }
                // Masked weights are 0 and a fully masked row is all zeros: p = 0 there gives ds = 0.
                for (int i = 0; i < t; i++) SoftmaxBackwardRow(p.Slice(i * s, s), ds.Slice(i * s, s));
                // dQ = dS·K/√keyDim, dK = dSᵀ·Q/√keyDim.
                StridedProduct.Run(ds, 0, s, 1, key, kOff, hk, dQuery, qOff, hk, t, s, keyDim, inv);
                StridedProduct.Run(ds, 0, 1, s, query, qOff, hk, dKey, kOff, hk, s, t, keyDim, inv);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MultiHeadAllowed(ReadOnlySpan<float> attentionMask, ReadOnlySpan<float> queryMask, ReadOnlySpan<float> valueMask,
        ReadOnlySpan<float> keyMask, bool causal, int b, int i, int j, int t, int s)
        => (!causal || j <= i)
           && (attentionMask.IsEmpty || attentionMask[(b * t + i) * s + j] != 0f)
           && (queryMask.IsEmpty || queryMask[b * t + i] != 0f)
           && (valueMask.IsEmpty || valueMask[b * s + j] != 0f)
           && (keyMask.IsEmpty || keyMask[b * s + j] != 0f);

    private static void CheckMultiHead(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        ReadOnlySpan<float> attentionMask, ReadOnlySpan<float> queryMask, ReadOnlySpan<float> valueMask, ReadOnlySpan<float> keyMask,
        ReadOnlySpan<float> dropoutMask, int batch, int t, int s, int heads, int keyDim, int valueDim)
    {
        Positive(batch, nameof(batch));
        Positive(t, "queryLength");
        Positive(s, "keyLength");
        Positive(heads, nameof(heads));
        Positive(keyDim, nameof(keyDim));
        Positive(valueDim, nameof(valueDim));
        Guard.AtLeast(query.Length, batch * t * heads * keyDim, nameof(query), "batch·T·heads·keyDim");
        Guard.AtLeast(key.Length, batch * s * heads * keyDim, nameof(key), "batch·S·heads·keyDim");
        Guard.AtLeast(value.Length, batch * s * heads * valueDim, nameof(value), "batch·S·heads·valueDim");
        if (!attentionMask.IsEmpty) Guard.AtLeast(attentionMask.Length, batch * t * s, nameof(attentionMask), "batch·T·S");
        if (!queryMask.IsEmpty) Guard.AtLeast(queryMask.Length, batch * t, nameof(queryMask), "batch·T");
        if (!valueMask.IsEmpty) Guard.AtLeast(valueMask.Length, batch * s, nameof(valueMask), "batch·S");
        if (!keyMask.IsEmpty) Guard.AtLeast(keyMask.Length, batch * s, nameof(keyMask), "batch·S");
        if (!dropoutMask.IsEmpty) Guard.AtLeast(dropoutMask.Length, batch * heads * t * s, nameof(dropoutMask), "batch·heads·T·S");
    }

    // ------------------------------------------------------------------ dropout of the attention weights

    /// <summary>
    /// Draws a dropout mask of the attention weights: each entry of <paramref name="mask"/> is 1/(1 − rate) with
    /// probability 1 − rate, else 0 (one <see cref="Rng.NextDouble"/> per entry, in order, kept when the draw is ≥ rate,
    /// as <see cref="Dropout.Forward"/>). Passed as the <c>dropoutMask</c> of the forward and backward calls.
    /// </summary>
    public static void DropoutMask(Span<float> mask, float rate, Rng rng)
    {
        if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The attention dropout rate must be in [0, 1).");
        ArgumentNullException.ThrowIfNull(rng);
        if (rate == 0f)
        {
            mask.Fill(1f);
            return;
        }
        float scale = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() >= rate ? scale : 0f;
    }
}
