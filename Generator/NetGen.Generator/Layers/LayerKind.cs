using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>
/// A kind of layer: which attribute it reads, its Keras default name, and how a declaration becomes a
/// <see cref="LayerNode"/> (shape rule and validation). Everything else about the kind lives in its node.
/// </summary>
internal abstract class LayerKind
{
    /// <summary>The attribute name without the <c>Attribute</c> suffix, e.g. <c>Dense</c>.</summary>
    public abstract string AttributeName { get; }

    /// <summary>Keras' default name stem, e.g. <c>dense</c>.</summary>
    public abstract string DefaultName { get; }

    /// <summary>
    /// Validates the declaration against its input shape and returns the node, or null after reporting
    /// an error that makes the output shape unknowable.
    /// </summary>
    public abstract LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context);
}

/// <summary>A kind of layer that reads two or more values (the merge layers): it is built from every input's shape.</summary>
internal abstract class MultiInputKind : LayerKind
{
    public sealed override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
        => Build(spec, name, new[] { input }, context);

    /// <summary>Whether the layer reads the layer declared just above it when no inputs are named (self-attention); merge layers must name theirs.</summary>
    public virtual bool ReadsPreviousByDefault => false;

    /// <summary>Validates the declaration against its inputs' shapes (count included) and returns the node, or null after an error.</summary>
    public abstract LayerNode? Build(LayerSpec spec, string name, System.Collections.Generic.IReadOnlyList<Shape> inputs, BuildContext context);
}
