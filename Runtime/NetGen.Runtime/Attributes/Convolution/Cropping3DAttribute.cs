using System;

namespace NetGen;

/// <summary>Keras <c>Cropping3D</c>: removes elements before and after along each spatial axis.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Cropping3DAttribute : LayerAttribute
{
    /// <summary>Declares cropping: one value crops that much everywhere; 3 value(s) crop symmetrically per axis; 6 values give (before, after) per axis.</summary>
    public Cropping3DAttribute(params int[] cropping) => Cropping = cropping;

    /// <summary>The cropping amounts.</summary>
    public int[] Cropping { get; }
}
