using System;

namespace NetGen;

/// <summary>Keras <c>Conv2DTranspose</c> on (height, width, channels): kernel <c>(kh, kw, filters, in_channels)</c>, Keras output-size and placement rules.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DTransposeAttribute : PaddedKernelLayerAttribute
{
    /// <summary>Declares a transposed 2D convolution with <paramref name="filters"/> output channels; <paramref name="kernelSize"/> is one size for every axis or one per axis.</summary>
    public Conv2DTransposeAttribute(int filters, params int[] kernelSize)
        : base(kernelSize) => Filters = filters;

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Keras <c>output_padding</c> for every axis; -1 (default) means None. Must be smaller than the stride.</summary>
    public int OutputPadding { get; set; } = -1;

    /// <summary>Per-axis output padding; overrides <see cref="OutputPadding"/>.</summary>
    public int[]? OutputPaddingPerAxis { get; set; }

    /// <summary>Kernel initializer. Default glorot_uniform.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;
}
