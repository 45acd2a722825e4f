using System;

namespace NetGen;

/// <summary>The network's input: the shape of one sample, without the batch axis (Keras <c>Input(shape)</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : LayerAttribute
{
    /// <summary>Declares an input of the given per-sample shape, e.g. <c>[Input(28, 28)]</c>.</summary>
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The per-sample shape.</summary>
    public int[] Shape { get; }

    /// <summary>
    /// The input holds integer token ids (for an <see cref="EmbeddingAttribute"/>) rather than features. The
    /// generated class then also offers <c>Predict(ReadOnlySpan&lt;int&gt; ...)</c>; the float entry points take the
    /// ids as whole numbers stored in floats. An id outside the embedding's range is a runtime error.
    /// </summary>
    public bool TokenIds { get; set; }
}
