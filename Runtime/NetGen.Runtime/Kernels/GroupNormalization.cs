using System;

namespace NetGen.Kernels;

/// <summary>
/// Keras GroupNormalization: per sample, the channels are split into <c>groups</c> contiguous blocks, each
/// normalised over all positions and its channels; γ, β per channel.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class GroupNormalization
{
    /// <summary>Normalises each (sample, group); saves the statistics (batch·groups floats each) unless the spans are empty. y may be x.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> groupMean, Span<float> groupInvStd, int batch, int positions, int channels, int groups, float epsilon)
    {
        int size = channels / groups;
        for (int b = 0; b < batch; b++)
        for (int g = 0; g < groups; g++)
        {
            double sum = 0, squares = 0;
            int count = positions * size;
            for (int p = 0; p < positions; p++)
                for (int k = 0; k < size; k++) sum += x[(b * positions + p) * channels + g * size + k];
            double mean = sum / count;
            for (int p = 0; p < positions; p++)
                for (int k = 0; k < size; k++)
                {
                    double d = x[(b * positions + p) * channels + g * size + k] - mean;
                    squares += d * d;
                }
            double inv = 1 / Math.Sqrt(squares / count + epsilon);
            if (!groupMean.IsEmpty)
            {
                groupMean[b * groups + g] = (float)mean;
                groupInvStd[b * groups + g] = (float)inv;
            }
            for (int p = 0; p < positions; p++)
                for (int k = 0; k < size; k++)
                {
                    int c = g * size + k, i = (b * positions + p) * channels + c;
                    float v = (float)((x[i] - mean) * inv);
                    if (!gamma.IsEmpty) v *= gamma[c];
                    if (!beta.IsEmpty) v += beta[c];
                    y[i] = v;
                }
        }
    }

    /// <summary>Backward per (sample, group) with the normalisation formula; dγ, dβ summed over samples and positions. dx may be dy.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> groupMean, ReadOnlySpan<float> groupInvStd,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int batch, int positions, int channels, int groups)
    {
        int size = channels / groups, count = positions * size;
        if (!dGamma.IsEmpty) dGamma.Slice(0, channels).Clear();
        if (!dBeta.IsEmpty) dBeta.Slice(0, channels).Clear();
        for (int b = 0; b < batch; b++)
        for (int g = 0; g < groups; g++)
        {
            double mean = groupMean[b * groups + g], inv = groupInvStd[b * groups + g];
            double sumG = 0, sumGXhat = 0;
            for (int p = 0; p < positions; p++)
                for (int k = 0; k < size; k++)
                {
                    int c = g * size + k, i = (b * positions + p) * channels + c;
                    double xhat = (x[i] - mean) * inv;
                    double gi = dy[i] * (gamma.IsEmpty ? 1 : gamma[c]);
                    sumG += gi;
                    sumGXhat += gi * xhat;
                    if (!dGamma.IsEmpty) dGamma[c] += (float)(dy[i] * xhat);
                    if (!dBeta.IsEmpty) dBeta[c] += dy[i];
                }
            double meanG = sumG / count, meanGXhat = sumGXhat / count;
            for (int p = 0; p < positions; p++)
                for (int k = 0; k < size; k++)
                {
                    int c = g * size + k, i = (b * positions + p) * channels + c;
                    double xhat = (x[i] - mean) * inv;
                    double gi = dy[i] * (gamma.IsEmpty ? 1 : gamma[c]);
                    dx[i] = (float)(inv * (gi - meanG - xhat * meanGXhat));
                }
        }
    }
}
