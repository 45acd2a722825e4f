using System;

namespace NetGen.Kernels;

/// <summary>
/// The loss kernels with one weight per sample (Keras <c>sample_weight</c>, and <c>class_weight</c> turned into sample
/// weights). Keras' default reduction, "sum over batch size": each row's loss is multiplied by its sample's weight and
/// the sum is divided by the number of rows, not by the sum of the weights. Rows are split evenly between the samples
/// (an output of several rows per sample, such as a sequence, gives each of a sample's rows that sample's weight).
/// An empty <c>sampleWeight</c> is the unweighted kernel, bit for bit.
/// </summary>
public static partial class Losses
{
    /// <summary><see cref="Compute(Loss, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with one weight per sample.</summary>
    public static float Compute(Loss loss, ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols, ReadOnlySpan<float> sampleWeight)
    {
        if (sampleWeight.IsEmpty) return Compute(loss, yPred, yTrue, grad, rows, cols);
        bool sparse = loss == Loss.SparseCategoricalCrossentropy;
        int targetCols = sparse ? 1 : cols;
        int per = Prepare(yPred.Length, yTrue, grad.Length, rows, cols, targetCols, sparse, sampleWeight);
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var g = grad.IsEmpty ? grad : grad.Slice(r * cols, cols);
            float value = Compute(loss, yPred.Slice(r * cols, cols), yTrue.Slice(r * targetCols, targetCols), g, 1, cols);
            total += Weigh(value, g, sampleWeight[r / per], rows);
        }
        return (float)(total / rows);
    }

    /// <summary><see cref="SoftmaxCategoricalCrossentropy(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with one weight per sample.</summary>
    public static float SoftmaxCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols, ReadOnlySpan<float> sampleWeight)
    {
        if (sampleWeight.IsEmpty) return SoftmaxCategoricalCrossentropy(logits, probs, yTrue, gradLogits, rows, cols);
        if (probs.Length < (long)rows * cols) ThrowShort(nameof(probs), probs.Length, rows * cols);
        int per = Prepare(logits.Length, yTrue, gradLogits.Length, rows, cols, cols, false, sampleWeight);
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var g = gradLogits.IsEmpty ? gradLogits : gradLogits.Slice(r * cols, cols);
            float value = SoftmaxCategoricalCrossentropy(logits.Slice(r * cols, cols), probs.Slice(r * cols, cols), yTrue.Slice(r * cols, cols), g, 1, cols);
            total += Weigh(value, g, sampleWeight[r / per], rows);
        }
        return (float)(total / rows);
    }

    /// <summary><see cref="SoftmaxSparseCategoricalCrossentropy(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with one weight per sample.</summary>
    public static float SoftmaxSparseCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> labels, Span<float> gradLogits, int rows, int cols, ReadOnlySpan<float> sampleWeight)
    {
        if (sampleWeight.IsEmpty) return SoftmaxSparseCategoricalCrossentropy(logits, probs, labels, gradLogits, rows, cols);
        if (probs.Length < (long)rows * cols) ThrowShort(nameof(probs), probs.Length, rows * cols);
        int per = Prepare(logits.Length, labels, gradLogits.Length, rows, cols, 1, true, sampleWeight);
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var g = gradLogits.IsEmpty ? gradLogits : gradLogits.Slice(r * cols, cols);
            float value = SoftmaxSparseCategoricalCrossentropy(logits.Slice(r * cols, cols), probs.Slice(r * cols, cols), labels.Slice(r, 1), g, 1, cols);
            total += Weigh(value, g, sampleWeight[r / per], rows);
        }
        return (float)(total / rows);
    }

    /// <summary><see cref="SigmoidBinaryCrossentropy(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with one weight per sample.</summary>
    public static float SigmoidBinaryCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols, ReadOnlySpan<float> sampleWeight)
    {
        if (sampleWeight.IsEmpty) return SigmoidBinaryCrossentropy(logits, probs, yTrue, gradLogits, rows, cols);
        if (probs.Length < (long)rows * cols) ThrowShort(nameof(probs), probs.Length, rows * cols);
        int per = Prepare(logits.Length, yTrue, gradLogits.Length, rows, cols, cols, false, sampleWeight);
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var g = gradLogits.IsEmpty ? gradLogits : gradLogits.Slice(r * cols, cols);
            float value = SigmoidBinaryCrossentropy(logits.Slice(r * cols, cols), probs.Slice(r * cols, cols), yTrue.Slice(r * cols, cols), g, 1, cols);
            total += Weigh(value, g, sampleWeight[r / per], rows);
        }
        return (float)(total / rows);
    }

    /// <summary>
    /// Checks the sizes (and every label of a sparse target, so a bad label writes nothing) and returns the rows per sample.
    /// </summary>
    private static int Prepare(int predLength, ReadOnlySpan<float> yTrue, int gradLength, int rows, int cols, int targetCols, bool sparse, ReadOnlySpan<float> sampleWeight)
    {
        Check(predLength, yTrue.Length, gradLength, rows, cols, targetCols);
        if (rows == 0 || rows % sampleWeight.Length != 0)
            throw new ArgumentException(
                $"sampleWeight must hold one weight per sample, a count that divides the {rows} loss rows; it has {sampleWeight.Length}.", nameof(sampleWeight));
        if (sparse) CheckLabels(yTrue, rows, cols);
        return rows / sampleWeight.Length;
    }

    /// <summary>A row's loss times its weight; scales the row's gradient (computed for one row) to the batch mean's.</summary>
    private static double Weigh(float rowLoss, Span<float> rowGradient, float weight, int rows)
    {
        double scale = (double)weight / rows;
        for (int j = 0; j < rowGradient.Length; j++) rowGradient[j] = (float)(rowGradient[j] * scale);
        return (double)weight * rowLoss;
    }
}
