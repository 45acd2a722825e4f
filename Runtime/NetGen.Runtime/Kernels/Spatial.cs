using System;

namespace NetGen.Kernels;

/// <summary>Zero padding, cropping and nearest-neighbour or bilinear up-sampling of channels-last data.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Spatial
{
    /// <summary>Copies the input into a zero output at offset <c>g.Pad*</c>.</summary>
    public static void ZeroPad(in WindowGeometry g, ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        y.Slice(0, batch * g.OutSize).Clear();
        Place(g.InD, g.InH, g.InW, g.OutD, g.OutH, g.OutW, g.InChannels, g.PadD, g.PadH, g.PadW, x, y, batch, toOuter: true);
    }

    /// <summary>Gradient of <see cref="ZeroPad"/>: the interior of <paramref name="dy"/>.</summary>
    public static void ZeroPadBackward(in WindowGeometry g, ReadOnlySpan<float> dy, Span<float> dx, int batch)
        => Place(g.InD, g.InH, g.InW, g.OutD, g.OutH, g.OutW, g.InChannels, g.PadD, g.PadH, g.PadW, dy, dx, batch, toOuter: false);

    /// <summary>Keeps the output-sized block starting at <c>g.Pad*</c>.</summary>
    public static void Crop(in WindowGeometry g, ReadOnlySpan<float> x, Span<float> y, int batch)
        => Place(g.OutD, g.OutH, g.OutW, g.InD, g.InH, g.InW, g.InChannels, g.PadD, g.PadH, g.PadW, x, y, batch, toOuter: false);

    /// <summary>Gradient of <see cref="Crop"/>: <paramref name="dy"/> placed back, zeros where cropped.</summary>
    public static void CropBackward(in WindowGeometry g, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        dx.Slice(0, batch * g.InSize).Clear();
        Place(g.OutD, g.OutH, g.OutW, g.InD, g.InH, g.InW, g.InChannels, g.PadD, g.PadH, g.PadW, dy, dx, batch, toOuter: true);
    }

    /// <summary>Repeats every cell <c>g.KD × g.KH × g.KW</c> times.</summary>
    public static void UpSample(in WindowGeometry g, ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        int c = g.InChannels;
        for (int b = 0; b < batch; b++)
        for (int d = 0; d < g.OutD; d++)
        for (int h = 0; h < g.OutH; h++)
        for (int w = 0; w < g.OutW; w++)
        {
            int src = (((b * g.InD + d / g.KD) * g.InH + h / g.KH) * g.InW + w / g.KW) * c;
            int dst = (((b * g.OutD + d) * g.OutH + h) * g.OutW + w) * c;
            x.Slice(src, c).CopyTo(y.Slice(dst, c));
        }
    }

    /// <summary>Gradient of <see cref="UpSample"/>: each input cell sums the gradients of its copies.</summary>
    public static void UpSampleBackward(in WindowGeometry g, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        int c = g.InChannels;
        dx.Slice(0, batch * g.InSize).Clear();
        for (int b = 0; b < batch; b++)
        for (int d = 0; d < g.OutD; d++)
        for (int h = 0; h < g.OutH; h++)
        for (int w = 0; w < g.OutW; w++)
        {
            int dst = (((b * g.InD + d / g.KD) * g.InH + h / g.KH) * g.InW + w / g.KW) * c;
            int src = (((b * g.OutD + d) * g.OutH + h) * g.OutW + w) * c;
            for (int ch = 0; ch < c; ch++) dx[dst + ch] += dy[src + ch];
        }
    }

    /// <summary>
    /// Bilinear up-sampling of 2-D data by the integer factors <c>g.KH × g.KW</c> (Keras <c>UpSampling2D(interpolation=
    /// "bilinear")</c>, PyTorch <c>interpolate(mode="bilinear", align_corners=False)</c>): output row o reads input row
    /// coordinate <c>s = (o + ½)/KH − ½</c> clamped to <c>[0, InH − 1]</c>, between rows <c>⌊s⌋</c> and <c>⌊s⌋ + 1</c> (the last
    /// row where that passes the edge) with weights <c>1 − f</c> and <c>f</c>, <c>f = s − ⌊s⌋</c>; columns likewise. Each output is
    /// <c>(1 − fh)·((1 − fw)·x00 + fw·x01) + fh·((1 − fw)·x10 + fw·x11)</c>.
    /// </summary>
    public static void UpSampleBilinear(in WindowGeometry g, ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        CheckBilinear(g, x.Length, y.Length, batch, nameof(x), nameof(y));
        int c = g.InChannels;
        for (int b = 0; b < batch; b++)
        for (int oh = 0; oh < g.OutH; oh++)
        {
            var (h0, h1, fh) = Source(oh, g.KH, g.InH);
            for (int ow = 0; ow < g.OutW; ow++)
            {
                var (w0, w1, fw) = Source(ow, g.KW, g.InW);
                var x00 = x.Slice(((b * g.InH + h0) * g.InW + w0) * c, c);
                var x01 = x.Slice(((b * g.InH + h0) * g.InW + w1) * c, c);
                var x10 = x.Slice(((b * g.InH + h1) * g.InW + w0) * c, c);
                var x11 = x.Slice(((b * g.InH + h1) * g.InW + w1) * c, c);
                var yo = y.Slice(((b * g.OutH + oh) * g.OutW + ow) * c, c);
                float gh = 1 - fh, gw = 1 - fw;
                for (int ch = 0; ch < c; ch++)
                    yo[ch] = gh * (gw * x00[ch] + fw * x01[ch]) + fh * (gw * x10[ch] + fw * x11[ch]);
            }
        }
    }

    /// <summary>
    /// Gradient of <see cref="UpSampleBilinear"/>: each output's gradient goes back to its four input positions with the
    /// weights that read them (summed where positions coincide at the clamped edges).
    /// </summary>
    public static void UpSampleBilinearBackward(in WindowGeometry g, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        CheckBilinear(g, dx.Length, dy.Length, batch, nameof(dx), nameof(dy));
        int c = g.InChannels;
        dx.Slice(0, batch * g.InSize).Clear();
        for (int b = 0; b < batch; b++)
        for (int oh = 0; oh < g.OutH; oh++)
        {
            var (h0, h1, fh) = Source(oh, g.KH, g.InH);
            for (int ow = 0; ow < g.OutW; ow++)
            {
                var (w0, w1, fw) = Source(ow, g.KW, g.InW);
                var d = dy.Slice(((b * g.OutH + oh) * g.OutW + ow) * c, c);
                float gh = 1 - fh, gw = 1 - fw;
                Scatter(d, gh * gw, dx.Slice(((b * g.InH + h0) * g.InW + w0) * c, c));
                Scatter(d, gh * fw, dx.Slice(((b * g.InH + h0) * g.InW + w1) * c, c));
                Scatter(d, fh * gw, dx.Slice(((b * g.InH + h1) * g.InW + w0) * c, c));
                Scatter(d, fh * fw, dx.Slice(((b * g.InH + h1) * g.InW + w1) * c, c));
            }
        }
    }

    private static void Scatter(ReadOnlySpan<float> d, float weight, Span<float> target)
    {
        for (int ch = 0; ch < d.Length; ch++) target[ch] += weight * d[ch];
    }

    /// <summary>The two input positions output position <paramref name="o"/> reads along an axis enlarged <paramref name="factor"/> times, and the second one's weight.</summary>
    private static (int Lower, int Upper, float Fraction) Source(int o, int factor, int size)
    {
        // (o + ½)/factor − ½ in exact arithmetic: (2o + 1 − factor) / (2·factor).
        int numerator = 2 * o + 1 - factor, denominator = 2 * factor;
        if (numerator <= 0) return (0, 0, 0f);
        int lower = numerator / denominator;
        if (lower >= size - 1) return (size - 1, size - 1, 0f);
        return (lower, lower + 1, (float)(numerator - lower * denominator) / denominator);
    }

    private static void CheckBilinear(in WindowGeometry g, int inLength, int outLength, int batch, string inName, string outName)
    {
        if (g.InD != 1 || g.OutD != 1 || g.KH < 1 || g.KW < 1 || g.OutH != g.InH * g.KH || g.OutW != g.InW * g.KW || g.OutChannels != g.InChannels)
            throw new ArgumentException("the geometry must be 2-D up-sampling: OutH = InH·KH, OutW = InW·KW, as many channels out as in.", nameof(g));
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        Guard.AtLeast(inLength, batch * g.InSize, inName, "batch·InSize");
        Guard.AtLeast(outLength, batch * g.OutSize, outName, "batch·OutSize");
    }

    /// <summary>
    /// Moves the inner block (iD, iH, iW) to or from the outer array (oD, oH, oW) at offset (pd, ph, pw):
    /// <paramref name="toOuter"/> writes source-inner into destination-outer, otherwise reads the block out of
    /// the outer source into the inner destination. Rows of W·C floats are copied whole.
    /// </summary>
    private static void Place(int iD, int iH, int iW, int oD, int oH, int oW, int c, int pd, int ph, int pw,
        ReadOnlySpan<float> source, Span<float> destination, int batch, bool toOuter)
    {
        int row = iW * c;
        for (int b = 0; b < batch; b++)
        for (int d = 0; d < iD; d++)
        for (int h = 0; h < iH; h++)
        {
            int inner = ((b * iD + d) * iH + h) * iW * c;
            int outer = (((b * oD + d + pd) * oH + h + ph) * oW + pw) * c;
            if (toOuter) source.Slice(inner, row).CopyTo(destination.Slice(outer, row));
            else source.Slice(outer, row).CopyTo(destination.Slice(inner, row));
        }
    }
}
