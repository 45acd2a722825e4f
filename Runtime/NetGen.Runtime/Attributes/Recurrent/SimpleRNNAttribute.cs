using System;

namespace NetGen;

/// <summary>
/// Keras <c>SimpleRNN</c>: <c>h_t = activation(x_t·kernel + bias + h_{t−1}·recurrent_kernel)</c>; the output is h.
/// Weights: <c>kernel (features, units)</c>, <c>recurrent_kernel (units, units)</c>, <c>bias (units)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRNNAttribute : RecurrentLayerAttribute
{
    /// <summary>Declares a SimpleRNN layer with <paramref name="units"/> units.</summary>
    public SimpleRNNAttribute(int units)
        : base(units)
    {
    }
}
