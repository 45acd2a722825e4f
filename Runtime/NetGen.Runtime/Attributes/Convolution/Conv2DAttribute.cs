using System;

namespace NetGen;

/// <summary>Keras <c>Conv2D</c> on channels-last input (height, width, channels): cross-correlation, kernel <c>(k..., in_channels, filters)</c>, then bias and activation.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    /// <summary>Declares a 2D convolution with <paramref name="filters"/> output channels; <paramref name="kernelSize"/> is one size for every axis or one per axis.</summary>
    public Conv2DAttribute(int filters, params int[] kernelSize)
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

    /// <summary>Valid (default) or same.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Dilation along every spatial axis. Default 1 (strides &gt; 1 with dilation &gt; 1 is an error, as in Keras).</summary>
    public int DilationRate { get; set; } = 1;

    /// <summary>Per-axis dilation; overrides <see cref="DilationRate"/>.</summary>
    public int[]? DilationPerAxis { get; set; }

    /// <summary>Activation applied after the bias add. Default linear.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>Whether the layer has a bias. Default true.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Kernel initializer. Default glorot_uniform.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Bias initializer. Default zeros.</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
}
