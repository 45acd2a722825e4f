using System;

namespace NetGen;

/// <summary>
/// Keras <c>RNN(cell)</c> over a cell written in C#: <paramref name="cell"/> is a struct implementing
/// <see cref="IRecurrentCell"/> (see there for the constants and weights it declares). The input is
/// <c>(steps, InputSize)</c>; the output is the last step's output <c>(OutputSize)</c>, or every step's
/// <c>(steps, OutputSize)</c> with <see cref="ReturnSequences"/>. The generator checks the cell's methods, sizes and
/// weights at compile time and runs the time loop (forward and backpropagation through time) around it.
/// </summary>
/// <param name="cell">The cell type, <c>typeof(MyCell)</c>.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RNNAttribute(Type cell) : LayerAttribute
{
    /// <summary>The cell type.</summary>
    public Type Cell { get; } = cell;

    /// <summary>Output every step, <c>(steps, OutputSize)</c>, instead of the last one. Default false.</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>Also expose the final state as an output other layers read by name: <c>"name:state"</c>, <c>(StateSize)</c>. Default false.</summary>
    public bool ReturnState { get; set; }

    /// <summary>Read the steps from the last to the first; a returned sequence stays in processing order (Keras). Default false.</summary>
    public bool GoBackwards { get; set; }

    /// <summary>
    /// Fraction of the input features dropped while training (Keras' cell <c>dropout</c>): one inverted-dropout mask per
    /// sequence, reused at every step. Default 0.
    /// </summary>
    public double Dropout { get; set; }

    /// <summary>
    /// Keras <c>Bidirectional(RNN(cell), merge_mode)</c>: also run the cell over the reversed sequence with its own weights
    /// (<c>forward_rnn/…</c> then <c>backward_rnn/…</c> in the weight layout) and merge the two outputs; with
    /// <see cref="ReturnState"/> the final states are the ports <c>"name:forward_state"</c> and <c>"name:backward_state"</c>.
    /// Default <see cref="BidirectionalMerge.None"/> (one direction).
    /// </summary>
    public BidirectionalMerge Bidirectional { get; set; } = BidirectionalMerge.None;

    /// <summary>Seed of the dropout mask stream; negative (the default) derives it from the network's seed and the layer's position.</summary>
    public long Seed { get; set; } = -1;
}
