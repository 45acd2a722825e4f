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
}
