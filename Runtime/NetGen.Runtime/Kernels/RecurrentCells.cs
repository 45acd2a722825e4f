using System;
using System.Runtime.CompilerServices;

namespace NetGen.Kernels;

/// <summary>
/// The time loop of Keras' <c>RNN(cell)</c> around a cell written in C# (<see cref="IRecurrentCell"/>): forward over
/// the steps and backpropagation through time. Generic over the cell struct, so the JIT compiles one copy per cell and
/// the calls to its static methods are direct.
/// </summary>
/// <remarks>
/// <para><b>Layouts.</b> <c>x</c> is (batch, steps, features). <c>weights</c> are the cell's weights concatenated in
/// declaration order. <c>outputs</c> (batch, steps, outputSize) receives every step's output in processing order (with
/// <c>goBackwards</c> element 0 is the output after reading x[steps − 1], as Keras returns it); <c>last</c> (batch,
/// outputSize) the last step's; <c>finalState</c> (batch, stateSize) the final state; each may be empty. A step's
/// output is the first <c>outputSize</c> floats of its new state. The initial state is zeros.</para>
/// <para><b>Masks.</b> <c>mask</c> is (batch, steps) in input time order, nonzero = keep; empty keeps every step. As in
/// Keras' RNN loop, a masked step carries the state unchanged, so its output is the previous step's (zeros before the
/// first), or zeros with <c>zeroOutputForMask</c> (what Bidirectional forces with return_sequences); <c>last</c> is the
/// final state's output part, the last kept step's output. In the backward pass the state gradient passes a masked step
/// unchanged and the step adds nothing to the input or weight gradients.</para>
/// <para><b>Buffers.</b> <c>cache</c> (<see cref="CacheSize"/>) holds the inputs in processing order (the cell reads a
/// contiguous (batch, features) block per step), every state from the initial one on, and the cells' caches, time-major;
/// the backward reads it. The backward's <c>scratch</c> (<see cref="BackwardScratchSize"/>) holds the input gradients
/// in processing order, two state gradients and, with a mask, the masked samples' state gradient. Nothing is allocated per call.</para>
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class RecurrentCells
{
    /// <summary>Floats of the forward cache: inputs, the <paramref name="steps"/> + 1 states and the cells' caches.</summary>
    public static int CacheSize(int batch, int steps, int features, int stateSize, int cellCache)
        => batch * (steps * features + (steps + 1) * stateSize + steps * cellCache);

    /// <summary>Floats of the backward scratch: the input gradients, two state gradients and, with a mask, one held back at masked steps.</summary>
    public static int BackwardScratchSize(int batch, int steps, int features, int stateSize, bool masked) => batch * (steps * features + (masked ? 3 : 2) * stateSize);

    /// <summary>Runs <typeparamref name="TCell"/> over the sequence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TCell>(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, Span<float> outputs, Span<float> last,
        Span<float> finalState, Span<float> cache, int batch, int steps, int features, int stateSize, int outputSize, int cellCache, bool goBackwards,
        bool zeroOutputForMask)
        where TCell : struct, IRecurrentCell
    {
        CheckSizes(batch, steps, features, stateSize, outputSize, cellCache);
        Guard.AtLeast(x.Length, batch * steps * features, nameof(x), "batch·steps·features");
        if (!mask.IsEmpty) Guard.AtLeast(mask.Length, batch * steps, nameof(mask), "batch·steps");
        if (!outputs.IsEmpty) Guard.AtLeast(outputs.Length, batch * steps * outputSize, nameof(outputs), "batch·steps·outputSize");
        if (!last.IsEmpty) Guard.AtLeast(last.Length, batch * outputSize, nameof(last), "batch·outputSize");
        if (!finalState.IsEmpty) Guard.AtLeast(finalState.Length, batch * stateSize, nameof(finalState), "batch·stateSize");
        Guard.AtLeast(cache.Length, CacheSize(batch, steps, features, stateSize, cellCache), nameof(cache), "CacheSize");
        int bf = batch * features, bs = batch * stateSize, bc = batch * cellCache;
        Span<float> xs = cache.Slice(0, steps * bf);
        Span<float> states = cache.Slice(steps * bf, (steps + 1) * bs);
        Span<float> cells = cache.Slice(steps * bf + (steps + 1) * bs, steps * bc);
        for (int s = 0; s < steps; s++)
        {
            int t = goBackwards ? steps - 1 - s : s;
            for (int b = 0; b < batch; b++) x.Slice((b * steps + t) * features, features).CopyTo(xs.Slice(s * bf + b * features, features));
        }
        states.Slice(0, bs).Clear();
        for (int s = 0; s < steps; s++)
        {
            ReadOnlySpan<float> state = states.Slice(s * bs, bs);
            Span<float> next = states.Slice((s + 1) * bs, bs);
            TCell.Forward(xs.Slice(s * bf, bf), state, weights, next, cells.Slice(s * bc, bc), batch);
            int t = goBackwards ? steps - 1 - s : s;
            for (int b = 0; b < batch; b++)
            {
                bool kept = Kept(mask, b, steps, t);
                if (!kept) state.Slice(b * stateSize, stateSize).CopyTo(next.Slice(b * stateSize, stateSize));
                if (outputs.IsEmpty) continue;
                Span<float> row = outputs.Slice((b * steps + s) * outputSize, outputSize);
                if (kept || !zeroOutputForMask) next.Slice(b * stateSize, outputSize).CopyTo(row);
                else row.Clear();
            }
        }
        ReadOnlySpan<float> final = states.Slice(steps * bs, bs);
        if (!last.IsEmpty)
            for (int b = 0; b < batch; b++) final.Slice(b * stateSize, outputSize).CopyTo(last.Slice(b * outputSize, outputSize));
        if (!finalState.IsEmpty) final.CopyTo(finalState);
    }

    /// <summary>
    /// Backward of <see cref="Forward{TCell}"/> (same sizes; <paramref name="cache"/> as the forward left it): the
    /// upstream gradients <paramref name="dOutputs"/>, <paramref name="dLast"/> and <paramref name="dFinalState"/> (each
    /// may be empty, meaning zero) give <paramref name="dx"/> (overwritten; skipped when empty) and
    /// <paramref name="dWeights"/> (overwritten).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TCell>(ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, ReadOnlySpan<float> cache, ReadOnlySpan<float> dOutputs,
        ReadOnlySpan<float> dLast, ReadOnlySpan<float> dFinalState, Span<float> dx, Span<float> dWeights, Span<float> scratch,
        int batch, int steps, int features, int stateSize, int outputSize, int cellCache, bool goBackwards, bool zeroOutputForMask)
        where TCell : struct, IRecurrentCell
    {
        CheckSizes(batch, steps, features, stateSize, outputSize, cellCache);
        if (!mask.IsEmpty) Guard.AtLeast(mask.Length, batch * steps, nameof(mask), "batch·steps");
        Guard.AtLeast(cache.Length, CacheSize(batch, steps, features, stateSize, cellCache), nameof(cache), "CacheSize");
        if (!dOutputs.IsEmpty) Guard.AtLeast(dOutputs.Length, batch * steps * outputSize, nameof(dOutputs), "batch·steps·outputSize");
        if (!dLast.IsEmpty) Guard.AtLeast(dLast.Length, batch * outputSize, nameof(dLast), "batch·outputSize");
        if (!dFinalState.IsEmpty) Guard.AtLeast(dFinalState.Length, batch * stateSize, nameof(dFinalState), "batch·stateSize");
        if (!dx.IsEmpty) Guard.AtLeast(dx.Length, batch * steps * features, nameof(dx), "batch·steps·features");
        Guard.AtLeast(dWeights.Length, weights.Length, nameof(dWeights), "the weights' length");
        Guard.AtLeast(scratch.Length, BackwardScratchSize(batch, steps, features, stateSize, !mask.IsEmpty), nameof(scratch), "BackwardScratchSize");
        int bf = batch * features, bs = batch * stateSize, bc = batch * cellCache;
        ReadOnlySpan<float> xs = cache.Slice(0, steps * bf);
        ReadOnlySpan<float> states = cache.Slice(steps * bf, (steps + 1) * bs);
        ReadOnlySpan<float> cells = cache.Slice(steps * bf + (steps + 1) * bs, steps * bc);
        Span<float> dxs = scratch.Slice(0, steps * bf);
        Span<float> dStates = scratch.Slice(steps * bf, 2 * bs);
        Span<float> held = mask.IsEmpty ? default : scratch.Slice(steps * bf + 2 * bs, bs);
        dWeights.Slice(0, weights.Length).Clear();
        Span<float> dh = dStates.Slice(0, bs);
        if (dFinalState.IsEmpty) dh.Clear();
        else dFinalState.Slice(0, bs).CopyTo(dh);
        if (!dLast.IsEmpty)
            for (int b = 0; b < batch; b++) Add(dLast.Slice(b * outputSize, outputSize), dh.Slice(b * stateSize, outputSize));
        int current = 0;
        for (int s = steps - 1; s >= 0; s--)
        {
            Span<float> dNew = dStates.Slice(current * bs, bs), dPrevious = dStates.Slice((1 - current) * bs, bs);
            int t = goBackwards ? steps - 1 - s : s;
            bool anyMasked = false;
            for (int b = 0; b < batch; b++)
            {
                bool kept = Kept(mask, b, steps, t);
                if (!dOutputs.IsEmpty && (kept || !zeroOutputForMask))
                    Add(dOutputs.Slice((b * steps + s) * outputSize, outputSize), dNew.Slice(b * stateSize, outputSize));
                if (kept) continue;
                // A masked step copied the state: its gradient passes to the previous state, and the cell, given zero, adds nothing.
                Span<float> row = dNew.Slice(b * stateSize, stateSize);
                row.CopyTo(held.Slice(b * stateSize, stateSize));
                row.Clear();
                anyMasked = true;
            }
            Span<float> dxStep = dxs.Slice(s * bf, bf);
            TCell.Backward(xs.Slice(s * bf, bf), states.Slice(s * bs, bs), weights, states.Slice((s + 1) * bs, bs), cells.Slice(s * bc, bc), dNew,
                dxStep, dPrevious, dWeights, batch);
            if (anyMasked)
            {
                for (int b = 0; b < batch; b++)
                {
                    if (Kept(mask, b, steps, t)) continue;
                    held.Slice(b * stateSize, stateSize).CopyTo(dPrevious.Slice(b * stateSize, stateSize));
                    dxStep.Slice(b * features, features).Clear();
                }
            }
            current = 1 - current;
        }
        if (dx.IsEmpty) return;
        for (int s = 0; s < steps; s++)
        {
            int t = goBackwards ? steps - 1 - s : s;
            for (int b = 0; b < batch; b++) dxs.Slice(s * bf + b * features, features).CopyTo(dx.Slice((b * steps + t) * features, features));
        }
    }

    /// <summary>Floats of <see cref="Step{TCell}"/>'s scratch: the new state and the cell's cache.</summary>
    public static int StepScratchSize(int batch, int stateSize, int cellCache) => batch * (stateSize + cellCache);

    /// <summary>
    /// One streaming step (the network's <c>Step</c>): <paramref name="x"/> (batch, features) advances
    /// <paramref name="state"/> (batch, stateSize) in place and writes the step's output (batch, outputSize), the first
    /// <paramref name="outputSize"/> floats of each sample's new state. The same cell call as one step of
    /// <see cref="Forward{TCell}"/>, so stepping through a sequence gives its outputs exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Step<TCell>(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<float> state, Span<float> output, Span<float> scratch,
        int batch, int features, int stateSize, int outputSize, int cellCache)
        where TCell : struct, IRecurrentCell
    {
        CheckSizes(batch, 1, features, stateSize, outputSize, cellCache);
        Guard.AtLeast(x.Length, batch * features, nameof(x), "batch·features");
        Guard.AtLeast(state.Length, batch * stateSize, nameof(state), "batch·stateSize");
        Guard.AtLeast(output.Length, batch * outputSize, nameof(output), "batch·outputSize");
        Guard.AtLeast(scratch.Length, StepScratchSize(batch, stateSize, cellCache), nameof(scratch), "StepScratchSize");
        int bs = batch * stateSize;
        Span<float> next = scratch.Slice(0, bs);
        TCell.Forward(x.Slice(0, batch * features), state.Slice(0, bs), weights, next, scratch.Slice(bs, batch * cellCache), batch);
        next.CopyTo(state);
        for (int b = 0; b < batch; b++) next.Slice(b * stateSize, outputSize).CopyTo(output.Slice(b * outputSize, outputSize));
    }

    private static bool Kept(ReadOnlySpan<float> mask, int b, int steps, int t) => mask.IsEmpty || mask[b * steps + t] != 0f;

    private static void Add(ReadOnlySpan<float> from, Span<float> to)
    {
        for (int i = 0; i < from.Length; i++) to[i] += from[i];
    }

    private static void CheckSizes(int batch, int steps, int features, int stateSize, int outputSize, int cellCache)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1.");
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), features, "features must be at least 1.");
        if (stateSize < 1) throw new ArgumentOutOfRangeException(nameof(stateSize), stateSize, "stateSize must be at least 1.");
        if (outputSize < 1 || outputSize > stateSize)
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, $"outputSize must be in [1, stateSize = {stateSize}].");
        if (cellCache < 0) throw new ArgumentOutOfRangeException(nameof(cellCache), cellCache, "cellCache must not be negative.");
    }
}
