using System;

namespace NetGen.Kernels;

/// <summary>Global max and average pooling: one value per channel over every spatial position.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class GlobalPooling
{
    /// <summary>Maximum over positions, per channel.</summary>
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, int batch, int positions, int channels)
    {
        for (int b = 0; b < batch; b++)
        {
            var yo = y.Slice(b * channels, channels);
            yo.Fill(float.NegativeInfinity);
            for (int p = 0; p < positions; p++)
            {
                var xi = x.Slice((b * positions + p) * channels, channels);
                for (int c = 0; c < channels; c++) if (xi[c] > yo[c]) yo[c] = xi[c];
            }
        }
    }

    /// <summary>The gradient goes to the first position holding the maximum; <paramref name="dx"/> is overwritten.</summary>
    public static void MaxBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch, int positions, int channels)
    {
        dx.Slice(0, batch * positions * channels).Clear();
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < channels; c++)
        {
            float max = y[b * channels + c];
            for (int p = 0; p < positions; p++)
            {
                int i = (b * positions + p) * channels + c;
                if (x[i] == max)
                {
                    dx[i] = dy[b * channels + c];
                    break;
                }
            }
        }
    }

    /// <summary>Mean over positions, per channel.</summary>
    public static void AverageForward(ReadOnlySpan<float> x, Span<float> y, int batch, int positions, int channels)
    {
        float scale = 1f / positions;
        for (int b = 0; b < batch; b++)
        {
            var yo = y.Slice(b * channels, channels);
            yo.Clear();
            for (int p = 0; p < positions; p++)
            {
                var xi = x.Slice((b * positions + p) * channels, channels);
                for (int c = 0; c < channels; c++) yo[c] += xi[c];
            }
            for (int c = 0; c < channels; c++) yo[c] *= scale;
        }
    }

    /// <summary>Every position receives <c>dy / positions</c>; <paramref name="dx"/> is overwritten.</summary>
    public static void AverageBackward(ReadOnlySpan<float> dy, Span<float> dx, int batch, int positions, int channels)
    {
        float scale = 1f / positions;
        for (int b = 0; b < batch; b++)
        for (int p = 0; p < positions; p++)
        for (int c = 0; c < channels; c++)
            dx[(b * positions + p) * channels + c] = dy[b * channels + c] * scale;
    }

    /// <summary>
    /// Masked mean over positions (Keras GlobalAveragePooling1D after <c>Embedding(mask_zero=True)</c>): a position
    /// counts only where its token id in <paramref name="ids"/> (one per position) is not 0. A sample whose ids are
    /// all 0 gives zeros (Keras would divide 0 by 0).
    /// </summary>
    public static void MaskedAverageForward(ReadOnlySpan<float> x, ReadOnlySpan<float> ids, Span<float> y, int batch, int positions, int channels)
    {
        for (int b = 0; b < batch; b++)
        {
            var yo = y.Slice(b * channels, channels);
            yo.Clear();
            int count = 0;
            for (int p = 0; p < positions; p++)
            {
                if (ids[b * positions + p] == 0) continue;
                count++;
                var xi = x.Slice((b * positions + p) * channels, channels);
                for (int c = 0; c < channels; c++) yo[c] += xi[c];
            }
            if (count == 0) continue;
            float scale = 1f / count;
            for (int c = 0; c < channels; c++) yo[c] *= scale;
        }
    }

    /// <summary>Gradient of <see cref="MaskedAverageForward"/>: <c>dy / count</c> to unmasked positions, 0 to masked ones.</summary>
    public static void MaskedAverageBackward(ReadOnlySpan<float> ids, ReadOnlySpan<float> dy, Span<float> dx, int batch, int positions, int channels)
    {
        for (int b = 0; b < batch; b++)
        {
            int count = 0;
            for (int p = 0; p < positions; p++) if (ids[b * positions + p] != 0) count++;
            float scale = count == 0 ? 0 : 1f / count;
            for (int p = 0; p < positions; p++)
            {
                bool kept = ids[b * positions + p] != 0;
                for (int c = 0; c < channels; c++)
                    dx[(b * positions + p) * channels + c] = kept ? dy[b * channels + c] * scale : 0;
            }
        }
    }
}
