using System;

namespace NetGen;

/// <summary>
/// Reinterprets each sample with a new shape (row-major, no data movement). One dimension may be -1 and is
/// then inferred. The element count must equal the input's: otherwise it is a compile-time error.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReshapeAttribute : LayerAttribute
{
    /// <summary>Declares a reshape to <paramref name="targetShape"/> (without the batch axis).</summary>
    public ReshapeAttribute(params int[] targetShape) => TargetShape = targetShape;

    /// <summary>The target per-sample shape.</summary>
    public int[] TargetShape { get; }
}
