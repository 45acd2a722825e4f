using System;

namespace NetGen;

/// <summary>Keras 2 <c>LocallyConnected2D</c>: like Conv2D with valid padding, but with unshared weights at every output position.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LocallyConnected2DAttribute : LayerAttribute
{
    /// <summary>Declares a 2D locally-connected layer.</summary>
    public LocallyConnected2DAttribute(int filters, params int[] kernelSize)
    {
        Filters = filters;
        KernelSize = kernelSize;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel size: one value for every axis, or one per axis.</summary>
    public int[] KernelSize { get; }

    /// <summary>Stride along every spatial axis. Default 1.</summary>
    public int Strides { get; set; } = 1;

    /// <summary>Per-axis strides (one per spatial axis); overrides <see cref="Strides"/>.</summary>
    public int[]? StridesPerAxis { get; set; }

    /// <summary>Activation applied after the bias add. Default linear.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>Whether the layer has a bias. Default true.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Kernel initializer. Default glorot_uniform.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Bias initializer. Default zeros.</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
}
