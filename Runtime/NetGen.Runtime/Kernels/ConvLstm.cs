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
    {
        Check(input, recurrent, x.Length, kernel.Length, recurrentKernel.Length, batch, steps);
        int p = recurrent.OutPositions, f = recurrent.InChannels, pf = p * f, pg = 4 * pf;
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
            if (s > 0) Convolution.Forward(recurrent, h, recurrentKernel, default, rec, batch, workspace);
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
    {
        Check(input, recurrent, x.Length, kernel.Length, recurrentKernel.Length, batch, steps);
        int p = recurrent.OutPositions, f = recurrent.InChannels, pf = p * f, pg = 4 * pf, bpf = batch * pf;
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
            if (s > 0) Convolution.BackwardInput(recurrent, dzs, recurrentKernel, dh, batch, workspace);
        }
        int images = batch * steps;
        Convolution.BackwardWeights(input, x, gates, dKernel, dBias, images, workspace);
        Convolution.BackwardWeights(recurrent, hprev, gates, dRecurrentKernel, default, images, workspace);
        if (!dx.IsEmpty) Convolution.BackwardInput(input, gates, kernel, dx, images, workspace);
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
