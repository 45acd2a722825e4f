using System;
using System.Runtime.CompilerServices;

namespace NetGen.Kernels;

/// <summary>
/// Depthwise convolution kernels (Keras DepthwiseConv2D, over one to three axes): every input channel <c>c</c> is
/// correlated with its own <c>M = OutChannels / InChannels</c> filters. The kernel is
/// <c>(KD, KH, KW, InChannels, M)</c> row-major, output channel <c>c·M + m</c>, bias <c>InChannels·M</c> floats.
/// Stride, dilation and zero padding as in <see cref="Convolution"/>.
/// </summary>
/// <remarks>
/// Direct loops, no workspace. Flattened, the kernel of tap <c>t</c> is the row <c>kernel[t·OutChannels + q]</c>
/// over output channels <c>q</c>, so with <c>M = 1</c> each tap is one vector multiply-add across channels.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class DepthwiseConvolution
{
    /// <summary><c>y[b, o, c·M + m] = bias[c·M + m] + Σ_tap xpad[b, o·s + tap·d, c]·kernel[tap, c, m]</c>; an empty <paramref name="bias"/> means none.</summary>
    public static void Forward(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int batch)
    {
        Check(g, x.Length, y.Length, kernel.Length, batch, nameof(x), nameof(y));
        if (!bias.IsEmpty) Guard.AtLeast(bias.Length, g.OutChannels, nameof(bias), "OutChannels");
        int q = g.OutChannels, c0 = g.InChannels, m = q / c0;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xs = x.Slice(b * g.InSize, g.InSize);
            Span<float> ys = y.Slice(b * g.OutSize, g.OutSize);
            if (bias.IsEmpty) ys.Clear();
            else WindowOps.BroadcastRows(bias, ys, g.OutPositions, q);
            for (int p = 0; p < g.OutPositions; p++)
            {
                Span<float> yp = ys.Slice(p * q, q);
                for (int t = 0; t < g.WindowVolume; t++)
                {
                    int ip = InputCell(g, p, t);
                    if (ip < 0) continue;
                    ReadOnlySpan<float> xp = xs.Slice(ip * c0, c0);
                    ReadOnlySpan<float> kt = kernel.Slice(t * q, q);
                    if (m == 1) MulAdd(xp, kt, yp);
                    else
                        for (int c = 0; c < c0; c++) WindowOps.AxpyTo(xp[c], kt.Slice(c * m, m), yp.Slice(c * m, m));
                }
            }
        }
    }

    /// <summary><c>dKernel[tap, c, m] = Σ xpad[b, o·s + tap·d, c]·dy[b, o, c·M + m]</c> and <c>dBias = Σ dy</c>, overwritten; an empty <paramref name="dBias"/> is skipped.</summary>
    public static void BackwardWeights(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dKernel, Span<float> dBias, int batch)
    {
        Check(g, x.Length, dy.Length, dKernel.Length, batch, nameof(x), nameof(dy));
        if (!dBias.IsEmpty) Guard.AtLeast(dBias.Length, g.OutChannels, nameof(dBias), "OutChannels");
        int q = g.OutChannels, c0 = g.InChannels, m = q / c0;
        dKernel.Slice(0, g.WindowVolume * q).Clear();
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xs = x.Slice(b * g.InSize, g.InSize);
            ReadOnlySpan<float> dys = dy.Slice(b * g.OutSize, g.OutSize);
            for (int p = 0; p < g.OutPositions; p++)
            {
                ReadOnlySpan<float> dyp = dys.Slice(p * q, q);
                for (int t = 0; t < g.WindowVolume; t++)
                {
                    int ip = InputCell(g, p, t);
                    if (ip < 0) continue;
                    ReadOnlySpan<float> xp = xs.Slice(ip * c0, c0);
                    Span<float> dkt = dKernel.Slice(t * q, q);
                    if (m == 1) MulAdd(xp, dyp, dkt);
                    else
                        for (int c = 0; c < c0; c++) WindowOps.AxpyTo(xp[c], dyp.Slice(c * m, m), dkt.Slice(c * m, m));
                }
            }
        }
        if (!dBias.IsEmpty) WindowOps.SumRows(dy, dBias, batch * g.OutPositions, q);
    }

    /// <summary><c>dx[b, i, c] = Σ_{o, tap hitting i} Σ_m kernel[tap, c, m]·dy[b, o, c·M + m]</c> (overwritten).</summary>
    public static void BackwardInput(in WindowGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> kernel, Span<float> dx, int batch)
    {
        Check(g, dx.Length, dy.Length, kernel.Length, batch, nameof(dx), nameof(dy));
        int q = g.OutChannels, c0 = g.InChannels, m = q / c0;
        for (int b = 0; b < batch; b++)
        {
            Span<float> dxs = dx.Slice(b * g.InSize, g.InSize);
            ReadOnlySpan<float> dys = dy.Slice(b * g.OutSize, g.OutSize);
            dxs.Clear();
            for (int p = 0; p < g.OutPositions; p++)
            {
                ReadOnlySpan<float> dyp = dys.Slice(p * q, q);
                for (int t = 0; t < g.WindowVolume; t++)
                {
                    int ip = InputCell(g, p, t);
                    if (ip < 0) continue;
                    Span<float> dxp = dxs.Slice(ip * c0, c0);
                    ReadOnlySpan<float> kt = kernel.Slice(t * q, q);
                    if (m == 1) MulAdd(kt, dyp, dxp);
                    else
                        for (int c = 0; c < c0; c++) dxp[c] += WindowOps.Dot(kt.Slice(c * m, m), dyp.Slice(c * m, m));
                }
            }
        }
    }

    /// <summary>Input cell (flattened spatial index) read by tap <paramref name="t"/> of output position <paramref name="p"/>, or −1 in the padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int InputCell(in WindowGeometry g, int p, int t)
    {
        int outHW = g.OutH * g.OutW, kHW = g.KH * g.KW;
        int od = p / outHW, rem = p - od * outHW, oh = rem / g.OutW, ow = rem - oh * g.OutW;
        int kd = t / kHW, trem = t - kd * kHW, kh = trem / g.KW, kw = trem - kh * g.KW;
        int id = od * g.SD + kd * g.DD - g.PadD, ih = oh * g.SH + kh * g.DH - g.PadH, iw = ow * g.SW + kw * g.DW - g.PadW;
        if ((uint)id >= (uint)g.InD || (uint)ih >= (uint)g.InH || (uint)iw >= (uint)g.InW) return -1;
        return (id * g.InH + ih) * g.InW + iw;
    }

    /// <summary><c>acc[i] += a[i]·b[i]</c>.</summary>
    private static void MulAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> acc)
    {
        int n = a.Length, i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int w = System.Numerics.Vector<float>.Count;
            for (; i + w <= n; i += w)
            {
                var r = new System.Numerics.Vector<float>(acc.Slice(i)) + new System.Numerics.Vector<float>(a.Slice(i)) * new System.Numerics.Vector<float>(b.Slice(i));
                r.CopyTo(acc.Slice(i));
            }
        }
        for (; i < n; i++) acc[i] += a[i] * b[i];
    }

    private static void Check(in WindowGeometry g, int inLength, int outLength, int kernelLength, int batch, string inName, string outName)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        if (g.InChannels <= 0 || g.OutChannels % g.InChannels != 0)
            throw new ArgumentException($"OutChannels ({g.OutChannels}) must be a multiple of InChannels ({g.InChannels}).", nameof(g));
        Guard.AtLeast(inLength, batch * g.InSize, inName, "batch·InSize");
        Guard.AtLeast(outLength, batch * g.OutSize, outName, "batch·OutSize");
        Guard.AtLeast(kernelLength, g.WindowVolume * g.OutChannels, "kernel", "WindowVolume·OutChannels");
    }
}
