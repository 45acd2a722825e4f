using System;

namespace NetGen;

/// <summary>Keras <c>UpSampling3D</c>: repeats every element along each spatial axis (nearest neighbour).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class UpSampling3DAttribute : LayerAttribute
{
    /// <summary>Declares up-sampling: no value repeats 2 times along every axis; one value for every axis, or one per axis.</summary>
    public UpSampling3DAttribute(params int[] size) => Size = size;

    /// <summary>Repeat factors.</summary>
    public int[] Size { get; }
}
