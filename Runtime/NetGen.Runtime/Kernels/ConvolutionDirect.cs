using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// Direct AVX-512 convolution for layers whose patch is short (<c>WindowVolume·InChannels ≤ 32</c>, e.g. a
/// 3×3 first layer on grey or RGB images) and whose filters fill whole vectors (<c>OutChannels % 16 == 0</c>).
/// For such layers im2col + GEMM spends its time gathering 9-float patch rows and running a product whose
/// inner dimension is too short to amortise loading and storing C; here the input is read in place and eight
/// neighbouring output positions of one output row share each kernel vector (eight independent FMA chains).
/// </summary>
/// <remarks>
/// Summation order per output: bias, then taps in (kd, kh, kw, c) order, one FMA each. Taps outside the input
/// (padding) are skipped, which is adding zero.
/// </remarks>
internal static unsafe class ConvolutionDirect
{
    public const int MaxPatch = 32;

    public static bool Applies(in WindowGeometry g)
        => Vector512.IsHardwareAccelerated && g.OutChannels % 16 == 0 && g.OutChannels > 0 && g.WindowVolume * g.InChannels <= MaxPatch;

    private struct Job
    {
        public WindowGeometry G;
        public float* X, K, Bias, Y;
        public int SamplesPerItem, Batch;
    }

    // Samples per work item when the batch is split over threads.
    private const int SamplesPerItem = 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int batch)
    {
        if (batch == 0) return;
        fixed (float* px = x, pk = kernel, pb = bias, py = y)
        {
            var job = new Job { G = g, X = px, K = pk, Bias = bias.IsEmpty ? null : pb, Y = py, SamplesPerItem = SamplesPerItem, Batch = batch };
            int items = (batch + SamplesPerItem - 1) / SamplesPerItem;
            long macs = (long)batch * g.OutPositions * g.OutChannels * g.WindowVolume * g.InChannels;
            int threads = macs >= 1 << 20 ? Parallelism.MaxThreads : 1;
            if (threads > 1 && items > 1) Parallelism.For(items, threads, &Item, &job);
            else for (int i = 0; i < items; i++) Item(i, &job);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Item(int item, void* state)
    {
        ref Job job = ref *(Job*)state;
        int b0 = item * job.SamplesPerItem, b1 = Math.Min(job.Batch, b0 + job.SamplesPerItem);
        for (int b = b0; b < b1; b++)
            Sample(job.G, job.X + (nint)b * job.G.InSize, job.K, job.Bias, job.Y + (nint)b * job.G.OutSize);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sample(in WindowGeometry g, float* x, float* k, float* bias, float* y)
    {
        int cin = g.InChannels, f = g.OutChannels;
        int rowTaps = g.KW * cin;
        nint step = (nint)g.SW * cin; // input offset between neighbouring output positions of a row
        for (int od = 0; od < g.OutD; od++)
        for (int oh = 0; oh < g.OutH; oh++)
        {
            float* yRow = y + (nint)((od * g.OutH + oh) * g.OutW) * f;
            // First output column whose whole window row lies inside the input, and one past the last.
            int owLo = g.PadW == 0 ? 0 : Math.Min(g.OutW, (g.PadW + g.SW - 1) / g.SW);
            int lastOk = g.InW - 1 - (g.KW - 1) * g.DW + g.PadW; // ow·SW ≤ lastOk
            int owHi = lastOk < 0 ? 0 : Math.Min(g.OutW, lastOk / g.SW + 1);
            if (owHi < owLo) owHi = owLo;
            for (int fc = 0; fc < f; fc += 16)
            {
                Vector512<float> b0 = bias == null ? default : Vector512.Load(bias + fc);
                int ow = 0;
                for (; ow < owLo; ow++) One(g, x, k, b0, yRow, od, oh, ow, fc);
                for (; ow + 8 <= owHi; ow += 8)
                {
                    Vector512<float> a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0, a6 = b0, a7 = b0;
                    int iw = ow * g.SW - g.PadW;
                    for (int kd = 0; kd < g.KD; kd++)
                    {
                        int id = od * g.SD + kd * g.DD - g.PadD;
                        if ((uint)id >= (uint)g.InD) continue;
                        for (int kh = 0; kh < g.KH; kh++)
                        {
                            int ih = oh * g.SH + kh * g.DH - g.PadH;
                            if ((uint)ih >= (uint)g.InH) continue;
                            float* xr = x + (nint)((id * g.InH + ih) * g.InW + iw) * cin;
                            float* kr = k + (nint)((kd * g.KH + kh) * rowTaps) * f + fc;
                            for (int kw = 0; kw < g.KW; kw++)
                            {
                                float* xt = xr + (nint)kw * g.DW * cin;
                                for (int c = 0; c < cin; c++)
                                {
                                    Vector512<float> kv = Vector512.Load(kr + (nint)(kw * cin + c) * f);
                                    float* xc = xt + c;
                                    a0 = Vector512.FusedMultiplyAdd(Vector512.Create(xc[0]), kv, a0);
                                    a1 = Vector512.FusedMultiplyAdd(Vector512.Create(xc[step]), kv, a1);
                                    a2 = Vector512.FusedMultiplyAdd(Vector512.Create(xc[2 * step]), kv, a2);
                                    a3 = Vector512.FusedMultiplyAdd(Vector512.Create(xc[3 * step]), kv, a3);
                                    a4 = Vector512.FusedMultiplyAdd(Vector512.Create(xc[4 * step]), kv, a4);
                                    a5 = Vector512.FusedMultiplyAdd(Vector512.Create(xc[5 * step]), kv, a5);
                                    a6 = Vector512.FusedMultiplyAdd(Vector512.Create(xc[6 * step]), kv, a6);
                                    a7 = Vector512.FusedMultiplyAdd(Vector512.Create(xc[7 * step]), kv, a7);
                                }
                            }
                        }
                    }
                    float* yo = yRow + (nint)ow * f + fc;
                    a0.Store(yo);
                    a1.Store(yo + f);
                    a2.Store(yo + 2 * f);
                    a3.Store(yo + 3 * f);
                    a4.Store(yo + 4 * f);
                    a5.Store(yo + 5 * f);
                    a6.Store(yo + 6 * f);
                    a7.Store(yo + 7 * f);
                }
                for (; ow < g.OutW; ow++) One(g, x, k, b0, yRow, od, oh, ow, fc);
            }
        }
    }

    /// <summary>One output position (any padding), 16 filters from <paramref name="fc"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void One(in WindowGeometry g, float* x, float* k, Vector512<float> acc, float* yRow, int od, int oh, int ow, int fc)
    {
        int cin = g.InChannels, f = g.OutChannels;
        for (int kd = 0; kd < g.KD; kd++)
        {
            int id = od * g.SD + kd * g.DD - g.PadD;
            if ((uint)id >= (uint)g.InD) continue;
            for (int kh = 0; kh < g.KH; kh++)
            {
                int ih = oh * g.SH + kh * g.DH - g.PadH;
                if ((uint)ih >= (uint)g.InH) continue;
                for (int kw = 0; kw < g.KW; kw++)
                {
                    int iw = ow * g.SW + kw * g.DW - g.PadW;
                    if ((uint)iw >= (uint)g.InW) continue;
                    float* xt = x + (nint)((id * g.InH + ih) * g.InW + iw) * cin;
                    float* kt = k + (nint)(((kd * g.KH + kh) * g.KW + kw) * cin) * f + fc;
                    for (int c = 0; c < cin; c++)
                        acc = Vector512.FusedMultiplyAdd(Vector512.Create(xt[c]), Vector512.Load(kt + (nint)c * f), acc);
                }
            }
        }
        acc.Store(yRow + (nint)ow * f + fc);
    }
}
