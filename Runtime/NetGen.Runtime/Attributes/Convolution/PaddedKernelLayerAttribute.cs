using System;

namespace NetGen;

/// <summary>Base of the convolutions: a kernel layer with padding and dilation.</summary>
public abstract class PaddedKernelLayerAttribute : KernelLayerAttribute
{
    /// <summary>Sets the kernel size.</summary>
    protected PaddedKernelLayerAttribute(int[] kernelSize)
        : base(kernelSize)
    {
    }

    /// <summary>Valid (default) or same; causal for Conv1D only.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Dilation along every spatial axis. Default 1 (strides &gt; 1 with dilation &gt; 1 is an error, as in Keras).</summary>
    public int DilationRate { get; set; } = 1;

    /// <summary>Per-axis dilation; overrides <see cref="DilationRate"/>.</summary>
    public int[]? DilationPerAxis { get; set; }
}
