using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// Direct convolution for layers whose patch is short (<c>WindowVolume·InChannels ≤ 32</c>, e.g. a 3×3 first
/// layer on grey or RGB images) and whose filters fill whole vectors (<c>OutChannels</c> a multiple of the vector
/// width: 16 with AVX-512, 8 with AVX2, 4 with SSE/AdvSimd; one algorithm, the width a type parameter).
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
        => VectorWidth.Widest > 1 && g.OutChannels % (VectorWidth.Widest / 32) == 0 && g.OutChannels > 0 && g.WindowVolume * g.InChannels <= MaxPatch;

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
            int width = VectorWidth.Widest;
            delegate*<int, void*, void> item = width == 512 ? &Item512 : width == 256 ? &Item256 : &Item128;
            if (threads > 1 && items > 1) Parallelism.For(items, threads, item, &job);
            else for (int i = 0; i < items; i++) item(i, &job);
        }
    }

    private static void Item512(int item, void* state) => Item<W512, Vector512<float>>(item, state);

    private static void Item256(int item, void* state) => Item<W256, Vector256<float>>(item, state);

    private static void Item128(int item, void* state) => Item<W128, Vector128<float>>(item, state);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Item<TW, TV>(int item, void* state)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        ref Job job = ref *(Job*)state;
        int b0 = item * job.SamplesPerItem, b1 = Math.Min(job.Batch, b0 + job.SamplesPerItem);
        for (int b = b0; b < b1; b++)
            Sample<TW, TV>(job.G, job.X + (nint)b * job.G.InSize, job.K, job.Bias, job.Y + (nint)b * job.G.OutSize);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sample<TW, TV>(in WindowGeometry g, float* x, float* k, float* bias, float* y)
        where TW : struct, IVectorWidth<TV> where TV : struct
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
            for (int fc = 0; fc < f; fc += TW.Count)
            {
                TV b0 = bias == null ? default : TW.Load(ref bias[fc], 0);
                int ow = 0;
                for (; ow < owLo; ow++) One<TW, TV>(g, x, k, b0, yRow, od, oh, ow, fc);
                for (; ow + 8 <= owHi; ow += 8)
                {
                    TV a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0, a6 = b0, a7 = b0;
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
                                    TV kv = TW.Load(ref kr[(nint)(kw * cin + c) * f], 0);
                                    float* xc = xt + c;
                                    a0 = TW.MulAdd(TW.Splat(xc[0]), kv, a0);
                                    a1 = TW.MulAdd(TW.Splat(xc[step]), kv, a1);
                                    a2 = TW.MulAdd(TW.Splat(xc[2 * step]), kv, a2);
                                    a3 = TW.MulAdd(TW.Splat(xc[3 * step]), kv, a3);
                                    a4 = TW.MulAdd(TW.Splat(xc[4 * step]), kv, a4);
                                    a5 = TW.MulAdd(TW.Splat(xc[5 * step]), kv, a5);
                                    a6 = TW.MulAdd(TW.Splat(xc[6 * step]), kv, a6);
                                    a7 = TW.MulAdd(TW.Splat(xc[7 * step]), kv, a7);
                                }
                            }
                        }
                    }
                    float* yo = yRow + (nint)ow * f + fc;
                    TW.Store(a0, ref *(yo), 0);
                    TW.Store(a1, ref *(yo + f), 0);
                    TW.Store(a2, ref *(yo + 2 * f), 0);
                    TW.Store(a3, ref *(yo + 3 * f), 0);
                    TW.Store(a4, ref *(yo + 4 * f), 0);
                    TW.Store(a5, ref *(yo + 5 * f), 0);
                    TW.Store(a6, ref *(yo + 6 * f), 0);
                    TW.Store(a7, ref *(yo + 7 * f), 0);
                }
                for (; ow < g.OutW; ow++) One<TW, TV>(g, x, k, b0, yRow, od, oh, ow, fc);
            }
        }
    }

    /// <summary>One output position (any padding), one vector of filters from <paramref name="fc"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void One<TW, TV>(in WindowGeometry g, float* x, float* k, TV acc, float* yRow, int od, int oh, int ow, int fc)
        where TW : struct, IVectorWidth<TV> where TV : struct
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
                        acc = TW.MulAdd(TW.Splat(xt[c]), TW.Load(ref kt[(nint)c * f], 0), acc);
                }
            }
        }
        TW.Store(acc, ref yRow[(nint)ow * f + fc], 0);
    }
}
