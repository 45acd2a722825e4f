using System;

namespace NetGen;

/// <summary>Keras <c>Conv1D</c> on channels-last input (steps, channels): cross-correlation with a kernel <c>(k..., in_channels, filters)</c>, then bias and activation.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv1DAttribute : PaddedKernelLayerAttribute
{
    /// <summary>Declares a 1D convolution with <paramref name="filters"/> output channels; <paramref name="kernelSize"/> is one size for every axis or one per axis.</summary>
    public Conv1DAttribute(int filters, params int[] kernelSize)
        : base(kernelSize) => Filters = filters;

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel initializer. Default glorot_uniform.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;
}
