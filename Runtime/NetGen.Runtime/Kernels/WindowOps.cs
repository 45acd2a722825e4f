using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>
/// Shared pieces of the convolution-family kernels: the patch gather (im2col) and its adjoint, the scatter-add
/// (col2im), plus small vector helpers. A patch row holds the window of one output position in
/// <c>(kd, kh, kw, c)</c> order, channel fastest, with zeros for taps that fall outside the input.
/// </summary>
internal static class WindowOps
{
    // Window rows of at most this many floats are copied element by element.
    private const int ShortRun = 16;

    /// <summary>
    /// Writes the patch rows of output positions <c>[p0, p0 + rows)</c> of one sample <paramref name="x"/>
    /// (<c>g.InSize</c> floats) into <paramref name="col"/> (<c>rows · WindowVolume · InChannels</c> floats).
    /// Input coordinate of a tap along an axis: <c>o·s + k·d − pad</c>; out-of-range taps read zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Im2Col(in WindowGeometry g, ReadOnlySpan<float> x, int p0, int rows, Span<float> col)
    {
        int cin = g.InChannels;
        int rowLen = g.WindowVolume * cin;
        int runLen = g.KW * cin;
        int outHW = g.OutH * g.OutW;
        for (int r = 0; r < rows; r++)
        {
            int p = p0 + r;
            int od = p / outHW, rem = p - od * outHW;
            int oh = rem / g.OutW, ow = rem - oh * g.OutW;
            Span<float> row = col.Slice(r * rowLen, rowLen);
            int w0 = ow * g.SW - g.PadW;
            for (int kd = 0; kd < g.KD; kd++)
            {
                int id = od * g.SD + kd * g.DD - g.PadD;
                for (int kh = 0; kh < g.KH; kh++)
                {
                    Span<float> run = row.Slice((kd * g.KH + kh) * runLen, runLen);
                    int ih = oh * g.SH + kh * g.DH - g.PadH;
                    if ((uint)id >= (uint)g.InD || (uint)ih >= (uint)g.InH)
                    {
                        run.Clear();
                        continue;
                    }
                    int lineBase = (id * g.InH + ih) * g.InW;
                    if (g.DW == 1)
                    {
                        // The taps of a dilation-1 window row are contiguous in x: zero the left overhang,
                        // copy the in-range part in one block, zero the right overhang.
                        int lo = Math.Max(0, -w0), hi = Math.Min(g.KW, g.InW - w0);
                        if (hi <= lo) { run.Clear(); continue; }
                        if (runLen <= ShortRun && lo == 0 && hi == g.KW)
                        {
                            // Short runs (few input channels, e.g. a first layer on grey images): a plain
                            // loop beats the per-call cost of a block copy.
                            ReadOnlySpan<float> src = x.Slice((lineBase + w0) * cin, runLen);
                            for (int t = 0; t < src.Length; t++) run[t] = src[t];
                            continue;
                        }
                        if (lo > 0) run.Slice(0, lo * cin).Clear();
                        x.Slice((lineBase + w0 + lo) * cin, (hi - lo) * cin).CopyTo(run.Slice(lo * cin));
                        if (hi < g.KW) run.Slice(hi * cin).Clear();
                    }
                    else
                    {
                        for (int kw = 0; kw < g.KW; kw++)
                        {
                            int iw = w0 + kw * g.DW;
                            Span<float> tap = run.Slice(kw * cin, cin);
                            if ((uint)iw >= (uint)g.InW) tap.Clear();
                            else x.Slice((lineBase + iw) * cin, cin).CopyTo(tap);
                        }
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: adds every in-range entry of the patch rows back into <paramref name="dx"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Col2ImAdd(in WindowGeometry g, ReadOnlySpan<float> col, int p0, int rows, Span<float> dx)
    {
        int cin = g.InChannels;
        int rowLen = g.WindowVolume * cin;
        int runLen = g.KW * cin;
        int outHW = g.OutH * g.OutW;
        for (int r = 0; r < rows; r++)
        {
            int p = p0 + r;
            int od = p / outHW, rem = p - od * outHW;
            int oh = rem / g.OutW, ow = rem - oh * g.OutW;
            ReadOnlySpan<float> row = col.Slice(r * rowLen, rowLen);
            int w0 = ow * g.SW - g.PadW;
            for (int kd = 0; kd < g.KD; kd++)
            {
                int id = od * g.SD + kd * g.DD - g.PadD;
                if ((uint)id >= (uint)g.InD) continue;
                for (int kh = 0; kh < g.KH; kh++)
                {
                    int ih = oh * g.SH + kh * g.DH - g.PadH;
                    if ((uint)ih >= (uint)g.InH) continue;
                    ReadOnlySpan<float> run = row.Slice((kd * g.KH + kh) * runLen, runLen);
                    int lineBase = (id * g.InH + ih) * g.InW;
                    if (g.DW == 1)
                    {
                        int lo = Math.Max(0, -w0), hi = Math.Min(g.KW, g.InW - w0);
                        if (hi > lo) AddTo(run.Slice(lo * cin, (hi - lo) * cin), dx.Slice((lineBase + w0 + lo) * cin));
                    }
                    else
                    {
                        for (int kw = 0; kw < g.KW; kw++)
                        {
                            int iw = w0 + kw * g.DW;
                            if ((uint)iw < (uint)g.InW) AddTo(run.Slice(kw * cin, cin), dx.Slice((lineBase + iw) * cin));
                        }
                    }
                }
            }
        }
    }

    /// <summary><c>dst[i] += src[i]</c> for <c>i &lt; src.Length</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = src.Length;
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst.Slice(0, n));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref d, (nuint)i) + Vector.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) += Unsafe.Add(ref s, i);
    }

    /// <summary><c>dst[i] += a · src[i]</c> for <c>i &lt; src.Length</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AxpyTo(float a, ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = src.Length;
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst.Slice(0, n));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(a);
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref d, (nuint)i) + va * Vector.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) += a * Unsafe.Add(ref s, i);
    }

    /// <summary><c>Σ a[i]·b[i]</c> for <c>i &lt; a.Length</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b.Slice(0, n));
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            Vector<float> acc = Vector<float>.Zero;
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                acc += Vector.LoadUnsafe(ref pa, (nuint)i) * Vector.LoadUnsafe(ref pb, (nuint)i);
            sum = Vector.Sum(acc);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        return sum;
    }

    /// <summary>Copies <paramref name="bias"/> (<c>channels</c> floats) into each of <paramref name="rows"/> rows of <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BroadcastRows(ReadOnlySpan<float> bias, Span<float> y, int rows, int channels)
    {
        ReadOnlySpan<float> b = bias.Slice(0, channels);
        for (int r = 0; r < rows; r++) b.CopyTo(y.Slice(r * channels, channels));
    }

    /// <summary>Adds <paramref name="bias"/> to each of <paramref name="rows"/> rows of <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRows(ReadOnlySpan<float> bias, Span<float> y, int rows, int channels)
    {
        ReadOnlySpan<float> b = bias.Slice(0, channels);
        for (int r = 0; r < rows; r++) AddTo(b, y.Slice(r * channels, channels));
    }

    /// <summary><c>sums[c] = Σ_r rowsData[r, c]</c> (overwritten).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumRows(ReadOnlySpan<float> rowsData, Span<float> sums, int rows, int channels)
    {
        Span<float> s = sums.Slice(0, channels);
        s.Clear();
        for (int r = 0; r < rows; r++) AddTo(rowsData.Slice(r * channels, channels), s);
    }
}
