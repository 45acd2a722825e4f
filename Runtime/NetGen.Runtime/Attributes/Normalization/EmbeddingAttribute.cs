using System;

namespace NetGen;

/// <summary>Keras <c>Embedding</c>: maps integer token ids to rows of a trainable table <c>(input_dim, output_dim)</c>. Its input must be an <c>[Input(..., TokenIds = true)]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : LayerAttribute
{
    /// <summary>Declares an embedding of <paramref name="inputDim"/> tokens into <paramref name="outputDim"/> floats.</summary>
    public EmbeddingAttribute(int inputDim, int outputDim)
    {
        InputDim = inputDim;
        OutputDim = outputDim;
    }

    /// <summary>Vocabulary size: valid ids are 0 .. InputDim − 1.</summary>
    public int InputDim { get; }

    /// <summary>Length of each embedding vector.</summary>
    public int OutputDim { get; }

    /// <summary>
    /// Treat id 0 as padding (Keras <c>mask_zero</c>): GlobalAveragePooling1D then averages only the steps whose id
    /// is not 0. Id 0 is still looked up as a normal, trainable row, so the vocabulary is 1 .. InputDim − 1.
    /// </summary>
    public bool MaskZero { get; set; }

    /// <summary>Table initializer. Default uniform(−0.05, 0.05).</summary>
    public Initializer EmbeddingsInitializer { get; set; } = Initializer.RandomUniform;
}
