using System;

namespace NetGen;

/// <summary>Keras 2 <c>LocallyConnected2D</c>: like Conv2D with valid padding, but with unshared weights at every output position.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LocallyConnected2DAttribute : KernelLayerAttribute
{
    /// <summary>Declares a 2D locally-connected layer with <paramref name="filters"/> output channels; <paramref name="kernelSize"/> is one size for every axis or one per axis.</summary>
    public LocallyConnected2DAttribute(int filters, params int[] kernelSize)
        : base(kernelSize) => Filters = filters;

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel initializer. Default glorot_uniform.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;
}
