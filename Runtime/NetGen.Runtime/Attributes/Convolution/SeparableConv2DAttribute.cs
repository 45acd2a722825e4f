using System;

namespace NetGen;

/// <summary>Keras <c>SeparableConv2D</c>: a depthwise convolution, then a 1×1 convolution to <c>filters</c> channels; weights depthwise kernel, pointwise kernel, bias.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SeparableConv2DAttribute : PaddedKernelLayerAttribute
{
    /// <summary>Declares a separable 2D convolution with <paramref name="filters"/> output channels; <paramref name="kernelSize"/> is one size for every axis or one per axis.</summary>
    public SeparableConv2DAttribute(int filters, params int[] kernelSize)
        : base(kernelSize) => Filters = filters;

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Depthwise output channels per input channel. Default 1.</summary>
    public int DepthMultiplier { get; set; } = 1;

    /// <summary>Depthwise kernel initializer. Default glorot_uniform.</summary>
    public Initializer DepthwiseInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Pointwise kernel initializer. Default glorot_uniform.</summary>
    public Initializer PointwiseInitializer { get; set; } = Initializer.GlorotUniform;
}
