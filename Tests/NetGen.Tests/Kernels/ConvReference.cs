using System;
using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

/// <summary>
/// Scalar double-precision references for the convolution family, written straight from LAYERS.md §1, §5, §7
/// (direct loops over batch, output position, tap and channel), plus the Keras shape and padding arithmetic
/// that builds a <see cref="WindowGeometry"/>.
/// </summary>
internal static class ConvReference
{
    /// <summary>Keras output length and padding-before along one axis (LAYERS.md §1.1).</summary>
    public static (int Out, int PadBefore) Axis(int n, int k, int s, int d, string padding)
    {
        int kEff = d * (k - 1) + 1;
        switch (padding)
        {
            case "valid": return ((n - kEff) / s + 1, 0);
            case "same":
            {
                int o = (n + s - 1) / s;
                int total = Math.Max((o - 1) * s + kEff - n, 0);
                return (o, total / 2);
            }
            case "causal": return ((n + s - 1) / s, d * (k - 1));
            default: throw new ArgumentException(padding);
        }
    }

    /// <summary>Geometry of a convolution over <c>(D, H, W, cin)</c> (1-sized leading axes for lower rank).</summary>
    public static WindowGeometry Conv(int[] n, int cin, int cout, int[] k, int[] s, int[] d, string padding)
    {
        var a = new (int Out, int Pad)[3];
        for (int i = 0; i < 3; i++) a[i] = n[i] == 1 && k[i] == 1 ? (1, 0) : Axis(n[i], k[i], s[i], d[i], padding);
        return new WindowGeometry(n[0], n[1], n[2], cin, a[0].Out, a[1].Out, a[2].Out, cout,
            k[0], k[1], k[2], s[0], s[1], s[2], d[0], d[1], d[2], a[0].Pad, a[1].Pad, a[2].Pad);
    }

    /// <summary>Keras transposed-convolution output length and crop-before along one axis (LAYERS.md §1.2, output_padding None).</summary>
    public static (int Out, int Crop) TransposedAxis(int n, int k, int s, int d, bool same)
    {
        int kEff = d * (k - 1) + 1;
        if (!same) return ((n - 1) * s + Math.Max(kEff, s), 0);
        int padLen = s + kEff - 2;
        int l = Math.Min((padLen + 1) / 2, kEff - 1);
        return (n * s, kEff - 1 - l);
    }

    /// <summary>Geometry of a transposed convolution: <c>In*</c> is its input, <c>Out*</c> its output, <c>Pad*</c> the crop before.</summary>
    public static WindowGeometry Transposed(int[] n, int cin, int cout, int[] k, int[] s, int[] d, bool same)
    {
        var a = new (int Out, int Crop)[3];
        for (int i = 0; i < 3; i++) a[i] = n[i] == 1 && k[i] == 1 && s[i] == 1 ? (1, 0) : TransposedAxis(n[i], k[i], s[i], d[i], same);
        return new WindowGeometry(n[0], n[1], n[2], cin, a[0].Out, a[1].Out, a[2].Out, cout,
            k[0], k[1], k[2], s[0], s[1], s[2], d[0], d[1], d[2], a[0].Crop, a[1].Crop, a[2].Crop);
    }

    /// <summary>Calls <paramref name="visit"/>(b, output cell, input cell, tap) for every in-range (output, tap) pair of a window map.</summary>
    private static void ForEachTap(in WindowGeometry g, int batch, Action<int, int, int, int> visit)
    {
        for (int b = 0; b < batch; b++)
        for (int od = 0; od < g.OutD; od++)
        for (int oh = 0; oh < g.OutH; oh++)
        for (int ow = 0; ow < g.OutW; ow++)
        for (int kd = 0; kd < g.KD; kd++)
        for (int kh = 0; kh < g.KH; kh++)
        for (int kw = 0; kw < g.KW; kw++)
        {
            int id = od * g.SD + kd * g.DD - g.PadD, ih = oh * g.SH + kh * g.DH - g.PadH, iw = ow * g.SW + kw * g.DW - g.PadW;
            if (id < 0 || id >= g.InD || ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
            visit(b, (od * g.OutH + oh) * g.OutW + ow, (id * g.InH + ih) * g.InW + iw, (kd * g.KH + kh) * g.KW + kw);
        }
    }

    /// <summary>Convolution forward, kernel <c>(tap, Cin, F)</c>; <paramref name="bias"/> may be null.</summary>
    public static double[] ConvForward(in WindowGeometry g, double[] x, double[] k, double[]? bias, int batch)
    {
        var y = new double[batch * g.OutSize];
        int cin = g.InChannels, f = g.OutChannels;
        if (bias != null)
            for (int r = 0; r < batch * g.OutPositions; r++)
                for (int o = 0; o < f; o++) y[r * f + o] = bias[o];
        int inSize = g.InSize, outSize = g.OutSize;
        ForEachTap(g, batch, (b, op, ip, t) =>
        {
            for (int c = 0; c < cin; c++)
                for (int o = 0; o < f; o++)
                    y[b * outSize + op * f + o] += x[b * inSize + ip * cin + c] * k[(t * cin + c) * f + o];
        });
        return y;
    }

    /// <summary>Explicit adjoint of <see cref="ConvForward"/>: (dKernel, dBias, dx).</summary>
    public static (double[] DK, double[] DB, double[] DX) ConvBackward(in WindowGeometry g, double[] x, double[] k, double[] dy, int batch)
    {
        int cin = g.InChannels, f = g.OutChannels;
        var dk = new double[g.WindowVolume * cin * f];
        var db = new double[f];
        var dx = new double[batch * g.InSize];
        for (int r = 0; r < batch * g.OutPositions; r++)
            for (int o = 0; o < f; o++) db[o] += dy[r * f + o];
        int inSize = g.InSize, outSize = g.OutSize;
        ForEachTap(g, batch, (b, op, ip, t) =>
        {
            for (int c = 0; c < cin; c++)
                for (int o = 0; o < f; o++)
                {
                    double g1 = dy[b * outSize + op * f + o];
                    dk[(t * cin + c) * f + o] += x[b * inSize + ip * cin + c] * g1;
                    dx[b * inSize + ip * cin + c] += k[(t * cin + c) * f + o] * g1;
                }
        });
        return (dk, db, dx);
    }

    /// <summary>
    /// Transposed convolution forward straight from LAYERS.md §5.2: scatter every input cell through every tap into the
    /// full result at <c>i·s + k·d</c>, keep positions <c>[crop, crop + Out)</c>, add the bias everywhere. Kernel <c>(tap, F, Cin)</c>.
    /// </summary>
    public static double[] TransposedForward(in WindowGeometry g, double[] x, double[] k, double[]? bias, int batch)
    {
        int cin = g.InChannels, f = g.OutChannels;
        var y = new double[batch * g.OutSize];
        for (int b = 0; b < batch; b++)
        {
            for (int p = 0; p < g.OutPositions; p++)
                for (int o = 0; o < f; o++) y[b * g.OutSize + p * f + o] = bias?[o] ?? 0;
            for (int id = 0; id < g.InD; id++)
            for (int ih = 0; ih < g.InH; ih++)
            for (int iw = 0; iw < g.InW; iw++)
            for (int kd = 0; kd < g.KD; kd++)
            for (int kh = 0; kh < g.KH; kh++)
            for (int kw = 0; kw < g.KW; kw++)
            {
                int od = id * g.SD + kd * g.DD - g.PadD, oh = ih * g.SH + kh * g.DH - g.PadH, ow = iw * g.SW + kw * g.DW - g.PadW;
                if (od < 0 || od >= g.OutD || oh < 0 || oh >= g.OutH || ow < 0 || ow >= g.OutW) continue;
                int t = (kd * g.KH + kh) * g.KW + kw;
                int ip = (id * g.InH + ih) * g.InW + iw, op = (od * g.OutH + oh) * g.OutW + ow;
                for (int c = 0; c < cin; c++)
                    for (int o = 0; o < f; o++)
                        y[b * g.OutSize + op * f + o] += x[b * g.InSize + ip * cin + c] * k[(t * f + o) * cin + c];
            }
        }
        return y;
    }

    /// <summary>Depthwise forward (LAYERS.md §5.3): kernel <c>(tap, C, M)</c>, output channel <c>c·M + m</c>.</summary>
    public static double[] DepthwiseForward(in WindowGeometry g, double[] x, double[] k, double[]? bias, int batch)
    {
        int c0 = g.InChannels, q = g.OutChannels, m = q / c0;
        var y = new double[batch * g.OutSize];
        if (bias != null)
            for (int r = 0; r < batch * g.OutPositions; r++)
                for (int o = 0; o < q; o++) y[r * q + o] = bias[o];
        int inSize = g.InSize, outSize = g.OutSize;
        ForEachTap(g, batch, (b, op, ip, t) =>
        {
            for (int c = 0; c < c0; c++)
                for (int j = 0; j < m; j++)
                    y[b * outSize + op * q + c * m + j] += x[b * inSize + ip * c0 + c] * k[(t * c0 + c) * m + j];
        });
        return y;
    }

    /// <summary>Locally connected forward (LAYERS.md §7): kernel <c>(P, tap·Cin, F)</c>, bias <c>(P, F)</c>.</summary>
    public static double[] LocallyConnectedForward(in WindowGeometry g, double[] x, double[] k, double[]? bias, int batch)
    {
        int cin = g.InChannels, f = g.OutChannels, qLen = g.WindowVolume * cin;
        var y = new double[batch * g.OutSize];
        if (bias != null)
            for (int b = 0; b < batch; b++)
                for (int i = 0; i < g.OutSize; i++) y[b * g.OutSize + i] = bias[i];
        int inSize = g.InSize, outSize = g.OutSize;
        ForEachTap(g, batch, (b, op, ip, t) =>
        {
            for (int c = 0; c < cin; c++)
                for (int o = 0; o < f; o++)
                    y[b * outSize + op * f + o] += x[b * inSize + ip * cin + c] * k[(op * qLen + t * cin + c) * f + o];
        });
        return y;
    }

    /// <summary>
    /// Gradients of <c>L = Σ upstream·forward(x, k, bias)</c> by central differences in double, for the listed
    /// indices of x and k (the forward is linear in each, so a step of 1e-3 is exact up to rounding).
    /// </summary>
    public static double FiniteDifference(Func<double[], double[], double[], double[]> forward, double[] x, double[] k, double[] bias, double[] upstream, int which, int index)
    {
        double Loss(double[] _)
        {
            double[] y = forward(x, k, bias);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += y[i] * upstream[i];
            return s;
        }
        double[] target = which == 0 ? x : which == 1 ? k : bias;
        return TestUtil.CentralDifference(Loss, target, index, 1e-3);
    }

    public static double[] D(float[] v) => TestUtil.ToDouble(v);
}
