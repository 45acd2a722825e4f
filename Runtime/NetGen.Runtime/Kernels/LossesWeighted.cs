using System;

namespace NetGen.Kernels;

/// <summary>
/// The loss kernels with one weight per sample (Keras <c>sample_weight</c>, and <c>class_weight</c> turned into sample
/// weights) and with a padding mask. Keras' default reduction, "sum over batch size": each row's loss is multiplied by
/// its sample's weight and the sum is divided by the number of rows, not by the sum of the weights. Rows are split evenly
/// between the samples (an output of several rows per sample, such as a sequence, gives each of a sample's rows that
/// sample's weight). An empty <c>sampleWeight</c> and an empty <c>mask</c> give the plain kernel, bit for bit.
/// </summary>
/// <remarks>
/// A mask holds one value per time step of each sample (nonzero = a real step; its length divides <c>rows</c>, each
/// entry covering <c>rows / mask.Length</c> consecutive rows). Keras gives masked rows weight 0 and the others weight
/// total / valid (LAYERS.md §14.1.3), so the loss is the weighted sum over the real rows divided by their number. A masked
/// row is not computed (whatever its prediction or target holds), its gradient is zero, and a batch without a real row
/// has loss 0.
/// </remarks>
public static partial class Losses
{
    /// <summary><see cref="Compute(Loss, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with one weight per sample.</summary>
    public static float Compute(Loss loss, ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols, ReadOnlySpan<float> sampleWeight)
        => Compute(loss, yPred, yTrue, grad, rows, cols, sampleWeight, ReadOnlySpan<float>.Empty);

    /// <summary>
    /// <see cref="Compute(Loss, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with one weight per
    /// sample (or none: empty) and a padding mask (or none: empty).
    /// </summary>
    public static float Compute(Loss loss, ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols, ReadOnlySpan<float> sampleWeight, ReadOnlySpan<float> mask)
    {
        if (sampleWeight.IsEmpty && mask.IsEmpty) return Compute(loss, yPred, yTrue, grad, rows, cols);
        return ByRow(RowForm.Probabilities, loss, yPred, yPred, yTrue, grad, rows, cols, sampleWeight, mask);
    }

    /// <summary><see cref="SoftmaxCategoricalCrossentropy(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with one weight per sample.</summary>
    public static float SoftmaxCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols, ReadOnlySpan<float> sampleWeight)
        => SoftmaxCategoricalCrossentropy(logits, probs, yTrue, gradLogits, rows, cols, sampleWeight, ReadOnlySpan<float>.Empty);

    /// <summary>The fused softmax + categorical crossentropy with one weight per sample (or none) and a padding mask (or none).</summary>
    public static float SoftmaxCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols, ReadOnlySpan<float> sampleWeight, ReadOnlySpan<float> mask)
    {
        if (sampleWeight.IsEmpty && mask.IsEmpty) return SoftmaxCategoricalCrossentropy(logits, probs, yTrue, gradLogits, rows, cols);
        return ByRow(RowForm.SoftmaxCategorical, Loss.CategoricalCrossentropy, logits, probs, yTrue, gradLogits, rows, cols, sampleWeight, mask);
    }

    /// <summary><see cref="SoftmaxSparseCategoricalCrossentropy(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with one weight per sample.</summary>
    public static float SoftmaxSparseCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> labels, Span<float> gradLogits, int rows, int cols, ReadOnlySpan<float> sampleWeight)
        => SoftmaxSparseCategoricalCrossentropy(logits, probs, labels, gradLogits, rows, cols, sampleWeight, ReadOnlySpan<float>.Empty);

    /// <summary>The fused softmax + sparse categorical crossentropy with one weight per sample (or none) and a padding mask (or none).</summary>
    public static float SoftmaxSparseCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> labels, Span<float> gradLogits, int rows, int cols, ReadOnlySpan<float> sampleWeight, ReadOnlySpan<float> mask)
    {
        if (sampleWeight.IsEmpty && mask.IsEmpty) return SoftmaxSparseCategoricalCrossentropy(logits, probs, labels, gradLogits, rows, cols);
        return ByRow(RowForm.SoftmaxSparse, Loss.SparseCategoricalCrossentropy, logits, probs, labels, gradLogits, rows, cols, sampleWeight, mask);
    }

    /// <summary><see cref="SigmoidBinaryCrossentropy(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with one weight per sample.</summary>
    public static float SigmoidBinaryCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols, ReadOnlySpan<float> sampleWeight)
        => SigmoidBinaryCrossentropy(logits, probs, yTrue, gradLogits, rows, cols, sampleWeight, ReadOnlySpan<float>.Empty);

    /// <summary>The fused sigmoid + binary crossentropy with one weight per sample (or none) and a padding mask (or none).</summary>
    public static float SigmoidBinaryCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols, ReadOnlySpan<float> sampleWeight, ReadOnlySpan<float> mask)
    {
        if (sampleWeight.IsEmpty && mask.IsEmpty) return SigmoidBinaryCrossentropy(logits, probs, yTrue, gradLogits, rows, cols);
        return ByRow(RowForm.SigmoidBinary, Loss.BinaryCrossentropy, logits, probs, yTrue, gradLogits, rows, cols, sampleWeight, mask);
    }

    /// <summary>Which kernel a row goes through: the probability-space form of a <see cref="Loss"/>, or a fused logits form.</summary>
    private enum RowForm
    {
        Probabilities,
        SoftmaxCategorical,
        SoftmaxSparse,
        SigmoidBinary,
    }

    /// <summary>
    /// One row at a time through the plain kernel, each row's loss and gradient weighted: by its sample's weight, and
    /// with a mask by zero (not computed) or by one over the number of real rows instead of one over all rows.
    /// </summary>
    private static float ByRow(RowForm form, Loss loss, ReadOnlySpan<float> first, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols, ReadOnlySpan<float> sampleWeight, ReadOnlySpan<float> mask)
    {
        bool sparse = IsSparse(loss);
        int targetCols = sparse ? 1 : cols;
        Check(first.Length, yTrue.Length, grad.Length, rows, cols, targetCols);
        if (form != RowForm.Probabilities && probs.Length < (long)rows * cols) ThrowShort(nameof(probs), probs.Length, rows * cols);
        int perSample = sampleWeight.IsEmpty ? 1 : RowsPer(rows, sampleWeight.Length, nameof(sampleWeight), "one weight per sample");
        // A NaN, infinite or negative weight would turn the loss and every gradient NaN or flip their sign: refused
        // before anything is written (the Trainer checks the same; ComputeWeightedGradients called directly lands here).
        for (int i = 0; i < sampleWeight.Length; i++)
            if (!(sampleWeight[i] >= 0f && float.IsFinite(sampleWeight[i]))) ThrowWeight(i, sampleWeight[i]);
        int perStep = mask.IsEmpty ? 1 : RowsPer(rows, mask.Length, nameof(mask), "one value per sample and step");
        long valid = rows;
        if (!mask.IsEmpty)
        {
            valid = 0;
            for (int i = 0; i < mask.Length; i++) if (mask[i] != 0) valid += perStep;
        }
        // Every label of a real row is checked before anything is written, so a bad label leaves grad untouched.
        if (sparse)
            for (int r = 0; r < rows; r++)
            {
                float v = yTrue[r];
                if ((mask.IsEmpty || mask[r / perStep] != 0) && !(v >= 0f && v < cols && v == MathF.Floor(v))) ThrowLabel(r, v, cols);
            }
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var g = grad.IsEmpty ? grad : grad.Slice(r * cols, cols);
            if (!mask.IsEmpty && mask[r / perStep] == 0)
            {
                g.Clear();
                continue;
            }
            var pred = first.Slice(r * cols, cols);
            var target = yTrue.Slice(r * targetCols, targetCols);
            float value = form switch
            {
                RowForm.SoftmaxCategorical => SoftmaxCategoricalCrossentropy(pred, probs.Slice(r * cols, cols), target, g, 1, cols),
                RowForm.SoftmaxSparse => SoftmaxSparseCategoricalCrossentropy(pred, probs.Slice(r * cols, cols), target, g, 1, cols),
                RowForm.SigmoidBinary => SigmoidBinaryCrossentropy(pred, probs.Slice(r * cols, cols), target, g, 1, cols),
                _ => Compute(loss, pred, target, g, 1, cols),
            };
            total += Weigh(value, g, sampleWeight.IsEmpty ? 1f : sampleWeight[r / perSample], valid);
        }
        return valid == 0 ? 0f : (float)(total / valid);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowWeight(int index, float value)
        => throw new ArgumentOutOfRangeException("sampleWeight", value,
            $"sampleWeight[{index}] is {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; sample weights must be finite and non-negative.");

    /// <summary>Checks that <paramref name="count"/> entries split <paramref name="rows"/> evenly; returns the rows per entry.</summary>
    private static int RowsPer(int rows, int count, string name, string what)
    {
        if (rows == 0 || rows % count != 0)
            throw new ArgumentException($"{name} must hold {what}, a count that divides the {rows} loss rows; it has {count}.", name);
        return rows / count;
    }

    /// <summary>A row's loss times its weight; scales the row's gradient (computed for one row) to the mean's over <paramref name="count"/> rows.</summary>
    private static double Weigh(float rowLoss, Span<float> rowGradient, float weight, long count)
    {
        double scale = (double)weight / count;
        for (int j = 0; j < rowGradient.Length; j++) rowGradient[j] = (float)(rowGradient[j] * scale);
        return (double)weight * rowLoss;
    }
}
