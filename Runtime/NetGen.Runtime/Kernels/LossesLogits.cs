using System;
using System.Runtime.CompilerServices;

namespace NetGen.Kernels;

// The from-logits losses (Keras from_logits=True; PyTorch's cross_entropy and binary_cross_entropy_with_logits): the
// network's outputs are logits and the loss takes the softmax or sigmoid itself, in log space, never clipping.
public static partial class Losses
{
    /// <summary>True for the losses Keras gives a <c>label_smoothing</c>: the categorical (and focal) and binary cross-entropies.</summary>
    public static bool Smooths(Loss loss) => loss is Loss.CategoricalCrossentropy or Loss.CategoricalCrossentropyFromLogits or Loss.CategoricalFocalCrossentropy
        or Loss.BinaryCrossentropy or Loss.BinaryCrossentropyFromLogits;

    /// <summary>
    /// Keras' <c>label_smoothing</c>: <c>y·(1 − s) + s/cols</c> for the categorical cross-entropies (cols classes per row),
    /// <c>y·(1 − s) + s/2</c> for the binary ones; <paramref name="smoothed"/> may be <paramref name="yTrue"/> itself.
    /// </summary>
    public static void SmoothLabels(Loss loss, ReadOnlySpan<float> yTrue, Span<float> smoothed, int rows, int cols, float smoothing)
    {
        if (!Smooths(loss)) throw new ArgumentOutOfRangeException(nameof(loss), loss, "label smoothing applies to the categorical (and focal) and binary cross-entropies, as in Keras.");
        if (!(smoothing >= 0f && smoothing <= 1f)) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "label smoothing must lie in [0, 1].");
        int n = Check(yTrue.Length, yTrue.Length, smoothed.Length, rows, cols, cols);
        if (smoothed.Length < n) ThrowShort(nameof(smoothed), smoothed.Length, n);
        bool binary = loss is Loss.BinaryCrossentropy or Loss.BinaryCrossentropyFromLogits;
        float keep = 1f - smoothing, add = binary ? 0.5f * smoothing : (cols == 0 ? 0f : smoothing / cols);
        for (int i = 0; i < n; i++) smoothed[i] = yTrue[i] * keep + add;
    }

    /// <summary>True for the losses whose targets are class ids (one float per output row).</summary>
    public static bool IsSparse(Loss loss) => loss is Loss.SparseCategoricalCrossentropy or Loss.SparseCategoricalCrossentropyFromLogits;

    /// <summary>
    /// Categorical cross-entropy on logits: per row <c>Σ_j y_j·(logsumexp(z) − z_j)</c>, the mean over rows;
    /// gradient <c>((Σ_j y_j)·softmax(z) − y)/rows</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float LogitsCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        Check(logits.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0 || cols == 0) return 0f;
        double total = 0, invRows = 1.0 / rows;
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * cols, cols);
            var y = yTrue.Slice(r * cols, cols);
            double lse = LogSumExp(z), ySum = 0, row = 0;
            for (int j = 0; j < cols; j++)
            {
                ySum += y[j];
                row += y[j] * (lse - z[j]);
            }
            total += row;
            if (grad.IsEmpty) continue;
            var g = grad.Slice(r * cols, cols);
            for (int j = 0; j < cols; j++) g[j] = (float)((ySum * Math.Exp(z[j] - lse) - y[j]) * invRows);
        }
        return (float)(total * invRows);
    }

    /// <summary>
    /// Sparse categorical cross-entropy on logits: per row <c>logsumexp(z) − z_label</c>, the mean over rows; gradient
    /// <c>(softmax(z) − onehot)/rows</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is not an integer in [0, cols); thrown before anything is written.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float LogitsSparseCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, Span<float> grad, int rows, int cols)
    {
        Check(logits.Length, labels.Length, grad.Length, rows, cols, 1);
        CheckLabels(labels, rows, cols);
        if (rows == 0) return 0f;
        double total = 0, invRows = 1.0 / rows;
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * cols, cols);
            int t = (int)labels[r];
            double lse = LogSumExp(z);
            total += lse - z[t];
            if (grad.IsEmpty) continue;
            var g = grad.Slice(r * cols, cols);
            for (int j = 0; j < cols; j++) g[j] = (float)(Math.Exp(z[j] - lse) * invRows);
            g[t] = (float)((Math.Exp(z[t] - lse) - 1.0) * invRows);
        }
        return (float)(total * invRows);
    }

    /// <summary>
    /// Binary cross-entropy on logits: per element <c>max(z, 0) − z·y + log(1 + e^−|z|)</c>, the mean over the last axis
    /// and then over rows; gradient <c>(σ(z) − y)/(cols·rows)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float LogitsBinaryCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        int n = Check(logits.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0 || cols == 0) { grad.Slice(0, Math.Min(grad.Length, n)).Clear(); return 0f; }
        double total = 0, scale = 1.0 / ((double)cols * rows);
        for (int i = 0; i < n; i++)
        {
            double z = logits[i];
            total += Activations.SoftplusDouble(z) - z * yTrue[i];
            if (!grad.IsEmpty) grad[i] = (float)((1.0 / (1.0 + Math.Exp(-z)) - yTrue[i]) * scale);
        }
        return (float)(total * scale);
    }
}
