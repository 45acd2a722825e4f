using System;

namespace NetGen;

/// <summary>Keras <c>GaussianDropout</c>: multiplies by N(1, rate/(1 − rate)) noise while training; identity when predicting.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GaussianDropoutAttribute : LayerAttribute
{
    /// <summary>Declares Gaussian dropout; <paramref name="rate"/> in [0, 1).</summary>
    public GaussianDropoutAttribute(double rate) => Rate = rate;

    /// <summary>The drop rate.</summary>
    public double Rate { get; }

    /// <summary>Seed of this layer's noise; negative (default) derives it from the network seed.</summary>
    public long Seed { get; set; } = -1;
}
