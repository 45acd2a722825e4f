using System.Collections.Generic;
using NetGen.Generator.Graph;

namespace NetGen.Generator.Lowering;

/// <summary>
/// A recurrent layer that can advance one time step at a time with its state kept by the network between calls: the
/// streaming <c>Step</c> API (<see cref="StreamingLowering"/>). Implemented by every recurrent node kind; a layer says
/// through <see cref="CanStream"/> whether this instance's options allow it.
/// </summary>
internal interface IStreamingLayer
{
    /// <summary>
    /// Whether this layer can stream: one direction read forwards (no go_backwards, no Bidirectional), one input, no
    /// state ports and nothing else that needs the whole sequence.
    /// </summary>
    bool CanStream { get; }

    /// <summary>Whether the layer's output is the whole sequence (a step's output is then that step's row).</summary>
    bool StreamsSequences { get; }

    /// <summary>The state kept between steps, per sample: one entry per state tensor, in order (e.g. <c>h</c>, <c>c</c>).</summary>
    IReadOnlyList<(string Name, Shape Shape)> StreamStates { get; }

    /// <summary>One step's output per sample.</summary>
    Shape StepOutputShape { get; }

    /// <summary>
    /// One streaming step: <paramref name="x"/> (n, one step's input) advances <paramref name="states"/> (external tensors
    /// in <see cref="StreamStates"/>' order) in place and writes the step's output to <paramref name="y"/> (a tensor of
    /// its own, so a later in-place layer cannot overwrite a state).
    /// </summary>
    void LowerStep(LoweringContext c, Tensor x, IReadOnlyList<Tensor> states, Tensor y);
}
