using System;
using System.Runtime.CompilerServices;

namespace NetGen.Kernels;

// The losses added after the first four, each with Keras' defaults. Same conventions as Losses.cs: one value per
// row (the last axis reduced), the mean over rows returned, the gradient of that mean written unless grad is empty.
public static partial class Losses
{
    /// <summary>Keras' Huber delta.</summary>
    public const double HuberDelta = 1.0;

    /// <summary>Keras' CategoricalFocalCrossentropy alpha.</summary>
    public const double FocalAlpha = 0.25;

    /// <summary>Keras' CategoricalFocalCrossentropy gamma.</summary>
    public const double FocalGamma = 2.0;

    /// <summary>Mean over the last axis of <c>|ŷ − y|</c>. Gradient: <c>sign(ŷ − y)/(cols·rows)</c> (0 where equal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float MeanAbsoluteError(ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        int n = Check(yPred.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0 || cols == 0) { grad.Slice(0, Math.Min(grad.Length, n)).Clear(); return 0f; }
        double total = 0, scale = 1.0 / ((double)cols * rows);
        for (int i = 0; i < n; i++)
        {
            double e = (double)yPred[i] - yTrue[i];
            total += Math.Abs(e);
            if (!grad.IsEmpty) grad[i] = (float)(Math.Sign(e) * scale);
        }
        return (float)(total / cols / rows);
    }

    /// <summary>
    /// Keras <c>Huber(delta=1.0)</c>: with <c>e = ŷ − y</c>, <c>½e²</c> where <c>|e| ≤ δ</c>, else <c>δ|e| − ½δ²</c>;
    /// mean over the last axis. Gradient: <c>e</c> or <c>δ·sign(e)</c>, over <c>cols·rows</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Huber(ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        int n = Check(yPred.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0 || cols == 0) { grad.Slice(0, Math.Min(grad.Length, n)).Clear(); return 0f; }
        const double d = HuberDelta;
        double total = 0, scale = 1.0 / ((double)cols * rows);
        for (int i = 0; i < n; i++)
        {
            double e = (double)yPred[i] - yTrue[i], a = Math.Abs(e);
            bool quadratic = a <= d;
            total += quadratic ? 0.5 * e * e : d * a - 0.5 * d * d;
            if (!grad.IsEmpty) grad[i] = (float)((quadratic ? e : d * Math.Sign(e)) * scale);
        }
        return (float)(total / cols / rows);
    }

    /// <summary>
    /// Keras <c>KLDivergence</c>: y and ŷ clipped to [1e-7, 1], <c>Σ y·log(y/ŷ)</c> over the last axis. Gradient:
    /// <c>−y/ŷ</c> over rows where ŷ is inside the clip range, 0 where it is clipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float KLDivergence(ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        int n = Check(yPred.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0 || cols == 0) { grad.Slice(0, Math.Min(grad.Length, n)).Clear(); return 0f; }
        double total = 0, invRows = 1.0 / rows;
        for (int i = 0; i < n; i++)
        {
            double y = Math.Clamp((double)yTrue[i], Epsilon, 1.0);
            double p = yPred[i];
            bool inside = p >= Epsilon && p <= 1.0;
            double pc = inside ? p : p > 1.0 ? 1.0 : Epsilon; // NaN counts as clipped low
            total += y * Math.Log(y / pc);
            if (!grad.IsEmpty) grad[i] = inside ? (float)(-y / p * invRows) : 0f;
        }
        return (float)(total * invRows);
    }

    /// <summary>
    /// Keras <c>Hinge</c>: when every target of the batch is 0 or 1 they are mapped to −1 and 1; then the mean over the
    /// last axis of <c>max(1 − y·ŷ, 0)</c>. Gradient: <c>−y/(cols·rows)</c> where the margin is positive.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Hinge(ReadOnlySpan<float> yPred, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        int n = Check(yPred.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0 || cols == 0) { grad.Slice(0, Math.Min(grad.Length, n)).Clear(); return 0f; }
        bool binary = true;
        for (int i = 0; i < n && binary; i++) binary = yTrue[i] is 0f or 1f;
        double total = 0, scale = 1.0 / ((double)cols * rows);
        for (int i = 0; i < n; i++)
        {
            double y = binary ? 2.0 * yTrue[i] - 1.0 : yTrue[i];
            double margin = 1.0 - y * yPred[i];
            if (margin > 0) total += margin;
            if (!grad.IsEmpty) grad[i] = margin > 0 ? (float)(-y * scale) : 0f;
        }
        return (float)(total / cols / rows);
    }

    /// <summary>
    /// Keras <c>CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0)</c>: each row renormalised (<c>q = p/S</c>),
    /// clipped to [1e-7, 1 − 1e-7], <c>−Σ α(1 − q)^γ·y·log q</c>.
    /// </summary>
    /// <remarks>
    /// With <c>G_j = ∂L/∂q_j = −α·y_j·((1 − q_j)^γ/q_j − γ(1 − q_j)^(γ−1)·log q_j)</c> for unclipped entries (0 for
    /// clipped ones), the gradient through the renormalisation is <c>∂L/∂p_k = (G_k − Σ_j G_j·q_j)/S</c>. A row whose sum
    /// is not positive is treated as fully clipped (gradient 0).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float CategoricalFocalCrossentropy(ReadOnlySpan<float> probs, ReadOnlySpan<float> yTrue, Span<float> grad, int rows, int cols)
    {
        Check(probs.Length, yTrue.Length, grad.Length, rows, cols, cols);
        if (rows == 0) return 0f;
        const double alpha = FocalAlpha, gamma = FocalGamma;
        double total = 0, invRows = 1.0 / rows;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> p = probs.Slice(r * cols, cols);
            ReadOnlySpan<float> y = yTrue.Slice(r * cols, cols);
            double s = 0;
            for (int j = 0; j < cols; j++) s += p[j];
            bool usable = s > 0 && !double.IsInfinity(s);
            double weighted = 0; // Σ_j G_j q_j
            for (int j = 0; j < cols; j++)
            {
                double q = usable ? p[j] / s : double.NaN;
                bool unclipped = q >= Epsilon && q <= OneMinusEpsilon;
                double qc = unclipped ? q : q > OneMinusEpsilon ? OneMinusEpsilon : Epsilon;
                total -= alpha * Math.Pow(1 - qc, gamma) * y[j] * Math.Log(qc);
                if (unclipped) weighted += FocalGradient(q, y[j], alpha, gamma) * q;
            }
            if (!grad.IsEmpty)
            {
                Span<float> g = grad.Slice(r * cols, cols);
                for (int k = 0; k < cols; k++)
                {
                    double q = usable ? p[k] / s : double.NaN;
                    bool unclipped = q >= Epsilon && q <= OneMinusEpsilon;
                    double gk = unclipped ? FocalGradient(q, y[k], alpha, gamma) : 0;
                    g[k] = usable ? (float)((gk - weighted) / s * invRows) : 0f;
                }
            }
        }
        return (float)(total * invRows);
    }

    private static double FocalGradient(double q, double y, double alpha, double gamma)
        => -alpha * y * (Math.Pow(1 - q, gamma) / q - gamma * Math.Pow(1 - q, gamma - 1) * Math.Log(q));
}
