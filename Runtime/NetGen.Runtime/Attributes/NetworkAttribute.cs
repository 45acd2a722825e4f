using System;

namespace NetGen;

/// <summary>
/// Marks a <c>partial class</c> as a NetGen network. The layer attributes that follow it on the same
/// declaration, in source order, define the network; the source generator expands them at compile time.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>
    /// The number of samples <c>Predict</c> processes at once. The inference buffers are sized for this many
    /// samples when the network is constructed; larger batches are processed in chunks of this size, so
    /// <c>Predict</c> never allocates. Default 64.
    /// </summary>
    public int InferenceBatchCapacity { get; set; } = 64;

    /// <summary>
    /// Whether the generator's optimising passes run: the loss fused with a final softmax or sigmoid, bias and
    /// activation fused into the Dense or convolution kernel, gradients nobody reads dropped. Default true; false
    /// gives the plain, layer-by-layer code (for comparisons and debugging).
    /// </summary>
    public bool Fusion { get; set; } = true;

    /// <summary>
    /// Whether <c>Predict</c> computes 2-D 3×3 convolutions with stride 1 and dilation 1 (at least 8 input and output
    /// channels, linear or ReLU activation) by Winograd's F(2×2, 3×3) algorithm: 2.25x fewer multiplications, with
    /// results equal to the direct convolution up to float rounding (relative differences around 1e-6). Training always
    /// uses the direct convolution. Default true; false keeps the direct convolution in <c>Predict</c> too (outputs then
    /// match training's forward pass bit for bit). Has no effect when <see cref="Fusion"/> is false.
    /// </summary>
    public bool Winograd { get; set; } = true;
}
