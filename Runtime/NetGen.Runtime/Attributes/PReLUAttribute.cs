using System;

namespace NetGen;

/// <summary>
/// Keras <c>PReLU</c>: <c>f(x) = x</c> for <c>x &gt; 0</c>, else <c>alpha · x</c>, with a learned <c>alpha</c> of the
/// input's shape (without the batch axis), shared along <see cref="SharedAxes"/>. Weight: <c>alpha</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PReLUAttribute : LayerAttribute
{
    /// <summary>Initializer of <c>alpha</c>. Default zeros (Keras' default: the layer starts as a ReLU).</summary>
    public Initializer AlphaInitializer { get; set; } = Initializer.Zeros;

    /// <summary>
    /// Axes (1 is the first axis after the batch) along which one <c>alpha</c> is shared, e.g. <c>new[] { 1, 2 }</c> for
    /// one slope per channel of an image. Default none: one slope per element.
    /// </summary>
    public int[]? SharedAxes { get; set; }
}
