using System;

namespace NetGen.Kernels;

/// <summary>
/// Loss functions with Keras' reduction: one value per row (the last axis is reduced), then the mean over
/// <c>rows</c>. Each returns that mean and, unless <c>grad</c> is empty, writes the gradient of the mean loss
/// with respect to its first argument (already divided by <c>rows</c>).
/// </summary>
public static class Losses
{
    /// <summary>Dispatches to the probability-space form of <paramref name="loss"/>.</summary>
    public static float Compute(Loss loss, ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
        => throw new NotImplementedException();

    /// <summary>Mean over the last axis of <c>(ŷ - y)²</c>.</summary>
    public static float MeanSquaredError(ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
        => throw new NotImplementedException();

    /// <summary>Keras <c>from_logits=False</c>: renormalise each row, clip to [1e-7, 1 - 1e-7], <c>-Σ y·log p</c>.</summary>
    public static float CategoricalCrossentropy(ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
        => throw new NotImplementedException();

    /// <summary>As <see cref="CategoricalCrossentropy"/> with one class id (stored as a float) per row.</summary>
    public static float SparseCategoricalCrossentropy(ReadOnlySpan<float> probs, ReadOnlySpan<float> labels, Span<float> grad, int rows, int cols)
        => throw new NotImplementedException();

    /// <summary>Clip p to [1e-7, 1 - 1e-7]; mean over the last axis of <c>-(y·log p + (1-y)·log(1-p))</c>.</summary>
    public static float BinaryCrossentropy(ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
        => throw new NotImplementedException();

    /// <summary>Softmax + categorical cross-entropy from logits; <paramref name="gradLogits"/> = <c>(p·Σy - y)/rows</c>.</summary>
    public static float SoftmaxCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols)
        => throw new NotImplementedException();

    /// <summary>Softmax + sparse categorical cross-entropy from logits; <paramref name="gradLogits"/> = <c>(p - onehot)/rows</c>.</summary>
    public static float SoftmaxSparseCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> labels, Span<float> gradLogits, int rows, int cols)
        => throw new NotImplementedException();

    /// <summary>Sigmoid + binary cross-entropy from logits; <paramref name="gradLogits"/> = <c>(σ(z) - y)/(cols·rows)</c>.</summary>
    public static float SigmoidBinaryCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols)
        => throw new NotImplementedException();
}
