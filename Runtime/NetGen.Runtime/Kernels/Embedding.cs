using System;

namespace NetGen.Kernels;

/// <summary>Keras Embedding: rows of a <c>(inputDim, outputDim)</c> table looked up by token id.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Embedding
{
    /// <summary>Copies row <c>ids[i]</c> of the table to output row i, after checking every id (nothing is written on a bad one).</summary>
    public static void Forward(ReadOnlySpan<float> ids, ReadOnlySpan<float> table, Span<float> y, int count, int inputDim, int outputDim)
    {
        Validate(ids.Slice(0, count), inputDim);
        for (int i = 0; i < count; i++)
            table.Slice((int)ids[i] * outputDim, outputDim).CopyTo(y.Slice(i * outputDim, outputDim));
    }

    /// <summary>Zeroes <paramref name="dTable"/>, then adds each output row's gradient to the row it read (duplicates accumulate).</summary>
    public static void BackwardWeights(ReadOnlySpan<float> ids, ReadOnlySpan<float> dy, Span<float> dTable, int count, int inputDim, int outputDim)
    {
        dTable.Slice(0, inputDim * outputDim).Clear();
        for (int i = 0; i < count; i++)
        {
            var row = dTable.Slice((int)ids[i] * outputDim, outputDim);
            var g = dy.Slice(i * outputDim, outputDim);
            for (int k = 0; k < outputDim; k++) row[k] += g[k];
        }
    }

    /// <summary>Throws unless every id is a whole number in [0, inputDim), naming the first bad position and value.</summary>
    public static void Validate(ReadOnlySpan<float> ids, int inputDim)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            float id = ids[i];
            if (!(id >= 0 && id < inputDim && id == MathF.Floor(id)))
                Throw(i, id.ToString(System.Globalization.CultureInfo.InvariantCulture), inputDim);
        }
    }

    /// <summary>Throws unless every id is in [0, inputDim), naming the first bad position and value.</summary>
    public static void Validate(ReadOnlySpan<int> ids, int inputDim)
    {
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)inputDim) Throw(i, ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture), inputDim);
    }

    private static void Throw(int position, string value, int inputDim)
        => throw new ArgumentOutOfRangeException("input", $"token id at position {position} is {value}; ids must be whole numbers in [0, {inputDim}).");
}
