using System;

namespace NetGen.Kernels;

/// <summary>Keras LayerNormalization over the last axis: each row of <c>features</c> is normalised on its own.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class LayerNormalization
{
    /// <summary>
    /// <c>y = γ·(x − μ_row)/sqrt(σ²_row + ε) + β</c> (biased variance); saves each row's mean and inverse standard
    /// deviation unless the spans are empty. y may be x.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> rowMean, Span<float> rowInvStd, int rows, int features, float epsilon)
    {
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * features, features);
            var (mean, inv) = Statistics(xr, epsilon);
            if (!rowMean.IsEmpty)
            {
                rowMean[r] = (float)mean;
                rowInvStd[r] = (float)inv;
            }
            var yr = y.Slice(r * features, features);
            for (int f = 0; f < features; f++)
            {
                float v = (float)((xr[f] - mean) * inv);
                if (!gamma.IsEmpty) v *= gamma[f];
                if (!beta.IsEmpty) v += beta[f];
                yr[f] = v;
            }
        }
    }

    /// <summary>
    /// LayerNormalization over an axis that is not the last: data laid out <c>(outer, features, inner)</c>; each of the
    /// <c>outer·inner</c> lines along the axis is normalised on its own (statistics saved per line, outer-major).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> lineMean, Span<float> lineInvStd, int outer, int features, int inner, float epsilon)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * features * inner + i;
                double sum = 0, squares = 0;
                for (int f = 0; f < features; f++) sum += x[start + f * inner];
                double mean = sum / features;
                for (int f = 0; f < features; f++) squares += (x[start + f * inner] - mean) * (x[start + f * inner] - mean);
                double inv = 1 / Math.Sqrt(squares / features + epsilon);
                if (!lineMean.IsEmpty)
                {
                    lineMean[o * inner + i] = (float)mean;
                    lineInvStd[o * inner + i] = (float)inv;
                }
                for (int f = 0; f < features; f++)
                {
                    int k = start + f * inner;
                    float v = (float)((x[k] - mean) * inv);
                    if (!gamma.IsEmpty) v *= gamma[f];
                    if (!beta.IsEmpty) v += beta[f];
                    y[k] = v;
                }
            }
    }

    /// <summary>Backward of the <c>(outer, features, inner)</c> form. dx may be dy.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> lineMean, ReadOnlySpan<float> lineInvStd,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int outer, int features, int inner)
    {
        if (!dGamma.IsEmpty) dGamma.Slice(0, features).Clear();
        if (!dBeta.IsEmpty) dBeta.Slice(0, features).Clear();
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * features * inner + i;
                double mean = lineMean[o * inner + i], inv = lineInvStd[o * inner + i];
                double sumG = 0, sumGXhat = 0;
                for (int f = 0; f < features; f++)
                {
                    int k = start + f * inner;
                    double xhat = (x[k] - mean) * inv;
                    double g = dy[k] * (gamma.IsEmpty ? 1 : gamma[f]);
                    sumG += g;
                    sumGXhat += g * xhat;
                    if (!dGamma.IsEmpty) dGamma[f] += (float)(dy[k] * xhat);
                    if (!dBeta.IsEmpty) dBeta[f] += dy[k];
                }
                double meanG = sumG / features, meanGXhat = sumGXhat / features;
                for (int f = 0; f < features; f++)
                {
                    int k = start + f * inner;
                    double xhat = (x[k] - mean) * inv;
                    double g = dy[k] * (gamma.IsEmpty ? 1 : gamma[f]);
                    dx[k] = (float)(inv * (g - meanG - xhat * meanGXhat));
                }
            }
    }

    /// <summary>Backward per row (the BatchNormalization formula over the row's features); dγ, dβ summed over rows. dx may be dy.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> rowMean, ReadOnlySpan<float> rowInvStd,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int rows, int features)
    {
        if (!dGamma.IsEmpty) dGamma.Slice(0, features).Clear();
        if (!dBeta.IsEmpty) dBeta.Slice(0, features).Clear();
        for (int r = 0; r < rows; r++)
        {
            int o = r * features;
            double mean = rowMean[r], inv = rowInvStd[r];
            double sumG = 0, sumGXhat = 0;
            for (int f = 0; f < features; f++)
            {
                double xhat = (x[o + f] - mean) * inv;
                double g = dy[o + f] * (gamma.IsEmpty ? 1 : gamma[f]);
                sumG += g;
                sumGXhat += g * xhat;
                if (!dGamma.IsEmpty) dGamma[f] += (float)(dy[o + f] * xhat);
                if (!dBeta.IsEmpty) dBeta[f] += dy[o + f];
            }
            double meanG = sumG / features, meanGXhat = sumGXhat / features;
            for (int f = 0; f < features; f++)
            {
                double xhat = (x[o + f] - mean) * inv;
                double g = dy[o + f] * (gamma.IsEmpty ? 1 : gamma[f]);
                dx[o + f] = (float)(inv * (g - meanG - xhat * meanGXhat));
            }
        }
    }

    private static (double Mean, double InvStd) Statistics(ReadOnlySpan<float> values, float epsilon)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        double mean = sum / values.Length, squares = 0;
        foreach (var v in values) squares += (v - mean) * (v - mean);
        return (mean, 1 / Math.Sqrt(squares / values.Length + epsilon));
    }
}
