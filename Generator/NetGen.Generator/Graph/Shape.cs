using System;
using System.Linq;

namespace NetGen.Generator.Graph;

/// <summary>The shape of one sample (no batch axis), row-major.</summary>
internal sealed class Shape : IEquatable<Shape>
{
    public Shape(params int[] dims) => Dims = dims;

    public int[] Dims { get; }

    public int Rank => Dims.Length;

    /// <summary>Number of elements in one sample.</summary>
    public int Size => Dims.Aggregate(1, (a, d) => a * d);

    /// <summary>The last axis (features of a dense layer, classes of a loss).</summary>
    public int Last => Dims.Length == 0 ? 1 : Dims[Dims.Length - 1];

    /// <summary>Rows seen by last-axis operations per sample: the product of every axis but the last.</summary>
    public int LeadingSize => Dims.Length == 0 ? 1 : Size / Last;

    /// <summary><c>(28, 28)</c>.</summary>
    public override string ToString() => "(" + string.Join(", ", Dims.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")";

    /// <summary>Keras' summary form with the batch axis: <c>(None, 28, 28)</c>.</summary>
    public string ToKerasString() => "(None" + string.Concat(Dims.Select(d => ", " + d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")";

    public bool Equals(Shape? other) => other is not null && Dims.SequenceEqual(other.Dims);

    public override bool Equals(object? obj) => Equals(obj as Shape);

    public override int GetHashCode() => Dims.Aggregate(17, (h, d) => unchecked(h * 31 + d));
}
