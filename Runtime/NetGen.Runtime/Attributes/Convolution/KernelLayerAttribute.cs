using System;

namespace NetGen;

/// <summary>Base of the layers with a sliding kernel, a bias and an activation (convolutions, locally-connected layers).</summary>
public abstract class KernelLayerAttribute : LayerAttribute
{
    /// <summary>Sets the kernel size: one value for every spatial axis, or one per axis.</summary>
    protected KernelLayerAttribute(int[] kernelSize) => KernelSize = kernelSize;

    /// <summary>Kernel size: one value for every spatial axis, or one per axis.</summary>
    public int[] KernelSize { get; }

    /// <summary>Stride along every spatial axis. Default 1.</summary>
    public int Strides { get; set; } = 1;

    /// <summary>Per-axis strides (one per spatial axis); overrides <see cref="Strides"/>.</summary>
    public int[]? StridesPerAxis { get; set; }

    /// <summary>Activation applied after the bias add. Default linear.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>Whether the layer has a bias. Default true.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Bias initializer. Default zeros.</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
}
