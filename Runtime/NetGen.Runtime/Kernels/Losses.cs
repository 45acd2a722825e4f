using System;
using System.Runtime.CompilerServices;

namespace NetGen.Kernels;

/// <summary>
/// Loss functions with Keras' reduction: one value per row (the last axis is reduced), then the mean over
/// <c>rows</c>. Each returns that mean and, unless <c>grad</c> is empty, writes the gradient of the mean loss
/// with respect to its first argument (already divided by <c>rows</c>).
/// </summary>
/// <remarks>
/// Sums are accumulated in double. Probability-space forms clip to [ε, 1 − ε] with ε = 1e-7 (Keras'
/// epsilon), so a zero probability costs at most −log ε = 16.118 and never produces NaN or infinity; the
/// gradient is zero through clipped entries. The fused logits forms never take the log of a probability.
/// With <c>rows == 0</c> every loss returns 0.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static partial class Losses
{
    private const double Epsilon = 1e-7;
    private const double OneMinusEpsilon = 1.0 - 1e-7;

    /// <summary>Dispatches to the probability-space form of <paramref name="loss"/> (the logits form of the <c>FromLogits</c> losses).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Compute(Loss loss, ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
        => loss switch
        {
            Loss.MeanSquaredError => MeanSquaredError(yPred, yTrue, grad, rows, cols),
            Loss.CategoricalCrossentropy => CategoricalCrossentropy(yPred, yTrue, grad, rows, cols),
            Loss.SparseCategoricalCrossentropy => SparseCategoricalCrossentropy(yPred, yTrue, grad, rows, cols),
            Loss.BinaryCrossentropy => BinaryCrossentropy(yPred, yTrue, grad, rows, cols),
            Loss.MeanAbsoluteError => MeanAbsoluteError(yPred, yTrue, grad, rows, cols),
            Loss.Huber => Huber(yPred, yTrue, grad, rows, cols),
            Loss.KLDivergence => KLDivergence(yPred, yTrue, grad, rows, cols),
            Loss.Hinge => Hinge(yPred, yTrue, grad, rows, cols),
            Loss.CategoricalFocalCrossentropy => CategoricalFocalCrossentropy(yPred, yTrue, grad, rows, cols),
            Loss.CategoricalCrossentropyFromLogits => LogitsCategoricalCrossentropy(yPred, yTrue, grad, rows, cols),
            Loss.SparseCategoricalCrossentropyFromLogits => LogitsSparseCategoricalCrossentropy(yPred, yTrue, grad, rows, cols),
            Loss.BinaryCrossentropyFromLogits => LogitsBinaryCrossentropy(yPred, yTrue, grad, rows, cols),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
        };

    /// <summary>Mean over the last axis of <c>(ŷ - y)²</c>.</summary>
    /// <remarks>Gradient: <c>2(ŷ − y)/(cols·rows)</c>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float MeanSquaredError(ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        int n = Check(yPred.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0 || cols == 0) { grad.Slice(0, Math.Min(grad.Length, n)).Clear(); return 0f; }
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double e = (double)yPred[i] - yTrue[i];
            total += e * e;
        }
        if (!grad.IsEmpty)
        {
            double scale = 2.0 / ((double)cols * rows);
            for (int i = 0; i < n; i++) grad[i] = (float)(((double)yPred[i] - yTrue[i]) * scale);
        }
        return (float)(total / cols / rows);
    }

    /// <summary>Keras <c>from_logits=False</c>: renormalise each row, clip to [1e-7, 1 - 1e-7], <c>-Σ y·log p</c>.</summary>
    /// <remarks>
    /// With <c>S = Σ_j p_j</c>, <c>q = p/S</c> and U the entries whose q is not clipped, the gradient of one row's
    /// loss is <c>∂L/∂p_k = −[k ∈ U]·y_k/p_k + (Σ_{j∈U} y_j)/S</c> (the second term is the path through the
    /// renormalisation). A row whose sum is not positive is treated as fully clipped (loss −log ε · Σy, gradient 0).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float CategoricalCrossentropy(ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        int n = Check(probs.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0) return 0f;
        double total = 0, invRows = 1.0 / rows;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> p = probs.Slice(r * cols, cols);
            ReadOnlySpan<float> y = yTrue.Slice(r * cols, cols);
            double s = 0;
            for (int j = 0; j < cols; j++) s += p[j];
            bool usable = s > 0 && !double.IsInfinity(s);
            double unclippedY = 0;
            for (int j = 0; j < cols; j++)
            {
                double q = usable ? p[j] / s : double.NaN;
                if (q >= Epsilon && q <= OneMinusEpsilon)
                {
                    total -= y[j] * Math.Log(q);
                    unclippedY += y[j];
                }
                else
                {
                    // Clipped (or NaN when the row sum is unusable, which we treat as clipped low).
                    total -= y[j] * Math.Log(q > OneMinusEpsilon ? OneMinusEpsilon : Epsilon);
                }
            }
            if (!grad.IsEmpty)
            {
                Span<float> g = grad.Slice(r * cols, cols);
                double common = usable ? unclippedY / s : 0;
                for (int j = 0; j < cols; j++)
                {
                    double q = usable ? p[j] / s : double.NaN;
                    double d = common;
                    if (q >= Epsilon && q <= OneMinusEpsilon) d -= y[j] / (double)p[j];
                    g[j] = (float)(d * invRows);
                }
            }
        }
        return (float)(total * invRows);
    }

    /// <summary>As <see cref="CategoricalCrossentropy"/> with one class id (stored as a float) per row.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is not an integer in [0, cols); thrown before anything is written.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SparseCategoricalCrossentropy(ReadOnlySpan<float> probs, ReadOnlySpan<float> labels, Span<float> grad, int rows, int cols)
    {
        Check(probs.Length, labels.Length, grad.Length, rows, cols, 1);
        CheckLabels(labels, rows, cols);
        if (rows == 0) return 0f;
        double total = 0, invRows = 1.0 / rows;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> p = probs.Slice(r * cols, cols);
            int t = (int)labels[r];
            double s = 0;
            for (int j = 0; j < cols; j++) s += p[j];
            bool usable = s > 0 && !double.IsInfinity(s);
            double q = usable ? p[t] / s : double.NaN;
            bool unclipped = q >= Epsilon && q <= OneMinusEpsilon;
            total -= Math.Log(unclipped ? q : q > OneMinusEpsilon ? OneMinusEpsilon : Epsilon);
            if (!grad.IsEmpty)
            {
                Span<float> g = grad.Slice(r * cols, cols);
                float common = unclipped ? (float)(invRows / s) : 0f;
                g.Fill(common);
                if (unclipped) g[t] = (float)((1.0 / s - 1.0 / p[t]) * invRows);
            }
        }
        return (float)(total * invRows);
    }

    /// <summary>Clip p to [1e-7, 1 - 1e-7]; mean over the last axis of <c>-(y·log p + (1-y)·log(1-p))</c>.</summary>
    /// <remarks>Gradient: <c>(−y/p + (1 − y)/(1 − p))/(cols·rows)</c> for unclipped p, 0 for clipped p.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float BinaryCrossentropy(ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        int n = Check(probs.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0 || cols == 0) { grad.Slice(0, Math.Min(grad.Length, n)).Clear(); return 0f; }
        double total = 0, scale = 1.0 / ((double)cols * rows);
        for (int i = 0; i < n; i++)
        {
            double p = probs[i], y = yTrue[i];
            bool unclipped = p >= Epsilon && p <= OneMinusEpsilon;
            double c = unclipped ? p : p > OneMinusEpsilon ? OneMinusEpsilon : Epsilon; // NaN → ε
            total -= y * Math.Log(c) + (1.0 - y) * Math.Log(1.0 - c);
            if (!grad.IsEmpty) grad[i] = unclipped ? (float)((-y / p + (1.0 - y) / (1.0 - p)) * scale) : 0f;
        }
        return (float)(total * scale);
    }

    /// <summary>Softmax + categorical cross-entropy from logits; <paramref name="gradLogits"/> = <c>(p·Σy - y)/rows</c>.</summary>
    /// <remarks>The loss is computed from the logits with a log-sum-exp (<c>Σ_k y_k·(lse − z_k)</c>); the gradient uses the caller's probabilities.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SoftmaxCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols)
    {
        int n = Check(logits.Length, yTrue.Length, gradLogits.Length, rows, cols, cols);
        if (probs.Length < n) ThrowShort(nameof(probs), probs.Length, n);
        if (rows == 0) return 0f;
        double total = 0, invRows = 1.0 / rows;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * cols, cols);
            ReadOnlySpan<float> y = yTrue.Slice(r * cols, cols);
            double lse = LogSumExp(z);
            double sumY = 0;
            for (int j = 0; j < cols; j++)
            {
                if (y[j] != 0f) total += y[j] * (lse - z[j]);
                sumY += y[j];
            }
            if (!gradLogits.IsEmpty)
            {
                ReadOnlySpan<float> p = probs.Slice(r * cols, cols);
                Span<float> g = gradLogits.Slice(r * cols, cols);
                for (int j = 0; j < cols; j++) g[j] = (float)((p[j] * sumY - y[j]) * invRows);
            }
        }
        return (float)(total * invRows);
    }

    /// <summary>Softmax + sparse categorical cross-entropy from logits; <paramref name="gradLogits"/> = <c>(p - onehot)/rows</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is not an integer in [0, cols); thrown before anything is written.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SoftmaxSparseCategoricalCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> labels, Span<float> gradLogits, int rows, int cols)
    {
        int n = Check(logits.Length, labels.Length, gradLogits.Length, rows, cols, 1);
        if (probs.Length < n) ThrowShort(nameof(probs), probs.Length, n);
        CheckLabels(labels, rows, cols);
        if (rows == 0) return 0f;
        double total = 0, invRows = 1.0 / rows;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * cols, cols);
            int t = (int)labels[r];
            total += LogSumExp(z) - z[t];
            if (!gradLogits.IsEmpty)
            {
                ReadOnlySpan<float> p = probs.Slice(r * cols, cols);
                Span<float> g = gradLogits.Slice(r * cols, cols);
                for (int j = 0; j < cols; j++) g[j] = (float)(p[j] * invRows);
                g[t] = (float)((p[t] - 1.0) * invRows);
            }
        }
        return (float)(total * invRows);
    }

    /// <summary>Sigmoid + binary cross-entropy from logits; <paramref name="gradLogits"/> = <c>(σ(z) - y)/(cols·rows)</c>.</summary>
    /// <remarks>Element loss <c>max(z, 0) − z·y + log(1 + e^−|z|)</c>; the gradient uses the caller's probabilities σ(z).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SigmoidBinaryCrossentropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> gradLogits, int rows, int cols)
    {
        int n = Check(logits.Length, yTrue.Length, gradLogits.Length, rows, cols, cols);
        if (probs.Length < n) ThrowShort(nameof(probs), probs.Length, n);
        if (rows == 0 || cols == 0) { gradLogits.Slice(0, Math.Min(gradLogits.Length, n)).Clear(); return 0f; }
        double total = 0, scale = 1.0 / ((double)cols * rows);
        for (int i = 0; i < n; i++)
        {
            double z = logits[i];
            // softplus(z) − z·y = max(z, 0) − z·y + log(1 + e^−|z|)
            total += Activations.SoftplusDouble(z) - z * yTrue[i];
            if (!gradLogits.IsEmpty) gradLogits[i] = (float)(((double)probs[i] - yTrue[i]) * scale);
        }
        return (float)(total * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LogSumExp(ReadOnlySpan<float> z)
    {
        float max = float.NegativeInfinity;
        for (int j = 0; j < z.Length; j++) max = Math.Max(max, z[j]);
        double s = 0;
        for (int j = 0; j < z.Length; j++) s += Math.Exp((double)z[j] - max);
        return max + Math.Log(s);
    }

    /// <summary>Validates sizes; returns rows·cols. <paramref name="targetCols"/> is cols for dense targets, 1 for class ids.</summary>
    private static int Check(int predLength, int targetLength, int gradLength, int rows, int cols, int targetCols)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be non-negative.");
        if (cols < 0 || (targetCols == 1 && cols == 0 && rows > 0))
            throw new ArgumentOutOfRangeException(nameof(cols), cols, "cols must be positive.");
        long n = (long)rows * cols;
        if (n > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows·cols exceeds the largest span.");
        if (predLength < n) ThrowShort("yPred", predLength, (int)n);
        if (targetLength < (long)rows * targetCols) ThrowShort("yTrue", targetLength, rows * targetCols);
        if (gradLength != 0 && gradLength < n) ThrowShort("grad", gradLength, (int)n);
        return (int)n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckLabels(ReadOnlySpan<float> labels, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            float v = labels[r];
            if (!(v >= 0f && v < cols && v == MathF.Floor(v))) ThrowLabel(r, v, cols);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLabel(int row, float value, int cols)
        => throw new ArgumentOutOfRangeException("labels", value,
            $"Label at row {row} is {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, which is not a class id in [0, {cols}).");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShort(string name, int actual, int expected)
        => throw new ArgumentException($"{name} must hold at least {expected} floats, but has {actual}.", name);
}
