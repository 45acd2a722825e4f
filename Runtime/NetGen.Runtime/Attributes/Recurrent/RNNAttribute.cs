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
}
