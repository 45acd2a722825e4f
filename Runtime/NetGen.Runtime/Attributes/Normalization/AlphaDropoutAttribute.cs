using System;

namespace NetGen;

/// <summary>Keras <c>AlphaDropout</c> for SELU networks: drops to the SELU saturation value and applies the affine correction that keeps mean and variance; identity when predicting.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AlphaDropoutAttribute : LayerAttribute
{
    /// <summary>Declares alpha dropout; <paramref name="rate"/> in [0, 1).</summary>
    public AlphaDropoutAttribute(double rate) => Rate = rate;

    /// <summary>The drop rate.</summary>
    public double Rate { get; }

    /// <summary>Seed of this layer's mask; negative (default) derives it from the network seed.</summary>
    public long Seed { get; set; } = -1;
}
