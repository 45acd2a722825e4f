using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>
/// Keras BatchNormalization over the last (channel) axis of <c>rows × channels</c> data: batch statistics
/// (biased variance) and the moving-average update while training, moving statistics when predicting.
/// Empty <c>gamma</c>/<c>beta</c> mean scale = false / center = false.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class BatchNormalization
{
    /// <summary>
    /// Normalises with the batch statistics, saves the batch mean and <c>1/sqrt(σ² + ε)</c> for the backward pass
    /// and updates <c>moving ← momentum·moving + (1 − momentum)·batch</c> (mean and biased variance).
    /// </summary>
    public static void TrainingForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> movingMean, Span<float> movingVariance, Span<float> batchMean, Span<float> batchInvStd,
        Span<float> y, int rows, int channels, float momentum, float epsilon)
        => TrainingForward(x, gamma, beta, movingMean, movingVariance, batchMean, batchInvStd, y, rows, channels, 1, momentum, epsilon);

    /// <summary>
    /// <see cref="TrainingForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, Span{float}, int, int, float, float)"/>
    /// for a channel axis that is not the last: data laid out <c>(outer, channels, inner)</c>.
    /// </summary>
    public static void TrainingForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> movingMean, Span<float> movingVariance, Span<float> batchMean, Span<float> batchInvStd,
        Span<float> y, int outer, int channels, int inner, float momentum, float epsilon)
    {
        int count = outer * inner;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++) sum += x[(o * channels + c) * inner + i];
            double mean = sum / count;
            double squares = 0;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    double d = x[(o * channels + c) * inner + i] - mean;
                    squares += d * d;
                }
            double variance = squares / count;
            batchMean[c] = (float)mean;
            batchInvStd[c] = (float)(1 / Math.Sqrt(variance + epsilon));
            movingMean[c] = (float)(momentum * (double)movingMean[c] + (1 - (double)momentum) * mean);
            movingVariance[c] = (float)(momentum * (double)movingVariance[c] + (1 - (double)momentum) * variance);
        }
        Apply(x, gamma, beta, batchMean, batchInvStd, y, outer, channels, inner);
    }

    /// <summary>Normalises with the moving statistics: <c>y = γ·(x − mean)/sqrt(var + ε) + β</c>; y may be x.</summary>
    public static void InferenceForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> movingMean, ReadOnlySpan<float> movingVariance, Span<float> y, int rows, int channels, float epsilon)
        => InferenceForward(x, gamma, beta, movingMean, movingVariance, y, rows, channels, 1, epsilon);

    /// <summary>Inference for a channel axis that is not the last: data laid out <c>(outer, channels, inner)</c>.</summary>
    public static void InferenceForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> movingMean, ReadOnlySpan<float> movingVariance, Span<float> y, int outer, int channels, int inner, float epsilon)
    {
        Span<float> invStd = channels <= 1024 ? stackalloc float[channels] : new float[channels];
        for (int c = 0; c < channels; c++) invStd[c] = (float)(1 / Math.Sqrt((double)movingVariance[c] + epsilon));
        Apply(x, gamma, beta, movingMean, invStd, y, outer, channels, inner);
    }

    /// <summary>
    /// Folds the inference form of a BatchNormalization (moving statistics) into the weights of the layer before it:
    /// with <c>s = γ/sqrt(var + ε)</c>, writes <c>kernel[r, c]·s[c]</c> (<paramref name="kernelRows"/> × <paramref name="channels"/>,
    /// channels fastest, as Dense and convolution kernels are laid out) to the start of <paramref name="folded"/>, then the
    /// bias <c>(bias[c] − mean[c])·s[c] + β[c]</c>. The producer run with the folded weights writes what it would have
    /// written followed by the normalisation, within float rounding. Empty gamma, beta or bias mean 1, 0 and 0.
    /// </summary>
    public static void Fold(ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> movingMean, ReadOnlySpan<float> movingVariance, Span<float> folded, int kernelRows, int channels, float epsilon)
    {
        if (kernelRows < 0 || channels < 0 || (long)kernelRows * channels + channels > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(kernelRows), $"kernelRows ({kernelRows}) and channels ({channels}) must be non-negative and their product fit a span.");
        int kernelLength = kernelRows * channels;
        Guard.AtLeast(kernel.Length, kernelLength, nameof(kernel), "kernelRows × channels");
        Guard.AtLeast(folded.Length, kernelLength + channels, nameof(folded), "kernelRows × channels + channels");
        Guard.AtLeast(movingMean.Length, channels, nameof(movingMean), "channels");
        Guard.AtLeast(movingVariance.Length, channels, nameof(movingVariance), "channels");
        var foldedBias = folded.Slice(kernelLength, channels);
        // The scale per channel goes to the bias slot first (it is overwritten last).
        for (int c = 0; c < channels; c++)
        {
            float invStd = (float)(1 / Math.Sqrt((double)movingVariance[c] + epsilon));
            foldedBias[c] = gamma.IsEmpty ? invStd : invStd * gamma[c];
        }
        ReadOnlySpan<Vector<float>> scales = MemoryMarshal.Cast<float, Vector<float>>(foldedBias);
        int vectorEnd = scales.Length * Vector<float>.Count;
        for (int r = 0; r < kernelRows; r++)
        {
            var source = kernel.Slice(r * channels, channels);
            var target = folded.Slice(r * channels, channels);
            var sv = MemoryMarshal.Cast<float, Vector<float>>(source);
            var tv = MemoryMarshal.Cast<float, Vector<float>>(target);
            for (int v = 0; v < scales.Length; v++) tv[v] = sv[v] * scales[v];
            for (int c = vectorEnd; c < channels; c++) target[c] = source[c] * foldedBias[c];
        }
        for (int c = 0; c < channels; c++)
            foldedBias[c] = ((bias.IsEmpty ? 0 : bias[c]) - movingMean[c]) * foldedBias[c] + (beta.IsEmpty ? 0 : beta[c]);
    }

    /// <summary>
    /// Training-mode backward: with x̂ = (x − μ)·invStd and g = dy·γ, <c>dx = invStd·(g − mean(g) − x̂·mean(g·x̂))</c>,
    /// <c>dγ = Σ dy·x̂</c>, <c>dβ = Σ dy</c>. dx may be the same memory as dy.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> batchMean, ReadOnlySpan<float> batchInvStd,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int rows, int channels)
        => Backward(x, gamma, batchMean, batchInvStd, dy, dGamma, dBeta, dx, rows, channels, 1);

    /// <summary>Backward for a channel axis that is not the last: data laid out <c>(outer, channels, inner)</c>.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> batchMean, ReadOnlySpan<float> batchInvStd,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int outer, int channels, int inner)
    {
        int count = outer * inner;
        for (int c = 0; c < channels; c++)
        {
            double mean = batchMean[c], inv = batchInvStd[c], scale = gamma.IsEmpty ? 1 : gamma[c];
            double sumDy = 0, sumDyXhat = 0;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int k = (o * channels + c) * inner + i;
                    double g = dy[k];
                    sumDy += g;
                    sumDyXhat += g * (x[k] - mean) * inv;
                }
            if (!dGamma.IsEmpty) dGamma[c] = (float)sumDyXhat;
            if (!dBeta.IsEmpty) dBeta[c] = (float)sumDy;
            double meanG = scale * sumDy / count, meanGXhat = scale * sumDyXhat / count;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int k = (o * channels + c) * inner + i;
                    double xhat = (x[k] - mean) * inv;
                    dx[k] = (float)(inv * (scale * dy[k] - meanG - xhat * meanGXhat));
                }
        }
    }

    /// <summary>
    /// Backward of the inference form <c>y = γ·(x − mean)·invStd + β</c> with the moving statistics (a frozen layer, or
    /// gradients in inference mode): <c>dx = dy·γ·invStd</c>, <c>dγ = Σ dy·(x − mean)·invStd</c>, <c>dβ = Σ dy</c>, where
    /// <c>invStd = 1/sqrt(movingVariance + ε)</c>. Any of dγ, dβ, dx may be empty (not wanted); dx may be dy.
    /// </summary>
    public static void InferenceBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> movingMean, ReadOnlySpan<float> movingVariance,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int rows, int channels, float epsilon)
        => InferenceBackward(x, gamma, movingMean, movingVariance, dy, dGamma, dBeta, dx, rows, channels, 1, epsilon);

    /// <summary>Inference-form backward for a channel axis that is not the last: data laid out <c>(outer, channels, inner)</c>.</summary>
    public static void InferenceBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> movingMean, ReadOnlySpan<float> movingVariance,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int outer, int channels, int inner, float epsilon)
    {
        for (int c = 0; c < channels; c++)
        {
            double inv = 1 / Math.Sqrt((double)movingVariance[c] + epsilon), mean = movingMean[c];
            if (!dGamma.IsEmpty || !dBeta.IsEmpty)
            {
                double sumDy = 0, sumDyXhat = 0;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                    {
                        int k = (o * channels + c) * inner + i;
                        sumDy += dy[k];
                        sumDyXhat += dy[k] * (x[k] - mean) * inv;
                    }
                if (!dGamma.IsEmpty) dGamma[c] = (float)sumDyXhat;
                if (!dBeta.IsEmpty) dBeta[c] = (float)sumDy;
            }
            if (dx.IsEmpty) continue;
            float scale = (float)(inv * (gamma.IsEmpty ? 1 : gamma[c]));
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int k = (o * channels + c) * inner + i;
                    dx[k] = dy[k] * scale;
                }
        }
    }

    private static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> y, int outer, int channels, int inner)
    {
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
            {
                float m = mean[c], s = invStd[c], g = gamma.IsEmpty ? 1 : gamma[c], b = beta.IsEmpty ? 0 : beta[c];
                int start = (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) y[start + i] = (x[start + i] - m) * s * g + b;
            }
    }
}
