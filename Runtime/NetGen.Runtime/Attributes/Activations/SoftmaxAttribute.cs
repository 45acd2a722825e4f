using System;

namespace NetGen;

/// <summary>
/// Keras <c>Softmax</c> layer: <c>e^(x − max) / Σ e^(x − max)</c> along <see cref="Axis"/>, for every position of the
/// other axes. No weights.
/// </summary>
/// <remarks>
/// A padding mask reaching this layer stops here (the generator warns): Keras would use it to zero masked entries, which
/// NetGen does not do yet.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute
{
    /// <summary>The axis normalised: −1 (the default) is the last, 1 the first after the batch; −rank..−1 or 1..rank.</summary>
    public int Axis { get; set; } = -1;
}
