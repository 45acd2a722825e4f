using System;

namespace NetGen;

/// <summary>Keras <c>Conv2DTranspose</c> on (height, width, channels): kernel <c>(kh, kw, filters, in_channels)</c>, Keras output-size and placement rules.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DTransposeAttribute : LayerAttribute
{
    /// <summary>Declares a transposed 2D convolution.</summary>
    public Conv2DTransposeAttribute(int filters, params int[] kernelSize)
    {
        Filters = filters;
        KernelSize = kernelSize;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel size: one value for both axes, or (height, width).</summary>
    public int[] KernelSize { get; }

    /// <summary>Stride along every spatial axis. Default 1.</summary>
    public int Strides { get; set; } = 1;

    /// <summary>Per-axis strides (one per spatial axis); overrides <see cref="Strides"/>.</summary>
    public int[]? StridesPerAxis { get; set; }

    /// <summary>Valid (default) or same.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Keras <c>output_padding</c> for every axis; -1 (default) means None. Must be smaller than the stride.</summary>
    public int OutputPadding { get; set; } = -1;

    /// <summary>Per-axis output padding; overrides <see cref="OutputPadding"/>.</summary>
    public int[]? OutputPaddingPerAxis { get; set; }

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
