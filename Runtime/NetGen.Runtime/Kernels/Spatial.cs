using System;

namespace NetGen.Kernels;

/// <summary>Zero padding, cropping and nearest-neighbour up-sampling of channels-last data.</summary>
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
