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
        public WindowGeometry G, Pool;
        public float* X, K, Bias, Y;
        public int SamplesPerItem, Batch;
        public bool Relu, SingleChannelWinograd;
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

    /// <summary>
    /// True when <see cref="ForwardMaxPool"/> computes <paramref name="g"/> followed by <paramref name="pool"/>: the direct
    /// kernel applies, both are 2-D, and the pooling is 2×2 with stride 2, unpadded, over the whole output (floor mode).
    /// </summary>
    public static bool PoolApplies(in WindowGeometry g, in WindowGeometry pool)
        => Applies(g) && g.InD == 1 && g.OutD == 1 && g.KD == 1 && pool.InD == 1 && pool.OutD == 1 && pool.KD == 1
           && pool.KH == 2 && pool.KW == 2 && pool.SH == 2 && pool.SW == 2 && pool.DH == 1 && pool.DW == 1
           && pool.PadD == 0 && pool.PadH == 0 && pool.PadW == 0 && pool.InH == g.OutH && pool.InW == g.OutW
           && pool.InChannels == g.OutChannels && pool.OutChannels == g.OutChannels && pool.OutH == g.OutH / 2 && pool.OutW == g.OutW / 2;

    /// <summary>
    /// <c>y = pool(activation(conv(x) + bias))</c> (ReLU when <paramref name="relu"/>, else linear) without writing the
    /// convolution's output: each pooled value is the maximum of its four outputs, kept in registers. Every output is
    /// summed exactly as <see cref="Forward"/> sums it (bias, then the taps in order), and bias and ReLU commute with the
    /// maximum, so the result equals the unfused sequence bit for bit.
    /// </summary>
    /// <remarks>
    /// Where a multiply-add is two instructions (<see cref="VectorWidth.FusedMultiplyAdd"/> false: x64 without FMA, the
    /// portable NativeAOT build) a 3×3 stride-1 window over one input channel goes through
    /// <see cref="WinogradConvolution.SingleChannelMaxPool{TW, TV}"/> instead, about half the arithmetic; its results equal
    /// the unfused sequence up to float rounding rather than bit for bit.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardMaxPool(in WindowGeometry g, in WindowGeometry pool, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias,
        Span<float> y, int batch, bool relu)
        => ForwardMaxPoolVia(g, pool, x, kernel, bias, y, batch, relu, !VectorWidth.FusedMultiplyAdd && WinogradConvolution.SingleChannelApplies(g, pool));

    /// <summary><see cref="ForwardMaxPool"/> with the single-channel Winograd path chosen by the caller (the tests run both at every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForwardMaxPoolVia(in WindowGeometry g, in WindowGeometry pool, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias,
        Span<float> y, int batch, bool relu, bool singleChannelWinograd)
    {
        if (batch == 0) return;
        if (singleChannelWinograd && !WinogradConvolution.SingleChannelApplies(g, pool))
            throw new ArgumentException("the single-channel Winograd path needs WinogradConvolution.SingleChannelApplies.", nameof(singleChannelWinograd));
        fixed (float* px = x, pk = kernel, pb = bias, py = y)
        {
            var job = new Job
            {
                G = g, Pool = pool, X = px, K = pk, Bias = bias.IsEmpty ? null : pb, Y = py, SamplesPerItem = SamplesPerItem, Batch = batch, Relu = relu,
                SingleChannelWinograd = singleChannelWinograd,
            };
            int items = (batch + SamplesPerItem - 1) / SamplesPerItem;
            long macs = (long)batch * g.OutPositions * g.OutChannels * g.WindowVolume * g.InChannels;
            int threads = macs >= 1 << 20 ? Parallelism.MaxThreads : 1;
            int width = VectorWidth.Widest;
            delegate*<int, void*, void> item = width == 512 ? &PoolItem512 : width == 256 ? &PoolItem256 : &PoolItem128;
            if (threads > 1 && items > 1) Parallelism.For(items, threads, item, &job);
            else for (int i = 0; i < items; i++) item(i, &job);
        }
    }

    private static void PoolItem512(int item, void* state) => PoolItem<W512, Vector512<float>>(item, state);

    private static void PoolItem256(int item, void* state) => PoolItem<W256, Vector256<float>>(item, state);

    private static void PoolItem128(int item, void* state) => PoolItem<W128, Vector128<float>>(item, state);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PoolItem<TW, TV>(int item, void* state)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        ref Job job = ref *(Job*)state;
        int b0 = item * job.SamplesPerItem, b1 = Math.Min(job.Batch, b0 + job.SamplesPerItem);
        if (job.SingleChannelWinograd)
        {
            for (int b = b0; b < b1; b++)
                WinogradConvolution.SingleChannelMaxPool<TW, TV>(job.G, job.Pool, job.X + (nint)b * job.G.InSize, job.K, job.Bias, job.Y + (nint)b * job.Pool.OutSize, job.Relu);
            return;
        }
        for (int b = b0; b < b1; b++)
            PoolSample<TW, TV>(job.G, job.Pool, job.X + (nint)b * job.G.InSize, job.K, job.Bias, job.Y + (nint)b * job.Pool.OutSize, job.Relu);
    }

    /// <summary>
    /// One sample, pooled: per pooled row, pairs of filter vectors go through <see cref="PoolPair"/> (each broadcast input
    /// value feeds two vectors of filters) in blocks of four pooled outputs with 32 registers (AVX-512) or two with 16
    /// (SSE, AVX2), then blocks of one (two outputs per row); a vector of filters left over takes blocks of four pooled
    /// outputs of one vector (eight neighbouring outputs of the upper row reduced pairwise to four maxima, then of the
    /// lower row: at most twelve accumulators live). Pooled outputs whose windows reach the padding go through
    /// <see cref="Value"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PoolSample<TW, TV>(in WindowGeometry g, in WindowGeometry pool, float* x, float* k, float* bias, float* y, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int f = g.OutChannels;
        // Output columns [owLo, owHi) have their whole window row inside the input (as in Sample).
        int owLo = g.PadW == 0 ? 0 : Math.Min(g.OutW, (g.PadW + g.SW - 1) / g.SW);
        int lastOk = g.InW - 1 - (g.KW - 1) * g.DW + g.PadW;
        int owHi = lastOk < 0 ? 0 : Math.Min(g.OutW, lastOk / g.SW + 1);
        if (owHi < owLo) owHi = owLo;
        int pwLo = (owLo + 1) / 2; // first pooled column whose two outputs are both ≥ owLo
        for (int ph = 0; ph < pool.OutH; ph++)
        {
            float* yRow = y + (nint)ph * pool.OutW * f;
            int fc = 0;
            // Two vectors of filters at once share every broadcast of the input (half the broadcasts per multiply-add:
            // on x64 without AVX each costs a load and a shuffle, and the shuffles compete with the multiplies and adds
            // for the same ports). 32 registers (AVX-512): blocks of four pooled outputs (16 accumulators); 16 registers:
            // blocks of two (8 accumulators, the two filter vectors, the broadcast and a product without FMA). Then single
            // pooled outputs (two outputs per row), so only the pooled outputs whose windows reach the padding take Value.
            for (; fc + 2 * TW.Count <= f; fc += 2 * TW.Count)
            {
                TV bA = bias == null ? default : TW.Load(ref bias[fc], 0);
                TV bB = bias == null ? default : TW.Load(ref bias[fc + TW.Count], 0);
                int pw = 0;
                for (; pw < Math.Min(pwLo, pool.OutW); pw++)
                {
                    PoolOne<TW, TV>(g, x, k, bA, yRow, 2 * ph, pw, fc, relu);
                    PoolOne<TW, TV>(g, x, k, bB, yRow, 2 * ph, pw, fc + TW.Count, relu);
                }
                if (TW.Wide)
                    for (; pw + 4 <= pool.OutW && 2 * pw + 8 <= owHi; pw += 4)
                        PoolPair<TW, TV, FourPooled>(g, x, k, bA, bB, yRow, ph, pw, fc, relu);
                else
                    for (; pw + 2 <= pool.OutW && 2 * pw + 4 <= owHi; pw += 2)
                        PoolPair<TW, TV, TwoPooled>(g, x, k, bA, bB, yRow, ph, pw, fc, relu);
                for (; pw < pool.OutW && 2 * pw + 2 <= owHi; pw++)
                    PoolPair<TW, TV, OnePooled>(g, x, k, bA, bB, yRow, ph, pw, fc, relu);
                for (; pw < pool.OutW; pw++)
                {
                    PoolOne<TW, TV>(g, x, k, bA, yRow, 2 * ph, pw, fc, relu);
                    PoolOne<TW, TV>(g, x, k, bB, yRow, 2 * ph, pw, fc + TW.Count, relu);
                }
            }
            for (; fc < f; fc += TW.Count)
            {
                TV b0 = bias == null ? default : TW.Load(ref bias[fc], 0);
                int pw = 0;
                for (; pw < Math.Min(pwLo, pool.OutW); pw++) PoolOne<TW, TV>(g, x, k, b0, yRow, 2 * ph, pw, fc, relu);
                for (; pw + 4 <= pool.OutW && 2 * pw + 8 <= owHi; pw += 4)
                {
                    Row8<TW, TV>(g, x, k, b0, 2 * ph, 2 * pw, fc, out TV a0, out TV a1, out TV a2, out TV a3, out TV a4, out TV a5, out TV a6, out TV a7);
                    TV p0 = TW.Max(a0, a1), p1 = TW.Max(a2, a3), p2 = TW.Max(a4, a5), p3 = TW.Max(a6, a7);
                    Row8<TW, TV>(g, x, k, b0, 2 * ph + 1, 2 * pw, fc, out a0, out a1, out a2, out a3, out a4, out a5, out a6, out a7);
                    p0 = TW.Max(p0, TW.Max(a0, a1));
                    p1 = TW.Max(p1, TW.Max(a2, a3));
                    p2 = TW.Max(p2, TW.Max(a4, a5));
                    p3 = TW.Max(p3, TW.Max(a6, a7));
                    if (relu)
                    {
                        p0 = TW.Max(p0, default);
                        p1 = TW.Max(p1, default);
                        p2 = TW.Max(p2, default);
                        p3 = TW.Max(p3, default);
                    }
                    float* yo = yRow + (nint)pw * f + fc;
                    TW.Store(p0, ref *yo, 0);
                    TW.Store(p1, ref *(yo + f), 0);
                    TW.Store(p2, ref *(yo + 2 * f), 0);
                    TW.Store(p3, ref *(yo + 3 * f), 0);
                }
                for (; pw < pool.OutW; pw++) PoolOne<TW, TV>(g, x, k, b0, yRow, 2 * ph, pw, fc, relu);
            }
        }
    }

    private interface IPooledCount
    {
        static abstract int Count { get; }
    }

    private struct FourPooled : IPooledCount
    {
        public static int Count => 4;
    }

    private struct TwoPooled : IPooledCount
    {
        public static int Count => 2;
    }

    private struct OnePooled : IPooledCount
    {
        public static int Count => 1;
    }

    /// <summary>
    /// Pooled outputs <c>pw..pw+TP.Count−1</c> of pooled row <paramref name="ph"/> for the two vectors of filters at
    /// <paramref name="fc"/>: the upper output row's <c>2·TP.Count</c> outputs reduced pairwise, then the lower row's, ReLU if
    /// asked. Each output is summed as <see cref="Value"/> sums it (bias, then the taps in order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PoolPair<TW, TV, TP>(in WindowGeometry g, float* x, float* k, TV bA, TV bB, float* yRow, int ph, int pw, int fc, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct where TP : struct, IPooledCount
    {
        PairRow<TW, TV, TP>(g, x, k, bA, bB, 2 * ph, 2 * pw, fc, out TV p0, out TV p1, out TV p2, out TV p3, out TV q0, out TV q1, out TV q2, out TV q3);
        PairRow<TW, TV, TP>(g, x, k, bA, bB, 2 * ph + 1, 2 * pw, fc, out TV r0, out TV r1, out TV r2, out TV r3, out TV s0, out TV s1, out TV s2, out TV s3);
        p0 = TW.Max(p0, r0);
        q0 = TW.Max(q0, s0);
        if (relu)
        {
            p0 = TW.Max(p0, default);
            q0 = TW.Max(q0, default);
        }
        int f = g.OutChannels;
        float* yo = yRow + (nint)pw * f + fc;
        TW.Store(p0, ref *yo, 0);
        TW.Store(q0, ref *yo, TW.Count);
        if (TP.Count > 1)
        {
            p1 = TW.Max(p1, r1);
            q1 = TW.Max(q1, s1);
            if (relu)
            {
                p1 = TW.Max(p1, default);
                q1 = TW.Max(q1, default);
            }
            TW.Store(p1, ref *(yo + f), 0);
            TW.Store(q1, ref *(yo + f), TW.Count);
        }
        if (TP.Count > 2)
        {
            p2 = TW.Max(p2, r2);
            p3 = TW.Max(p3, r3);
            q2 = TW.Max(q2, s2);
            q3 = TW.Max(q3, s3);
            if (relu)
            {
                p2 = TW.Max(p2, default);
                p3 = TW.Max(p3, default);
                q2 = TW.Max(q2, default);
                q3 = TW.Max(q3, default);
            }
            TW.Store(p2, ref *(yo + 2 * f), 0);
            TW.Store(q2, ref *(yo + 2 * f), TW.Count);
            TW.Store(p3, ref *(yo + 3 * f), 0);
            TW.Store(q3, ref *(yo + 3 * f), TW.Count);
        }
    }

    /// <summary>
    /// Outputs <c>ow..ow+2·TP.Count−1</c> of output row <paramref name="oh"/> (windows inside the input along W) for two
    /// vectors of filters, reduced pairwise: <c>p</c> the maxima of the first vector's pairs, <c>q</c> the second's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PairRow<TW, TV, TP>(in WindowGeometry g, float* x, float* k, TV bA, TV bB, int oh, int ow, int fc,
        out TV p0, out TV p1, out TV p2, out TV p3, out TV q0, out TV q1, out TV q2, out TV q3)
        where TW : struct, IVectorWidth<TV> where TV : struct where TP : struct, IPooledCount
    {
        int cin = g.InChannels, f = g.OutChannels, rowTaps = g.KW * cin;
        nint step = (nint)g.SW * cin, dilationGap = (nint)(g.DW - 1) * cin;
        TV a0 = bA, a1 = bA, a2 = bA, a3 = bA, a4 = bA, a5 = bA, a6 = bA, a7 = bA;
        TV c0 = bB, c1 = bB, c2 = bB, c3 = bB, c4 = bB, c5 = bB, c6 = bB, c7 = bB;
        int iw = ow * g.SW - g.PadW;
        for (int kh = 0; kh < g.KH; kh++)
        {
            int ih = oh * g.SH + kh * g.DH - g.PadH;
            if ((uint)ih >= (uint)g.InH) continue;
            float* xr = x + (nint)(ih * g.InW + iw) * cin;
            float* kt = k + (nint)(kh * rowTaps) * f + fc;
            // The row's taps in (kw, c) order as one loop (a first layer has cin = 1: nested loops of KW and 1 cost more
            // in loop overhead than the tap's multiplies at 128 bits): x steps by one float within a tap's channels and
            // by the dilation's gap between taps.
            float* xc = xr;
            int c = 0;
            for (int t = 0; t < rowTaps; t++)
            {
                TV ka = TW.Load(ref *kt, 0), kb = TW.Load(ref *kt, TW.Count);
                TV v = TW.Splat(xc[0]);
                a0 = TW.MulAdd(v, ka, a0);
                c0 = TW.MulAdd(v, kb, c0);
                v = TW.Splat(xc[step]);
                a1 = TW.MulAdd(v, ka, a1);
                c1 = TW.MulAdd(v, kb, c1);
                if (TP.Count > 1)
                {
                    v = TW.Splat(xc[2 * step]);
                    a2 = TW.MulAdd(v, ka, a2);
                    c2 = TW.MulAdd(v, kb, c2);
                    v = TW.Splat(xc[3 * step]);
                    a3 = TW.MulAdd(v, ka, a3);
                    c3 = TW.MulAdd(v, kb, c3);
                }
                if (TP.Count > 2)
                {
                    v = TW.Splat(xc[4 * step]);
                    a4 = TW.MulAdd(v, ka, a4);
                    c4 = TW.MulAdd(v, kb, c4);
                    v = TW.Splat(xc[5 * step]);
                    a5 = TW.MulAdd(v, ka, a5);
                    c5 = TW.MulAdd(v, kb, c5);
                    v = TW.Splat(xc[6 * step]);
                    a6 = TW.MulAdd(v, ka, a6);
                    c6 = TW.MulAdd(v, kb, c6);
                    v = TW.Splat(xc[7 * step]);
                    a7 = TW.MulAdd(v, ka, a7);
                    c7 = TW.MulAdd(v, kb, c7);
                }
                kt += f;
                xc++;
                if (++c == cin)
                {
                    c = 0;
                    xc += dilationGap;
                }
            }
        }
        p0 = TW.Max(a0, a1);
        q0 = TW.Max(c0, c1);
        p1 = TW.Max(a2, a3);
        q1 = TW.Max(c2, c3);
        p2 = TW.Max(a4, a5);
        q2 = TW.Max(c4, c5);
        p3 = TW.Max(a6, a7);
        q3 = TW.Max(c6, c7);
    }

    /// <summary>Eight neighbouring outputs <c>ow..ow+7</c> of output row <paramref name="oh"/> (windows inside the input along W), one vector of filters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row8<TW, TV>(in WindowGeometry g, float* x, float* k, TV b0, int oh, int ow, int fc,
        out TV a0, out TV a1, out TV a2, out TV a3, out TV a4, out TV a5, out TV a6, out TV a7)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int cin = g.InChannels, f = g.OutChannels, rowTaps = g.KW * cin;
        nint step = (nint)g.SW * cin;
        a0 = b0; a1 = b0; a2 = b0; a3 = b0; a4 = b0; a5 = b0; a6 = b0; a7 = b0;
        int iw = ow * g.SW - g.PadW;
        for (int kh = 0; kh < g.KH; kh++)
        {
            int ih = oh * g.SH + kh * g.DH - g.PadH;
            if ((uint)ih >= (uint)g.InH) continue;
            float* xr = x + (nint)(ih * g.InW + iw) * cin;
            float* kr = k + (nint)(kh * rowTaps) * f + fc;
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

    /// <summary>One pooled output: the maximum of its four outputs (any padding), then ReLU if asked.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PoolOne<TW, TV>(in WindowGeometry g, float* x, float* k, TV b0, float* yRow, int oh, int pw, int fc, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TV m = TW.Max(TW.Max(Value<TW, TV>(g, x, k, b0, 0, oh, 2 * pw, fc), Value<TW, TV>(g, x, k, b0, 0, oh, 2 * pw + 1, fc)),
            TW.Max(Value<TW, TV>(g, x, k, b0, 0, oh + 1, 2 * pw, fc), Value<TW, TV>(g, x, k, b0, 0, oh + 1, 2 * pw + 1, fc)));
        if (relu) m = TW.Max(m, default);
        TW.Store(m, ref yRow[(nint)pw * g.OutChannels + fc], 0);
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
        => TW.Store(Value<TW, TV>(g, x, k, acc, od, oh, ow, fc), ref yRow[(nint)ow * g.OutChannels + fc], 0);

    /// <summary><paramref name="acc"/> plus the taps of one output position (any padding), one vector of filters from <paramref name="fc"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TV Value<TW, TV>(in WindowGeometry g, float* x, float* k, TV acc, int od, int oh, int ow, int fc)
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
        return acc;
    }
}
