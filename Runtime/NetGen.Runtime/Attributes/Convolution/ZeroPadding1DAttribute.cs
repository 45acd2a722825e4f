using System;

namespace NetGen;

/// <summary>Keras <c>ZeroPadding1D</c>: zeros before and after along each spatial axis.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ZeroPadding1DAttribute : LayerAttribute
{
    /// <summary>Declares zero padding: no value pads 1 everywhere; one value pads that much everywhere; 1 value(s) pad symmetrically per axis; 2 values give (before, after) per axis.</summary>
    public ZeroPadding1DAttribute(params int[] padding) => Padding = padding;

    /// <summary>The padding amounts.</summary>
    public int[] Padding { get; }
}
