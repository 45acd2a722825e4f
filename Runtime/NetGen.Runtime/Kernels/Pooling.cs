using System;

namespace NetGen.Kernels;

/// <summary>
/// Max and average pooling over channels-last data with up to three spatial axes (Keras semantics:
/// padded cells never win a max and are not counted by an average).
/// </summary>
public static class Pooling
{
    /// <summary>Window maximum per channel; padded cells are ignored.</summary>
    public static void MaxForward(in WindowGeometry g, ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        int c = g.InChannels;
        for (int b = 0; b < batch; b++)
        {
            var xs = x.Slice(b * g.InSize, g.InSize);
            var ys = y.Slice(b * g.OutSize, g.OutSize);
            for (int od = 0; od < g.OutD; od++)
            for (int oh = 0; oh < g.OutH; oh++)
            for (int ow = 0; ow < g.OutW; ow++)
            {
                var yo = ys.Slice(((od * g.OutH + oh) * g.OutW + ow) * c, c);
                yo.Fill(float.NegativeInfinity);
                Window(g, od, oh, ow, out int d0, out int d1, out int h0, out int h1, out int w0, out int w1);
                for (int d = d0; d < d1; d++)
                for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++)
                {
                    var xi = xs.Slice(((d * g.InH + h) * g.InW + w) * c, c);
                    for (int ch = 0; ch < c; ch++)
                        if (xi[ch] > yo[ch]) yo[ch] = xi[ch];
                }
            }
        }
    }

    /// <summary>
    /// Routes each output's gradient to the first cell of its window (scan order depth, height, width) that
    /// equals the maximum; overlapping windows accumulate. <paramref name="dx"/> is overwritten.
    /// </summary>
    public static void MaxBackward(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        int c = g.InChannels;
        dx.Slice(0, batch * g.InSize).Clear();
        for (int b = 0; b < batch; b++)
        {
            var xs = x.Slice(b * g.InSize, g.InSize);
            var dxs = dx.Slice(b * g.InSize, g.InSize);
            int outBase = b * g.OutSize;
            for (int od = 0; od < g.OutD; od++)
            for (int oh = 0; oh < g.OutH; oh++)
            for (int ow = 0; ow < g.OutW; ow++)
            {
                int o = outBase + ((od * g.OutH + oh) * g.OutW + ow) * c;
                Window(g, od, oh, ow, out int d0, out int d1, out int h0, out int h1, out int w0, out int w1);
                for (int ch = 0; ch < c; ch++)
                {
                    float max = y[o + ch];
                    bool done = false;
                    for (int d = d0; d < d1 && !done; d++)
                    for (int h = h0; h < h1 && !done; h++)
                    for (int w = w0; w < w1 && !done; w++)
                    {
                        int i = ((d * g.InH + h) * g.InW + w) * c + ch;
                        if (xs[i] == max)
                        {
                            dxs[i] += dy[o + ch];
                            done = true;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Window mean per channel over the real (unpadded) cells.</summary>
    public static void AverageForward(in WindowGeometry g, ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        int c = g.InChannels;
        for (int b = 0; b < batch; b++)
        {
            var xs = x.Slice(b * g.InSize, g.InSize);
            var ys = y.Slice(b * g.OutSize, g.OutSize);
            for (int od = 0; od < g.OutD; od++)
            for (int oh = 0; oh < g.OutH; oh++)
            for (int ow = 0; ow < g.OutW; ow++)
            {
                var yo = ys.Slice(((od * g.OutH + oh) * g.OutW + ow) * c, c);
                yo.Clear();
                Window(g, od, oh, ow, out int d0, out int d1, out int h0, out int h1, out int w0, out int w1);
                for (int d = d0; d < d1; d++)
                for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++)
                {
                    var xi = xs.Slice(((d * g.InH + h) * g.InW + w) * c, c);
                    for (int ch = 0; ch < c; ch++) yo[ch] += xi[ch];
                }
                float scale = 1f / ((d1 - d0) * (h1 - h0) * (w1 - w0));
                for (int ch = 0; ch < c; ch++) yo[ch] *= scale;
            }
        }
    }

    /// <summary>Each real cell of a window receives <c>dy / count</c>; <paramref name="dx"/> is overwritten.</summary>
    public static void AverageBackward(in WindowGeometry g, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        int c = g.InChannels;
        dx.Slice(0, batch * g.InSize).Clear();
        for (int b = 0; b < batch; b++)
        {
            var dys = dy.Slice(b * g.OutSize, g.OutSize);
            var dxs = dx.Slice(b * g.InSize, g.InSize);
            for (int od = 0; od < g.OutD; od++)
            for (int oh = 0; oh < g.OutH; oh++)
            for (int ow = 0; ow < g.OutW; ow++)
            {
                var go = dys.Slice(((od * g.OutH + oh) * g.OutW + ow) * c, c);
                Window(g, od, oh, ow, out int d0, out int d1, out int h0, out int h1, out int w0, out int w1);
                float scale = 1f / ((d1 - d0) * (h1 - h0) * (w1 - w0));
                for (int d = d0; d < d1; d++)
                for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++)
                {
                    var gi = dxs.Slice(((d * g.InH + h) * g.InW + w) * c, c);
                    for (int ch = 0; ch < c; ch++) gi[ch] += go[ch] * scale;
                }
            }
        }
    }

    /// <summary>The real input cells [start, end) of the window of one output position, per axis.</summary>
    private static void Window(in WindowGeometry g, int od, int oh, int ow, out int d0, out int d1, out int h0, out int h1, out int w0, out int w1)
    {
        d0 = od * g.SD - g.PadD; d1 = Math.Min(d0 + g.KD, g.InD); d0 = Math.Max(d0, 0);
        h0 = oh * g.SH - g.PadH; h1 = Math.Min(h0 + g.KH, g.InH); h0 = Math.Max(h0, 0);
        w0 = ow * g.SW - g.PadW; w1 = Math.Min(w0 + g.KW, g.InW); w0 = Math.Max(w0, 0);
    }
}
