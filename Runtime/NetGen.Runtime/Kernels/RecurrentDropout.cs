using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>
/// The training forward and backward of Keras' SimpleRNN, LSTM and GRU with <c>recurrent_dropout</c> (LAYERS.md §8.1),
/// following Keras 3.8 and later (and Keras 2): inverted-dropout masks drawn once per call and reused at every step.
/// </summary>
/// <remarks>
/// <para><b>Masks</b> (<see cref="DrawMasks"/>): a SimpleRNN (one gate block) has one input mask (batch, features) and one
/// recurrent mask (batch, units) on the previous state; an LSTM (4 blocks) and a GRU (3 blocks) have one of each per gate
/// block, as Keras' cells draw them when <c>recurrent_dropout</c> is set: block q's pre-activation reads
/// <c>(x_t ⊙ m_x,q)·W_q</c> and <c>(h_{t−1} ⊙ m_h,q)·U_q</c>. GRU without reset_after applies its reset gate after the
/// mask: <c>(r ⊙ (h_{t−1} ⊙ m_h,h))·U_h</c>. With <c>dropout</c> 0 the input masks are ones.</para>
/// <para><b>Layouts</b> are those of <see cref="Recurrent"/> (weights, biases, the sequence mask, outputs in processing
/// order, go_backwards, zero outputs for masked steps); the states start at zero. The argument <c>gates</c> names the
/// cell: 1 SimpleRNN, 4 LSTM, 3 GRU.</para>
/// <para><b>Speed.</b> A per-sample loop (matrix-vector products per step, rows in SIMD vectors): this path runs only while training
/// with <c>recurrent_dropout</c>; prediction and training without it use <see cref="Recurrent"/>'s GEMM kernels.</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class RecurrentDropout
{
    /// <summary>Floats of the masks: gates·batch·(features + units) (input masks first, then the recurrent ones).</summary>
    public static int MaskSize(int batch, int features, int units, int gates) => gates * batch * (features + units);

    /// <summary>Floats of the cache: batch·steps·(gates + 3)·units.</summary>
    public static int CacheSize(int batch, int steps, int units, int gates) => batch * steps * (gates + 3) * units;

    /// <summary>Floats of the forward scratch: 2·gates·units.</summary>
    public static int ForwardScratchSize(int units, int gates) => 2 * gates * units;

    /// <summary>Floats of the backward scratch: 3·batch·units + 3·gates·units.</summary>
    public static int BackwardScratchSize(int batch, int units, int gates) => 3 * batch * units + 3 * gates * units;

    /// <summary>
    /// Draws the masks: per gate block an input mask (batch, features) at <paramref name="inputRate"/>, then per gate block a
    /// recurrent mask (batch, units) at <paramref name="recurrentRate"/>, one <see cref="Rng.NextDouble"/> per element of a
    /// positive rate in that order (kept when the draw is ≥ the rate, kept values 1/(1 − rate)); a zero rate gives ones.
    /// </summary>
    public static void DrawMasks(Span<float> masks, int batch, int features, int units, int gates, float inputRate, float recurrentRate, Rng rng)
    {
        if (!(inputRate >= 0f && inputRate < 1f)) throw new ArgumentOutOfRangeException(nameof(inputRate), inputRate, "Dropout rate must be in [0, 1).");
        if (!(recurrentRate >= 0f && recurrentRate < 1f)) throw new ArgumentOutOfRangeException(nameof(recurrentRate), recurrentRate, "Recurrent dropout rate must be in [0, 1).");
        ArgumentNullException.ThrowIfNull(rng);
        CheckCell(batch, 1, features, units, gates);
        Guard.AtLeast(masks.Length, MaskSize(batch, features, units, gates), nameof(masks), "RecurrentDropout.MaskSize");
        int inputs = gates * batch * features;
        Draw(masks.Slice(0, inputs), inputRate, rng);
        Draw(masks.Slice(inputs, gates * batch * units), recurrentRate, rng);
    }

    private static void Draw(Span<float> mask, float rate, Rng rng)
    {
        if (rate == 0f)
        {
            mask.Fill(1f);
            return;
        }
        float scale = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() >= rate ? scale : 0f;
    }

    /// <summary>
    /// The layer over a whole sequence with the dropout masks of <see cref="DrawMasks"/>: every step's outputs (batch, steps,
    /// units) in processing order, the final states, and in <paramref name="cache"/> what <see cref="Backward"/> reads.
    /// </summary>
    public static void Forward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> masks, Span<float> outputs, Span<float> finalH, Span<float> finalC,
        Span<float> cache, Span<float> scratch, int batch, int steps, int features, int units, int gates,
        RecurrentActivation activation, RecurrentActivation recurrentActivation, bool resetAfter, bool goBackwards, bool zeroOutputForMask)
    {
        Check(x, kernel, recurrentKernel, bias, mask, masks, cache, batch, steps, features, units, gates, resetAfter);
        Guard.AtLeast(outputs.Length, batch * steps * units, nameof(outputs), "batch·steps·units");
        Guard.AtLeast(finalH.Length, batch * units, nameof(finalH), "batch·units");
        if (gates == 4) Guard.AtLeast(finalC.Length, batch * units, nameof(finalC), "batch·units");
        Guard.AtLeast(scratch.Length, ForwardScratchSize(units, gates), nameof(scratch), "RecurrentDropout.ForwardScratchSize");
        int u = units, gu = gates * units, record = (gates + 3) * units;
        bool lstm = gates == 4, gru = gates == 3;
        finalH.Slice(0, batch * u).Clear();
        if (lstm) finalC.Slice(0, batch * u).Clear();
        Span<float> pre = scratch.Slice(0, gu);
        Span<float> rec = scratch.Slice(gu, gu);
        for (int s = 0; s < steps; s++)
        {
            int t = goBackwards ? steps - 1 - s : s;
            for (int b = 0; b < batch; b++)
            {
                Span<float> r = cache.Slice((b * steps + s) * record, record);
                Span<float> h = finalH.Slice(b * u, u);
                h.CopyTo(r.Slice(gu, u));
                if (lstm) finalC.Slice(b * u, u).CopyTo(r.Slice(gu + u, u));
                if (!Recurrent.Keep(mask, b, steps, t)) continue;
                InputProjection(x.Slice((b * steps + t) * features, features), kernel, bias, masks, pre, b, batch, features, u, gates, resetAfter);
                // (h ⊙ m_h,q)·U_q for every block (the GRU's candidate block without reset_after waits for r).
                rec.Clear();
                int blocks = gru && !resetAfter ? 2 : gates;
                for (int q = 0; q < blocks; q++)
                    StateProjection(h, RecurrentMask(masks, q, b, batch, features, u, gates), default, recurrentKernel, rec.Slice(q * u, u), q, u, gu);
                if (gru && resetAfter && !bias.IsEmpty)
                    for (int j = 0; j < gu; j++) rec[j] += bias[gu + j];
                Span<float> acts = r.Slice(0, gu);
                if (gates == 1)
                {
                    for (int j = 0; j < u; j++) acts[j] = h[j] = Recurrent.Activate(pre[j] + rec[j], activation);
                }
                else if (lstm)
                {
                    Span<float> c = finalC.Slice(b * u, u);
                    Span<float> cNew = r.Slice(gu + 2 * u, u);
                    for (int j = 0; j < u; j++)
                    {
                        float i = Recurrent.Activate(pre[j] + rec[j], recurrentActivation);
                        float f = Recurrent.Activate(pre[u + j] + rec[u + j], recurrentActivation);
                        float g = Recurrent.Activate(pre[2 * u + j] + rec[2 * u + j], activation);
                        float o = Recurrent.Activate(pre[3 * u + j] + rec[3 * u + j], recurrentActivation);
                        (acts[j], acts[u + j], acts[2 * u + j], acts[3 * u + j]) = (i, f, g, o);
                        c[j] = cNew[j] = f * c[j] + i * g;
                        h[j] = o * Recurrent.Activate(c[j], activation);
                    }
                }
                else
                {
                    for (int j = 0; j < 2 * u; j++) acts[j] = Recurrent.Activate(pre[j] + rec[j], recurrentActivation);
                    Span<float> hl = r.Slice(gu + 2 * u, u);
                    if (resetAfter) rec.Slice(2 * u, u).CopyTo(hl);
                    else StateProjection(h, RecurrentMask(masks, 2, b, batch, features, u, gates), acts.Slice(u, u), recurrentKernel, hl, 2, u, gu);
                    for (int j = 0; j < u; j++)
                    {
                        float z = acts[j], rr = acts[u + j];
                        float hh = Recurrent.Activate(pre[2 * u + j] + (resetAfter ? rr * hl[j] : hl[j]), activation);
                        acts[2 * u + j] = hh;
                        h[j] = z * h[j] + (1f - z) * hh;
                    }
                }
            }
            Recurrent.WriteOutputs(outputs, finalH, mask, batch, steps, s, t, u, zeroOutputForMask);
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward"/> (same masks and cache): overwrites dx, dKernel, dRecurrentKernel and dBias (empty
    /// spans are skipped); the upstream gradients are every step's outputs', the last output's and the final states' (empty:
    /// zero). Masked steps pass dh and dc straight through, as in <see cref="Recurrent"/>.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> masks, ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dOutputs, ReadOnlySpan<float> dLastOutput, ReadOnlySpan<float> dFinalH, ReadOnlySpan<float> dFinalC,
        Span<float> dx, Span<float> dKernel, Span<float> dRecurrentKernel, Span<float> dBias, Span<float> scratch,
        int batch, int steps, int features, int units, int gates,
        RecurrentActivation activation, RecurrentActivation recurrentActivation, bool resetAfter, bool goBackwards, bool zeroOutputForMask)
    {
        Check(x, kernel, recurrentKernel, default, mask, masks, cache, batch, steps, features, units, gates, resetAfter);
        Guard.AtLeast(scratch.Length, BackwardScratchSize(batch, units, gates), nameof(scratch), "RecurrentDropout.BackwardScratchSize");
        if (!dOutputs.IsEmpty) Guard.AtLeast(dOutputs.Length, batch * steps * units, nameof(dOutputs), "batch·steps·units");
        if (!dLastOutput.IsEmpty) Guard.AtLeast(dLastOutput.Length, batch * units, nameof(dLastOutput), "batch·units");
        if (!dFinalH.IsEmpty) Guard.AtLeast(dFinalH.Length, batch * units, nameof(dFinalH), "batch·units");
        if (!dFinalC.IsEmpty) Guard.AtLeast(dFinalC.Length, batch * units, nameof(dFinalC), "batch·units");
        if (!dx.IsEmpty) Guard.AtLeast(dx.Length, batch * steps * features, nameof(dx), "batch·steps·features");
        int u = units, gu = gates * units, record = (gates + 3) * units;
        Guard.AtLeast(dKernel.Length, features * gu, nameof(dKernel), "features·gates·units");
        Guard.AtLeast(dRecurrentKernel.Length, u * gu, nameof(dRecurrentKernel), "units·gates·units");
        bool lstm = gates == 4, gru = gates == 3;
        int biasLength = gru && resetAfter ? 2 * gu : gu;
        if (!dBias.IsEmpty) Guard.AtLeast(dBias.Length, biasLength, nameof(dBias), "the bias length");
        if (!dx.IsEmpty) dx.Slice(0, batch * steps * features).Clear();
        dKernel.Slice(0, features * gu).Clear();
        dRecurrentKernel.Slice(0, u * gu).Clear();
        if (!dBias.IsEmpty) dBias.Slice(0, biasLength).Clear();
        Span<float> dh = scratch.Slice(0, batch * u), dc = scratch.Slice(batch * u, batch * u), carry = scratch.Slice(2 * batch * u, batch * u);
        Span<float> dpx = scratch.Slice(3 * batch * u, gu), dph = scratch.Slice(3 * batch * u + gu, gu), tmp = scratch.Slice(3 * batch * u + 2 * gu, gu);
        if (dFinalH.IsEmpty) dh.Clear(); else dFinalH.Slice(0, batch * u).CopyTo(dh);
        if (dFinalC.IsEmpty || !lstm) dc.Clear(); else dFinalC.Slice(0, batch * u).CopyTo(dc);
        carry.Clear();
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = goBackwards ? steps - 1 - s : s;
            for (int b = 0; b < batch; b++)
            {
                Span<float> g = carry.Slice(b * u, u);
                if (!Recurrent.OutputGradient(g, dOutputs, dLastOutput, mask, b, s, t, steps, u, zeroOutputForMask)) continue;
                ReadOnlySpan<float> r = cache.Slice((b * steps + s) * record, record);
                ReadOnlySpan<float> acts = r.Slice(0, gu), hp = r.Slice(gu, u);
                Span<float> dhRow = dh.Slice(b * u, u), dcRow = dc.Slice(b * u, u);
                // dht = dL/dh_t; dph[q] = dL/d(state projection of block q); dpx[q] = dL/d(input projection of block q).
                for (int j = 0; j < u; j++) dhRow[j] += g[j];
                g.Clear();
                if (gates == 1)
                {
                    for (int j = 0; j < u; j++) dpx[j] = dph[j] = dhRow[j] * Recurrent.Derivative(acts[j], activation);
                    dhRow.Clear();
                }
                else if (lstm)
                {
                    ReadOnlySpan<float> cp = r.Slice(gu + u, u), cn = r.Slice(gu + 2 * u, u);
                    for (int j = 0; j < u; j++)
                    {
                        float i = acts[j], f = acts[u + j], gg = acts[2 * u + j], o = acts[3 * u + j];
                        float ac = Recurrent.Activate(cn[j], activation);
                        float dcn = dhRow[j] * o * Recurrent.Derivative(ac, activation) + dcRow[j];
                        dpx[j] = dcn * gg * Recurrent.Derivative(i, recurrentActivation);
                        dpx[u + j] = dcn * cp[j] * Recurrent.Derivative(f, recurrentActivation);
                        dpx[2 * u + j] = dcn * i * Recurrent.Derivative(gg, activation);
                        dpx[3 * u + j] = dhRow[j] * ac * Recurrent.Derivative(o, recurrentActivation);
                        dcRow[j] = dcn * f;
                    }
                    dpx.CopyTo(dph);
                    dhRow.Clear();
                }
                else
                {
                    ReadOnlySpan<float> hl = r.Slice(gu + 2 * u, u);
                    ReadOnlySpan<float> mh = RecurrentMask(masks, 2, b, batch, features, u, gates);
                    for (int j = 0; j < u; j++)
                    {
                        float z = acts[j], hh = acts[2 * u + j];
                        float dht = dhRow[j];
                        dpx[j] = dht * (hp[j] - hh) * Recurrent.Derivative(z, recurrentActivation);
                        dpx[2 * u + j] = dht * (1f - z) * Recurrent.Derivative(hh, activation); // d(candidate pre-activation)
                        dhRow[j] = dht * z; // the direct path h_{t−1} → h_t
                    }
                    if (resetAfter)
                    {
                        for (int j = 0; j < u; j++)
                        {
                            float rr = acts[u + j];
                            dpx[u + j] = dpx[2 * u + j] * hl[j] * Recurrent.Derivative(rr, recurrentActivation);
                            dph[2 * u + j] = dpx[2 * u + j] * rr;
                        }
                    }
                    else
                    {
                        // The candidate reads (r ⊙ h̃)·U_h with h̃ = h_{t−1} ⊙ m_h,h: dL/d(r ⊙ h̃) = da·U_hᵀ.
                        Span<float> dv = tmp.Slice(0, u);
                        for (int k = 0; k < u; k++)
                        {
                            dv[k] = Dot(recurrentKernel.Slice(k * gu + 2 * u, u), dpx.Slice(2 * u, u));
                        }
                        for (int k = 0; k < u; k++)
                        {
                            float rr = acts[u + k], hk = hp[k] * mh[k];
                            dpx[u + k] = dv[k] * hk * Recurrent.Derivative(rr, recurrentActivation);
                            dhRow[k] += dv[k] * rr * mh[k];
                            // dU_h[k, :] += (r ⊙ h̃)[k]·da
                            Span<float> dRow = dRecurrentKernel.Slice(k * gu + 2 * u, u);
                            Axpy(dpx.Slice(2 * u, u), rr * hk, dRow);
                        }
                    }
                    for (int j = 0; j < 2 * u; j++) dph[j] = dpx[j];
                }
                // Biases: the input bias gets the input projections' gradients; the GRU's recurrent bias (reset_after) the state projections'.
                if (!dBias.IsEmpty)
                {
                    for (int j = 0; j < gu; j++) dBias[j] += dpx[j];
                    if (gru && resetAfter)
                        for (int j = 0; j < gu; j++) dBias[gu + j] += dph[j];
                }
                // Input projections: dKernel[f, q·u + j] += (x ⊙ m_x,q)[f]·dpx[q, j]; dx[f] += Σ_q m_x,q[f]·Σ_j W[f, q·u + j]·dpx[q, j].
                ReadOnlySpan<float> xt = x.Slice((b * steps + t) * features, features);
                Span<float> dxt = dx.IsEmpty ? default : dx.Slice((b * steps + t) * features, features);
                for (int q = 0; q < gates; q++)
                {
                    ReadOnlySpan<float> mx = InputMask(masks, q, b, batch, features);
                    ReadOnlySpan<float> dq = dpx.Slice(q * u, u);
                    for (int f = 0; f < features; f++)
                    {
                        if (mx[f] == 0f) continue;
                        float xv = xt[f] * mx[f];
                        Span<float> dRow = dKernel.Slice(f * gu + q * u, u);
                        ReadOnlySpan<float> wRow = kernel.Slice(f * gu + q * u, u);
                        Axpy(dq, xv, dRow);
                        if (!dxt.IsEmpty) dxt[f] += mx[f] * Dot(wRow, dq);
                    }
                }
                // State projections: dU[k, q·u + j] += (h_{t−1} ⊙ m_h,q)[k]·dph[q, j]; dh_{t−1}[k] += m_h,q[k]·Σ_j U[k, q·u + j]·dph[q, j].
                int blocks = gru && !resetAfter ? 2 : gates;
                for (int q = 0; q < blocks; q++)
                {
                    ReadOnlySpan<float> mq = RecurrentMask(masks, q, b, batch, features, u, gates);
                    ReadOnlySpan<float> dq = dph.Slice(q * u, u);
                    for (int k = 0; k < u; k++)
                    {
                        if (mq[k] == 0f) continue;
                        float hv = hp[k] * mq[k];
                        Span<float> dRow = dRecurrentKernel.Slice(k * gu + q * u, u);
                        ReadOnlySpan<float> uRow = recurrentKernel.Slice(k * gu + q * u, u);
                        Axpy(dq, hv, dRow);
                        dhRow[k] += mq[k] * Dot(uRow, dq);
                    }
                }
            }
        }
    }

    /// <summary>y += a·x over SIMD vectors, the tail in scalar.</summary>
    private static void Axpy(ReadOnlySpan<float> x, float a, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y.Slice(0, x.Length));
            for (int v = 0; v < vx.Length; v++) vy[v] += vx[v] * a;
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) y[i] += a * x[i];
    }

    /// <summary>Σ a[i]·b[i] over SIMD vectors, the tail in scalar.</summary>
    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b.Slice(0, a.Length));
            var acc = Vector<float>.Zero;
            for (int v = 0; v < va.Length; v++) acc += va[v] * vb[v];
            sum = Vector.Dot(acc, Vector<float>.One);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static ReadOnlySpan<float> InputMask(ReadOnlySpan<float> masks, int q, int b, int batch, int features)
        => masks.Slice((q * batch + b) * features, features);

    private static ReadOnlySpan<float> RecurrentMask(ReadOnlySpan<float> masks, int q, int b, int batch, int features, int units, int gates)
        => masks.Slice(gates * batch * features + (q * batch + b) * units, units);

    /// <summary>(x ⊙ m_x,q)·W_q + b_q for every block q into <paramref name="pre"/> (gates·units).</summary>
    private static void InputProjection(ReadOnlySpan<float> xt, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, ReadOnlySpan<float> masks,
        Span<float> pre, int b, int batch, int features, int u, int gates, bool resetAfter)
    {
        int gu = gates * u;
        if (bias.IsEmpty) pre.Clear();
        else bias.Slice(0, gu).CopyTo(pre); // the GRU's row 0 with reset_after: the input bias
        for (int q = 0; q < gates; q++)
        {
            ReadOnlySpan<float> mx = InputMask(masks, q, b, batch, features);
            Span<float> dst = pre.Slice(q * u, u);
            for (int f = 0; f < features; f++)
            {
                float xv = xt[f] * mx[f];
                if (xv == 0f) continue;
                ReadOnlySpan<float> wRow = kernel.Slice(f * gu + q * u, u);
                Axpy(wRow, xv, dst);
            }
        }
    }

    /// <summary>(h ⊙ m [⊙ r])·U_q into <paramref name="dst"/> (overwritten).</summary>
    private static void StateProjection(ReadOnlySpan<float> h, ReadOnlySpan<float> m, ReadOnlySpan<float> r, ReadOnlySpan<float> recurrentKernel,
        Span<float> dst, int q, int u, int gu)
    {
        dst.Clear();
        for (int k = 0; k < u; k++)
        {
            float hv = h[k] * m[k] * (r.IsEmpty ? 1f : r[k]);
            if (hv == 0f) continue;
            ReadOnlySpan<float> uRow = recurrentKernel.Slice(k * gu + q * u, u);
            Axpy(uRow, hv, dst);
        }
    }

    private static void CheckCell(int batch, int steps, int features, int units, int gates)
    {
        if (gates is not (1 or 3 or 4)) throw new ArgumentOutOfRangeException(nameof(gates), gates, "gates must be 1 (SimpleRNN), 4 (LSTM) or 3 (GRU).");
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive.");
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "features must be positive.");
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, "units must be positive.");
    }

    private static void Check(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> masks, ReadOnlySpan<float> cache, int batch, int steps, int features, int units, int gates, bool resetAfter)
    {
        CheckCell(batch, steps, features, units, gates);
        int gu = gates * units;
        Guard.AtLeast(x.Length, batch * steps * features, nameof(x), "batch·steps·features");
        Guard.AtLeast(kernel.Length, features * gu, nameof(kernel), "features·gates·units");
        Guard.AtLeast(recurrentKernel.Length, units * gu, nameof(recurrentKernel), "units·gates·units");
        if (!bias.IsEmpty) Guard.AtLeast(bias.Length, gates == 3 && resetAfter ? 2 * gu : gu, nameof(bias), "the bias length");
        if (!mask.IsEmpty) Guard.AtLeast(mask.Length, batch * steps, nameof(mask), "batch·steps");
        Guard.AtLeast(masks.Length, MaskSize(batch, features, units, gates), nameof(masks), "RecurrentDropout.MaskSize");
        Guard.AtLeast(cache.Length, CacheSize(batch, steps, units, gates), nameof(cache), "RecurrentDropout.CacheSize");
    }
}
