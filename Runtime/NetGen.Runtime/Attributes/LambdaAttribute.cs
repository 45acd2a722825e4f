using System;

namespace NetGen;

/// <summary>
/// Keras <c>Lambda</c>: a static method of the network class used as a layer. The forward method has the signature
/// <c>static void F(ReadOnlySpan&lt;float&gt; x, Span&lt;float&gt; y, int batchSize)</c> (x holds <c>batchSize</c> input
/// samples, y receives as many output samples). For training, <see cref="Backward"/> names
/// <c>static void B(ReadOnlySpan&lt;float&gt; x, ReadOnlySpan&lt;float&gt; y, ReadOnlySpan&lt;float&gt; dy, Span&lt;float&gt; dx, int batchSize)</c>,
/// which writes the gradient with respect to x; or set <see cref="InferenceOnly"/>. The output shape is declared with
/// <see cref="OutputShape"/>, or <see cref="ElementWise"/> says it equals the input's. The generator checks all of this
/// at compile time and calls the methods directly.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LambdaAttribute : LayerAttribute
{
    /// <summary>Declares a layer computed by the static method <paramref name="forward"/> of the network class.</summary>
    public LambdaAttribute(string forward) => Forward = forward;

    /// <summary>The forward method's name (use <c>nameof</c>).</summary>
    public string Forward { get; }

    /// <summary>The backward method's name, required for training unless <see cref="InferenceOnly"/>.</summary>
    public string? Backward { get; set; }

    /// <summary>The per-sample output shape (no batch axis).</summary>
    public int[]? OutputShape { get; set; }

    /// <summary>The output shape is the input shape (an element-wise function).</summary>
    public bool ElementWise { get; set; }

    /// <summary>The layer has no backward method: the network predicts, and trains only if no gradient has to pass through it.</summary>
    public bool InferenceOnly { get; set; }
}
