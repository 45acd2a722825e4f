using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// The LSTM forward pass at batch 1 on AVX-512 (units a multiple of 32, Keras' default activations tanh and sigmoid):
/// a GEMV-specialised loop. Each step is one pass over the recurrent kernel, packed into blocks of 32 units that hold
/// the four gates' columns of those units side by side (128 columns, 8 accumulators of 16 floats), each block's
/// pre-activations written to the step's gate row as soon as its rows have streamed past; then the gate activations,
/// the new cell and the new output over the whole row (four SIMD activation passes a step).
/// </summary>
/// <remarks>
/// <para>The input projections of all steps are computed before the loop by the same blocked kernel (three time steps
/// at a time over a 32-unit block of the packed input kernel, which stays in L1 across the steps), straight into the
/// cache's gate rows. Both products sum k in the order of <see cref="Gemm"/>'s one-row kernel (one fused multiply-add
/// chain per column from zero), so the projection of a step equals <see cref="Recurrent.LstmStep"/>'s one-row GEMM bit
/// for bit, and each gate's pre-activation is formed as the general path forms it, (x·W + h·U) + bias, with the same
/// activation functions: the results are those of the general path with one-row projections.</para>
/// <para>The two kernels are packed into a per-thread buffer kept between calls (one for each of up to four LSTM layers). Weights
/// change through training, loading and the writable parameter spans (a span can be written at any time after it was
/// taken), so a comparison with the caller's weights, bit for bit, is the one proof of freshness that covers them all (as
/// the Winograd kernel cache does). It costs no separate pass: each packed block of the input kernel is compared with its
/// source just before the projection reads it, and the recurrent kernel's rows while the first computed step streams
/// them (its accumulators are the same either way). A difference, found before any state is updated, packs both
/// kernels again and starts the call over.</para>
/// </remarks>
public static partial class Recurrent
{
    /// <summary>Units per packed block: four gates × two vectors of 16 = 128 columns, 8 accumulators.</summary>
    private const int GemvUnits = 32;

    /// <summary>Whether <see cref="LstmForwardGemv"/> runs this forward pass.</summary>
    private static bool LstmGemvApplies(int batch, int units, RecurrentActivation activation, RecurrentActivation recurrentActivation)
        => batch == 1 && units % GemvUnits == 0 && Gemm.DefaultPath == 512 && Vector512.IsHardwareAccelerated
            && activation == RecurrentActivation.Tanh && recurrentActivation == RecurrentActivation.Sigmoid;

    /// <summary>
    /// Packed copies a thread keeps: one per LSTM layer of a stacked or bidirectional network (keyed by where its input
    /// kernel lives), so that calls through several layers do not pack each other's weights away every time.
    /// </summary>
    private const int GemvEntries = 4;

    /// <summary>One packed copy: the weights it was packed from (the input kernel's address, which only picks the entry:
    /// the comparison proves the contents), its sizes (-1 while packing) and when it was last used.</summary>
    private sealed class GemvEntry
    {
        public float[] Packed = Array.Empty<float>();
        public nint Kernel;
        public int Features = -1, Units = -1;
        public long Used;
    }

    [ThreadStatic]
    private static GemvEntry[]? t_gemv;

    [ThreadStatic]
    private static long t_gemvClock;

    /// <summary>
    /// LstmForward at batch 1 (see <see cref="LstmGemvApplies"/>); the caller has checked the arguments and started
    /// <paramref name="h"/> and <paramref name="c"/> from the initial states.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LstmForwardGemv(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mask, Span<float> outputs, Span<float> h, Span<float> c, Span<float> gates, Span<float> cells,
        int steps, int features, int u, bool goBackwards, bool zeroOutputForMask)
    {
        int g4 = 4 * u;
        kernel = kernel.Slice(0, features * g4);
        recurrentKernel = recurrentKernel.Slice(0, u * g4);
        bool unproven = GemvPacked(kernel, recurrentKernel, features, u, out var entry);
        float[] packed = entry.Packed;
        x = x.Slice(0, steps * features);
        gates = gates.Slice(0, steps * g4);
        bool keep = !cells.IsEmpty;
        if (keep) cells = cells.Slice(0, steps * u);
        outputs = outputs.Slice(0, steps * u);
        h = h.Slice(0, u);
        c = c.Slice(0, u);
        if (!bias.IsEmpty) bias = bias.Slice(0, g4);
        // The slices above checked every length: the pointer loops below stay in range.
        fixed (float* px = x, pk = kernel, pr = recurrentKernel, pp = packed, pg = gates, pb = bias, ph = h, pc = c)
        {
            float* pw = pp, pu = pp + features * g4;
            while (true)
            {
                // Packed at an earlier call: each kernel is compared with its packed copy where the pass first reads it
                // (the input kernel block by block before projecting with it, the recurrent kernel while the first
                // computed step streams it), before anything but the projections and the skipped steps' outputs is
                // written; a difference packs both again and starts over.
                bool checkU = unproven;
                if (features > 0)
                {
                    if (!ProjectGemv(px, pw, unproven ? pk : null, pg, steps, features, u)) goto Stale;
                }
                else gates.Clear();
                for (int s = 0; s < steps; s++)
                {
                    int t = goBackwards ? steps - 1 - s : s;
                    if (Keep(mask, 0, steps, t))
                    {
                        if (!LstmGemvGates(ph, pu, checkU ? pr : null, pg + t * g4, pb, u)) goto Stale;
                        checkU = false;
                        LstmGemvCell(pg + t * g4, pc, ph, u);
                    }
                    WriteOutputs(outputs, h, mask, 1, steps, s, t, u, zeroOutputForMask);
                    if (keep) c.CopyTo(cells.Slice(s * u, u));
                }
                return;
            Stale:
                // Packed again, the next pass compares nothing: it cannot come back here.
                GemvPack(kernel, recurrentKernel, entry, features, u);
                unproven = false;
            }
        }
    }

    /// <summary>
    /// The per-thread entry for these weights: <paramref name="features"/> + <paramref name="u"/> rows of 4·u floats for the
    /// input kernel (features, 4·u) then the recurrent kernel (u, 4·u), each packed into blocks of <see cref="GemvUnits"/>
    /// units: block j holds, for each row p, the 32 columns of gate i for units 32j.., then f, g and o (128 floats a row).
    /// Returns true when the entry holds a packing for these sizes and this input kernel's address from an earlier call
    /// (<see cref="LstmForwardGemv"/> compares before it relies on it: the weights may have changed, or another array may
    /// live there now), false when the weights were packed now, into the least recently used entry.
    /// </summary>
    private static bool GemvPacked(ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, int features, int u, out GemvEntry entry)
    {
        int size = (features + u) * 4 * u;
        nint key = KernelAddress(kernel);
        var entries = t_gemv ??= new GemvEntry[GemvEntries];
        long now = ++t_gemvClock;
        GemvEntry? oldest = null;
        for (int i = 0; i < entries.Length; i++)
        {
            var e = entries[i] ??= new GemvEntry();
            if (e.Kernel == key && e.Features == features && e.Units == u && e.Packed.Length == size)
            {
                e.Used = now;
                entry = e;
                return true;
            }
            if (oldest is null || e.Used < oldest.Used) oldest = e;
        }
        entry = oldest!;
        entry.Used = now;
        if (entry.Packed.Length != size)
        {
            entry.Features = entry.Units = -1;
            entry.Packed = GC.AllocateUninitializedArray<float>(size);
        }
        entry.Kernel = key;
        GemvPack(kernel, recurrentKernel, entry, features, u);
        return false;
    }

    private static unsafe nint KernelAddress(ReadOnlySpan<float> kernel) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(kernel));

    /// <summary>Packs both kernels into <paramref name="entry"/> (the layout of <see cref="GemvPacked"/>).</summary>
    private static void GemvPack(ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, GemvEntry entry, int features, int u)
    {
        int g4 = 4 * u;
        entry.Features = entry.Units = -1; // not valid until both are packed
        PackGateBlocks(kernel, entry.Packed.AsSpan(0, features * g4), features, u);
        PackGateBlocks(recurrentKernel, entry.Packed.AsSpan(features * g4, u * g4), u, u);
        entry.Features = features;
        entry.Units = u;
    }

    /// <summary>Row-major (rows, 4·u) <paramref name="source"/> into the block layout of <see cref="GemvPacked"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackGateBlocks(ReadOnlySpan<float> source, Span<float> packed, int rows, int u)
    {
        int g4 = 4 * u;
        source = source.Slice(0, rows * g4);
        packed = packed.Slice(0, rows * g4);
        fixed (float* ps = source, pq = packed)
        {
            float* q = pq;
            for (int j = 0; j < u / GemvUnits; j++)
            {
                float* sj = ps + j * GemvUnits;
                for (int p = 0; p < rows; p++, q += 128)
                {
                    float* r = sj + (nint)p * g4;
                    Vector512.Load(r).Store(q); Vector512.Load(r + 16).Store(q + 16);
                    Vector512.Load(r + u).Store(q + 32); Vector512.Load(r + u + 16).Store(q + 48);
                    Vector512.Load(r + 2 * u).Store(q + 64); Vector512.Load(r + 2 * u + 16).Store(q + 80);
                    Vector512.Load(r + 3 * u).Store(q + 96); Vector512.Load(r + 3 * u + 16).Store(q + 112);
                }
            }
        }
    }

    /// <summary>
    /// Whether block <paramref name="q"/> of the layout of <see cref="GemvPacked"/> (<paramref name="rows"/> rows of 128
    /// floats) holds the weights of row-major (rows, 4·u) <paramref name="s"/>, the block's first unit at <paramref name="s"/>,
    /// bit for bit (stops at the first differing row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool BlockEquals(float* s, float* q, int rows, int u)
    {
        int g4 = 4 * u;
        for (int p = 0; p < rows; p++, q += 128, s += g4)
            if (RowDifference(s, q, u) != Vector512<int>.Zero) return false;
        return true;
    }

    /// <summary>
    /// The bits in which a packed row <paramref name="q"/> (128 floats) differs from the weights it was packed from, the
    /// four gates' 32 columns at <paramref name="s"/>, <paramref name="s"/> + u, ..., OR-ed into one vector: compared as
    /// integers, bit for bit (a NaN equals itself, −0 differs from +0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<int> RowDifference(float* s, float* q, int u)
        => (Vector512.Load((int*)s) ^ Vector512.Load((int*)q)) | (Vector512.Load((int*)(s + 16)) ^ Vector512.Load((int*)(q + 16)))
            | (Vector512.Load((int*)(s + u)) ^ Vector512.Load((int*)(q + 32))) | (Vector512.Load((int*)(s + u + 16)) ^ Vector512.Load((int*)(q + 48)))
            | (Vector512.Load((int*)(s + 2 * u)) ^ Vector512.Load((int*)(q + 64))) | (Vector512.Load((int*)(s + 2 * u + 16)) ^ Vector512.Load((int*)(q + 80)))
            | (Vector512.Load((int*)(s + 3 * u)) ^ Vector512.Load((int*)(q + 96))) | (Vector512.Load((int*)(s + 3 * u + 16)) ^ Vector512.Load((int*)(q + 112)));

    /// <summary>
    /// gates[t] = x[t]·W for every step t (rows of 4·u floats), W block-packed: per 32-unit block (its rows stay in L1), three
    /// steps at a time with 24 accumulators, each column one fused multiply-add chain over the features from zero.
    /// With <paramref name="source"/> (the row-major kernel W was packed from) each block is first compared with its
    /// source (and then is in L1 for the projection); false at the first difference.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool ProjectGemv(float* x, float* w, float* source, float* gates, int steps, int features, int u)
    {
        int g4 = 4 * u;
        for (int j = 0; j < u / GemvUnits; j++)
        {
            float* wj = w + (nint)j * features * 128;
            if (source != null && !BlockEquals(source + j * GemvUnits, wj, features, u)) return false;
            int o = j * GemvUnits;
            int t = 0;
            for (; t + 3 <= steps; t += 3)
            {
                float* x0 = x + (nint)t * features, x1 = x0 + features, x2 = x1 + features;
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
                Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
                float* wp = wj;
                for (int p = 0; p < features; p++, wp += 128)
                {
                    Vector512<float> s0 = Vector512.Create(x0[p]), s1 = Vector512.Create(x1[p]), s2 = Vector512.Create(x2[p]);
                    Vector512<float> v = Vector512.Load(wp);
                    a0 = Vector512.FusedMultiplyAdd(s0, v, a0); b0 = Vector512.FusedMultiplyAdd(s1, v, b0); c0 = Vector512.FusedMultiplyAdd(s2, v, c0);
                    v = Vector512.Load(wp + 16);
                    a1 = Vector512.FusedMultiplyAdd(s0, v, a1); b1 = Vector512.FusedMultiplyAdd(s1, v, b1); c1 = Vector512.FusedMultiplyAdd(s2, v, c1);
                    v = Vector512.Load(wp + 32);
                    a2 = Vector512.FusedMultiplyAdd(s0, v, a2); b2 = Vector512.FusedMultiplyAdd(s1, v, b2); c2 = Vector512.FusedMultiplyAdd(s2, v, c2);
                    v = Vector512.Load(wp + 48);
                    a3 = Vector512.FusedMultiplyAdd(s0, v, a3); b3 = Vector512.FusedMultiplyAdd(s1, v, b3); c3 = Vector512.FusedMultiplyAdd(s2, v, c3);
                    v = Vector512.Load(wp + 64);
                    a4 = Vector512.FusedMultiplyAdd(s0, v, a4); b4 = Vector512.FusedMultiplyAdd(s1, v, b4); c4 = Vector512.FusedMultiplyAdd(s2, v, c4);
                    v = Vector512.Load(wp + 80);
                    a5 = Vector512.FusedMultiplyAdd(s0, v, a5); b5 = Vector512.FusedMultiplyAdd(s1, v, b5); c5 = Vector512.FusedMultiplyAdd(s2, v, c5);
                    v = Vector512.Load(wp + 96);
                    a6 = Vector512.FusedMultiplyAdd(s0, v, a6); b6 = Vector512.FusedMultiplyAdd(s1, v, b6); c6 = Vector512.FusedMultiplyAdd(s2, v, c6);
                    v = Vector512.Load(wp + 112);
                    a7 = Vector512.FusedMultiplyAdd(s0, v, a7); b7 = Vector512.FusedMultiplyAdd(s1, v, b7); c7 = Vector512.FusedMultiplyAdd(s2, v, c7);
                }
                StoreGateBlock(gates + (nint)t * g4 + o, u, a0, a1, a2, a3, a4, a5, a6, a7);
                StoreGateBlock(gates + (nint)(t + 1) * g4 + o, u, b0, b1, b2, b3, b4, b5, b6, b7);
                StoreGateBlock(gates + (nint)(t + 2) * g4 + o, u, c0, c1, c2, c3, c4, c5, c6, c7);
            }
            for (; t < steps; t++)
            {
                float* x0 = x + (nint)t * features;
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                float* wp = wj;
                for (int p = 0; p < features; p++, wp += 128)
                {
                    Vector512<float> s0 = Vector512.Create(x0[p]);
                    a0 = Vector512.FusedMultiplyAdd(s0, Vector512.Load(wp), a0);
                    a1 = Vector512.FusedMultiplyAdd(s0, Vector512.Load(wp + 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(s0, Vector512.Load(wp + 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(s0, Vector512.Load(wp + 48), a3);
                    a4 = Vector512.FusedMultiplyAdd(s0, Vector512.Load(wp + 64), a4);
                    a5 = Vector512.FusedMultiplyAdd(s0, Vector512.Load(wp + 80), a5);
                    a6 = Vector512.FusedMultiplyAdd(s0, Vector512.Load(wp + 96), a6);
                    a7 = Vector512.FusedMultiplyAdd(s0, Vector512.Load(wp + 112), a7);
                }
                StoreGateBlock(gates + (nint)t * g4 + o, u, a0, a1, a2, a3, a4, a5, a6, a7);
            }
        }
        return true;
    }

    /// <summary>A block's 8 vectors (i, i, f, f, g, g, o, o) to their places in a (4·u) gate row, <paramref name="row"/> at the block's first unit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreGateBlock(float* row, int u, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3,
        Vector512<float> v4, Vector512<float> v5, Vector512<float> v6, Vector512<float> v7)
    {
        v0.Store(row); v1.Store(row + 16);
        v2.Store(row + u); v3.Store(row + u + 16);
        v4.Store(row + 2 * u); v5.Store(row + 2 * u + 16);
        v6.Store(row + 3 * u); v7.Store(row + 3 * u + 16);
    }

    /// <summary>
    /// A step's pre-activations: for each 32-unit block, z = (x·W + h·U) + bias from the block's accumulators, written over
    /// the projection in <paramref name="row"/>. <paramref name="bias"/> null means no bias. With <paramref name="source"/>
    /// (the row-major recurrent kernel U was packed from) each packed row is also compared with its source as it streams
    /// past; false at the end of the first block that differs (only the blocks before it written to the row, the state untouched).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool LstmGemvGates(float* h, float* packed, float* source, float* row, float* bias, int u)
    {
        for (int j = 0; j < u / GemvUnits; j++)
        {
            float* b = packed + (nint)j * u * 128;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            if (source == null)
            {
                for (int p = 0; p < u; p++, b += 128)
                {
                    Vector512<float> s = Vector512.Create(h[p]);
                    a0 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b), a0);
                    a1 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 48), a3);
                    a4 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 64), a4);
                    a5 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 80), a5);
                    a6 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 96), a6);
                    a7 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 112), a7);
                }
            }
            else
            {
                // The same chains, each packed row also compared with its source.
                Vector512<int> d = Vector512<int>.Zero;
                float* r = source + j * GemvUnits;
                for (int p = 0; p < u; p++, b += 128, r += 4 * u)
                {
                    Vector512<float> s = Vector512.Create(h[p]);
                    a0 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b), a0);
                    a1 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 48), a3);
                    a4 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 64), a4);
                    a5 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 80), a5);
                    a6 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 96), a6);
                    a7 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 112), a7);
                    d |= RowDifference(r, b, u);
                }
                if (d != Vector512<int>.Zero) return false;
            }
            float* ri = row + j * GemvUnits, rf = ri + u, rg = rf + u, ro = rg + u;
            a0 = Vector512.Load(ri) + a0; a1 = Vector512.Load(ri + 16) + a1;
            a2 = Vector512.Load(rf) + a2; a3 = Vector512.Load(rf + 16) + a3;
            a4 = Vector512.Load(rg) + a4; a5 = Vector512.Load(rg + 16) + a5;
            a6 = Vector512.Load(ro) + a6; a7 = Vector512.Load(ro + 16) + a7;
            if (bias != null)
            {
                float* bi = bias + j * GemvUnits, bf = bi + u, bg = bf + u, bo = bg + u;
                a0 += Vector512.Load(bi); a1 += Vector512.Load(bi + 16);
                a2 += Vector512.Load(bf); a3 += Vector512.Load(bf + 16);
                a4 += Vector512.Load(bg); a5 += Vector512.Load(bg + 16);
                a6 += Vector512.Load(bo); a7 += Vector512.Load(bo + 16);
            }
            StoreGateBlock(ri, u, a0, a1, a2, a3, a4, a5, a6, a7);
        }
        return true;
    }

    /// <summary>
    /// The rest of a step once <see cref="LstmGemvGates"/> has written all of <paramref name="row"/>'s pre-activations (h is no
    /// longer read): the gates i, f, o = σ(z), g = tanh(z) in place (what BPTT reads), by the general path's own SIMD passes
    /// over the whole row (the same functions, elementwise, four calls a step), c = f⊙c + i⊙g in place and h = o⊙tanh(c).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LstmGemvCell(float* row, float* c, float* h, int u)
    {
        float* ri = row, rf = ri + u, rg = rf + u, ro = rg + u;
        SigmoidInPlace(new Span<float>(ri, 2 * u));
        TanhInPlace(new Span<float>(rg, u));
        SigmoidInPlace(new Span<float>(ro, u));
        for (int v = 0; v < u; v += 16)
        {
            Vector512<float> cn = Vector512.Load(rf + v) * Vector512.Load(c + v) + Vector512.Load(ri + v) * Vector512.Load(rg + v);
            cn.Store(c + v);
            cn.Store(h + v);
        }
        TanhInPlace(new Span<float>(h, u));
        for (int v = 0; v < u; v += 16)
            (Vector512.Load(h + v) * Vector512.Load(ro + v)).Store(h + v);
    }
}
