using System;

namespace NetGen;

/// <summary>
/// Inverted dropout (Keras <c>Dropout</c>): while training, each element is zeroed with probability
/// <see cref="Rate"/> and the kept ones are scaled by <c>1/(1 - rate)</c>; identity when predicting.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Declares a dropout layer; <paramref name="rate"/> must be in [0, 1).</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>The fraction of elements dropped while training.</summary>
    public double Rate { get; }

    /// <summary>
    /// Seed of this layer's mask stream. A negative value (the default) derives the stream from the
    /// network's seed and the layer's position, so a run is reproducible from the network seed alone.
    /// </summary>
    public long Seed { get; set; } = -1;
}
