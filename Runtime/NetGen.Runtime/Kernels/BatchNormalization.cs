using System;

namespace NetGen.Kernels;

/// <summary>
/// Keras BatchNormalization over the last (channel) axis of <c>rows × channels</c> data: batch statistics
/// (biased variance) and the moving-average update while training, moving statistics when predicting.
/// Empty <c>gamma</c>/<c>beta</c> mean scale = false / center = false.
/// </summary>
public static class BatchNormalization
{
    /// <summary>
    /// Normalises with the batch statistics, saves the batch mean and <c>1/sqrt(σ² + ε)</c> for the backward pass
    /// and updates <c>moving ← momentum·moving + (1 − momentum)·batch</c> (mean and biased variance).
    /// </summary>
    public static void TrainingForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> movingMean, Span<float> movingVariance, Span<float> batchMean, Span<float> batchInvStd,
        Span<float> y, int rows, int channels, float momentum, float epsilon)
    {
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += x[r * channels + c];
            double mean = sum / rows;
            double squares = 0;
            for (int r = 0; r < rows; r++)
            {
                double d = x[r * channels + c] - mean;
                squares += d * d;
            }
            double variance = squares / rows;
            batchMean[c] = (float)mean;
            batchInvStd[c] = (float)(1 / Math.Sqrt(variance + epsilon));
            movingMean[c] = (float)(momentum * (double)movingMean[c] + (1 - (double)momentum) * mean);
            movingVariance[c] = (float)(momentum * (double)movingVariance[c] + (1 - (double)momentum) * variance);
        }
        Apply(x, gamma, beta, batchMean, batchInvStd, y, rows, channels);
    }

    /// <summary>Normalises with the moving statistics: <c>y = γ·(x − mean)/sqrt(var + ε) + β</c>; y may be x.</summary>
    public static void InferenceForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> movingMean, ReadOnlySpan<float> movingVariance, Span<float> y, int rows, int channels, float epsilon)
    {
        Span<float> invStd = channels <= 1024 ? stackalloc float[channels] : new float[channels];
        for (int c = 0; c < channels; c++) invStd[c] = (float)(1 / Math.Sqrt((double)movingVariance[c] + epsilon));
        Apply(x, gamma, beta, movingMean, invStd, y, rows, channels);
    }

    /// <summary>
    /// Training-mode backward: with x̂ = (x − μ)·invStd and g = dy·γ, <c>dx = invStd·(g − mean(g) − x̂·mean(g·x̂))</c>,
    /// <c>dγ = Σ dy·x̂</c>, <c>dβ = Σ dy</c>. dx may be the same memory as dy.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> batchMean, ReadOnlySpan<float> batchInvStd,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int rows, int channels)
    {
        for (int c = 0; c < channels; c++)
        {
            double mean = batchMean[c], inv = batchInvStd[c], scale = gamma.IsEmpty ? 1 : gamma[c];
            double sumDy = 0, sumDyXhat = 0;
            for (int r = 0; r < rows; r++)
            {
                double g = dy[r * channels + c];
                sumDy += g;
                sumDyXhat += g * (x[r * channels + c] - mean) * inv;
            }
            if (!dGamma.IsEmpty) dGamma[c] = (float)sumDyXhat;
            if (!dBeta.IsEmpty) dBeta[c] = (float)sumDy;
            double meanG = scale * sumDy / rows, meanGXhat = scale * sumDyXhat / rows;
            for (int r = 0; r < rows; r++)
            {
                int i = r * channels + c;
                double xhat = (x[i] - mean) * inv;
                dx[i] = (float)(inv * (scale * dy[i] - meanG - xhat * meanGXhat));
            }
        }
    }

    private static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> y, int rows, int channels)
    {
        for (int r = 0; r < rows; r++)
        {
            int o = r * channels;
            for (int c = 0; c < channels; c++)
            {
                float v = (x[o + c] - mean[c]) * invStd[c];
                if (!gamma.IsEmpty) v *= gamma[c];
                if (!beta.IsEmpty) v += beta[c];
                y[o + c] = v;
            }
        }
    }
}
