using System;

namespace NetGen;

/// <summary>
/// A recurrent cell written in C#, run over the time axis by <see cref="RNNAttribute"/> (Keras' <c>RNN(cell)</c>,
/// LAYERS.md §8.2). Implement it on a <c>struct</c> whose static methods advance a batch by one step; the generated
/// code calls them through a generic kernel specialised for the struct, so every call is direct (no instance, no
/// allocation, no virtual dispatch).
/// </summary>
/// <remarks>
/// <para>The struct also declares its sizes as constants, which the generator reads and checks at compile time:
/// <c>public const int InputSize</c> (features per step; must equal the layer input's last axis),
/// <c>public const int StateSize</c> (floats of the state, e.g. an LSTM's h and c together), optionally
/// <c>public const int OutputSize</c> (the step's output is the first <c>OutputSize</c> floats of the new state;
/// default <c>StateSize</c>) and <c>public const int CacheSize</c> (floats per sample a step keeps for its backward,
/// default 0). Its weights are declared with <see cref="CellWeightAttribute"/> on the struct, in order; the methods
/// receive them as one span, concatenated in that order (Keras layout is up to the cell).</para>
/// <para>Layouts are row-major with the batch first: <c>x</c> (batch, InputSize), states (batch, StateSize), cache
/// (batch, CacheSize). The initial state is zeros.</para>
/// </remarks>
public interface IRecurrentCell
{
    /// <summary>
    /// One step for <paramref name="batchSize"/> samples: reads the step input <paramref name="x"/> and the state
    /// <paramref name="state"/>, writes <paramref name="newState"/> and, for the backward pass, <paramref name="cache"/>.
    /// </summary>
    static abstract void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> state, ReadOnlySpan<float> weights,
        Span<float> newState, Span<float> cache, int batchSize);

    /// <summary>
    /// The step's backward: given the gradient <paramref name="dNewState"/> of the new state, writes (overwrites) the
    /// gradients <paramref name="dx"/> of the step input and <paramref name="dState"/> of the previous state, and
    /// <b>adds</b> the weights' gradient to <paramref name="dWeights"/> (it is summed over the steps).
    /// </summary>
    static abstract void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> state, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> newState, ReadOnlySpan<float> cache, ReadOnlySpan<float> dNewState,
        Span<float> dx, Span<float> dState, Span<float> dWeights, int batchSize);
}
