using System;

namespace NetGen;

/// <summary>Keras <c>GaussianNoise</c>: adds N(0, stddev²) noise while training; identity when predicting.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GaussianNoiseAttribute : LayerAttribute
{
    /// <summary>Declares additive Gaussian noise.</summary>
    public GaussianNoiseAttribute(double stddev) => Stddev = stddev;

    /// <summary>Standard deviation of the noise (≥ 0).</summary>
    public double Stddev { get; }

    /// <summary>Seed of this layer's noise; negative (default) derives it from the network seed.</summary>
    public long Seed { get; set; } = -1;
}
