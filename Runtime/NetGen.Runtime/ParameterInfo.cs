using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>One weight of a network: its Keras-style name (<c>dense/kernel</c>), shape, and place in the flat parameter buffer.</summary>
public sealed record ParameterInfo
{
    private readonly int[] _shape;

    /// <summary>Describes one weight.</summary>
    /// <param name="name">Layer name and weight name, separated by a slash.</param>
    /// <param name="offset">Offset of the first element in <see cref="INetwork.Parameters"/>.</param>
    /// <param name="length">Number of elements (the product of <paramref name="shape"/>).</param>
    /// <param name="shape">The weight's shape, row-major; copied.</param>
    public ParameterInfo(string name, int offset, int length, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        Name = name;
        Offset = offset;
        Length = length;
        _shape = (int[])shape.Clone();
        int slash = name.LastIndexOf('/');
        Layer = slash >= 0 ? name[..slash] : name;
        Shape = Array.AsReadOnly(_shape);
    }

    /// <summary>Layer name and weight name, separated by a slash.</summary>
    public string Name { get; }

    /// <summary>Offset of the first element in <see cref="INetwork.Parameters"/> (or <see cref="INetwork.State"/>).</summary>
    public int Offset { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>The weight's shape, row-major (read-only).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>
    /// False for a weight of a layer declared <c>Trainable = false</c>: no gradient code exists for it and it cannot be
    /// unfrozen at run time. Whether a weight trains now is <see cref="INetwork.TrainableWeights"/>.
    /// </summary>
    public bool DeclaredTrainable { get; init; } = true;

    /// <summary>
    /// Keras' weight regularizer (<c>kernel_regularizer</c>, ...): while the weight trains, its penalty joins the loss of
    /// <c>ComputeGradients</c>, <c>Fit</c> and <c>Evaluate</c> and its gradient the weight's. Null: none.
    /// </summary>
    public WeightRegularizer? Regularizer { get; init; }

    /// <summary>Keras' weight constraint (<c>kernel_constraint</c>, ...), applied after every optimizer update of the weight. Null: none.</summary>
    public WeightConstraint? Constraint { get; init; }

    /// <summary>The layer's name: <see cref="Name"/> up to its last slash.</summary>
    public string Layer { get; }

    /// <summary>The shape as an array, for the runtime's own use (never handed out: the caller must not change it).</summary>
    internal int[] ShapeArray => _shape;

    /// <summary>The weight as <c>name (d0, d1)</c>.</summary>
    public override string ToString() => $"{Name} ({string.Join(", ", _shape)})";

    /// <inheritdoc/>
    public bool Equals(ParameterInfo? other)
        => other is not null && Name == other.Name && Offset == other.Offset && Length == other.Length
           && DeclaredTrainable == other.DeclaredTrainable && _shape.AsSpan().SequenceEqual(other._shape);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Offset, Length, _shape.Length);
}
