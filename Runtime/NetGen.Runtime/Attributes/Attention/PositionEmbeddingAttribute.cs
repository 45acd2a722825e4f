using System;

namespace NetGen;

/// <summary>
/// Keras Hub <c>PositionEmbedding(sequence_length)</c>: a learned <c>embeddings (sequence_length, dim)</c> weight whose first
/// T rows, broadcast over the batch, are the layer's output for a (T, dim) input (T ≤ sequence_length). As in Keras Hub the
/// output does not depend on the input's values, only on its shape: add it to the input with a merge layer,
/// <c>[PositionEmbedding(16, Name = "pos")] [Add("tokens", "pos")]</c>. Initializer glorot_uniform, as Keras Hub.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PositionEmbeddingAttribute : LayerAttribute
{
    /// <summary>Declares position embeddings for sequences of up to <paramref name="sequenceLength"/> positions.</summary>
    public PositionEmbeddingAttribute(int sequenceLength) => SequenceLength = sequenceLength;

    /// <summary>The largest sequence length (rows of the weight).</summary>
    public int SequenceLength { get; }

    /// <summary>Initializer of the embeddings. Default glorot_uniform (Keras Hub's default).</summary>
    public Initializer EmbeddingsInitializer { get; set; } = Initializer.GlorotUniform;
}
