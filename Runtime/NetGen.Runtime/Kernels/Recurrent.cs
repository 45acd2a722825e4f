using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

using static NetGen.Kernels.VectorExp;

namespace NetGen.Kernels;

/// <summary>
/// Forward, backward (backpropagation through time) and single-step kernels of Keras' SimpleRNN, LSTM and GRU
/// (LAYERS.md §8), with Keras' weight layouts, gate orders, masks, initial states and <c>go_backwards</c>.
/// </summary>
/// <remarks>
/// <para><b>Layouts.</b> Input <c>x</c> is (batch, steps, features) row-major; <c>kernel</c> (features, G·units),
/// <c>recurrentKernel</c> (units, G·units) with G gate blocks: SimpleRNN 1, LSTM 4 in the order [i, f, c, o],
/// GRU 3 in the order [z, r, h]. Biases: SimpleRNN (units), LSTM (4·units), GRU with <c>resetAfter</c> (2, 3·units)
/// (row 0 input bias, row 1 recurrent bias), GRU without (3·units). An empty bias span means <c>use_bias=False</c>.
/// The <c>mask</c> is (batch, steps) in input time order, nonzero = keep; an empty mask keeps every step. Initial
/// states are (batch, units); an empty span means zeros.</para>
/// <para><b>Outputs.</b> Every sequence kernel writes all steps' outputs, (batch, steps, units), in processing order
/// (with <c>goBackwards</c> element 0 is the output after reading x[steps − 1], as Keras returns it), and the final
/// states (LSTM h and c; the others h) into <c>finalH</c>/<c>finalC</c>, which also serve as the running state: they
/// may be the same memory as the initial states. The layer picks: <c>return_sequences=True</c> reads
/// <c>outputs</c>; <c>return_sequences=False</c> reads the last step of <c>outputs</c> (<see cref="LastOutput"/>),
/// which equals <c>finalH</c> unless trailing steps are masked after a non-zero initial state or
/// <c>zeroOutputForMask</c> is set; <c>return_state</c> reads the final states.</para>
/// <para><b>Masks</b> follow Keras' RNN loop: at a masked step the states are carried unchanged and the output is the
/// previous step's output (zeros before the first step), or zeros with <c>zeroOutputForMask</c> (what Bidirectional
/// forces for return_sequences). In the backward pass dh and dc pass a masked step unchanged.</para>
/// <para><b>Performance.</b> SimpleRNN and GRU: the input projection of all steps is one GEMM before the time loop,
/// straight into the gate part of <c>cache</c>. LSTM: above batch 4, each step projects its own input rows, read in place
/// from x, into the (batch, 4·units) scratch that the recurrent product then accumulates into, so no (batch·steps, 4·units)
/// buffer is filled and read back from memory, and the gate activations are written once, to the cache rows BPTT reads;
/// up to batch 4 (where that buffer is small and one-row GEMMs are slow) all steps are projected in one GEMM into the
/// cache's gate rows first. The bias joins in the step. The recurrent kernel is packed once per call for the GEMMs of
/// every step (forward above batch 4, where the GEMM packs; the backward's Uᵀ always), not once per step. Each step runs
/// one recurrent GEMM over all gates (LSTM at batch 1 on AVX-512 with units a multiple of 32 and the default activations:
/// a GEMV over a gate-interleaved packing kept between calls, with the gate activations and the cell update done per
/// block of 32 units as it completes, see RecurrentGemv.cs; Predict passes the LSTM an empty cache, so nothing BPTT
/// would read is written; GRU with <c>resetAfter=false</c>:
/// two, since r must be known before (r ⊙ h)·U_h), then the gate activations in SIMD passes over each sample's row with
/// this file's own e^x (<c>Vector.Exp</c> measured about 1.8 ns per float here), on 512-bit vectors where available. The forward overwrites the projection in place with the gate
/// activations BPTT needs. The backward walks the steps in reverse with one GEMM per step for dh, writes the gate
/// gradients in place over the cached activations (LSTM with tanh/sigmoid: in SIMD, recomputing act(c) with the forward's
/// tanh), and after the loop forms dKernel, dRecurrentKernel and dx with one
/// GEMM each (GRU: one more small GEMM for the candidate block of dRecurrentKernel) and dBias as column sums.
/// Buffers are the caller's: their sizes come from the <c>…CacheSize</c> and <c>…ScratchSize</c> functions, so
/// nothing is allocated per call. The backward overwrites the cache (it is dead afterwards) and overwrites, never
/// accumulates, every gradient it is given; an empty gradient span (dx, dBias, dInitialH, dInitialC) is skipped,
/// and an empty upstream gradient (dOutputs, dLastOutput, dFinalH, dFinalC) means zero.</para>
/// <para><b>Streaming.</b> The <c>…Step</c> kernels advance the state by one step for a (batch, features) input
/// with the same per-step code as the sequence kernels (LSTM above batch 4: the same calls, so the two agree exactly; the
/// recurrent products of the strip-packed and packed kernels equal MatMul's bit for bit). For SimpleRNN, GRU and the LSTM
/// up to batch 4 the only difference is the input projection, which is one GEMM over batch·steps rows in the sequence
/// kernel and over batch rows in the step. <see cref="Gemm"/>'s one-row
/// and six-row micro-kernels sum k in different orders, so a row's projection can differ in its last bit with the row
/// count, and the two paths agree to float rounding (tested ≤ 4e-6, measured up to 1.3e-6) rather than bit for bit. Bit
/// identity needs a GEMM whose per-row result does not depend on the row count (a follow-up for Gemm.cs).</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static partial class Recurrent
{
    // ------------------------------------------------------------------ buffer sizes

    /// <summary>Floats of <c>cache</c> for <see cref="SimpleRnnForward"/>/<see cref="SimpleRnnBackward"/>: batch·steps·units.</summary>
    public static int SimpleRnnCacheSize(int batch, int steps, int units) => batch * steps * units;

    /// <summary>Floats of <c>scratch</c> for <see cref="SimpleRnnForward"/>: batch·units.</summary>
    public static int SimpleRnnForwardScratchSize(int batch, int units) => batch * units;

    /// <summary>Floats of <c>scratch</c> for <see cref="SimpleRnnBackward"/>: (steps + 3)·batch·units.</summary>
    public static int SimpleRnnBackwardScratchSize(int batch, int steps, int units) => (steps + 3) * batch * units;

    /// <summary>Floats of <c>scratch</c> for <see cref="SimpleRnnStep"/>: 2·batch·units.</summary>
    public static int SimpleRnnStepScratchSize(int batch, int units) => 2 * batch * units;

    /// <summary>Floats of <c>cache</c> for the LSTM: gates (batch, steps, 4·units) then cell states (batch, steps, units).</summary>
    public static int LstmCacheSize(int batch, int steps, int units) => 5 * batch * steps * units;

    /// <summary>Floats of <c>scratch</c> for <see cref="LstmForward"/>: 4·batch·units.</summary>
    public static int LstmForwardScratchSize(int batch, int units) => 4 * batch * units;

    /// <summary>Floats of <c>scratch</c> for <see cref="LstmBackward"/>: (steps + 7)·batch·units.</summary>
    public static int LstmBackwardScratchSize(int batch, int steps, int units) => (steps + 7) * batch * units;

    /// <summary>Floats of <c>scratch</c> for <see cref="LstmStep"/>: 8·batch·units.</summary>
    public static int LstmStepScratchSize(int batch, int units) => 8 * batch * units;

    /// <summary>Floats of <c>cache</c> for the GRU: gates (batch, steps, 3·units), plus (batch, steps, units) of h·U_h + b_h with <paramref name="resetAfter"/>.</summary>
    public static int GruCacheSize(int batch, int steps, int units, bool resetAfter) => (resetAfter ? 4 : 3) * batch * steps * units;

    /// <summary>Floats of <c>scratch</c> for <see cref="GruForward"/>: 3·batch·units (+ 3·units² without <paramref name="resetAfter"/>).</summary>
    public static int GruForwardScratchSize(int batch, int units, bool resetAfter)
        => resetAfter ? 3 * batch * units : 4 * batch * units + 3 * units * units;

    /// <summary>Floats of <c>scratch</c> for <see cref="GruBackward"/>.</summary>
    public static int GruBackwardScratchSize(int batch, int steps, int units, bool resetAfter)
        => resetAfter
            ? (steps + 5) * batch * units + units * units
            : (3 * steps + 6) * batch * units + 4 * units * units;

    /// <summary>Floats of <c>scratch</c> for <see cref="GruStep"/>: the step's projection plus <see cref="GruForwardScratchSize"/>.</summary>
    public static int GruStepScratchSize(int batch, int units, bool resetAfter) => 3 * batch * units + GruForwardScratchSize(batch, units, resetAfter);

    // ------------------------------------------------------------------ SimpleRNN

    /// <summary>SimpleRNN over a whole sequence: <c>h_t = act(x_t·W + b + h_{t−1}·U)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SimpleRnnForward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> initialH,
        Span<float> outputs, Span<float> finalH, Span<float> cache, Span<float> scratch,
        int batch, int steps, int features, int units,
        RecurrentActivation activation, bool goBackwards, bool zeroOutputForMask)
    {
        CheckSequence(x, kernel, recurrentKernel, bias, mask, initialH, default, outputs, finalH, default, cache, scratch,
            batch, steps, features, units, 1, 1, SimpleRnnCacheSize(batch, steps, units), SimpleRnnForwardScratchSize(batch, units), false);
        int u = units;
        Span<float> zx = cache.Slice(0, batch * steps * u);
        Project(x, kernel, bias, zx, batch * steps, features, u);
        StartState(initialH, finalH, batch * u);
        Span<float> rec = scratch.Slice(0, batch * u);
        for (int s = 0; s < steps; s++)
        {
            int t = goBackwards ? steps - 1 - s : s;
            SimpleRnnAdvance(zx, t * u, steps * u, recurrentKernel, finalH, rec, mask, steps, t, batch, u, activation);
            WriteOutputs(outputs, finalH, mask, batch, steps, s, t, u, zeroOutputForMask);
        }
    }

    /// <summary>One SimpleRNN step for streaming: <paramref name="h"/> (batch, units) is read and replaced by the new state (= the step's output).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SimpleRnnStep(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        Span<float> h, Span<float> scratch, int batch, int features, int units, RecurrentActivation activation)
    {
        CheckStep(x, kernel, recurrentKernel, bias, h, default, scratch, batch, features, units, 1, 1, SimpleRnnStepScratchSize(batch, units), false);
        int u = units;
        Span<float> zx = scratch.Slice(0, batch * u);
        Project(x, kernel, bias, zx, batch, features, u);
        SimpleRnnAdvance(zx, 0, u, recurrentKernel, h, scratch.Slice(batch * u, batch * u), default, 1, 0, batch, u, activation);
    }

    /// <summary>Backward of <see cref="SimpleRnnForward"/> (same arguments): gradients of x, the weights and the initial state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SimpleRnnBackward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> initialH, ReadOnlySpan<float> outputs, Span<float> cache,
        ReadOnlySpan<float> dOutputs, ReadOnlySpan<float> dLastOutput, ReadOnlySpan<float> dFinalH,
        Span<float> dx, Span<float> dKernel, Span<float> dRecurrentKernel, Span<float> dBias, Span<float> dInitialH,
        Span<float> scratch, int batch, int steps, int features, int units,
        RecurrentActivation activation, bool goBackwards, bool zeroOutputForMask)
    {
        CheckBackward(x, kernel, recurrentKernel, mask, initialH, default, outputs, cache, dOutputs, dLastOutput, dFinalH, default,
            dx, dKernel, dRecurrentKernel, dBias, dInitialH, default, scratch, batch, steps, features, units, 1, 1,
            SimpleRnnCacheSize(batch, steps, units), SimpleRnnBackwardScratchSize(batch, steps, units), false);
        int u = units, bu = batch * u;
        Span<float> gates = cache.Slice(0, batch * steps * u);
        Span<float> hprev = scratch.Slice(0, steps * bu);
        Span<float> dh = scratch.Slice(steps * bu, bu);
        Span<float> carry = scratch.Slice((steps + 1) * bu, bu);
        Span<float> dzs = scratch.Slice((steps + 2) * bu, bu);
        PreviousStates(outputs, initialH, mask, hprev, batch, steps, u, goBackwards);
        StartGradient(dFinalH, dh, bu);
        carry.Clear();
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = goBackwards ? steps - 1 - s : s;
            for (int b = 0; b < batch; b++)
            {
                Span<float> g = carry.Slice(b * u, u);
                Span<float> row = gates.Slice((b * steps + t) * u, u);
                Span<float> dzRow = dzs.Slice(b * u, u);
                if (!OutputGradient(g, dOutputs, dLastOutput, mask, b, s, t, steps, u, zeroOutputForMask))
                {
                    row.Clear();
                    dzRow.Clear();
                    continue;
                }
                Span<float> dhRow = dh.Slice(b * u, u);
                for (int j = 0; j < u; j++)
                {
                    float dz = (dhRow[j] + g[j]) * Derivative(row[j], activation);
                    row[j] = dz;
                    dzRow[j] = dz;
                }
                g.Clear();
                dhRow.Clear();
            }
            Gemm.MatMulTransposeB(dzs, recurrentKernel, dh, batch, u, u, accumulate: true);
        }
        WeightGradients(x, kernel, hprev, gates, dx, dKernel, dRecurrentKernel, batch * steps, features, u, u);
        if (!dBias.IsEmpty) ColumnSums(gates, batch * steps, u, dBias.Slice(0, u));
        if (!dInitialH.IsEmpty) dh.CopyTo(dInitialH);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SimpleRnnAdvance(Span<float> zx, int offset, int stride, ReadOnlySpan<float> recurrentKernel, Span<float> h,
        Span<float> rec, ReadOnlySpan<float> mask, int steps, int t, int batch, int u, RecurrentActivation activation)
    {
        Gemm.MatMul(h, recurrentKernel, rec, batch, u, u);
        for (int b = 0; b < batch; b++)
        {
            if (!Keep(mask, b, steps, t)) continue;
            Span<float> row = zx.Slice(offset + b * stride, u);
            ReadOnlySpan<float> r = rec.Slice(b * u, u);
            for (int j = 0; j < u; j++) row[j] += r[j];
            Activate(row, activation);
            row.CopyTo(h.Slice(b * u, u));
        }
    }

    // ------------------------------------------------------------------ LSTM

    /// <summary>
    /// LSTM over a whole sequence (gates [i, f, c, o]; <c>c' = f⊙c + i⊙g</c>, <c>h' = o⊙act(c')</c>). An empty
    /// <paramref name="cache"/> means inference: no backward pass follows, so the gate activations and cells are not kept
    /// (at a large batch writing them was megabytes per call that only BPTT reads).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmForward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> initialH, ReadOnlySpan<float> initialC,
        Span<float> outputs, Span<float> finalH, Span<float> finalC, Span<float> cache, Span<float> scratch,
        int batch, int steps, int features, int units,
        RecurrentActivation activation, RecurrentActivation recurrentActivation, bool goBackwards, bool zeroOutputForMask)
    {
        // An empty cache: inference, no backward pass follows (nothing of the activations is kept).
        bool keep = !cache.IsEmpty;
        CheckSequence(x, kernel, recurrentKernel, bias, mask, initialH, initialC, outputs, finalH, finalC, cache, scratch,
            batch, steps, features, units, 4, 4, keep ? LstmCacheSize(batch, steps, units) : 0, LstmForwardScratchSize(batch, units), true);
        int u = units, g4 = 4 * units;
        bool projected = batch <= ProjectAllStepsBatch;
        // Without a cache, the small batches' all-steps projection goes to a per-thread buffer (larger ones need none).
        Span<float> gates = keep ? cache.Slice(0, batch * steps * g4) : projected ? InferenceGates(batch * steps * g4) : default;
        Span<float> cells = keep ? cache.Slice(batch * steps * g4, batch * steps * u) : default;
        StartState(initialH, finalH, batch * u);
        StartState(initialC, finalC, batch * u);
        if (LstmGemvApplies(batch, u, activation, recurrentActivation))
        {
            LstmForwardGemv(x, kernel, recurrentKernel, bias, mask, outputs, finalH, finalC, gates, cells, steps, features, u, goBackwards, zeroOutputForMask);
            return;
        }
        Span<float> rec = scratch.Slice(0, batch * g4);
        // At a small batch the input projections of all steps are one GEMM into the gate rows of the cache (a GEMM of
        // batch·steps rows instead of one of batch rows per step; the cache is small then). Larger batches project each
        // step's rows, read in place from x, into the scratch the recurrent product accumulates into: no (batch·steps,
        // 4·units) buffer to fill first and read back from memory; the gate activations are written once, to the cache
        // rows BPTT reads.
        if (projected) Gemm.MatMul(x, kernel, gates, batch * steps, features, g4);
        // The recurrent kernel is packed once for all steps' GEMMs: above that batch into the GEMM's panels, up to it into
        // the small-row kernel's 128-column strips (where available; else that GEMM streams it unpacked).
        ReadOnlySpan<float> packed = projected ? StripPackedRecurrentKernel(recurrentKernel, u, g4) : PackedRecurrentKernel(recurrentKernel, false, u, g4);
        for (int s = 0; s < steps; s++)
        {
            int t = goBackwards ? steps - 1 - s : s;
            LstmAdvance(projected ? default : x, t * features, steps * features, kernel, features, recurrentKernel, packed, bias, finalH, finalC, rec,
                gates, t * g4, steps * g4, mask, steps, t, batch, u, activation, recurrentActivation);
            WriteOutputs(outputs, finalH, mask, batch, steps, s, t, u, zeroOutputForMask);
            if (keep) for (int b = 0; b < batch; b++) finalC.Slice(b * u, u).CopyTo(cells.Slice((b * steps + s) * u, u));
        }
    }

    [ThreadStatic]
    private static float[]? t_inferenceGates;

    /// <summary>A per-thread buffer of at least <paramref name="size"/> floats (grown when short) for an inference pass's all-steps projection.</summary>
    private static Span<float> InferenceGates(int size)
    {
        float[]? buffer = t_inferenceGates;
        if (buffer == null || buffer.Length < size) t_inferenceGates = buffer = GC.AllocateUninitializedArray<float>(size);
        return buffer.AsSpan(0, size);
    }

    /// <summary>One LSTM step for streaming: <paramref name="h"/> and <paramref name="c"/> (batch, units) are read and replaced; the output is the new h.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmStep(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        Span<float> h, Span<float> c, Span<float> scratch, int batch, int features, int units,
        RecurrentActivation activation, RecurrentActivation recurrentActivation)
    {
        CheckStep(x, kernel, recurrentKernel, bias, h, c, scratch, batch, features, units, 4, 4, LstmStepScratchSize(batch, units), true);
        int g4 = 4 * units;
        LstmAdvance(x, 0, features, kernel, features, recurrentKernel, default, bias, h, c, scratch.Slice(0, batch * g4),
            default, 0, 0, default, 1, 0, batch, units, activation, recurrentActivation);
    }

    /// <summary>Backward of <see cref="LstmForward"/> (same arguments): gradients of x, the weights and the initial states.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmBackward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> initialH, ReadOnlySpan<float> initialC, ReadOnlySpan<float> outputs, Span<float> cache,
        ReadOnlySpan<float> dOutputs, ReadOnlySpan<float> dLastOutput, ReadOnlySpan<float> dFinalH, ReadOnlySpan<float> dFinalC,
        Span<float> dx, Span<float> dKernel, Span<float> dRecurrentKernel, Span<float> dBias, Span<float> dInitialH, Span<float> dInitialC,
        Span<float> scratch, int batch, int steps, int features, int units,
        RecurrentActivation activation, RecurrentActivation recurrentActivation, bool goBackwards, bool zeroOutputForMask)
    {
        CheckBackward(x, kernel, recurrentKernel, mask, initialH, initialC, outputs, cache, dOutputs, dLastOutput, dFinalH, dFinalC,
            dx, dKernel, dRecurrentKernel, dBias, dInitialH, dInitialC, scratch, batch, steps, features, units, 4, 4,
            LstmCacheSize(batch, steps, units), LstmBackwardScratchSize(batch, steps, units), true);
        int u = units, g4 = 4 * units, bu = batch * u;
        Span<float> gates = cache.Slice(0, batch * steps * g4);
        ReadOnlySpan<float> cells = cache.Slice(batch * steps * g4, batch * steps * u);
        Span<float> hprev = scratch.Slice(0, steps * bu);
        Span<float> dh = scratch.Slice(steps * bu, bu);
        Span<float> dc = scratch.Slice((steps + 1) * bu, bu);
        Span<float> carry = scratch.Slice((steps + 2) * bu, bu);
        Span<float> dzs = scratch.Slice((steps + 3) * bu, 4 * bu);
        PreviousStates(outputs, initialH, mask, hprev, batch, steps, u, goBackwards);
        StartGradient(dFinalH, dh, bu);
        StartGradient(dFinalC, dc, bu);
        carry.Clear();
        // Uᵀ packed once for every step's dh GEMM, instead of transposed into the GEMM's panels at each step.
        ReadOnlySpan<float> packed = PackedRecurrentKernel(recurrentKernel, true, g4, u);
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = goBackwards ? steps - 1 - s : s;
            for (int b = 0; b < batch; b++)
            {
                Span<float> g = carry.Slice(b * u, u);
                Span<float> row = gates.Slice((b * steps + t) * g4, g4);
                Span<float> dzRow = dzs.Slice(b * g4, g4);
                if (!OutputGradient(g, dOutputs, dLastOutput, mask, b, s, t, steps, u, zeroOutputForMask))
                {
                    row.Clear();
                    dzRow.Clear();
                    continue;
                }
                ReadOnlySpan<float> cNew = cells.Slice((b * steps + s) * u, u);
                ReadOnlySpan<float> cOld = s > 0 ? cells.Slice((b * steps + s - 1) * u, u) : initialC.IsEmpty ? default : initialC.Slice(b * u, u);
                LstmGateGradients(row, dzRow, cNew, cOld, dh.Slice(b * u, u), g, dc.Slice(b * u, u), u, activation, recurrentActivation);
            }
            if (packed.IsEmpty) Gemm.MatMulTransposeB(dzs, recurrentKernel, dh, batch, g4, u, accumulate: true);
            else Gemm.MatMulPacked(dzs, packed, dh, batch, g4, u, accumulate: true);
        }
        WeightGradients(x, kernel, hprev, gates, dx, dKernel, dRecurrentKernel, batch * steps, features, u, g4);
        if (!dBias.IsEmpty) ColumnSums(gates, batch * steps, g4, dBias.Slice(0, g4));
        if (!dInitialH.IsEmpty) dh.CopyTo(dInitialH);
        if (!dInitialC.IsEmpty) dc.CopyTo(dInitialC);
    }

    /// <summary>
    /// One sample's gate gradients at one step, written over its cached gate activations <paramref name="row"/> and into
    /// <paramref name="dzRow"/>: from dh (<paramref name="dh"/> + the carried output gradient <paramref name="g"/>, both
    /// cleared afterwards) and dc (<paramref name="dc"/>, replaced by the gradient flowing to the previous cell). Keras'
    /// default activations (tanh, sigmoid) run on SIMD vectors with act(c') recomputed by the forward's own tanh; any
    /// other pair, and the tail, in scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmGateGradients(Span<float> row, Span<float> dzRow, ReadOnlySpan<float> cNew, ReadOnlySpan<float> cOld,
        Span<float> dh, Span<float> g, Span<float> dc, int u, RecurrentActivation activation, RecurrentActivation recurrentActivation)
    {
        row = row.Slice(0, 4 * u);
        dzRow = dzRow.Slice(0, 4 * u);
        cNew = cNew.Slice(0, u);
        if (!cOld.IsEmpty) cOld = cOld.Slice(0, u);
        dh = dh.Slice(0, u);
        g = g.Slice(0, u);
        dc = dc.Slice(0, u);
        // The slices above checked every length: the vector loops below read and write in range.
        int j = 0;
        if (activation == RecurrentActivation.Tanh && recurrentActivation == RecurrentActivation.Sigmoid)
        {
            ref float ri = ref MemoryMarshal.GetReference(row);
            ref float rf = ref Unsafe.Add(ref ri, u);
            ref float rg = ref Unsafe.Add(ref ri, 2 * u);
            ref float ro = ref Unsafe.Add(ref ri, 3 * u);
            ref float zi = ref MemoryMarshal.GetReference(dzRow);
            ref float zf = ref Unsafe.Add(ref zi, u);
            ref float zg = ref Unsafe.Add(ref zi, 2 * u);
            ref float zo = ref Unsafe.Add(ref zi, 3 * u);
            ref float cn = ref MemoryMarshal.GetReference(cNew);
            ref float co = ref MemoryMarshal.GetReference(cOld);
            ref float dhr = ref MemoryMarshal.GetReference(dh);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float dcr = ref MemoryMarshal.GetReference(dc);
            bool hasOld = !cOld.IsEmpty;
            if (Vector512.IsHardwareAccelerated)
            {
                var one = Vector512<float>.One;
                for (; j + Vector512<float>.Count <= u; j += Vector512<float>.Count)
                {
                    nuint k = (nuint)j;
                    Vector512<float> i = Vector512.LoadUnsafe(ref ri, k), f = Vector512.LoadUnsafe(ref rf, k);
                    Vector512<float> gg = Vector512.LoadUnsafe(ref rg, k), o = Vector512.LoadUnsafe(ref ro, k);
                    Vector512<float> dht = Vector512.LoadUnsafe(ref dhr, k) + Vector512.LoadUnsafe(ref gr, k);
                    Vector512<float> ac = Tanh(Vector512.LoadUnsafe(ref cn, k));
                    Vector512<float> dcn = dht * o * (one - ac * ac) + Vector512.LoadUnsafe(ref dcr, k);
                    Vector512<float> cp = hasOld ? Vector512.LoadUnsafe(ref co, k) : Vector512<float>.Zero;
                    Vector512<float> ei = dcn * gg * (i * (one - i));
                    Vector512<float> ef = dcn * cp * (f * (one - f));
                    Vector512<float> eg = dcn * i * (one - gg * gg);
                    Vector512<float> eo = dht * ac * (o * (one - o));
                    (dcn * f).StoreUnsafe(ref dcr, k);
                    ei.StoreUnsafe(ref ri, k);
                    ei.StoreUnsafe(ref zi, k);
                    ef.StoreUnsafe(ref rf, k);
                    ef.StoreUnsafe(ref zf, k);
                    eg.StoreUnsafe(ref rg, k);
                    eg.StoreUnsafe(ref zg, k);
                    eo.StoreUnsafe(ref ro, k);
                    eo.StoreUnsafe(ref zo, k);
                }
            }
            if (Vector.IsHardwareAccelerated)
            {
                var one = Vector<float>.One;
                for (; j + Vector<float>.Count <= u; j += Vector<float>.Count)
                {
                    nuint k = (nuint)j;
                    Vector<float> i = Vector.LoadUnsafe(ref ri, k), f = Vector.LoadUnsafe(ref rf, k);
                    Vector<float> gg = Vector.LoadUnsafe(ref rg, k), o = Vector.LoadUnsafe(ref ro, k);
                    Vector<float> dht = Vector.LoadUnsafe(ref dhr, k) + Vector.LoadUnsafe(ref gr, k);
                    Vector<float> ac = Tanh(Vector.LoadUnsafe(ref cn, k));
                    Vector<float> dcn = dht * o * (one - ac * ac) + Vector.LoadUnsafe(ref dcr, k);
                    Vector<float> cp = hasOld ? Vector.LoadUnsafe(ref co, k) : Vector<float>.Zero;
                    Vector<float> ei = dcn * gg * (i * (one - i));
                    Vector<float> ef = dcn * cp * (f * (one - f));
                    Vector<float> eg = dcn * i * (one - gg * gg);
                    Vector<float> eo = dht * ac * (o * (one - o));
                    (dcn * f).StoreUnsafe(ref dcr, k);
                    ei.StoreUnsafe(ref ri, k);
                    ei.StoreUnsafe(ref zi, k);
                    ef.StoreUnsafe(ref rf, k);
                    ef.StoreUnsafe(ref zf, k);
                    eg.StoreUnsafe(ref rg, k);
                    eg.StoreUnsafe(ref zg, k);
                    eo.StoreUnsafe(ref ro, k);
                    eo.StoreUnsafe(ref zo, k);
                }
            }
        }
        for (; j < u; j++)
        {
            float i = row[j], f = row[u + j], gg = row[2 * u + j], o = row[3 * u + j];
            float dht = dh[j] + g[j];
            float ac = Activate(cNew[j], activation);
            float dcn = dht * o * Derivative(ac, activation) + dc[j];
            float cp = cOld.IsEmpty ? 0f : cOld[j];
            float ei = dcn * gg * Derivative(i, recurrentActivation);
            float ef = dcn * cp * Derivative(f, recurrentActivation);
            float eg = dcn * i * Derivative(gg, activation);
            float eo = dht * ac * Derivative(o, recurrentActivation);
            dc[j] = dcn * f;
            row[j] = dzRow[j] = ei;
            row[u + j] = dzRow[u + j] = ef;
            row[2 * u + j] = dzRow[2 * u + j] = eg;
            row[3 * u + j] = dzRow[3 * u + j] = eo;
        }
        g.Clear();
        dh.Clear();
    }

    [ThreadStatic]
    private static float[]? t_packed;

    /// <summary>
    /// The recurrent kernel (u, G·u), or with <paramref name="transposed"/> its transpose (G·u, u), as a k×n right operand
    /// packed by <see cref="Gemm.PackB"/> into a per-thread buffer (allocated once, pinned, 64-byte aligned), so that the
    /// GEMM of every time step reads it without packing it again (the same products bit for bit). Empty without SIMD.
    /// </summary>
    private static ReadOnlySpan<float> PackedRecurrentKernel(ReadOnlySpan<float> recurrentKernel, bool transposed, int k, int n)
    {
        int size = Gemm.PackedBSize(k, n);
        if (size == 0) return default;
        Span<float> packed = PackBuffer(size);
        Gemm.PackB(recurrentKernel, transposed, packed, k, n);
        return packed;
    }

    /// <summary>
    /// The recurrent kernel (u, G·u) in <see cref="Gemm.PackStrips"/>' 128-column strips, in the same per-thread buffer, for
    /// the small-batch step GEMMs (<see cref="Gemm.MatMulStrips"/>, the same products as MatMul bit for bit). Empty where
    /// that layout is unavailable (no AVX-512, or G·u not a multiple of 128).
    /// </summary>
    private static ReadOnlySpan<float> StripPackedRecurrentKernel(ReadOnlySpan<float> recurrentKernel, int k, int n)
    {
        int size = Gemm.StripPackedSize(k, n);
        if (size == 0) return default;
        Span<float> packed = PackBuffer(size);
        Gemm.PackStrips(recurrentKernel, packed, k, n);
        return packed;
    }

    /// <summary>The first <paramref name="size"/> floats from a 64-byte boundary of this thread's pinned pack buffer (grown when short).</summary>
    private static unsafe Span<float> PackBuffer(int size)
    {
        float[]? buffer = t_packed;
        if (buffer == null || buffer.Length < size + 16) t_packed = buffer = GC.AllocateUninitializedArray<float>(size + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return buffer.AsSpan((int)((64 - (address & 63)) & 63) / sizeof(float), size);
    }

    /// <summary>
    /// Batches up to this size project the inputs of all steps in one GEMM before the LSTM's time loop (measured at batch 1:
    /// one 28-row GEMM 10.8 µs against 32.1 µs for 28 one-row ones).
    /// </summary>
    private const int ProjectAllStepsBatch = 4;

    /// <summary>
    /// One step for every sample: rec = x_t·W + h·U (x's row of sample b at <paramref name="xOffset"/> + b·<paramref name="xStride"/>;
    /// an empty <paramref name="x"/> means the projection is already in <paramref name="gates"/>' rows, which are copied in;
    /// U read from <paramref name="packedRecurrentKernel"/> when that is given: <see cref="StripPackedRecurrentKernel"/> up to
    /// <see cref="ProjectAllStepsBatch"/>, else <see cref="PackedRecurrentKernel"/>),
    /// then <see cref="LstmCell"/> on each kept sample's row, whose activated gates are copied to <paramref name="gates"/>
    /// (row b at <paramref name="gOffset"/> + b·<paramref name="gStride"/>) when that is given. A masked sample's state and
    /// gate row are left as they are (the backward pass clears that row without reading it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmAdvance(ReadOnlySpan<float> x, int xOffset, int xStride, ReadOnlySpan<float> kernel, int features,
        ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> packedRecurrentKernel, ReadOnlySpan<float> bias, Span<float> h, Span<float> c, Span<float> rec,
        Span<float> gates, int gOffset, int gStride, ReadOnlySpan<float> mask, int steps, int t, int batch, int u,
        RecurrentActivation activation, RecurrentActivation recurrentActivation)
    {
        int g4 = 4 * u;
        if (batch == 0) return;
        if (!x.IsEmpty) Gemm.MatMulRows(x.Slice(xOffset), xStride, kernel, rec, batch, features, g4);
        else for (int b = 0; b < batch; b++) gates.Slice(gOffset + b * gStride, g4).CopyTo(rec.Slice(b * g4, g4));
        if (packedRecurrentKernel.IsEmpty) Gemm.MatMul(h, recurrentKernel, rec, batch, u, g4, accumulate: true);
        else if (batch <= ProjectAllStepsBatch) Gemm.MatMulStrips(h, packedRecurrentKernel, rec, batch, u, g4, accumulate: true);
        else Gemm.MatMulPacked(h, packedRecurrentKernel, rec, batch, u, g4, accumulate: true);
        for (int b = 0; b < batch; b++)
        {
            if (!Keep(mask, b, steps, t)) continue;
            Span<float> row = rec.Slice(b * g4, g4);
            LstmCell(row, bias, h.Slice(b * u, u), c.Slice(b * u, u), u, activation, recurrentActivation);
            if (!gates.IsEmpty) row.CopyTo(gates.Slice(gOffset + b * gStride, g4));
        }
    }

    /// <summary>
    /// One sample's LSTM update: <paramref name="row"/> holds x·W + h·U for the four gates; it becomes the gates
    /// i, f, g, o = act(row + bias), then <c>c' = f⊙c + i⊙g</c> and <c>h' = o⊙act(c')</c>. A few short SIMD passes over the
    /// L1-resident row, each with one activation, rather than one loop holding all five: the JIT inlines one
    /// <see cref="VectorExp.Exp(Vector{float})"/> per loop, not five. An empty <paramref name="bias"/> is no bias.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmCell(Span<float> row, ReadOnlySpan<float> bias, Span<float> h, Span<float> c, int u,
        RecurrentActivation activation, RecurrentActivation recurrentActivation)
    {
        int g4 = 4 * u;
        row = row.Slice(0, g4);
        h = h.Slice(0, u);
        c = c.Slice(0, u);
        // The slices above checked every length: the loops below read and write in range.
        ref float z = ref MemoryMarshal.GetReference(row);
        if (!bias.IsEmpty) AddInPlace(ref z, ref MemoryMarshal.GetReference(bias.Slice(0, g4)), g4);
        Activate(row.Slice(0, 2 * u), recurrentActivation);
        Activate(row.Slice(2 * u, u), activation);
        Activate(row.Slice(3 * u, u), recurrentActivation);
        ref float hr = ref MemoryMarshal.GetReference(h);
        NewCell(ref z, ref MemoryMarshal.GetReference(c), ref hr, u);
        Activate(h, activation);
        ref float o = ref Unsafe.Add(ref z, 3 * u);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + Vector512<float>.Count <= u; j += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref hr, (nuint)j) * Vector512.LoadUnsafe(ref o, (nuint)j)).StoreUnsafe(ref hr, (nuint)j);
        if (Vector.IsHardwareAccelerated)
            for (; j + Vector<float>.Count <= u; j += Vector<float>.Count)
                (Vector.LoadUnsafe(ref hr, (nuint)j) * Vector.LoadUnsafe(ref o, (nuint)j)).StoreUnsafe(ref hr, (nuint)j);
        for (; j < u; j++) Unsafe.Add(ref hr, j) *= Unsafe.Add(ref o, j);
    }

    /// <summary>z[0..n) += w[0..n) (the caller has checked both lengths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddInPlace(ref float z, ref float w, int n)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + Vector512<float>.Count <= n; j += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref z, (nuint)j) + Vector512.LoadUnsafe(ref w, (nuint)j)).StoreUnsafe(ref z, (nuint)j);
        if (Vector.IsHardwareAccelerated)
            for (; j + Vector<float>.Count <= n; j += Vector<float>.Count)
                (Vector.LoadUnsafe(ref z, (nuint)j) + Vector.LoadUnsafe(ref w, (nuint)j)).StoreUnsafe(ref z, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref z, j) += Unsafe.Add(ref w, j);
    }

    /// <summary>From the activated gates at <paramref name="gates"/> (i, f, g, o blocks of u): c = f⊙c + i⊙g, and h = c (activated by the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NewCell(ref float gates, ref float c, ref float h, int u)
    {
        ref float f = ref Unsafe.Add(ref gates, u);
        ref float g = ref Unsafe.Add(ref gates, 2 * u);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + Vector512<float>.Count <= u; j += Vector512<float>.Count)
            {
                nuint k = (nuint)j;
                Vector512<float> cn = Vector512.LoadUnsafe(ref f, k) * Vector512.LoadUnsafe(ref c, k) + Vector512.LoadUnsafe(ref gates, k) * Vector512.LoadUnsafe(ref g, k);
                cn.StoreUnsafe(ref c, k);
                cn.StoreUnsafe(ref h, k);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            for (; j + Vector<float>.Count <= u; j += Vector<float>.Count)
            {
                nuint k = (nuint)j;
                Vector<float> cn = Vector.LoadUnsafe(ref f, k) * Vector.LoadUnsafe(ref c, k) + Vector.LoadUnsafe(ref gates, k) * Vector.LoadUnsafe(ref g, k);
                cn.StoreUnsafe(ref c, k);
                cn.StoreUnsafe(ref h, k);
            }
        }
        for (; j < u; j++)
        {
            float cn = Unsafe.Add(ref f, j) * Unsafe.Add(ref c, j) + Unsafe.Add(ref gates, j) * Unsafe.Add(ref g, j);
            Unsafe.Add(ref c, j) = cn;
            Unsafe.Add(ref h, j) = cn;
        }
    }

    // ------------------------------------------------------------------ GRU

    /// <summary>
    /// GRU over a whole sequence (gates [z, r, h]; <c>h' = z⊙h + (1 − z)⊙ĥ</c>). With <paramref name="resetAfter"/>
    /// (Keras 3 default, cuDNN and PyTorch): <c>ĥ = act(x·W_h + b_x,h + r⊙(h·U_h + b_h,h))</c>, bias (2, 3·units);
    /// without: <c>ĥ = act(x·W_h + b_h + (r⊙h)·U_h)</c>, bias (3·units).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruForward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> initialH,
        Span<float> outputs, Span<float> finalH, Span<float> cache, Span<float> scratch,
        int batch, int steps, int features, int units,
        RecurrentActivation activation, RecurrentActivation recurrentActivation, bool resetAfter, bool goBackwards, bool zeroOutputForMask)
    {
        CheckSequence(x, kernel, recurrentKernel, bias, mask, initialH, default, outputs, finalH, default, cache, scratch,
            batch, steps, features, units, 3, resetAfter ? 6 : 3, GruCacheSize(batch, steps, units, resetAfter), GruForwardScratchSize(batch, units, resetAfter), false);
        int u = units, g3 = 3 * units;
        Span<float> zx = cache.Slice(0, batch * steps * g3);
        Span<float> hg = resetAfter ? cache.Slice(batch * steps * g3, batch * steps * u) : default;
        Project(x, kernel, bias.IsEmpty ? default : bias.Slice(0, g3), zx, batch * steps, features, g3);
        StartState(initialH, finalH, batch * u);
        if (!resetAfter) SplitRecurrentKernel(recurrentKernel, scratch.Slice(4 * batch * u, 3 * u * u), u);
        for (int s = 0; s < steps; s++)
        {
            int t = goBackwards ? steps - 1 - s : s;
            if (resetAfter)
                GruAfterAdvance(zx, t * g3, steps * g3, recurrentKernel, bias.IsEmpty ? default : bias.Slice(g3, g3), finalH, scratch.Slice(0, batch * g3),
                    hg, t * u, steps * u, mask, steps, t, batch, u, activation, recurrentActivation);
            else
                GruBeforeAdvance(zx, t * g3, steps * g3, scratch, finalH, mask, steps, t, batch, u, activation, recurrentActivation);
            WriteOutputs(outputs, finalH, mask, batch, steps, s, t, u, zeroOutputForMask);
        }
    }

    /// <summary>One GRU step for streaming: <paramref name="h"/> (batch, units) is read and replaced by the new state (= the step's output).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruStep(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        Span<float> h, Span<float> scratch, int batch, int features, int units,
        RecurrentActivation activation, RecurrentActivation recurrentActivation, bool resetAfter)
    {
        CheckStep(x, kernel, recurrentKernel, bias, h, default, scratch, batch, features, units, 3, resetAfter ? 6 : 3, GruStepScratchSize(batch, units, resetAfter), false);
        int u = units, g3 = 3 * units;
        Span<float> zx = scratch.Slice(0, batch * g3);
        Span<float> rest = scratch.Slice(batch * g3);
        Project(x, kernel, bias.IsEmpty ? default : bias.Slice(0, g3), zx, batch, features, g3);
        if (resetAfter)
        {
            GruAfterAdvance(zx, 0, g3, recurrentKernel, bias.IsEmpty ? default : bias.Slice(g3, g3), h, rest.Slice(0, batch * g3),
                default, 0, 0, default, 1, 0, batch, u, activation, recurrentActivation);
        }
        else
        {
            SplitRecurrentKernel(recurrentKernel, rest.Slice(4 * batch * u, 3 * u * u), u);
            GruBeforeAdvance(zx, 0, g3, rest, h, default, 1, 0, batch, u, activation, recurrentActivation);
        }
    }

    /// <summary>Backward of <see cref="GruForward"/> (same arguments): gradients of x, the weights and the initial state.</summary>
    /// <remarks>With <paramref name="resetAfter"/>, <paramref name="dBias"/> is (2, 3·units): row 0 input bias, row 1 recurrent bias.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruBackward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> initialH, ReadOnlySpan<float> outputs, Span<float> cache,
        ReadOnlySpan<float> dOutputs, ReadOnlySpan<float> dLastOutput, ReadOnlySpan<float> dFinalH,
        Span<float> dx, Span<float> dKernel, Span<float> dRecurrentKernel, Span<float> dBias, Span<float> dInitialH,
        Span<float> scratch, int batch, int steps, int features, int units,
        RecurrentActivation activation, RecurrentActivation recurrentActivation, bool resetAfter, bool goBackwards, bool zeroOutputForMask)
    {
        CheckBackward(x, kernel, recurrentKernel, mask, initialH, default, outputs, cache, dOutputs, dLastOutput, dFinalH, default,
            dx, dKernel, dRecurrentKernel, dBias, dInitialH, default, scratch, batch, steps, features, units, 3, resetAfter ? 6 : 3,
            GruCacheSize(batch, steps, units, resetAfter), GruBackwardScratchSize(batch, steps, units, resetAfter), false);
        int u = units, g3 = 3 * units, bu = batch * u, rows = batch * steps;
        Span<float> gates = cache.Slice(0, rows * g3);
        Span<float> hprev = scratch.Slice(0, steps * bu);
        PreviousStates(outputs, initialH, mask, hprev, batch, steps, u, goBackwards);
        if (resetAfter)
        {
            Span<float> hg = cache.Slice(rows * g3, rows * u);
            Span<float> dh = scratch.Slice(steps * bu, bu);
            Span<float> carry = scratch.Slice((steps + 1) * bu, bu);
            Span<float> dzs = scratch.Slice((steps + 2) * bu, 3 * bu);
            Span<float> tmp = scratch.Slice((steps + 5) * bu, u * u);
            StartGradient(dFinalH, dh, bu);
            carry.Clear();
            for (int s = steps - 1; s >= 0; s--)
            {
                int t = goBackwards ? steps - 1 - s : s;
                for (int b = 0; b < batch; b++)
                {
                    Span<float> g = carry.Slice(b * u, u);
                    Span<float> row = gates.Slice((b * steps + t) * g3, g3);
                    Span<float> gRow = hg.Slice((b * steps + t) * u, u);
                    Span<float> dzRow = dzs.Slice(b * g3, g3);
                    if (!OutputGradient(g, dOutputs, dLastOutput, mask, b, s, t, steps, u, zeroOutputForMask))
                    {
                        row.Clear();
                        gRow.Clear();
                        dzRow.Clear();
                        continue;
                    }
                    ReadOnlySpan<float> hp = hprev.Slice((b * steps + t) * u, u);
                    Span<float> dhRow = dh.Slice(b * u, u);
                    for (int j = 0; j < u; j++)
                    {
                        float z = row[j], r = row[u + j], hh = row[2 * u + j], gh = gRow[j];
                        float dht = dhRow[j] + g[j];
                        float da = dht * (1f - z) * Derivative(hh, activation);
                        float ez = dht * (hp[j] - hh) * Derivative(z, recurrentActivation);
                        float er = da * gh * Derivative(r, recurrentActivation);
                        float dg = da * r;
                        row[j] = dzRow[j] = ez;
                        row[u + j] = dzRow[u + j] = er;
                        row[2 * u + j] = da;
                        gRow[j] = dzRow[2 * u + j] = dg;
                        dhRow[j] = dht * z;
                    }
                    g.Clear();
                }
                Gemm.MatMulTransposeB(dzs, recurrentKernel, dh, batch, g3, u, accumulate: true);
            }
            if (!dx.IsEmpty) Gemm.MatMulTransposeB(gates, kernel, dx, rows, g3, features);
            Gemm.MatMulTransposeA(x, gates, dKernel, features, rows, g3);
            Gemm.MatMulTransposeA(hprev, gates, dRecurrentKernel, u, rows, g3);
            Gemm.MatMulTransposeA(hprev, hg, tmp, u, rows, u);
            for (int i = 0; i < u; i++) tmp.Slice(i * u, u).CopyTo(dRecurrentKernel.Slice(i * g3 + 2 * u, u));
            if (!dBias.IsEmpty)
            {
                ColumnSums(gates, rows, g3, dBias.Slice(0, g3));
                dBias.Slice(0, 2 * u).CopyTo(dBias.Slice(g3, 2 * u));
                ColumnSums(hg, rows, u, dBias.Slice(g3 + 2 * u, u));
            }
            if (!dInitialH.IsEmpty) dh.CopyTo(dInitialH);
            return;
        }

        {
            Span<float> rh = scratch.Slice(steps * bu, steps * bu);
            Span<float> daAll = scratch.Slice(2 * steps * bu, steps * bu);
            int o = 3 * steps * bu;
            Span<float> dh = scratch.Slice(o, bu);
            Span<float> carry = scratch.Slice(o + bu, bu);
            Span<float> dzr = scratch.Slice(o + 2 * bu, 2 * bu);
            Span<float> das = scratch.Slice(o + 4 * bu, bu);
            Span<float> drh = scratch.Slice(o + 5 * bu, bu);
            Span<float> tmp = scratch.Slice(o + 6 * bu, u * u);
            Span<float> split = scratch.Slice(o + 6 * bu + u * u, 3 * u * u);
            ReadOnlySpan<float> uzr = split.Slice(0, 2 * u * u), uh = split.Slice(2 * u * u, u * u);
            SplitRecurrentKernel(recurrentKernel, split, u);
            StartGradient(dFinalH, dh, bu);
            carry.Clear();
            for (int s = steps - 1; s >= 0; s--)
            {
                int t = goBackwards ? steps - 1 - s : s;
                for (int b = 0; b < batch; b++)
                {
                    Span<float> g = carry.Slice(b * u, u);
                    int cell = (b * steps + t) * u;
                    Span<float> row = gates.Slice((b * steps + t) * g3, g3);
                    Span<float> dzRow = dzr.Slice(b * 2 * u, 2 * u), daRow = das.Slice(b * u, u);
                    if (!OutputGradient(g, dOutputs, dLastOutput, mask, b, s, t, steps, u, zeroOutputForMask))
                    {
                        row.Clear();
                        dzRow.Clear();
                        daRow.Clear();
                        daAll.Slice(cell, u).Clear();
                        rh.Slice(cell, u).Clear();
                        continue;
                    }
                    ReadOnlySpan<float> hp = hprev.Slice(cell, u);
                    Span<float> dhRow = dh.Slice(b * u, u);
                    for (int j = 0; j < u; j++)
                    {
                        float z = row[j], hh = row[2 * u + j];
                        float dht = dhRow[j] + g[j];
                        float da = dht * (1f - z) * Derivative(hh, activation);
                        float ez = dht * (hp[j] - hh) * Derivative(z, recurrentActivation);
                        row[j] = dzRow[j] = ez;
                        row[2 * u + j] = daRow[j] = daAll[cell + j] = da;
                        dhRow[j] = dht * z;
                    }
                    g.Clear();
                }
                // d(r⊙h) = da·U_hᵀ, then the reset gate and the state through r⊙h.
                Gemm.MatMulTransposeB(das, uh, drh, batch, u, u);
                for (int b = 0; b < batch; b++)
                {
                    if (!Keep(mask, b, steps, t)) continue;
                    int cell = (b * steps + t) * u;
                    Span<float> row = gates.Slice((b * steps + t) * g3, g3);
                    ReadOnlySpan<float> hp = hprev.Slice(cell, u), d = drh.Slice(b * u, u);
                    Span<float> dzRow = dzr.Slice(b * 2 * u, 2 * u), dhRow = dh.Slice(b * u, u);
                    for (int j = 0; j < u; j++)
                    {
                        float r = row[u + j];
                        float er = d[j] * hp[j] * Derivative(r, recurrentActivation);
                        rh[cell + j] = r * hp[j];
                        row[u + j] = dzRow[u + j] = er;
                        dhRow[j] += d[j] * r;
                    }
                }
                Gemm.MatMulTransposeB(dzr, uzr, dh, batch, 2 * u, u, accumulate: true);
            }
            if (!dx.IsEmpty) Gemm.MatMulTransposeB(gates, kernel, dx, rows, g3, features);
            Gemm.MatMulTransposeA(x, gates, dKernel, features, rows, g3);
            Gemm.MatMulTransposeA(hprev, gates, dRecurrentKernel, u, rows, g3);
            Gemm.MatMulTransposeA(rh, daAll, tmp, u, rows, u);
            for (int i = 0; i < u; i++) tmp.Slice(i * u, u).CopyTo(dRecurrentKernel.Slice(i * g3 + 2 * u, u));
            if (!dBias.IsEmpty) ColumnSums(gates, rows, g3, dBias.Slice(0, g3));
            if (!dInitialH.IsEmpty) dh.CopyTo(dInitialH);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruAfterAdvance(Span<float> zx, int offset, int stride, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> recurrentBias,
        Span<float> h, Span<float> rec, Span<float> hg, int hgOffset, int hgStride, ReadOnlySpan<float> mask, int steps, int t, int batch, int u,
        RecurrentActivation activation, RecurrentActivation recurrentActivation)
    {
        int g3 = 3 * u;
        if (recurrentBias.IsEmpty) Gemm.MatMul(h, recurrentKernel, rec, batch, u, g3);
        else
        {
            for (int b = 0; b < batch; b++) recurrentBias.CopyTo(rec.Slice(b * g3, g3));
            Gemm.MatMul(h, recurrentKernel, rec, batch, u, g3, accumulate: true);
        }
        for (int b = 0; b < batch; b++)
        {
            if (!Keep(mask, b, steps, t)) continue;
            Span<float> row = zx.Slice(offset + b * stride, g3);
            ReadOnlySpan<float> r = rec.Slice(b * g3, g3);
            for (int j = 0; j < 2 * u; j++) row[j] += r[j];
            Activate(row.Slice(0, 2 * u), recurrentActivation);
            for (int j = 0; j < u; j++) row[2 * u + j] += row[u + j] * r[2 * u + j];
            Activate(row.Slice(2 * u, u), activation);
            if (!hg.IsEmpty) r.Slice(2 * u, u).CopyTo(hg.Slice(hgOffset + b * hgStride, u));
            Span<float> hRow = h.Slice(b * u, u);
            for (int j = 0; j < u; j++)
            {
                float z = row[j];
                hRow[j] = z * hRow[j] + (1f - z) * row[2 * u + j];
            }
        }
    }

    /// <summary>reset_after = false: scratch holds recZR (batch, 2u), r⊙h (batch, u), recH (batch, u), then U_zr (u, 2u) and U_h (u, u).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruBeforeAdvance(Span<float> zx, int offset, int stride, Span<float> scratch, Span<float> h,
        ReadOnlySpan<float> mask, int steps, int t, int batch, int u, RecurrentActivation activation, RecurrentActivation recurrentActivation)
    {
        int g3 = 3 * u, bu = batch * u;
        Span<float> recZr = scratch.Slice(0, 2 * bu), rh = scratch.Slice(2 * bu, bu), recH = scratch.Slice(3 * bu, bu);
        ReadOnlySpan<float> uzr = scratch.Slice(4 * bu, 2 * u * u), uh = scratch.Slice(4 * bu + 2 * u * u, u * u);
        Gemm.MatMul(h, uzr, recZr, batch, u, 2 * u);
        for (int b = 0; b < batch; b++)
        {
            Span<float> rhRow = rh.Slice(b * u, u);
            if (!Keep(mask, b, steps, t))
            {
                rhRow.Clear();
                continue;
            }
            Span<float> row = zx.Slice(offset + b * stride, g3);
            ReadOnlySpan<float> r = recZr.Slice(b * 2 * u, 2 * u), hRow = h.Slice(b * u, u);
            for (int j = 0; j < 2 * u; j++) row[j] += r[j];
            Activate(row.Slice(0, 2 * u), recurrentActivation);
            for (int j = 0; j < u; j++) rhRow[j] = row[u + j] * hRow[j];
        }
        Gemm.MatMul(rh, uh, recH, batch, u, u);
        for (int b = 0; b < batch; b++)
        {
            if (!Keep(mask, b, steps, t)) continue;
            Span<float> row = zx.Slice(offset + b * stride, g3);
            ReadOnlySpan<float> r = recH.Slice(b * u, u);
            for (int j = 0; j < u; j++) row[2 * u + j] += r[j];
            Activate(row.Slice(2 * u, u), activation);
            Span<float> hRow = h.Slice(b * u, u);
            for (int j = 0; j < u; j++)
            {
                float z = row[j];
                hRow[j] = z * hRow[j] + (1f - z) * row[2 * u + j];
            }
        }
    }

    /// <summary>Copies the column blocks U[:, 0:2u] and U[:, 2u:3u] of the (u, 3u) recurrent kernel into contiguous (u, 2u) and (u, u) matrices.</summary>
    private static void SplitRecurrentKernel(ReadOnlySpan<float> recurrentKernel, Span<float> split, int u)
    {
        for (int i = 0; i < u; i++)
        {
            recurrentKernel.Slice(i * 3 * u, 2 * u).CopyTo(split.Slice(i * 2 * u, 2 * u));
            recurrentKernel.Slice(i * 3 * u + 2 * u, u).CopyTo(split.Slice(2 * u * u + i * u, u));
        }
    }

    // ------------------------------------------------------------------ Bidirectional

    /// <summary>
    /// Keras' Bidirectional merge of the two directions' outputs (batch, steps, units) into <paramref name="y"/>
    /// (batch, steps, units, or 2·units for <see cref="BidirectionalMerge.Concat"/>, forward first). With
    /// <paramref name="reverseBackward"/> (sequences) the backward direction's outputs, kept in processing order, are
    /// read flipped back into input time order; last outputs pass steps = 1.
    /// </summary>
    public static void MergeDirections(ReadOnlySpan<float> forward, ReadOnlySpan<float> backward, Span<float> y,
        int batch, int steps, int units, BidirectionalMerge mode, bool reverseBackward)
    {
        int width = mode == BidirectionalMerge.Concat ? 2 * units : units;
        Guard.AtLeast(forward.Length, batch * steps * units, nameof(forward), "batch·steps·units");
        Guard.AtLeast(backward.Length, batch * steps * units, nameof(backward), "batch·steps·units");
        Guard.AtLeast(y.Length, batch * steps * width, nameof(y), "batch·steps·width");
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
            {
                var f = forward.Slice((b * steps + t) * units, units);
                var r = backward.Slice((b * steps + (reverseBackward ? steps - 1 - t : t)) * units, units);
                var o = y.Slice((b * steps + t) * width, width);
                switch (mode)
                {
                    case BidirectionalMerge.Concat:
                        f.CopyTo(o);
                        r.CopyTo(o.Slice(units));
                        break;
                    case BidirectionalMerge.Sum:
                        for (int i = 0; i < units; i++) o[i] = f[i] + r[i];
                        break;
                    case BidirectionalMerge.Mul:
                        for (int i = 0; i < units; i++) o[i] = f[i] * r[i];
                        break;
                    case BidirectionalMerge.Ave:
                        for (int i = 0; i < units; i++) o[i] = (f[i] + r[i]) * 0.5f;
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(mode), mode, "Merge mode must be Concat, Sum, Mul or Ave.");
                }
            }
    }

    /// <summary>Gradient of <see cref="MergeDirections"/> (same arguments): the two directions' output gradients, overwritten.</summary>
    public static void MergeDirectionsBackward(ReadOnlySpan<float> forward, ReadOnlySpan<float> backward, ReadOnlySpan<float> dy,
        Span<float> dForward, Span<float> dBackward, int batch, int steps, int units, BidirectionalMerge mode, bool reverseBackward)
    {
        int width = mode == BidirectionalMerge.Concat ? 2 * units : units;
        Guard.AtLeast(dy.Length, batch * steps * width, nameof(dy), "batch·steps·width");
        Guard.AtLeast(dForward.Length, batch * steps * units, nameof(dForward), "batch·steps·units");
        Guard.AtLeast(dBackward.Length, batch * steps * units, nameof(dBackward), "batch·steps·units");
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
            {
                int tr = reverseBackward ? steps - 1 - t : t;
                var g = dy.Slice((b * steps + t) * width, width);
                var df = dForward.Slice((b * steps + t) * units, units);
                var dr = dBackward.Slice((b * steps + tr) * units, units);
                switch (mode)
                {
                    case BidirectionalMerge.Concat:
                        g.Slice(0, units).CopyTo(df);
                        g.Slice(units, units).CopyTo(dr);
                        break;
                    case BidirectionalMerge.Sum:
                        g.CopyTo(df);
                        g.CopyTo(dr);
                        break;
                    case BidirectionalMerge.Mul:
                    {
                        var f = forward.Slice((b * steps + t) * units, units);
                        var r = backward.Slice((b * steps + tr) * units, units);
                        for (int i = 0; i < units; i++)
                        {
                            df[i] = g[i] * r[i];
                            dr[i] = g[i] * f[i];
                        }
                        break;
                    }
                    case BidirectionalMerge.Ave:
                        for (int i = 0; i < units; i++) df[i] = dr[i] = g[i] * 0.5f;
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(mode), mode, "Merge mode must be Concat, Sum, Mul or Ave.");
                }
            }
    }

    // ------------------------------------------------------------------ dropout on the input (Keras' cell dropout)

    /// <summary>
    /// Keras' recurrent <c>dropout</c> while training: one inverted-dropout mask (batch, features) per call, drawn with
    /// one <see cref="Rng.NextDouble"/> per element in order (kept when the draw is ≥ rate; kept values scale by
    /// 1/(1 − rate)), applied to the input of every step: <c>y[b, t, f] = x[b, t, f]·mask[b, f]</c>.
    /// </summary>
    public static void InputDropoutForward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, int batch, int steps, int features, float rate, Rng rng)
    {
        if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1).");
        ArgumentNullException.ThrowIfNull(rng);
        Guard.AtLeast(x.Length, batch * steps * features, nameof(x), "batch·steps·features");
        Guard.AtLeast(y.Length, batch * steps * features, nameof(y), "batch·steps·features");
        Guard.AtLeast(mask.Length, batch * features, nameof(mask), "batch·features");
        float scale = 1f / (1f - rate);
        for (int i = 0; i < batch * features; i++) mask[i] = rate == 0f || rng.NextDouble() >= rate ? scale : 0f;
        InputDropoutBackward(x, mask, y, batch, steps, features);
    }

    /// <summary>Gradient of <see cref="InputDropoutForward"/>: <c>dx[b, t, f] = dy[b, t, f]·mask[b, f]</c>; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void InputDropoutBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx, int batch, int steps, int features)
    {
        Guard.AtLeast(dy.Length, batch * steps * features, nameof(dy), "batch·steps·features");
        Guard.AtLeast(dx.Length, batch * steps * features, nameof(dx), "batch·steps·features");
        Guard.AtLeast(mask.Length, batch * features, nameof(mask), "batch·features");
        for (int b = 0; b < batch; b++)
        {
            var m = mask.Slice(b * features, features);
            for (int t = 0; t < steps; t++)
            {
                int at = (b * steps + t) * features;
                for (int f = 0; f < features; f++) dx[at + f] = dy[at + f] * m[f];
            }
        }
    }

    // ------------------------------------------------------------------ shared pieces

    /// <summary>The last step of <paramref name="outputs"/> (batch, steps, units) into <paramref name="last"/> (batch, units): the layer's output with return_sequences=False.</summary>
    public static void LastOutput(ReadOnlySpan<float> outputs, Span<float> last, int batch, int steps, int units)
    {
        Guard.AtLeast(outputs.Length, batch * steps * units, nameof(outputs), "batch·steps·units");
        Guard.AtLeast(last.Length, batch * units, nameof(last), "batch·units");
        if (steps == 0)
        {
            last.Slice(0, batch * units).Clear();
            return;
        }
        for (int b = 0; b < batch; b++) outputs.Slice((b * steps + steps - 1) * units, units).CopyTo(last.Slice(b * units, units));
    }

    /// <summary>x·W (+ bias on every row) into <paramref name="zx"/> (rows, n): the input projection of every step at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Project(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> zx, int rows, int features, int n)
    {
        if (bias.IsEmpty)
        {
            Gemm.MatMul(x, kernel, zx, rows, features, n);
            return;
        }
        ReadOnlySpan<float> b = bias.Slice(0, n);
        for (int r = 0; r < rows; r++) b.CopyTo(zx.Slice(r * n, n));
        Gemm.MatMul(x, kernel, zx, rows, features, n, accumulate: true);
    }

    private static void StartState(ReadOnlySpan<float> initial, Span<float> state, int n)
    {
        if (initial.IsEmpty) state.Slice(0, n).Clear();
        else initial.Slice(0, n).CopyTo(state);
    }

    private static void StartGradient(ReadOnlySpan<float> upstream, Span<float> gradient, int n)
    {
        if (upstream.IsEmpty) gradient.Clear();
        else upstream.Slice(0, n).CopyTo(gradient);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Keep(ReadOnlySpan<float> mask, int b, int steps, int t) => mask.IsEmpty || mask[b * steps + t] != 0f;

    /// <summary>Step s's outputs: the new state where the step is kept, else the previous output (zeros at s = 0, or always with <paramref name="zeroOutputForMask"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WriteOutputs(Span<float> outputs, ReadOnlySpan<float> h, ReadOnlySpan<float> mask, int batch, int steps, int s, int t, int u, bool zeroOutputForMask)
    {
        for (int b = 0; b < batch; b++)
        {
            Span<float> dst = outputs.Slice((b * steps + s) * u, u);
            if (Keep(mask, b, steps, t)) h.Slice(b * u, u).CopyTo(dst);
            else if (zeroOutputForMask || s == 0) dst.Clear();
            else outputs.Slice((b * steps + s - 1) * u, u).CopyTo(dst);
        }
    }

    /// <summary>
    /// Adds step s's upstream output gradient (dOutputs, and dLastOutput at the last step) to the carried output gradient
    /// <paramref name="g"/> of sample b. Returns whether the step is kept; at a masked step <paramref name="g"/> is left to flow
    /// to the previous step's output (cleared when masked outputs are zeros).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool OutputGradient(Span<float> g, ReadOnlySpan<float> dOutputs, ReadOnlySpan<float> dLastOutput, ReadOnlySpan<float> mask,
        int b, int s, int t, int steps, int u, bool zeroOutputForMask)
    {
        if (!dOutputs.IsEmpty)
        {
            ReadOnlySpan<float> d = dOutputs.Slice((b * steps + s) * u, u);
            AddInPlace(ref MemoryMarshal.GetReference(g.Slice(0, u)), ref MemoryMarshal.GetReference(d), u);
        }
        if (s == steps - 1 && !dLastOutput.IsEmpty)
        {
            ReadOnlySpan<float> d = dLastOutput.Slice(b * u, u);
            AddInPlace(ref MemoryMarshal.GetReference(g.Slice(0, u)), ref MemoryMarshal.GetReference(d), u);
        }
        if (Keep(mask, b, steps, t)) return true;
        if (zeroOutputForMask) g.Clear();
        return false;
    }

    /// <summary>The state each step starts from, at the step's input-time position (b, t): the rows that pair with the gate gradients for dRecurrentKernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PreviousStates(ReadOnlySpan<float> outputs, ReadOnlySpan<float> initialH, ReadOnlySpan<float> mask, Span<float> hprev,
        int batch, int steps, int u, bool goBackwards)
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> current = initialH.IsEmpty ? default : initialH.Slice(b * u, u);
            for (int s = 0; s < steps; s++)
            {
                int t = goBackwards ? steps - 1 - s : s;
                Span<float> dst = hprev.Slice((b * steps + t) * u, u);
                if (current.IsEmpty) dst.Clear();
                else current.CopyTo(dst);
                if (Keep(mask, b, steps, t)) current = outputs.Slice((b * steps + s) * u, u);
            }
        }
    }

    /// <summary>dx = dz·Wᵀ, dKernel = xᵀ·dz, dRecurrentKernel = hprevᵀ·dz: one GEMM each over all steps.</summary>
    private static void WeightGradients(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> hprev, ReadOnlySpan<float> dz,
        Span<float> dx, Span<float> dKernel, Span<float> dRecurrentKernel, int rows, int features, int u, int n)
    {
        if (!dx.IsEmpty) Gemm.MatMulTransposeB(dz, kernel, dx, rows, n, features);
        Gemm.MatMulTransposeA(x, dz, dKernel, features, rows, n);
        Gemm.MatMulTransposeA(hprev, dz, dRecurrentKernel, u, rows, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums)
    {
        sums = sums.Slice(0, cols);
        sums.Clear();
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = m.Slice(r * cols, cols);
            AddInPlace(ref MemoryMarshal.GetReference(sums), ref MemoryMarshal.GetReference(row), cols);
        }
    }

    // ------------------------------------------------------------------ activations

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Activate(float v, RecurrentActivation a) => a switch
    {
        RecurrentActivation.Tanh => MathF.Tanh(v),
        RecurrentActivation.Sigmoid => Sigmoid(v),
        RecurrentActivation.Relu => v > 0f ? v : 0f,
        RecurrentActivation.HardSigmoid => Math.Clamp(v / 6f + 0.5f, 0f, 1f),
        RecurrentActivation.HardSigmoidKeras2 => Math.Clamp(0.2f * v + 0.5f, 0f, 1f),
        _ => v,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Activate(Span<float> v, RecurrentActivation a)
    {
        switch (a)
        {
            case RecurrentActivation.Tanh:
                TanhInPlace(v);
                break;
            case RecurrentActivation.Sigmoid:
                SigmoidInPlace(v);
                break;
            case RecurrentActivation.Linear:
                break;
            default:
                for (int i = 0; i < v.Length; i++) v[i] = Activate(v[i], a);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));

    /// <summary>σ(x) = 1/(1 + e^−x) over SIMD vectors (e^−x → ∞ gives 0, → 0 gives 1), the tail in scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SigmoidInPlace(Span<float> v)
    {
        int i = 0;
        ref float r = ref MemoryMarshal.GetReference(v);
        if (Vector512.IsHardwareAccelerated)
            for (; i + Vector512<float>.Count <= v.Length; i += Vector512<float>.Count)
                Sigmoid(Vector512.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        if (Vector.IsHardwareAccelerated)
            for (; i + Vector<float>.Count <= v.Length; i += Vector<float>.Count)
                Sigmoid(Vector.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        for (; i < v.Length; i++) v[i] = Sigmoid(v[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Sigmoid(Vector<float> x) => Vector<float>.One / (Vector<float>.One + Exp(-x));

    /// <summary>tanh over SIMD vectors (<see cref="Tanh(Vector{float})"/>), the tail in scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TanhInPlace(Span<float> v)
    {
        int i = 0;
        ref float r = ref MemoryMarshal.GetReference(v);
        if (Vector512.IsHardwareAccelerated)
            for (; i + Vector512<float>.Count <= v.Length; i += Vector512<float>.Count)
                Tanh(Vector512.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        if (Vector.IsHardwareAccelerated)
            for (; i + Vector<float>.Count <= v.Length; i += Vector<float>.Count)
                Tanh(Vector.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        for (; i < v.Length; i++) v[i] = MathF.Tanh(v[i]);
    }

    /// <summary>
    /// tanh: sign(x)·(1 − e)/(1 + e) with e = e^−2|x| (exact limits ±1, no overflow), and below |x| = 0.35, where 1 − e
    /// would cancel, the odd Taylor series to x¹³ (truncation below 2e-8 relative); within a few float ulps of tanh
    /// (tested against double).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Tanh(Vector<float> x)
    {
        Vector<float> a = Vector.Abs(x);
        Vector<float> e = Exp(a * new Vector<float>(-2f));
        Vector<float> t = (Vector<float>.One - e) / (Vector<float>.One + e);
        t = Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -t, t);
        Vector<float> x2 = x * x;
        Vector<float> series = x + x * x2 * (new Vector<float>(-1f / 3f) + x2 * (new Vector<float>(2f / 15f) + x2 * (new Vector<float>(-17f / 315f)
            + x2 * (new Vector<float>(62f / 2835f) + x2 * (new Vector<float>(-1382f / 155925f) + x2 * new Vector<float>(21844f / 6081075f))))));
        return Vector.ConditionalSelect(Vector.LessThan(a, new Vector<float>(0.35f)), series, t);
    }


    // The same three functions on 512-bit vectors. Vector<T> is 256 bits wide even where AVX-512 is there, and on this
    // project's machine (full-width AVX-512) the 512-bit forms take the same time per instruction: half the time per
    // float. Keep them in step with the Vector<T> forms above (same constants, same order of operations).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> a = Vector512.Abs(x);
        Vector512<float> e = Exp(a * Vector512.Create(-2f));
        Vector512<float> t = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        t = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -t, t);
        Vector512<float> x2 = x * x;
        Vector512<float> series = x + x * x2 * (Vector512.Create(-1f / 3f) + x2 * (Vector512.Create(2f / 15f) + x2 * (Vector512.Create(-17f / 315f)
            + x2 * (Vector512.Create(62f / 2835f) + x2 * (Vector512.Create(-1382f / 155925f) + x2 * Vector512.Create(21844f / 6081075f))))));
        return Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(0.35f)), series, t);
    }


    /// <summary>f'(x) from y = f(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Derivative(float y, RecurrentActivation a) => a switch
    {
        RecurrentActivation.Tanh => 1f - y * y,
        RecurrentActivation.Sigmoid => y * (1f - y),
        RecurrentActivation.Relu => y > 0f ? 1f : 0f,
        RecurrentActivation.HardSigmoid => y > 0f && y < 1f ? 1f / 6f : 0f,
        RecurrentActivation.HardSigmoidKeras2 => y > 0f && y < 1f ? 0.2f : 0f,
        _ => 1f,
    };

    // ------------------------------------------------------------------ argument checks

    private static void CheckSequence(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> initialH, ReadOnlySpan<float> initialC, Span<float> outputs, Span<float> finalH, Span<float> finalC,
        Span<float> cache, Span<float> scratch, int batch, int steps, int features, int units, int gates, int biasBlocks, int cacheSize, int scratchSize, bool hasC)
    {
        CheckDims(batch, steps, features, units);
        CheckWeights(kernel, recurrentKernel, bias, features, units, gates, biasBlocks);
        Guard.AtLeast(x.Length, batch * steps * features, nameof(x), "batch·steps·features");
        if (!mask.IsEmpty) Guard.AtLeast(mask.Length, batch * steps, nameof(mask), "batch·steps");
        if (!initialH.IsEmpty) Guard.AtLeast(initialH.Length, batch * units, nameof(initialH), "batch·units");
        if (!initialC.IsEmpty) Guard.AtLeast(initialC.Length, batch * units, nameof(initialC), "batch·units");
        Guard.AtLeast(outputs.Length, batch * steps * units, nameof(outputs), "batch·steps·units");
        Guard.AtLeast(finalH.Length, batch * units, nameof(finalH), "batch·units");
        if (hasC) Guard.AtLeast(finalC.Length, batch * units, nameof(finalC), "batch·units");
        Guard.AtLeast(cache.Length, cacheSize, nameof(cache), "the cache size function");
        Guard.AtLeast(scratch.Length, scratchSize, nameof(scratch), "the scratch size function");
    }

    private static void CheckStep(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        Span<float> h, Span<float> c, Span<float> scratch, int batch, int features, int units, int gates, int biasBlocks, int scratchSize, bool hasC)
    {
        CheckDims(batch, 1, features, units);
        CheckWeights(kernel, recurrentKernel, bias, features, units, gates, biasBlocks);
        Guard.AtLeast(x.Length, batch * features, nameof(x), "batch·features");
        Guard.AtLeast(h.Length, batch * units, nameof(h), "batch·units");
        if (hasC) Guard.AtLeast(c.Length, batch * units, nameof(c), "batch·units");
        Guard.AtLeast(scratch.Length, scratchSize, nameof(scratch), "the step scratch size function");
    }

    private static void CheckBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> initialH, ReadOnlySpan<float> initialC, ReadOnlySpan<float> outputs, Span<float> cache,
        ReadOnlySpan<float> dOutputs, ReadOnlySpan<float> dLastOutput, ReadOnlySpan<float> dFinalH, ReadOnlySpan<float> dFinalC,
        Span<float> dx, Span<float> dKernel, Span<float> dRecurrentKernel, Span<float> dBias, Span<float> dInitialH, Span<float> dInitialC,
        Span<float> scratch, int batch, int steps, int features, int units, int gates, int biasBlocks, int cacheSize, int scratchSize, bool hasC)
    {
        CheckDims(batch, steps, features, units);
        CheckWeights(kernel, recurrentKernel, default, features, units, gates, biasBlocks);
        int bu = batch * units;
        Guard.AtLeast(x.Length, batch * steps * features, nameof(x), "batch·steps·features");
        if (!mask.IsEmpty) Guard.AtLeast(mask.Length, batch * steps, nameof(mask), "batch·steps");
        if (!initialH.IsEmpty) Guard.AtLeast(initialH.Length, bu, nameof(initialH), "batch·units");
        if (!initialC.IsEmpty) Guard.AtLeast(initialC.Length, bu, nameof(initialC), "batch·units");
        Guard.AtLeast(outputs.Length, batch * steps * units, nameof(outputs), "batch·steps·units");
        Guard.AtLeast(cache.Length, cacheSize, nameof(cache), "the cache size function");
        if (!dOutputs.IsEmpty) Guard.AtLeast(dOutputs.Length, batch * steps * units, nameof(dOutputs), "batch·steps·units");
        if (!dLastOutput.IsEmpty) Guard.AtLeast(dLastOutput.Length, bu, nameof(dLastOutput), "batch·units");
        if (!dFinalH.IsEmpty) Guard.AtLeast(dFinalH.Length, bu, nameof(dFinalH), "batch·units");
        if (hasC && !dFinalC.IsEmpty) Guard.AtLeast(dFinalC.Length, bu, nameof(dFinalC), "batch·units");
        if (!dx.IsEmpty) Guard.AtLeast(dx.Length, batch * steps * features, nameof(dx), "batch·steps·features");
        Guard.AtLeast(dKernel.Length, features * gates * units, nameof(dKernel), "features·gates·units");
        Guard.AtLeast(dRecurrentKernel.Length, units * gates * units, nameof(dRecurrentKernel), "units·gates·units");
        if (!dBias.IsEmpty) Guard.AtLeast(dBias.Length, biasBlocks * units, nameof(dBias), "the bias size");
        if (!dInitialH.IsEmpty) Guard.AtLeast(dInitialH.Length, bu, nameof(dInitialH), "batch·units");
        if (hasC && !dInitialC.IsEmpty) Guard.AtLeast(dInitialC.Length, bu, nameof(dInitialC), "batch·units");
        Guard.AtLeast(scratch.Length, scratchSize, nameof(scratch), "the backward scratch size function");
    }

    private static void CheckDims(int batch, int steps, int features, int units)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1.");
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), features, "features must be at least 1.");
        if (units < 1) throw new ArgumentOutOfRangeException(nameof(units), units, "units must be at least 1.");
    }

    private static void CheckWeights(ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias, int features, int units, int gates, int biasBlocks)
    {
        Guard.AtLeast(kernel.Length, features * gates * units, nameof(kernel), "features·gates·units");
        Guard.AtLeast(recurrentKernel.Length, units * gates * units, nameof(recurrentKernel), "units·gates·units");
        if (!bias.IsEmpty) Guard.AtLeast(bias.Length, biasBlocks * units, nameof(bias), "the bias size");
    }
}
