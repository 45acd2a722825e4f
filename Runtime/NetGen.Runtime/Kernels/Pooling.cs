using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// Max and average pooling over channels-last data with up to three spatial axes (Keras semantics:
/// padded cells never win a max and are not counted by an average).
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Pooling
{
    /// <summary>Window maximum per channel; padded cells are ignored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxForward(in WindowGeometry g, ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        int c = g.InChannels;
        int width = VectorWidth.Widest;
        if (width > 1 && c % (width / 32) == 0 && batch > 0)
        {
            if (x.Length < (long)batch * g.InSize) throw new ArgumentException($"x must hold {(long)batch * g.InSize} floats (batch·InSize), but has {x.Length}.", nameof(x));
            if (y.Length < (long)batch * g.OutSize) throw new ArgumentException($"y must hold {(long)batch * g.OutSize} floats (batch·OutSize), but has {y.Length}.", nameof(y));
            ref float rx = ref MemoryMarshal.GetReference(x);
            ref float ry = ref MemoryMarshal.GetReference(y);
            if (width == 512) MaxForwardVector<W512, Vector512<float>>(g, ref rx, ref ry, batch);
            else if (width == 256) MaxForwardVector<W256, Vector256<float>>(g, ref rx, ref ry, batch);
            else MaxForwardVector<W128, Vector128<float>>(g, ref rx, ref ry, batch);
            return;
        }
        bool vector = c % Vector<float>.Count == 0;
        for (int b = 0; b < batch; b++)
        {
            var xs = x.Slice(b * g.InSize, g.InSize);
            var ys = y.Slice(b * g.OutSize, g.OutSize);
            for (int od = 0; od < g.OutD; od++)
            for (int oh = 0; oh < g.OutH; oh++)
            for (int ow = 0; ow < g.OutW; ow++)
            {
                var yo = ys.Slice(((od * g.OutH + oh) * g.OutW + ow) * c, c);
                Window(g, od, oh, ow, out int d0, out int d1, out int h0, out int h1, out int w0, out int w1);
                bool first = true;
                for (int d = d0; d < d1; d++)
                for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++)
                {
                    var xi = xs.Slice(((d * g.InH + h) * g.InW + w) * c, c);
                    if (first)
                    {
                        xi.CopyTo(yo);
                        first = false;
                    }
                    else if (vector)
                    {
                        var yv = MemoryMarshal.Cast<float, Vector<float>>(yo);
                        var xv = MemoryMarshal.Cast<float, Vector<float>>(xi);
                        for (int v = 0; v < yv.Length; v++) yv[v] = Vector.Max(yv[v], xv[v]);
                    }
                    else
                    {
                        for (int ch = 0; ch < c; ch++)
                            if (xi[ch] > yo[ch] || float.IsNaN(xi[ch])) yo[ch] = xi[ch]; // NaN propagates, as in the vector paths
                    }
                }
            }
        }
    }

    /// <summary>Channels a multiple of the vector width: each window cell is one row of whole vectors, no slicing per cell.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxForwardVector<TW, TV>(in WindowGeometry g, ref float x, ref float y, int batch)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int c = g.InChannels;
        for (int b = 0; b < batch; b++)
        {
            ref float xs = ref Unsafe.Add(ref x, (nint)b * g.InSize);
            ref float ys = ref Unsafe.Add(ref y, (nint)b * g.OutSize);
            for (int od = 0; od < g.OutD; od++)
            for (int oh = 0; oh < g.OutH; oh++)
            for (int ow = 0; ow < g.OutW; ow++)
            {
                ref float yo = ref Unsafe.Add(ref ys, (nint)((od * g.OutH + oh) * g.OutW + ow) * c);
                Window(g, od, oh, ow, out int d0, out int d1, out int h0, out int h1, out int w0, out int w1);
                if (d1 <= d0 || h1 <= h0 || w1 <= w0)
                {
                    // A window entirely in the padding (only degenerate geometries have one): −∞, the max of nothing.
                    for (int ch = 0; ch < c; ch++) Unsafe.Add(ref yo, ch) = float.NegativeInfinity;
                    continue;
                }
                for (int ch = 0; ch < c; ch += TW.Count)
                {
                    TV m = TW.Load(ref xs, (nint)(((d0 * g.InH + h0) * g.InW + w0) * c + ch));
                    for (int d = d0; d < d1; d++)
                    for (int h = h0; h < h1; h++)
                    {
                        ref float line = ref Unsafe.Add(ref xs, (nint)((d * g.InH + h) * g.InW) * c + ch);
                        for (int w = w0; w < w1; w++) m = TW.Max(m, TW.Load(ref line, (nint)w * c));
                    }
                    TW.Store(m, ref yo, ch);
                }
            }
        }
    }

    /// <summary>
    /// Routes each output's gradient to the first cell of its window (scan order depth, height, width) that
    /// equals the maximum; overlapping windows accumulate. <paramref name="dx"/> is overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxBackward(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        int c = g.InChannels;
        dx.Slice(0, batch * g.InSize).Clear();
        bool vector = c % Vector<float>.Count == 0;
        // Per channel: has this window's gradient been routed yet (all ones = yes)?
        Span<float> routed = c <= 1024 ? stackalloc float[c] : new float[c];
        for (int b = 0; b < batch; b++)
        {
            var xs = x.Slice(b * g.InSize, g.InSize);
            var dxs = dx.Slice(b * g.InSize, g.InSize);
            var ys = y.Slice(b * g.OutSize, g.OutSize);
            var dys = dy.Slice(b * g.OutSize, g.OutSize);
            for (int od = 0; od < g.OutD; od++)
            for (int oh = 0; oh < g.OutH; oh++)
            for (int ow = 0; ow < g.OutW; ow++)
            {
                int o = ((od * g.OutH + oh) * g.OutW + ow) * c;
                var max = ys.Slice(o, c);
                var grad = dys.Slice(o, c);
                Window(g, od, oh, ow, out int d0, out int d1, out int h0, out int h1, out int w0, out int w1);
                routed.Clear();
                for (int d = d0; d < d1; d++)
                for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++)
                {
                    int i = ((d * g.InH + h) * g.InW + w) * c;
                    var xi = xs.Slice(i, c);
                    var gi = dxs.Slice(i, c);
                    if (vector)
                    {
                        var xv = MemoryMarshal.Cast<float, Vector<float>>(xi);
                        var mv = MemoryMarshal.Cast<float, Vector<float>>(max);
                        var dv = MemoryMarshal.Cast<float, Vector<float>>(grad);
                        var gv = MemoryMarshal.Cast<float, Vector<float>>(gi);
                        var rv = MemoryMarshal.Cast<float, Vector<float>>(routed);
                        for (int v = 0; v < xv.Length; v++)
                        {
                            // Lanes where this cell is the maximum and no earlier cell took the gradient.
                            var take = Vector.AndNot(Vector.Equals(xv[v], mv[v]).As<int, float>(), rv[v]);
                            gv[v] += Vector.ConditionalSelect(take.As<float, int>(), dv[v], Vector<float>.Zero);
                            rv[v] = Vector.BitwiseOr(rv[v], take);
                        }
                    }
                    else
                    {
                        for (int ch = 0; ch < c; ch++)
                        {
                            if (routed[ch] == 0 && xi[ch] == max[ch])
                            {
                                gi[ch] += grad[ch];
                                routed[ch] = 1;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Window mean per channel over the real (unpadded) cells.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
