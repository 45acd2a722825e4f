using System;
using System.Runtime.CompilerServices;

namespace NetGen.Kernels;

/// <summary>
/// Forward and backward (backpropagation through time) of Keras' <c>ConvLSTM1D</c>, <c>ConvLSTM2D</c> and <c>ConvLSTM3D</c>
/// (LAYERS.md §8.6): the LSTM of <see cref="Recurrent.LstmForward"/> with its two matrix products replaced by
/// convolutions, channels-last. The geometries carry the rank: a 1D layer's axis is the geometry's last (rows = depth = 1),
/// a 2D layer's depth is 1; the layouts below name the 2D case.
/// </summary>
/// <remarks>
/// <para><b>Layouts.</b> <c>x</c> is (batch, steps, rows, cols, channels). <c>input</c> is the geometry of the
/// input convolution, one step's image (rows, cols, channels) → (rows', cols', 4·filters), with the layer's strides,
/// padding and dilation; <c>recurrent</c> that of the recurrent convolution, (rows', cols', filters) →
/// (rows', cols', 4·filters) with stride 1 and "same" padding. <c>kernel</c> (kh, kw, channels, 4·filters) and
/// <c>recurrentKernel</c> (kh, kw, filters, 4·filters) are Keras' layouts with the gate blocks [i, f, c, o] along the
/// last axis; <c>bias</c> (4·filters), empty for <c>use_bias=False</c>. States start at zero.</para>
/// <para><b>Outputs.</b> <c>outputs</c> receives every step's h, (batch, steps, rows', cols', filters), in processing
/// order (with <c>goBackwards</c> element 0 is the output after reading x[steps − 1], as Keras returns it);
/// <c>finalH</c>/<c>finalC</c> the final states (batch, rows', cols', filters), which also serve as the running
/// state.</para>
/// <para><b>Performance.</b> The input convolution of every step is one <see cref="Convolution.Forward"/> over
/// batch·steps images before the time loop (im2col + GEMM), straight into the gate part of <c>cache</c>; each step
/// adds one recurrent convolution over the batch (skipped at the first step, whose state is zero) and applies the gates
/// in place. The backward walks the steps in reverse with one <see cref="Convolution.BackwardInput"/> per step for dh,
/// writes the gate gradients over the cached activations, and after the loop forms dKernel, dRecurrentKernel and dx
/// with one batched convolution kernel each over all batch·steps images. Buffers are the caller's (sizes from the
/// <c>…Size</c> functions and <see cref="Convolution.WorkspaceLength"/> of both geometries); nothing is allocated per
/// call. The backward overwrites the cache and every gradient it is given; an empty <c>dx</c> or <c>dBias</c> is
/// skipped and an empty upstream gradient (dOutputs, dLastOutput, dFinalH, dFinalC) means zero.</para>
/// <para><b>Recurrent dropout</b> (<see cref="DropoutForward"/>, <see cref="DropoutBackward"/>; training only): Keras 3.5+'s
/// ConvLSTM cell with <c>recurrent_dropout</c> multiplies the state by four inverted-dropout masks per sample, one per gate,
/// drawn once per call (<see cref="DrawRecurrentMasks"/>) and reused at every step: gate q adds
/// <c>conv(h ⊙ m_q, recurrent_kernel_q)</c>. The recurrent convolution then runs gate by gate (four convolutions of
/// filters output channels over the recurrent kernel repacked into the workspace), the same arithmetic as the one
/// convolution of 4·filters channels without dropout; the input convolution and the gates are unchanged.</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class ConvLstm
{
    /// <summary>Floats of the forward cache: the gates (batch·steps·positions·4·filters) and the cell states (batch·steps·positions·filters).</summary>
    public static int CacheSize(int batch, int steps, int positions, int filters) => 5 * batch * steps * positions * filters;

    /// <summary>Floats of the forward scratch: one step's recurrent convolution.</summary>
    public static int ForwardScratchSize(int batch, int positions, int filters) => 4 * batch * positions * filters;

    /// <summary>Floats of the backward scratch: the states each step starts from, dh, dc and one step's gate gradients.</summary>
    public static int BackwardScratchSize(int batch, int steps, int positions, int filters) => (steps + 6) * batch * positions * filters;

    /// <summary>ConvLSTM2D over a whole sequence (gates [i, f, c, o]; <c>c' = f⊙c + i⊙g</c>, <c>h' = o⊙act(c')</c> at every position).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in WindowGeometry input, in WindowGeometry recurrent,
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        Span<float> outputs, Span<float> finalH, Span<float> finalC, Span<float> cache, Span<float> scratch, Span<float> workspace,
        int batch, int steps, RecurrentActivation activation, RecurrentActivation recurrentActivation, bool goBackwards)
        => Run(input, recurrent, x, kernel, recurrentKernel, bias, default, outputs, finalH, finalC, cache, scratch, workspace,
            batch, steps, activation, recurrentActivation, goBackwards);

    /// <summary>
    /// <see cref="Forward"/> with Keras' <c>recurrent_dropout</c> (training only): gate block q's recurrent convolution reads
    /// <c>h ⊙ m_q</c>, the masks of <see cref="DrawRecurrentMasks"/> (batch, 4, positions, filters), reused at every step.
    /// Scratch of <see cref="DropoutForwardScratchSize"/>, workspace of <see cref="DropoutWorkspaceLength"/>; the cache is
    /// <see cref="Forward"/>'s (what <see cref="DropoutBackward"/> reads, with the same masks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DropoutForward(in WindowGeometry input, in WindowGeometry recurrent,
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias, ReadOnlySpan<float> recurrentMasks,
        Span<float> outputs, Span<float> finalH, Span<float> finalC, Span<float> cache, Span<float> scratch, Span<float> workspace,
        int batch, int steps, RecurrentActivation activation, RecurrentActivation recurrentActivation, bool goBackwards)
    {
        Check(input, recurrent, x.Length, kernel.Length, recurrentKernel.Length, batch, steps);
        int p = recurrent.OutPositions, f = recurrent.InChannels;
        Guard.AtLeast(recurrentMasks.Length, RecurrentMaskSize(batch, p, f), nameof(recurrentMasks), "RecurrentMaskSize");
        Guard.AtLeast(scratch.Length, DropoutForwardScratchSize(batch, p, f), nameof(scratch), "DropoutForwardScratchSize");
        Guard.AtLeast(workspace.Length, DropoutWorkspaceLength(input, recurrent), nameof(workspace), "DropoutWorkspaceLength");
        Run(input, recurrent, x, kernel, recurrentKernel, bias, recurrentMasks, outputs, finalH, finalC, cache, scratch, workspace,
            batch, steps, activation, recurrentActivation, goBackwards);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(in WindowGeometry input, in WindowGeometry recurrent,
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias, ReadOnlySpan<float> masks,
        Span<float> outputs, Span<float> finalH, Span<float> finalC, Span<float> cache, Span<float> scratch, Span<float> workspace,
        int batch, int steps, RecurrentActivation activation, RecurrentActivation recurrentActivation, bool goBackwards)
    {
        Check(input, recurrent, x.Length, kernel.Length, recurrentKernel.Length, batch, steps);
        int p = recurrent.OutPositions, f = recurrent.InChannels, pf = p * f, pg = 4 * pf;
        bool dropping = !masks.IsEmpty;
        // With recurrent dropout the workspace starts with the recurrent kernel repacked gate by gate (4 × (k..., F, F)).
        Span<float> packed = dropping ? workspace.Slice(0, 4 * recurrent.WindowVolume * f * f) : default;
        if (dropping)
        {
            Pack(recurrentKernel, packed, recurrent.WindowVolume * f, f);
            workspace = workspace.Slice(5 * recurrent.WindowVolume * f * f);
        }
        if (!bias.IsEmpty) Guard.AtLeast(bias.Length, 4 * f, nameof(bias), "4·filters");
        Guard.AtLeast(outputs.Length, batch * steps * pf, nameof(outputs), "batch·steps·positions·filters");
        Guard.AtLeast(finalH.Length, batch * pf, nameof(finalH), "batch·positions·filters");
        Guard.AtLeast(finalC.Length, batch * pf, nameof(finalC), "batch·positions·filters");
        Guard.AtLeast(cache.Length, CacheSize(batch, steps, p, f), nameof(cache), "CacheSize");
        Guard.AtLeast(scratch.Length, ForwardScratchSize(batch, p, f), nameof(scratch), "ForwardScratchSize");
        Span<float> gates = cache.Slice(0, batch * steps * pg);
        Span<float> cells = cache.Slice(batch * steps * pg, batch * steps * pf);
        Convolution.Forward(input, x, kernel, bias, gates, batch * steps, workspace);
        Span<float> h = finalH.Slice(0, batch * pf), c = finalC.Slice(0, batch * pf);
        h.Clear();
        c.Clear();
        Span<float> rec = scratch.Slice(0, batch * pg);
        for (int s = 0; s < steps; s++)
        {
            int t = goBackwards ? steps - 1 - s : s;
            if (s > 0 && dropping) MaskedRecurrentForward(recurrent, h, packed, masks, rec, scratch.Slice(batch * pg, 2 * batch * pf), batch, workspace);
            else if (s > 0) Convolution.Forward(recurrent, h, recurrentKernel, default, rec, batch, workspace);
            for (int b = 0; b < batch; b++)
            {
                Span<float> row = gates.Slice((b * steps + t) * pg, pg);
                if (s > 0)
                {
                    ReadOnlySpan<float> r = rec.Slice(b * pg, pg);
                    for (int j = 0; j < pg; j++) row[j] += r[j];
                }
                Span<float> hb = h.Slice(b * pf, pf), cb = c.Slice(b * pf, pf);
                Gates(row, hb, cb, p, f, activation, recurrentActivation);
                hb.CopyTo(outputs.Slice((b * steps + s) * pf, pf));
                cb.CopyTo(cells.Slice((b * steps + s) * pf, pf));
            }
        }
    }

    /// <summary>
    /// One sample's gates at one step: <paramref name="row"/> (positions·4·filters) holds the pre-activations and receives the
    /// activated gates; <paramref name="h"/> and <paramref name="c"/> (positions·filters) advance in place.
    /// </summary>
    private static void Gates(Span<float> row, Span<float> h, Span<float> c, int p, int f,
        RecurrentActivation activation, RecurrentActivation recurrentActivation)
    {
        for (int q = 0; q < p; q++)
        {
            Span<float> z = row.Slice(q * 4 * f, 4 * f);
            Recurrent.Activate(z.Slice(0, 2 * f), recurrentActivation);
            Recurrent.Activate(z.Slice(2 * f, f), activation);
            Recurrent.Activate(z.Slice(3 * f, f), recurrentActivation);
            Span<float> hq = h.Slice(q * f, f), cq = c.Slice(q * f, f);
            for (int j = 0; j < f; j++) hq[j] = cq[j] = z[f + j] * cq[j] + z[j] * z[2 * f + j];
            Recurrent.Activate(hq, activation);
            for (int j = 0; j < f; j++) hq[j] *= z[3 * f + j];
        }
    }

    /// <summary>Floats of the recurrent dropout masks: 4·batch·positions·filters, laid out (batch, gate, positions, filters).</summary>
    public static int RecurrentMaskSize(int batch, int positions, int filters) => 4 * batch * positions * filters;

    /// <summary>Floats of <see cref="DropoutForward"/>'s scratch: <see cref="ForwardScratchSize"/> and two states.</summary>
    public static int DropoutForwardScratchSize(int batch, int positions, int filters) => 6 * batch * positions * filters;

    /// <summary>Floats of <see cref="DropoutBackward"/>'s scratch: <see cref="BackwardScratchSize"/> and two states per step.</summary>
    public static int DropoutBackwardScratchSize(int batch, int steps, int positions, int filters) => (3 * steps + 6) * batch * positions * filters;

    /// <summary>
    /// Floats of the workspace <see cref="DropoutForward"/> and <see cref="DropoutBackward"/> need (independent of the batch):
    /// the recurrent kernel repacked gate by gate and one gate's kernel gradient (5·k...·filters²), then the convolutions' own.
    /// </summary>
    public static int DropoutWorkspaceLength(in WindowGeometry input, in WindowGeometry recurrent)
        => 5 * recurrent.WindowVolume * recurrent.InChannels * recurrent.InChannels
            + Math.Max(Convolution.WorkspaceLength(input), Convolution.WorkspaceLength(recurrent));

    /// <summary>
    /// Draws Keras' <c>recurrent_dropout</c> masks for one call: per sample four inverted-dropout masks over the state
    /// (positions, filters), one per gate block i, f, c, o, in that layout (batch, gate, positions, filters): one
    /// <see cref="Rng.NextDouble"/> per element in order, kept (1/(1 − rate)) when the draw is ≥ the rate, else 0.
    /// </summary>
    public static void DrawRecurrentMasks(Span<float> masks, int batch, int positions, int filters, float rate, Rng rng)
    {
        if (!(rate > 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Recurrent dropout rate must be in (0, 1).");
        ArgumentNullException.ThrowIfNull(rng);
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        if (positions < 1) throw new ArgumentOutOfRangeException(nameof(positions), positions, "positions must be at least 1.");
        if (filters < 1) throw new ArgumentOutOfRangeException(nameof(filters), filters, "filters must be at least 1.");
        Guard.AtLeast(masks.Length, RecurrentMaskSize(batch, positions, filters), nameof(masks), "RecurrentMaskSize");
        float scale = 1f / (1f - rate);
        int n = RecurrentMaskSize(batch, positions, filters);
        for (int i = 0; i < n; i++) masks[i] = rng.NextDouble() >= rate ? scale : 0f;
    }

    /// <summary>The recurrent kernel (rows, 4·f) as four contiguous gate kernels (rows, f): <c>packed[q][r, j] = kernel[r, q·f + j]</c>.</summary>
    private static void Pack(ReadOnlySpan<float> kernel, Span<float> packed, int rows, int f)
    {
        for (int q = 0; q < 4; q++)
            for (int r = 0; r < rows; r++)
                kernel.Slice(r * 4 * f + q * f, f).CopyTo(packed.Slice((q * rows + r) * f, f));
    }

    /// <summary>One gate's geometry: the recurrent convolution with f output channels.</summary>
    private static WindowGeometry Gate(in WindowGeometry recurrent) => recurrent with { OutChannels = recurrent.InChannels };

    /// <summary>
    /// <c>rec[b, ·, q·f..]</c> (batch, positions, 4·f) = the recurrent convolution of <c>h_b ⊙ m[b, q]</c> with gate q's kernel,
    /// one convolution of f output channels per gate; <paramref name="scratch"/> holds two states (2·batch·positions·f).
    /// </summary>
    private static void MaskedRecurrentForward(in WindowGeometry recurrent, ReadOnlySpan<float> h, ReadOnlySpan<float> packed, ReadOnlySpan<float> masks,
        Span<float> rec, Span<float> scratch, int batch, Span<float> workspace)
    {
        int p = recurrent.OutPositions, f = recurrent.InChannels, pf = p * f, kq = recurrent.WindowVolume * f * f;
        var gate = Gate(recurrent);
        Span<float> hm = scratch.Slice(0, batch * pf), rq = scratch.Slice(batch * pf, batch * pf);
        for (int q = 0; q < 4; q++)
        {
            for (int b = 0; b < batch; b++)
                Multiply(h.Slice(b * pf, pf), masks.Slice((b * 4 + q) * pf, pf), hm.Slice(b * pf, pf));
            Convolution.Forward(gate, hm, packed.Slice(q * kq, kq), default, rq, batch, workspace);
            for (int r = 0; r < batch * p; r++) rq.Slice(r * f, f).CopyTo(rec.Slice(r * 4 * f + q * f, f));
        }
    }

    private static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = a[i] * b[i];
    }

    /// <summary>Floats of <see cref="Step"/>'s scratch: the step's input and recurrent convolutions (2·4·batch·positions·filters).</summary>
    public static int StepScratchSize(int batch, int positions, int filters) => 8 * batch * positions * filters;

    /// <summary>
    /// One streaming step (the network's <c>Step</c>): <paramref name="x"/> (batch, rows, cols, channels), one time step's
    /// image per stream, advances <paramref name="h"/> and <paramref name="c"/> (batch, rows', cols', filters) in place,
    /// the same gate code as one step of <see cref="Forward"/>. Stepping through a sequence from zero states gives
    /// <see cref="Forward"/>'s outputs to float rounding (its input convolution runs over batch·steps images at once, so its
    /// GEMM may sum in another order). Allocates nothing: <paramref name="scratch"/> of <see cref="StepScratchSize"/> and a
    /// workspace of <see cref="Convolution.WorkspaceLength"/> for both geometries.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Step(in WindowGeometry input, in WindowGeometry recurrent,
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> bias,
        Span<float> h, Span<float> c, Span<float> scratch, Span<float> workspace,
        int batch, RecurrentActivation activation, RecurrentActivation recurrentActivation)
    {
        Check(input, recurrent, x.Length, kernel.Length, recurrentKernel.Length, batch, 1);
        int p = recurrent.OutPositions, f = recurrent.InChannels, pf = p * f, pg = 4 * pf;
        if (!bias.IsEmpty) Guard.AtLeast(bias.Length, 4 * f, nameof(bias), "4·filters");
        Guard.AtLeast(h.Length, batch * pf, nameof(h), "batch·positions·filters");
        Guard.AtLeast(c.Length, batch * pf, nameof(c), "batch·positions·filters");
        Guard.AtLeast(scratch.Length, StepScratchSize(batch, p, f), nameof(scratch), "StepScratchSize");
        Span<float> gates = scratch.Slice(0, batch * pg), rec = scratch.Slice(batch * pg, batch * pg);
        Convolution.Forward(input, x, kernel, bias, gates, batch, workspace);
        Convolution.Forward(recurrent, h, recurrentKernel, default, rec, batch, workspace);
        for (int j = 0; j < batch * pg; j++) gates[j] += rec[j];
        for (int b = 0; b < batch; b++)
            Gates(gates.Slice(b * pg, pg), h.Slice(b * pf, pf), c.Slice(b * pf, pf), p, f, activation, recurrentActivation);
    }

    /// <summary>Backward of <see cref="Forward"/> (same geometry and sizes): gradients of x and of the weights.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(in WindowGeometry input, in WindowGeometry recurrent,
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> outputs, Span<float> cache,
        ReadOnlySpan<float> dOutputs, ReadOnlySpan<float> dLastOutput, ReadOnlySpan<float> dFinalH, ReadOnlySpan<float> dFinalC,
        Span<float> dx, Span<float> dKernel, Span<float> dRecurrentKernel, Span<float> dBias, Span<float> scratch, Span<float> workspace,
        int batch, int steps, RecurrentActivation activation, RecurrentActivation recurrentActivation, bool goBackwards)
        => RunBackward(input, recurrent, x, kernel, recurrentKernel, default, outputs, cache, dOutputs, dLastOutput, dFinalH, dFinalC,
            dx, dKernel, dRecurrentKernel, dBias, scratch, workspace, batch, steps, activation, recurrentActivation, goBackwards);

    /// <summary>
    /// Backward of <see cref="DropoutForward"/> with the same masks: the recurrent path's gradient of gate q passes through
    /// <c>m_q</c> (<c>dh_prev = Σ_q m_q ⊙ convᵀ_q(dz_q)</c>) and gate q's recurrent kernel gradient reads <c>h ⊙ m_q</c>.
    /// Scratch of <see cref="DropoutBackwardScratchSize"/>, workspace of <see cref="DropoutWorkspaceLength"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DropoutBackward(in WindowGeometry input, in WindowGeometry recurrent,
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> recurrentMasks, ReadOnlySpan<float> outputs, Span<float> cache,
        ReadOnlySpan<float> dOutputs, ReadOnlySpan<float> dLastOutput, ReadOnlySpan<float> dFinalH, ReadOnlySpan<float> dFinalC,
        Span<float> dx, Span<float> dKernel, Span<float> dRecurrentKernel, Span<float> dBias, Span<float> scratch, Span<float> workspace,
        int batch, int steps, RecurrentActivation activation, RecurrentActivation recurrentActivation, bool goBackwards)
    {
        Check(input, recurrent, x.Length, kernel.Length, recurrentKernel.Length, batch, steps);
        int p = recurrent.OutPositions, f = recurrent.InChannels;
        Guard.AtLeast(recurrentMasks.Length, RecurrentMaskSize(batch, p, f), nameof(recurrentMasks), "RecurrentMaskSize");
        Guard.AtLeast(scratch.Length, DropoutBackwardScratchSize(batch, steps, p, f), nameof(scratch), "DropoutBackwardScratchSize");
        Guard.AtLeast(workspace.Length, DropoutWorkspaceLength(input, recurrent), nameof(workspace), "DropoutWorkspaceLength");
        RunBackward(input, recurrent, x, kernel, recurrentKernel, recurrentMasks, outputs, cache, dOutputs, dLastOutput, dFinalH, dFinalC,
            dx, dKernel, dRecurrentKernel, dBias, scratch, workspace, batch, steps, activation, recurrentActivation, goBackwards);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBackward(in WindowGeometry input, in WindowGeometry recurrent,
        ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel, ReadOnlySpan<float> masks, ReadOnlySpan<float> outputs, Span<float> cache,
        ReadOnlySpan<float> dOutputs, ReadOnlySpan<float> dLastOutput, ReadOnlySpan<float> dFinalH, ReadOnlySpan<float> dFinalC,
        Span<float> dx, Span<float> dKernel, Span<float> dRecurrentKernel, Span<float> dBias, Span<float> scratch, Span<float> workspace,
        int batch, int steps, RecurrentActivation activation, RecurrentActivation recurrentActivation, bool goBackwards)
    {
        Check(input, recurrent, x.Length, kernel.Length, recurrentKernel.Length, batch, steps);
        int p = recurrent.OutPositions, f = recurrent.InChannels, pf = p * f, pg = 4 * pf, bpf = batch * pf;
        bool dropping = !masks.IsEmpty;
        int kq = recurrent.WindowVolume * f * f;
        Span<float> packed = dropping ? workspace.Slice(0, 4 * kq) : default;
        Span<float> dGateKernel = dropping ? workspace.Slice(4 * kq, kq) : default;
        if (dropping)
        {
            Pack(recurrentKernel, packed, recurrent.WindowVolume * f, f);
            workspace = workspace.Slice(5 * kq);
        }
        Guard.AtLeast(outputs.Length, batch * steps * pf, nameof(outputs), "batch·steps·positions·filters");
        Guard.AtLeast(cache.Length, CacheSize(batch, steps, p, f), nameof(cache), "CacheSize");
        if (!dOutputs.IsEmpty) Guard.AtLeast(dOutputs.Length, batch * steps * pf, nameof(dOutputs), "batch·steps·positions·filters");
        if (!dLastOutput.IsEmpty) Guard.AtLeast(dLastOutput.Length, bpf, nameof(dLastOutput), "batch·positions·filters");
        if (!dFinalH.IsEmpty) Guard.AtLeast(dFinalH.Length, bpf, nameof(dFinalH), "batch·positions·filters");
        if (!dFinalC.IsEmpty) Guard.AtLeast(dFinalC.Length, bpf, nameof(dFinalC), "batch·positions·filters");
        if (!dx.IsEmpty) Guard.AtLeast(dx.Length, batch * steps * input.InSize, nameof(dx), "batch·steps·rows·cols·channels");
        Guard.AtLeast(dKernel.Length, input.WindowVolume * input.InChannels * 4 * f, nameof(dKernel), "kh·kw·channels·4·filters");
        Guard.AtLeast(dRecurrentKernel.Length, recurrent.WindowVolume * f * 4 * f, nameof(dRecurrentKernel), "kh·kw·filters·4·filters");
        if (!dBias.IsEmpty) Guard.AtLeast(dBias.Length, 4 * f, nameof(dBias), "4·filters");
        Guard.AtLeast(scratch.Length, BackwardScratchSize(batch, steps, p, f), nameof(scratch), "BackwardScratchSize");
        Span<float> gates = cache.Slice(0, batch * steps * pg);
        ReadOnlySpan<float> cells = cache.Slice(batch * steps * pg, batch * steps * pf);
        Span<float> hprev = scratch.Slice(0, steps * bpf);
        Span<float> dh = scratch.Slice(steps * bpf, bpf);
        Span<float> dc = scratch.Slice((steps + 1) * bpf, bpf);
        Span<float> dzs = scratch.Slice((steps + 2) * bpf, 4 * bpf);
        // The state each step starts from, at the step's input-time position (pairs with its gate gradients for dRecurrentKernel).
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < steps; s++)
            {
                int t = goBackwards ? steps - 1 - s : s;
                Span<float> dst = hprev.Slice((b * steps + t) * pf, pf);
                if (s == 0) dst.Clear();
                else outputs.Slice((b * steps + s - 1) * pf, pf).CopyTo(dst);
            }
        if (dFinalH.IsEmpty) dh.Clear();
        else dFinalH.Slice(0, bpf).CopyTo(dh);
        if (dFinalC.IsEmpty) dc.Clear();
        else dFinalC.Slice(0, bpf).CopyTo(dc);
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = goBackwards ? steps - 1 - s : s;
            for (int b = 0; b < batch; b++)
            {
                Span<float> dhb = dh.Slice(b * pf, pf), dcb = dc.Slice(b * pf, pf);
                if (!dOutputs.IsEmpty)
                {
                    ReadOnlySpan<float> d = dOutputs.Slice((b * steps + s) * pf, pf);
                    for (int j = 0; j < pf; j++) dhb[j] += d[j];
                }
                if (s == steps - 1 && !dLastOutput.IsEmpty)
                {
                    ReadOnlySpan<float> d = dLastOutput.Slice(b * pf, pf);
                    for (int j = 0; j < pf; j++) dhb[j] += d[j];
                }
                Span<float> row = gates.Slice((b * steps + t) * pg, pg);
                Span<float> dzRow = dzs.Slice(b * pg, pg);
                ReadOnlySpan<float> cNew = cells.Slice((b * steps + s) * pf, pf);
                ReadOnlySpan<float> cOld = s > 0 ? cells.Slice((b * steps + s - 1) * pf, pf) : default;
                for (int q = 0; q < p; q++)
                {
                    Span<float> z = row.Slice(q * 4 * f, 4 * f), e = dzRow.Slice(q * 4 * f, 4 * f);
                    int at = q * f;
                    for (int j = 0; j < f; j++)
                    {
                        float i = z[j], fg = z[f + j], g = z[2 * f + j], o = z[3 * f + j];
                        float dht = dhb[at + j];
                        float ac = Recurrent.Activate(cNew[at + j], activation);
                        float dcn = dht * o * Recurrent.Derivative(ac, activation) + dcb[at + j];
                        float cp = cOld.IsEmpty ? 0f : cOld[at + j];
                        e[j] = dcn * g * Recurrent.Derivative(i, recurrentActivation);
                        e[f + j] = dcn * cp * Recurrent.Derivative(fg, recurrentActivation);
                        e[2 * f + j] = dcn * i * Recurrent.Derivative(g, activation);
                        e[3 * f + j] = dht * ac * Recurrent.Derivative(o, recurrentActivation);
                        dcb[at + j] = dcn * fg;
                    }
                    e.CopyTo(z);
                }
            }
            // dh of the previous step: the recurrent convolution's input gradient (the first step's state is the zero start).
            if (s > 0 && dropping) MaskedRecurrentBackwardInput(recurrent, dzs, packed, masks, dh, scratch.Slice((steps + 6) * bpf, 2 * bpf), batch, workspace);
            else if (s > 0) Convolution.BackwardInput(recurrent, dzs, recurrentKernel, dh, batch, workspace);
        }
        int images = batch * steps;
        Convolution.BackwardWeights(input, x, gates, dKernel, dBias, images, workspace);
        if (dropping)
            MaskedRecurrentBackwardWeights(recurrent, hprev, gates, masks, dRecurrentKernel, dGateKernel, scratch.Slice((steps + 6) * bpf, 2 * steps * bpf), batch, steps, workspace);
        else Convolution.BackwardWeights(recurrent, hprev, gates, dRecurrentKernel, default, images, workspace);
        if (!dx.IsEmpty) Convolution.BackwardInput(input, gates, kernel, dx, images, workspace);
    }

    /// <summary>
    /// <c>dh[b] = Σ_q m[b, q] ⊙ convᵀ_q(dz[b, ·, q·f..])</c>: the previous state's gradient through the four masked gate
    /// convolutions (<paramref name="dz"/> is (batch, positions, 4·f)); <paramref name="scratch"/> holds two states.
    /// </summary>
    private static void MaskedRecurrentBackwardInput(in WindowGeometry recurrent, ReadOnlySpan<float> dz, ReadOnlySpan<float> packed, ReadOnlySpan<float> masks,
        Span<float> dh, Span<float> scratch, int batch, Span<float> workspace)
    {
        int p = recurrent.OutPositions, f = recurrent.InChannels, pf = p * f, kq = recurrent.WindowVolume * f * f;
        var gate = Gate(recurrent);
        Span<float> dzq = scratch.Slice(0, batch * pf), dhq = scratch.Slice(batch * pf, batch * pf);
        dh.Slice(0, batch * pf).Clear();
        for (int q = 0; q < 4; q++)
        {
            for (int r = 0; r < batch * p; r++) dz.Slice(r * 4 * f + q * f, f).CopyTo(dzq.Slice(r * f, f));
            Convolution.BackwardInput(gate, dzq, packed.Slice(q * kq, kq), dhq, batch, workspace);
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> m = masks.Slice((b * 4 + q) * pf, pf), d = dhq.Slice(b * pf, pf);
                Span<float> y = dh.Slice(b * pf, pf);
                for (int j = 0; j < pf; j++) y[j] += m[j] * d[j];
            }
        }
    }

    /// <summary>
    /// <c>dRecurrentKernel[..., q·f..]</c> = the weight gradient of gate q's convolution over every step's masked state
    /// <c>hprev[b, t] ⊙ m[b, q]</c> against that gate's block of <paramref name="dz"/> (batch·steps images);
    /// <paramref name="scratch"/> holds two sequences of states.
    /// </summary>
    private static void MaskedRecurrentBackwardWeights(in WindowGeometry recurrent, ReadOnlySpan<float> hprev, ReadOnlySpan<float> dz, ReadOnlySpan<float> masks,
        Span<float> dRecurrentKernel, Span<float> dGateKernel, Span<float> scratch, int batch, int steps, Span<float> workspace)
    {
        int p = recurrent.OutPositions, f = recurrent.InChannels, pf = p * f, rows = recurrent.WindowVolume * f, images = batch * steps;
        var gate = Gate(recurrent);
        Span<float> hm = scratch.Slice(0, images * pf), dzq = scratch.Slice(images * pf, images * pf);
        for (int q = 0; q < 4; q++)
        {
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> m = masks.Slice((b * 4 + q) * pf, pf);
                for (int t = 0; t < steps; t++)
                {
                    int at = (b * steps + t) * pf;
                    Multiply(hprev.Slice(at, pf), m, hm.Slice(at, pf));
                }
            }
            for (int r = 0; r < images * p; r++) dz.Slice(r * 4 * f + q * f, f).CopyTo(dzq.Slice(r * f, f));
            Convolution.BackwardWeights(gate, hm, dzq, dGateKernel, default, images, workspace);
            for (int r = 0; r < rows; r++) dGateKernel.Slice(r * f, f).CopyTo(dRecurrentKernel.Slice(r * 4 * f + q * f, f));
        }
    }

    private static void Check(in WindowGeometry input, in WindowGeometry recurrent, int xLength, int kernelLength, int recurrentLength, int batch, int steps)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1.");
        int f = recurrent.InChannels;
        if (f < 1 || recurrent.OutChannels != 4 * f || input.OutChannels != 4 * f)
            throw new ArgumentException($"Both geometries must map to 4·filters channels with filters = recurrent.InChannels = {f} (input gives {input.OutChannels}, recurrent {recurrent.OutChannels}).", nameof(recurrent));
        if (recurrent.OutPositions != input.OutPositions || recurrent.InD != recurrent.OutD || recurrent.InH != recurrent.OutH || recurrent.InW != recurrent.OutW)
            throw new ArgumentException("The recurrent geometry must keep the input convolution's output size (stride 1, same padding).", nameof(recurrent));
        Guard.AtLeast(xLength, batch * steps * input.InSize, "x", "batch·steps·rows·cols·channels");
        Guard.AtLeast(kernelLength, input.WindowVolume * input.InChannels * 4 * f, "kernel", "kh·kw·channels·4·filters");
        Guard.AtLeast(recurrentLength, recurrent.WindowVolume * f * 4 * f, "recurrentKernel", "kh·kw·filters·4·filters");
    }
}
