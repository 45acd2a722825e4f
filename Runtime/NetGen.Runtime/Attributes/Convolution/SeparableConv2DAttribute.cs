using System;

namespace NetGen;

/// <summary>Keras <c>SeparableConv2D</c>: a depthwise convolution, then a 1×1 convolution to <c>filters</c> channels; weights depthwise kernel, pointwise kernel, bias.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SeparableConv2DAttribute : LayerAttribute
{
    /// <summary>Declares a separable 2D convolution.</summary>
    public SeparableConv2DAttribute(int filters, params int[] kernelSize)
    {
        Filters = filters;
        KernelSize = kernelSize;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel size: one value for both axes, or (height, width).</summary>
    public int[] KernelSize { get; }

    /// <summary>Depthwise output channels per input channel. Default 1.</summary>
    public int DepthMultiplier { get; set; } = 1;

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

    /// <summary>Depthwise kernel initializer. Default glorot_uniform.</summary>
    public Initializer DepthwiseInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Pointwise kernel initializer. Default glorot_uniform.</summary>
    public Initializer PointwiseInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Bias initializer. Default zeros.</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
}
