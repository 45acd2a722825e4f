using System;

namespace NetGen;

/// <summary>
/// Keras <c>LeakyReLU</c> layer: <c>x</c> for <c>x &gt; 0</c>, else <c>NegativeSlope · x</c>. No weights.
/// </summary>
/// <remarks>
/// The layer's default slope is 0.3 (Keras 3's <c>LeakyReLU</c>), while <c>Activation.LeakyRelu</c> uses 0.2 (Keras'
/// <c>leaky_relu</c> activation); PyTorch's <c>nn.LeakyReLU</c> uses 0.01.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute : LayerAttribute
{
    /// <summary>Slope for negative inputs; default 0.3. At least 0.</summary>
    public double NegativeSlope { get; set; } = 0.3;
}
