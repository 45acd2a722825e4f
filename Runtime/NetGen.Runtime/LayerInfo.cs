using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>One layer of a network (Keras <c>model.layers</c>): its name, Keras class, output shape and whether it trains.</summary>
public sealed record LayerInfo
{
    /// <summary>Creates the description of one layer.</summary>
    /// <param name="name">The layer's name (<c>dense_1</c>).</param>
    /// <param name="kerasClass">The Keras class name (<c>Dense</c>).</param>
    /// <param name="outputShape">The output shape without the batch axis; copied.</param>
    /// <param name="declaredTrainable">Whether the declaration lets it train (false for <c>Trainable = false</c>).</param>
    public LayerInfo(string name, string kerasClass, int[] outputShape, bool declaredTrainable = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(kerasClass);
        ArgumentNullException.ThrowIfNull(outputShape);
        Name = name;
        KerasClass = kerasClass;
        OutputShape = Array.AsReadOnly((int[])outputShape.Clone());
        int length = 1;
        foreach (var d in outputShape) length *= d;
        OutputLength = length;
        DeclaredTrainable = declaredTrainable;
    }

    /// <summary>The layer's name.</summary>
    public string Name { get; }

    /// <summary>The Keras class name.</summary>
    public string KerasClass { get; }

    /// <summary>The output shape without the batch axis.</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>Floats of one sample's output (the product of <see cref="OutputShape"/>).</summary>
    public int OutputLength { get; }

    /// <summary>
    /// Whether the declaration lets the layer train. A layer declared <c>Trainable = false</c> has no gradient code
    /// (and a frozen BatchNormalization runs in inference mode); it cannot be unfrozen at run time.
    /// </summary>
    public bool DeclaredTrainable { get; }
}
