using System;

namespace NetGen;

/// <summary>
/// Keras <c>Dot(axes, normalize)</c>: the per-sample dot product of two inputs contracted over one axis of each
/// (axes count the batch axis, as in Keras; 0 is not allowed). The output is the first input's shape without its axis,
/// then the second's without its axis, or (1) when nothing remains.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DotAttribute : MergeLayerAttribute
{
    /// <summary>Contracts axis <paramref name="axes"/> of both inputs.</summary>
    public DotAttribute(int axes, params string[] inputs)
        : base(inputs) => Axes = new[] { axes, axes };

    /// <summary>Contracts axis <paramref name="axis0"/> of the first input with axis <paramref name="axis1"/> of the second.</summary>
    public DotAttribute(int axis0, int axis1, params string[] inputs)
        : base(inputs) => Axes = new[] { axis0, axis1 };

    /// <summary>The contracted axis of each input.</summary>
    public int[] Axes { get; }

    /// <summary>L2-normalise both inputs along their contracted axis first, so the result is the cosine similarity.</summary>
    public bool Normalize { get; set; }
}
