using System;

namespace NetGen;

/// <summary>Keras <c>Concatenate(axis)</c>: joins two or more inputs along one axis; every other axis must match.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatenateAttribute : MergeLayerAttribute
{
    /// <summary>Declares the concatenation of the named layers or inputs.</summary>
    public ConcatenateAttribute(params string[] inputs)
        : base(inputs)
    {
    }

    /// <summary>The axis joined, counting the batch axis as Keras does: -1 (default) is the last, 1 the first per-sample axis.</summary>
    public int Axis { get; set; } = -1;
}
