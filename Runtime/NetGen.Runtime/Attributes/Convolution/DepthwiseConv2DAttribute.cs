using System;

namespace NetGen;

/// <summary>Keras <c>DepthwiseConv2D</c>: one filter set per input channel, kernel <c>(kh, kw, channels, depth_multiplier)</c>; output channel <c>c·M + m</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DepthwiseConv2DAttribute : PaddedKernelLayerAttribute
{
    /// <summary>Declares a depthwise 2D convolution.</summary>
    public DepthwiseConv2DAttribute(params int[] kernelSize)
        : base(kernelSize)
    {
    }

    /// <summary>Output channels per input channel. Default 1.</summary>
    public int DepthMultiplier { get; set; } = 1;

    /// <summary>Depthwise kernel initializer. Default glorot_uniform.</summary>
    public Initializer DepthwiseInitializer { get; set; } = Initializer.GlorotUniform;
}
