namespace NetGen.Generator.Graph;

/// <summary>
/// One trainable weight of a layer. <see cref="Offset"/> is assigned by the graph builder, in layer order and
/// then in the layer's Keras <c>get_weights()</c> order.
/// </summary>
internal sealed class ParameterDecl
{
    public ParameterDecl(string name, Shape shape, int initializer, int fanIn, int fanOut)
    {
        Name = name;
        Shape = shape;
        Initializer = initializer;
        FanIn = fanIn;
        FanOut = fanOut;
    }

    public string Name { get; }

    public Shape Shape { get; }

    /// <summary>The <c>NetGen.Initializer</c> value.</summary>
    public int Initializer { get; }

    public int FanIn { get; }

    public int FanOut { get; }

    public int Offset { get; set; }

    /// <summary>The weight belongs to a layer declared <c>Trainable = false</c>: writing its gradient is no side effect.</summary>
    public bool Frozen { get; set; }

    /// <summary>
    /// A range set to ones after the initializer has run (LSTM's <c>unit_forget_bias</c>: the forget gate's bias block),
    /// or null.
    /// </summary>
    public (int Start, int Count)? OnesAfterFill { get; set; }

    /// <summary>Keras' regularizer of the weight (<c>kernel_regularizer</c>, ...), or null.</summary>
    public RegularizerSpec? Regularizer { get; set; }

    /// <summary>Keras' constraint of the weight (<c>kernel_constraint</c>, ...), or null.</summary>
    public ConstraintSpec? Constraint { get; set; }

    public int Length => Shape.Size;
}
