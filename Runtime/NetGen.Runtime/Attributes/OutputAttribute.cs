using System;

namespace NetGen;

/// <summary>
/// Names the network's outputs, in order (Keras <c>Model(inputs, outputs=[...])</c>). Without it the last declared
/// layer is the only output. Several outputs are trained with the sum of their losses.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class OutputAttribute : Attribute
{
    /// <summary>Declares the outputs: names of layers (or inputs).</summary>
    public OutputAttribute(params string[] layers) => Layers = layers;

    /// <summary>The names of the output layers.</summary>
    public string[] Layers { get; }
}
