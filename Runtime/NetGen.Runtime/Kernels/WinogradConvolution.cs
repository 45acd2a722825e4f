using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// Inference-only Conv2D for 3×3 windows with stride 1 and dilation 1 (any padding), by Winograd's minimal filtering
/// F(2×2, 3×3): each 2×2 block of outputs comes from a 4×4 input tile with 16 multiplications per (input, output)
/// channel pair instead of 36, a 2.25x cut in multiply-adds. Channels-last like <see cref="Convolution"/>, same
/// kernel layout <c>(3, 3, InChannels, OutChannels)</c> and bias; bias and the activation (linear or ReLU) are applied
/// while the 2×2 output block is in registers, and <see cref="ForwardMaxPool"/> also takes the 2×2 max pooling that
/// follows (the pooling window is the output block), so the convolution's output is never written.
/// </summary>
/// <remarks>
/// With <c>d</c> a 4×4 input tile, <c>g</c> a 3×3 kernel slice and <c>Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]</c>,
/// <c>G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]</c>, <c>Aᵀ = [1 1 1 0; 0 1 −1 −1]</c>: <c>y = Aᵀ[Σ_c (G g Gᵀ) ⊙ (Bᵀ d B)]A</c>.
/// The kernel transform <c>U = G g Gᵀ</c> is kept in a per-layer cache with a copy of the kernel it came from and is
/// recomputed only when the kernel differs bit for bit (weights change through training, loading and the writable
/// parameter span; a full comparison, one pass over the kernel, is the only proof of freshness that covers them all).
/// <see cref="ForwardMaxPool"/> computes only the tiles whose 2×2 block the pooling keeps (an odd output's last row and
/// column of blocks are dropped by floor-mode pooling, so they are never transformed or multiplied: 25 of 36 tiles for an
/// 11×11 output). Tiles are processed in blocks that stay in L2: the block's input transform <c>V = Bᵀ d B</c> (vectorised over input
/// channels), then per panel of NR output channels the 16 products <c>M[ξ] = V[ξ]·U[ξ]</c> in 6 × NR register tiles
/// (<see cref="Gemm"/>'s micro-kernel over U packed once in the cache, so a panel stays in L1 across the block's rows and
/// nothing is packed per call), then the panel's output transform (vectorised over output channels) with the epilogue.
/// One algorithm: the vector width is a type parameter (<see cref="IVectorWidth{TV}"/>), the channel tails run the same
/// code one lane wide.
/// <para>
/// Results differ from the direct convolution by rounding only (the transforms' coefficients are 0, ±½ and ±1; the
/// tests bound the difference against a double-precision direct convolution). Training keeps the exact convolution.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class WinogradConvolution
{
    // Forward passes of at least this many (direct-convolution) multiply-adds split their tiles over threads.
    private const long ParallelMacs = 1 << 21;

    // Tiles per micro-kernel call (Gemm's 6-row register tile).
    private const int Mr = 6;

    // Leftover tiles (fewer than Mr) up to this many go through the one-row micro-kernel each rather than one 6-row call
    // over zero padding: a row of the 1 × NR kernel costs about a fifth of the 6 × NR one (batch 1 of the small CNN's
    // pooled 5×5 grid is 25 tiles: 4 × 6 + 1).
    private const int MaxSingleRows = 3;

    // Floats of one block's transformed input and products (16·tiles·(InChannels + NR)): about 256 KiB, so a block stays
    // in L2 from its input transform through its products to its output transform, while each packed panel of U
    // (InChannels × NR) stays in L1 across all of the block's row groups.
    private const int BlockFloats = 1 << 16;

    // Columns of the widest register tile (AVX-512: two vectors of 16): the cache is sized for it.
    private const int MaxNr = 32;

    /// <summary>True for the windows this kernel computes: 2-D (depth 1), 3×3, stride 1, dilation 1, at least one output.</summary>
    public static bool Applies(in WindowGeometry g)
        => g.InD == 1 && g.OutD == 1 && g.KD == 1 && g.KH == 3 && g.KW == 3 && g.SD == 1 && g.SH == 1 && g.SW == 1
           && g.DD == 1 && g.DH == 1 && g.DW == 1 && g.PadD == 0 && g.InChannels > 0 && g.OutChannels > 0 && g.OutH > 0 && g.OutW > 0;

    /// <summary>
    /// True when <paramref name="pool"/> is a 2×2, stride-2, unpadded max pooling (floor mode) over the output of
    /// <paramref name="g"/>: its windows are then exactly the 2×2 output blocks (<see cref="ForwardMaxPool"/>).
    /// </summary>
    public static bool PoolApplies(in WindowGeometry g, in WindowGeometry pool)
        => Applies(g) && pool.InD == 1 && pool.OutD == 1 && pool.KD == 1 && pool.KH == 2 && pool.KW == 2 && pool.SH == 2 && pool.SW == 2
           && pool.DH == 1 && pool.DW == 1 && pool.PadD == 0 && pool.PadH == 0 && pool.PadW == 0
           && pool.InH == g.OutH && pool.InW == g.OutW && pool.InChannels == g.OutChannels && pool.OutChannels == g.OutChannels
           && pool.OutH == g.OutH / 2 && pool.OutW == g.OutW / 2;

    /// <summary>Floats of scratch workspace the forward methods need for geometry <paramref name="g"/> (independent of the batch; its contents do not survive the call).</summary>
    public static int WorkspaceLength(in WindowGeometry g) => WorkspaceLength(g, VectorWidth.SplatIsShuffle);

    /// <summary><see cref="WorkspaceLength(in WindowGeometry)"/> for the layout of one path: <paramref name="broadcast"/> (see <see cref="BlockBroadcast"/>) or not.</summary>
    internal static int WorkspaceLength(in WindowGeometry g, bool broadcast)
        => broadcast ? 16 * BlockTiles(g, true) * (g.InChannels + PaddedFilters(g)) + Mr * g.InChannels * MaxLanes
           : 16 * BlockTiles(g, false) * (g.InChannels + MaxNr);

    /// <summary>
    /// Tiles per block: a multiple of 6 near <see cref="BlockFloats"/>. A block holds its transformed input and the products
    /// of one panel (NR ≤ 32 output channels), or with <paramref name="broadcast"/> the products of all output channels.
    /// </summary>
    private static int BlockTiles(in WindowGeometry g, bool broadcast)
        => Math.Max(1, BlockFloats / (16 * (g.InChannels + (broadcast ? PaddedFilters(g) : MaxNr))) / Mr) * Mr;

    /// <summary>Output channels rounded up to whole panels of the widest register tile.</summary>
    private static int PaddedFilters(in WindowGeometry g) => (g.OutChannels + MaxNr - 1) / MaxNr * MaxNr;

    // Lanes of the widest vector: the broadcast input rows hold one vector per value.
    private const int MaxLanes = 16;

    /// <summary>
    /// Floats of the per-layer cache the forward methods keep between calls: a copy of the kernel they last transformed
    /// and its transform. It must belong to this layer alone and start zeroed (a zero kernel's transform is zero).
    /// </summary>
    public static int CacheLength(in WindowGeometry g)
        => 9 * g.InChannels * g.OutChannels + 16 * g.InChannels * ((g.OutChannels + MaxNr - 1) / MaxNr * MaxNr);

    /// <summary>
    /// <c>y = activation(conv(x) + bias)</c> for a batch (<see cref="Convolution.Forward"/>'s result up to rounding);
    /// <paramref name="activation"/> is <see cref="Activation.Linear"/> or <see cref="Activation.Relu"/>, an empty
    /// <paramref name="bias"/> means none. The kernel's transform is recomputed only when <paramref name="kernel"/>
    /// differs bit for bit from the copy in <paramref name="cache"/> (<see cref="CacheLength"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y,
        int batch, Span<float> workspace, Span<float> cache, Activation activation)
    {
        Check(g, x.Length, kernel.Length, bias.Length, batch, cache.Length, activation);
        Guard.AtLeast(workspace.Length, WorkspaceLength(g), nameof(workspace), "WorkspaceLength(g)");
        Guard.AtLeast(y.Length, batch * g.OutSize, nameof(y), "batch·OutSize");
        Run(g, default, x, kernel, bias, y, batch, workspace, cache, activation == Activation.Relu, pooled: false, VectorWidth.SplatIsShuffle);
    }

    /// <summary>
    /// <c>y = maxpool(activation(conv(x) + bias))</c> with the 2×2 stride-2 pooling <paramref name="pool"/>
    /// (<see cref="PoolApplies"/>): the pooled output only, the convolution's own output is not written. Otherwise as
    /// <see cref="Forward"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardMaxPool(in WindowGeometry g, in WindowGeometry pool, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias,
        Span<float> y, int batch, Span<float> workspace, Span<float> cache, Activation activation)
    {
        Check(g, x.Length, kernel.Length, bias.Length, batch, cache.Length, activation);
        Guard.AtLeast(workspace.Length, WorkspaceLength(g), nameof(workspace), "WorkspaceLength(g)");
        if (!PoolApplies(g, pool))
            throw new ArgumentException("the pooling must be 2×2, stride 2, unpadded, over the convolution's whole output (WinogradConvolution.PoolApplies).", nameof(pool));
        Guard.AtLeast(y.Length, batch * pool.OutSize, nameof(y), "batch·pool.OutSize");
        Run(g, pool, x, kernel, bias, y, batch, workspace, cache, activation == Activation.Relu, pooled: true, VectorWidth.SplatIsShuffle);
    }

    /// <summary>
    /// <see cref="Forward"/> or (<paramref name="pool"/> given) <see cref="ForwardMaxPool"/> with the products' path chosen by
    /// the caller: <paramref name="broadcast"/> is <see cref="BlockBroadcast"/>'s (the tests run both at every width; the
    /// results are equal bit for bit). <paramref name="workspace"/> holds <see cref="WorkspaceLength(in WindowGeometry, bool)"/> floats.
    /// </summary>
    internal static void ForwardVia(in WindowGeometry g, WindowGeometry? pool, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias,
        Span<float> y, int batch, Span<float> workspace, Span<float> cache, Activation activation, bool broadcast)
    {
        Check(g, x.Length, kernel.Length, bias.Length, batch, cache.Length, activation);
        Guard.AtLeast(workspace.Length, WorkspaceLength(g, broadcast), "workspace", "WorkspaceLength(g, broadcast)");
        if (pool is { } p && !PoolApplies(g, p)) throw new ArgumentException("the pooling must be 2×2, stride 2, unpadded, over the convolution's whole output.", nameof(pool));
        Guard.AtLeast(y.Length, batch * (pool is { } q ? q.OutSize : g.OutSize), nameof(y), "batch·OutSize");
        Run(g, pool ?? default, x, kernel, bias, y, batch, workspace, cache, activation == Activation.Relu, pool is not null, broadcast);
    }

    private static void Check(in WindowGeometry g, int xLength, int kernelLength, int biasLength, int batch, int cacheLength, Activation activation)
    {
        if (!Applies(g)) throw new ArgumentException("the geometry must be a 2-D 3×3 window with stride 1 and dilation 1 (WinogradConvolution.Applies).", nameof(g));
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        if (activation != Activation.Linear && activation != Activation.Relu)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "only Linear and Relu are applied in the Winograd epilogue.");
        Guard.AtLeast(xLength, batch * g.InSize, "x", "batch·InSize");
        Guard.AtLeast(kernelLength, 9 * g.InChannels * g.OutChannels, "kernel", "9·InChannels·OutChannels");
        if (biasLength != 0) Guard.AtLeast(biasLength, g.OutChannels, "bias", "OutChannels");
        Guard.AtLeast(cacheLength, CacheLength(g), "cache", "CacheLength(g)");
    }

    private struct Job
    {
        public WindowGeometry G, Pool;
        public float* X, U, Bias, Y;
        public int Total, BlockTiles, TilesH, TilesW;
        public bool Relu, Pooled, Broadcast;
    }

    [ThreadStatic]
    private static float[]? t_workspace;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(in WindowGeometry g, in WindowGeometry pool, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias,
        Span<float> y, int batch, Span<float> workspace, Span<float> cache, bool relu, bool pooled, bool broadcast)
    {
        int cin = g.InChannels, cout = g.OutChannels, kernelLength = 9 * cin * cout;
        int width = VectorWidth.Widest;
        // The transform of the kernel is a function of the kernel alone: recompute it only when the kernel changed.
        var k = kernel.Slice(0, kernelLength);
        var copy = cache.Slice(0, kernelLength);
        if (!System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(k).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(copy)))
        {
            var u = cache.Slice(kernelLength, CacheLength(g) - kernelLength);
            u.Clear(); // columns past OutChannels in the last panel stay zero
            fixed (float* pk = k, pu = u)
            {
                if (width == 512) TransformKernel<W512, Vector512<float>>(pk, pu, cin, cout);
                else if (width == 256) TransformKernel<W256, Vector256<float>>(pk, pu, cin, cout);
                else if (width == 128) TransformKernel<W128, Vector128<float>>(pk, pu, cin, cout);
                else TransformKernel<W1, float>(pk, pu, cin, cout);
            }
            k.CopyTo(copy);
        }
        if (batch == 0) return;
        // The tiles computed: every 2×2 output block, or when pooled only the blocks the pooling keeps (floor mode drops
        // the last row and column of blocks of an odd output, which would otherwise cost their full products).
        int tilesH = pooled ? pool.OutH : (g.OutH + 1) / 2, tilesW = pooled ? pool.OutW : (g.OutW + 1) / 2;
        int total = batch * tilesH * tilesW;
        // A call with fewer tiles than a block (batch 1 of a small image) lays its planes out as one block of just those
        // tiles (rounded up to the 6-row groups): the same products in the same order, on fewer workspace pages (the first
        // touch of each page is what costs at start-up, see BakedWeights).
        int blockTiles = Math.Min(BlockTiles(g, broadcast), (total + Mr - 1) / Mr * Mr), blocks = (total + blockTiles - 1) / blockTiles;
        fixed (float* px = x, pc = cache, pb = bias, py = y, pw = workspace)
        {
            var job = new Job
            {
                G = g, Pool = pool, X = px, U = pc + kernelLength, Bias = bias.IsEmpty ? null : pb, Y = py, Total = total, BlockTiles = blockTiles,
                TilesH = tilesH, TilesW = tilesW, Relu = relu, Pooled = pooled, Broadcast = broadcast,
            };
            long macs = (long)batch * g.OutPositions * 9 * cin * cout;
            if (blocks > 1 && Parallelism.MaxThreads > 1 && macs >= ParallelMacs)
            {
                // Each thread transforms into a workspace of its own (allocated once per thread); U is shared, read-only.
                Parallelism.For(blocks, Parallelism.MaxThreads, &ParallelItem, &job);
                return;
            }
            for (int b = 0; b < blocks; b++) Block(ref job, b, pw, width);
        }
    }

    private static void ParallelItem(int item, void* state)
    {
        ref Job job = ref *(Job*)state;
        int need = WorkspaceLength(job.G, job.Broadcast);
        float[] buffer = t_workspace ??= new float[need];
        if (buffer.Length < need) t_workspace = buffer = new float[need];
        fixed (float* w = buffer) Block(ref job, item, w, VectorWidth.Widest);
    }

    private static void Block(ref Job job, int block, float* workspace, int width)
    {
        if (width == 512) Block<W512, Vector512<float>>(ref job, block, workspace);
        else if (width == 256) Block<W256, Vector256<float>>(ref job, block, workspace);
        else if (width == 128) Block<W128, Vector128<float>>(ref job, block, workspace);
        else Block<W1, float>(ref job, block, workspace);
    }

    /// <summary>
    /// One block of tiles: its input transform <c>V[ξ]</c> (tiles × InChannels, rows padded with zeros to a multiple of 6),
    /// then per panel of NR output channels the 16 products <c>M[ξ] = V[ξ]·U[ξ]</c> in 6 × NR register tiles (Gemm's
    /// micro-kernel over the packed panel, which stays in L1) and the panel's output transform.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<TW, TV>(ref Job job, int block, float* workspace)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        if (job.Broadcast)
        {
            BlockBroadcast<TW, TV>(ref job, block, workspace);
            return;
        }
        int cin = job.G.InChannels, cout = job.G.OutChannels, nr = 2 * TW.Count, tiles = job.BlockTiles;
        int panels = (cout + nr - 1) / nr;
        int t0 = block * tiles, n = Math.Min(tiles, job.Total - t0), rows = (n + Mr - 1) / Mr * Mr;
        float* v = workspace, m = workspace + 16 * tiles * cin;
        nint vPlane = (nint)tiles * cin, mPlane = (nint)tiles * nr, uPlane = (nint)panels * cin * nr;
        InputTransform<TW, TV>(ref job, t0, n, rows, v, vPlane);
        for (int j = 0; j < panels; j++)
        {
            float* u = job.U + (nint)j * cin * nr;
            for (int xi = 0; xi < 16; xi++)
            {
                float* vx = v + xi * vPlane, mx = m + xi * mPlane;
                ref float ux = ref u[xi * uPlane];
                int i = 0;
                for (; i + Mr <= n; i += Mr)
                    Gemm.Micro6<TW, TV>(ref vx[(nint)i * cin], cin, 1, ref ux, cin, ref mx[(nint)i * nr], nr, false);
                if (n - i > MaxSingleRows)
                    Gemm.Micro6<TW, TV>(ref vx[(nint)i * cin], cin, 1, ref ux, cin, ref mx[(nint)i * nr], nr, false);
                else
                    for (; i < n; i++) Gemm.Micro1<TW, TV>(ref vx[(nint)i * cin], 1, ref ux, cin, ref mx[(nint)i * nr], false);
            }
            OutputTransform<TW, TV>(ref job, t0, n, m, mPlane, nr, j * nr, Math.Min(nr, cout - j * nr));
        }
    }

    /// <summary>
    /// <see cref="Block{TW, TV}"/> for hardware whose broadcast of one float to a vector is a shuffle
    /// (<see cref="VectorWidth.SplatIsShuffle"/>: x64 without AVX, the portable NativeAOT build), where the micro-kernel's
    /// six broadcasts per step compete with its twelve multiplications and twelve additions for the same ports. Per ξ and
    /// group of six tiles the input rows are broadcast once into a small buffer (one vector per value, in the order the
    /// micro-kernel reads them) and every panel of output channels runs <see cref="Gemm.Micro6Broadcast"/> over it (loads,
    /// no shuffles: about a fifth faster per product here); the products of all panels are kept (rows of the padded
    /// output channels), then each panel's output transform. The same products in the same order: the result equals
    /// <see cref="Block{TW, TV}"/>'s bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockBroadcast<TW, TV>(ref Job job, int block, float* workspace)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int cin = job.G.InChannels, cout = job.G.OutChannels, nr = 2 * TW.Count, tiles = job.BlockTiles;
        int panels = (cout + nr - 1) / nr, ldm = PaddedFilters(job.G);
        int t0 = block * tiles, n = Math.Min(tiles, job.Total - t0), rows = (n + Mr - 1) / Mr * Mr;
        float* v = workspace, m = v + 16 * tiles * cin, broadcast = m + 16 * tiles * ldm;
        nint vPlane = (nint)tiles * cin, mPlane = (nint)tiles * ldm, uPlane = (nint)panels * cin * nr;
        InputTransform<TW, TV>(ref job, t0, n, rows, v, vPlane);
        for (int xi = 0; xi < 16; xi++)
        {
            float* vx = v + xi * vPlane, mx = m + xi * mPlane;
            float* ux = job.U + xi * uPlane;
            int i = 0, rest = n % Mr;
            int groups = rest > MaxSingleRows ? rows : n - rest; // a last group over zero rows, as in Block
            for (; i < groups; i += Mr)
            {
                // Value p of row r as a whole vector at broadcast[(p·6 + r)·lanes].
                float* a = vx + (nint)i * cin, dst = broadcast;
                nint w = TW.Count;
                for (int p = 0; p < cin; p++, a++, dst += Mr * w)
                {
                    TW.Store(TW.Splat(a[0]), ref *dst, 0);
                    TW.Store(TW.Splat(a[cin]), ref *dst, w);
                    TW.Store(TW.Splat(a[2 * cin]), ref *dst, 2 * w);
                    TW.Store(TW.Splat(a[3 * cin]), ref *dst, 3 * w);
                    TW.Store(TW.Splat(a[4 * cin]), ref *dst, 4 * w);
                    TW.Store(TW.Splat(a[5 * cin]), ref *dst, 5 * w);
                }
                for (int j = 0; j < panels; j++)
                    Gemm.Micro6Broadcast<TW, TV>(ref *broadcast, ref ux[(nint)j * cin * nr], cin, ref mx[(nint)i * ldm + j * nr], ldm);
            }
            // Leftover rows (at most MaxSingleRows), two panels per call.
            for (; i < n; i++)
            {
                int j = 0;
                for (; j + 2 <= panels; j += 2)
                    Gemm.Micro1Pair<TW, TV>(ref vx[(nint)i * cin], ref ux[(nint)j * cin * nr], (nint)cin * nr, cin, ref mx[(nint)i * ldm + j * nr]);
                if (j < panels) Gemm.Micro1<TW, TV>(ref vx[(nint)i * cin], 1, ref ux[(nint)j * cin * nr], cin, ref mx[(nint)i * ldm + j * nr], false);
            }
        }
        for (int j = 0; j < panels; j++)
            OutputTransform<TW, TV>(ref job, t0, n, m + j * nr, mPlane, ldm, j * nr, Math.Min(nr, cout - j * nr));
    }

    /// <summary>
    /// <c>U[ξ, c, f] = (G·k[·, ·, c, f]·Gᵀ)[ξ]</c>, packed as the micro-kernel reads it: per ξ, panels of NR = 2 vectors of
    /// output channels, each <c>InChannels × NR</c> row-major. Whole vectors first, then the tail one lane wide.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformKernel<TW, TV>(float* k, float* u, int cin, int cout)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int nr = 2 * TW.Count, panels = (cout + nr - 1) / nr;
        nint kPlane = (nint)cin * cout, uPlane = (nint)panels * cin * nr;
        int full = cout / TW.Count * TW.Count;
        for (int c = 0; c < cin; c++)
        {
            int f = 0;
            for (; f < full; f += TW.Count)
                KernelSlice<TW, TV>(k + (nint)c * cout + f, kPlane, u + (nint)(f / nr) * cin * nr + (nint)c * nr + f % nr, uPlane);
            for (; f < cout; f++)
                KernelSlice<W1, float>(k + (nint)c * cout + f, kPlane, u + (nint)(f / nr) * cin * nr + (nint)c * nr + f % nr, uPlane);
        }
    }

    /// <summary>One (input channel, vector of output channels) slice: 9 taps <paramref name="kPlane"/> apart in, 16 values <paramref name="uPlane"/> apart out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelSlice<TW, TV>(float* k, nint kPlane, float* u, nint uPlane)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TV half = TW.Splat(0.5f);
        // Along kw for each kh row r: h[r] = (g0, (g0 + g1 + g2)/2, (g0 − g1 + g2)/2, g2).
        TV g00 = TW.Load(ref k[0], 0), g01 = TW.Load(ref k[kPlane], 0), g02 = TW.Load(ref k[2 * kPlane], 0);
        TV g10 = TW.Load(ref k[3 * kPlane], 0), g11 = TW.Load(ref k[4 * kPlane], 0), g12 = TW.Load(ref k[5 * kPlane], 0);
        TV g20 = TW.Load(ref k[6 * kPlane], 0), g21 = TW.Load(ref k[7 * kPlane], 0), g22 = TW.Load(ref k[8 * kPlane], 0);
        TV s0 = TW.Add(g00, g02), s1 = TW.Add(g10, g12), s2 = TW.Add(g20, g22);
        TV h00 = g00, h01 = TW.Mul(TW.Add(s0, g01), half), h02 = TW.Mul(TW.Sub(s0, g01), half), h03 = g02;
        TV h10 = g10, h11 = TW.Mul(TW.Add(s1, g11), half), h12 = TW.Mul(TW.Sub(s1, g11), half), h13 = g12;
        TV h20 = g20, h21 = TW.Mul(TW.Add(s2, g21), half), h22 = TW.Mul(TW.Sub(s2, g21), half), h23 = g22;
        // Along kh for each column: (h0, (h0 + h1 + h2)/2, (h0 − h1 + h2)/2, h2).
        Column<TW, TV>(h00, h10, h20, half, u, 0, uPlane);
        Column<TW, TV>(h01, h11, h21, half, u, 1, uPlane);
        Column<TW, TV>(h02, h12, h22, half, u, 2, uPlane);
        Column<TW, TV>(h03, h13, h23, half, u, 3, uPlane);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column<TW, TV>(TV h0, TV h1, TV h2, TV half, float* u, int column, nint plane)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TV s = TW.Add(h0, h2);
        TW.Store(h0, ref u[column * plane], 0);
        TW.Store(TW.Mul(TW.Add(s, h1), half), ref u[(4 + column) * plane], 0);
        TW.Store(TW.Mul(TW.Sub(s, h1), half), ref u[(8 + column) * plane], 0);
        TW.Store(h2, ref u[(12 + column) * plane], 0);
    }

    /// <summary>
    /// <c>V[ξ, i, c] = (Bᵀ·d·B)[ξ]</c> for the tiles <c>t0 + i</c>, <c>i &lt; n</c> (inputs outside the image are zero);
    /// rows <c>n..rows−1</c> (the padding to whole row groups) are zeroed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputTransform<TW, TV>(ref Job job, int t0, int n, int rows, float* v, nint plane)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        ref readonly WindowGeometry g = ref job.G;
        int cin = g.InChannels, tilesW = job.TilesW, perSample = job.TilesH * tilesW;
        int full = cin / TW.Count * TW.Count;
        nint rowStride = (nint)g.InW * cin;
        for (int i = 0; i < n; i++)
        {
            int t = t0 + i, b = t / perSample, r = t - b * perSample, th = r / tilesW, tw = r - th * tilesW;
            int ih = 2 * th - g.PadH, iw = 2 * tw - g.PadW;
            // Bit j of rows/cols: input row ih + j (column iw + j) lies inside the image.
            int inRows = 0, inCols = 0;
            for (int j = 0; j < 4; j++)
            {
                if ((uint)(ih + j) < (uint)g.InH) inRows |= 1 << j;
                if ((uint)(iw + j) < (uint)g.InW) inCols |= 1 << j;
            }
            float* src = job.X + (nint)b * g.InSize + ((nint)ih * g.InW + iw) * cin;
            float* dst = v + (nint)i * cin;
            int c = 0;
            if ((inRows & inCols) == 15)
            {
                // Inside the image: the same transform without the edge tests.
                for (; c < full; c += TW.Count) InputTile<TW, TV>(src + c, rowStride, cin, 15, 15, dst + c, plane);
                for (; c < cin; c++) InputTile<W1, float>(src + c, rowStride, cin, 15, 15, dst + c, plane);
                continue;
            }
            for (; c < full; c += TW.Count) InputTile<TW, TV>(src + c, rowStride, cin, inRows, inCols, dst + c, plane);
            for (; c < cin; c++) InputTile<W1, float>(src + c, rowStride, cin, inRows, inCols, dst + c, plane);
        }
        for (int i = n; i < rows; i++)
            for (int xi = 0; xi < 16; xi++)
                new Span<float>(v + xi * plane + (nint)i * cin, cin).Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV At<TW, TV>(float* p, int rows, int cols, int r, int c, nint rowStride, nint colStride)
        where TW : struct, IVectorWidth<TV> where TV : struct
        => ((rows >> r) & (cols >> c) & 1) != 0 ? TW.Load(ref p[r * rowStride + c * colStride], 0) : default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputTile<TW, TV>(float* p, nint rowStride, nint colStride, int rows, int cols, float* v, nint plane)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        // Bᵀ along the rows of each column c: e[·, c] = (d0 − d2, d1 + d2, d2 − d1, d1 − d3); then B along each row.
        TV e00, e10, e20, e30, e01, e11, e21, e31, e02, e12, e22, e32, e03, e13, e23, e33;
        (e00, e10, e20, e30) = Down<TW, TV>(p, rows, cols, 0, rowStride, colStride);
        (e01, e11, e21, e31) = Down<TW, TV>(p, rows, cols, 1, rowStride, colStride);
        (e02, e12, e22, e32) = Down<TW, TV>(p, rows, cols, 2, rowStride, colStride);
        (e03, e13, e23, e33) = Down<TW, TV>(p, rows, cols, 3, rowStride, colStride);
        Across<TW, TV>(e00, e01, e02, e03, v, 0, plane);
        Across<TW, TV>(e10, e11, e12, e13, v, 4, plane);
        Across<TW, TV>(e20, e21, e22, e23, v, 8, plane);
        Across<TW, TV>(e30, e31, e32, e33, v, 12, plane);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV, TV, TV, TV) Down<TW, TV>(float* p, int rows, int cols, int c, nint rowStride, nint colStride)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TV d0 = At<TW, TV>(p, rows, cols, 0, c, rowStride, colStride), d1 = At<TW, TV>(p, rows, cols, 1, c, rowStride, colStride);
        TV d2 = At<TW, TV>(p, rows, cols, 2, c, rowStride, colStride), d3 = At<TW, TV>(p, rows, cols, 3, c, rowStride, colStride);
        return (TW.Sub(d0, d2), TW.Add(d1, d2), TW.Sub(d2, d1), TW.Sub(d1, d3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Across<TW, TV>(TV e0, TV e1, TV e2, TV e3, float* v, int row, nint plane)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TW.Store(TW.Sub(e0, e2), ref v[row * plane], 0);
        TW.Store(TW.Add(e1, e2), ref v[(row + 1) * plane], 0);
        TW.Store(TW.Sub(e2, e1), ref v[(row + 2) * plane], 0);
        TW.Store(TW.Sub(e1, e3), ref v[(row + 3) * plane], 0);
    }

    /// <summary>
    /// <c>y = Aᵀ·M·A + bias</c>, ReLU if asked, for the tiles <c>t0 + i</c> (<c>i &lt; n</c>) and output channels
    /// <c>[f0, f0 + cols)</c>, whose products are <c>m[ξ, i, ·]</c> (rows of NR floats): the 2×2 block stored (clipped at the
    /// image edge), or its maximum stored at the pooled position (pooled: the tiles are the pooled grid's blocks only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OutputTransform<TW, TV>(ref Job job, int t0, int n, float* m, nint plane, nint ldm, int f0, int cols)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        ref readonly WindowGeometry g = ref job.G;
        int cout = g.OutChannels, tilesW = job.TilesW, perSample = job.TilesH * tilesW;
        int full = cols / TW.Count * TW.Count;
        float* bias = job.Bias == null ? null : job.Bias + f0;
        for (int i = 0; i < n; i++)
        {
            int t = t0 + i, b = t / perSample, r = t - b * perSample, th = r / tilesW, tw = r - th * tilesW;
            float* src = m + (nint)i * ldm;
            if (job.Pooled)
            {
                ref readonly WindowGeometry pool = ref job.Pool;
                float* dst = job.Y + (nint)b * pool.OutSize + ((nint)th * pool.OutW + tw) * cout + f0;
                int f = 0;
                for (; f < full; f += TW.Count) OutputTile<TW, TV>(src + f, plane, bias, f, job.Relu, dst + f, 0, 0, 3, true);
                for (; f < cols; f++) OutputTile<W1, float>(src + f, plane, bias, f, job.Relu, dst + f, 0, 0, 3, true);
            }
            else
            {
                int oh = 2 * th, ow = 2 * tw;
                // Bit 0: the block's second row exists; bit 1: its second column.
                int inside = (oh + 1 < g.OutH ? 1 : 0) | (ow + 1 < g.OutW ? 2 : 0);
                float* dst = job.Y + (nint)b * g.OutSize + ((nint)oh * g.OutW + ow) * cout + f0;
                nint rowStride = (nint)g.OutW * cout;
                int f = 0;
                for (; f < full; f += TW.Count) OutputTile<TW, TV>(src + f, plane, bias, f, job.Relu, dst + f, rowStride, cout, inside, false);
                for (; f < cols; f++) OutputTile<W1, float>(src + f, plane, bias, f, job.Relu, dst + f, rowStride, cout, inside, false);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTile<TW, TV>(float* m, nint plane, float* bias, int f, bool relu, float* y, nint rowStride, nint colStride, int inside, bool pool)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        // Aᵀ down each column c: s0[c] = m0c + m1c + m2c, s1[c] = m1c − m2c − m3c; then A across each row.
        TV m00 = TW.Load(ref m[0], 0), m01 = TW.Load(ref m[plane], 0), m02 = TW.Load(ref m[2 * plane], 0), m03 = TW.Load(ref m[3 * plane], 0);
        TV m10 = TW.Load(ref m[4 * plane], 0), m11 = TW.Load(ref m[5 * plane], 0), m12 = TW.Load(ref m[6 * plane], 0), m13 = TW.Load(ref m[7 * plane], 0);
        TV m20 = TW.Load(ref m[8 * plane], 0), m21 = TW.Load(ref m[9 * plane], 0), m22 = TW.Load(ref m[10 * plane], 0), m23 = TW.Load(ref m[11 * plane], 0);
        TV m30 = TW.Load(ref m[12 * plane], 0), m31 = TW.Load(ref m[13 * plane], 0), m32 = TW.Load(ref m[14 * plane], 0), m33 = TW.Load(ref m[15 * plane], 0);
        OutputValues<TW, TV>(m00, m01, m02, m03, m10, m11, m12, m13, m20, m21, m22, m23, m30, m31, m32, m33, bias, f, relu, y, rowStride, colStride, inside, pool);
    }

    /// <summary>
    /// The pooled value of a 2×2 block: its maximum, plus the bias, ReLU if asked (adding the bias and ReLU are monotone, so
    /// they commute with the maximum, and rounding keeps that). A NaN anywhere in the block is NaN in the result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PooledEpilogue<TW, TV>(TV y00, TV y01, TV y10, TV y11, float* bias, int f, bool relu, float* y)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TV bv = bias == null ? default : TW.Load(ref bias[f], 0);
        TV top = TW.Max4(y00, y01, y10, y11);
        top = TW.Add(top, bv);
        if (relu) top = TW.Relu(top);
        TW.Store(top, ref y[0], 0);
    }

    /// <summary><see cref="OutputTile"/> for products already in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputValues<TW, TV>(TV m00, TV m01, TV m02, TV m03, TV m10, TV m11, TV m12, TV m13, TV m20, TV m21, TV m22, TV m23,
        TV m30, TV m31, TV m32, TV m33, float* bias, int f, bool relu, float* y, nint rowStride, nint colStride, int inside, bool pool)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TV a0 = TW.Add(TW.Add(m00, m10), m20), b0 = TW.Sub(TW.Sub(m10, m20), m30);
        TV a1 = TW.Add(TW.Add(m01, m11), m21), b1 = TW.Sub(TW.Sub(m11, m21), m31);
        TV a2 = TW.Add(TW.Add(m02, m12), m22), b2 = TW.Sub(TW.Sub(m12, m22), m32);
        TV a3 = TW.Add(TW.Add(m03, m13), m23), b3 = TW.Sub(TW.Sub(m13, m23), m33);
        TV y00 = TW.Add(TW.Add(a0, a1), a2), y01 = TW.Sub(TW.Sub(a1, a2), a3);
        TV y10 = TW.Add(TW.Add(b0, b1), b2), y11 = TW.Sub(TW.Sub(b1, b2), b3);
        if (pool)
        {
            PooledEpilogue<TW, TV>(y00, y01, y10, y11, bias, f, relu, y);
            return;
        }
        TV bv = bias == null ? default : TW.Load(ref bias[f], 0);
        y00 = TW.Add(y00, bv);
        y01 = TW.Add(y01, bv);
        y10 = TW.Add(y10, bv);
        y11 = TW.Add(y11, bv);
        if (relu)
        {
            y00 = TW.Max(y00, default);
            y01 = TW.Max(y01, default);
            y10 = TW.Max(y10, default);
            y11 = TW.Max(y11, default);
        }
        TW.Store(y00, ref y[0], 0);
        if ((inside & 2) != 0) TW.Store(y01, ref y[colStride], 0);
        if ((inside & 1) != 0)
        {
            TW.Store(y10, ref y[rowStride], 0);
            if ((inside & 2) != 0) TW.Store(y11, ref y[rowStride + colStride], 0);
        }
    }

    // ---------------------------------------------------------------- one input channel, without fused multiply-add

    /// <summary>Most filters <see cref="SingleChannelMaxPool"/> takes (its kernel transform lives on the stack: 16 floats a filter).</summary>
    internal const int MaxSingleChannelFilters = 256;

    /// <summary>
    /// True when <see cref="SingleChannelMaxPool"/> computes <paramref name="g"/> followed by <paramref name="pool"/>:
    /// the 3×3 stride-1 window and 2×2 pooling of <see cref="PoolApplies"/>, one input channel, at most
    /// <see cref="MaxSingleChannelFilters"/> filters.
    /// </summary>
    internal static bool SingleChannelApplies(in WindowGeometry g, in WindowGeometry pool)
        => PoolApplies(g, pool) && g.InChannels == 1 && g.OutChannels <= MaxSingleChannelFilters;

    /// <summary>
    /// <c>y = maxpool(activation(conv(x) + bias))</c> of one sample with one input channel (a first layer on grey images),
    /// by F(2×2, 3×3) with the products element-wise: with a single input channel there is no sum over channels, so
    /// <c>M[ξ] = V[ξ]·U[ξ]</c> is one multiplication per (tile, filter, ξ), 16 where the direct kernel spends 36
    /// multiply-adds, and each pooling window is one tile. The products go straight from registers into the output
    /// transform and the maximum, bias and ReLU of <see cref="PooledEpilogue"/>. It pays only where a multiply-add is two
    /// instructions (x64 without FMA: the portable NativeAOT build's SSE kernels), where it takes 16 multiplications
    /// and 24 additions per tile and filter vector against the direct kernel's 36 multiplications and 36 additions;
    /// with FMA the direct kernel's 36 fused instructions are fewer than these 40, so
    /// <see cref="ConvolutionDirect"/> calls this only when <see cref="VectorWidth.FusedMultiplyAdd"/> is false.
    /// Results equal the direct kernel's up to float rounding (transform coefficients 0, ±½, ±1).
    /// </summary>
    /// <remarks>The kernel's transform (16 values per filter) is computed on the stack for every sample: 9 reads and about
    /// 30 vector operations per filter vector, against 169 tiles of work for a 28×28 image.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit] // every stack float is written before it is read
    internal static void SingleChannelMaxPool<TW, TV>(in WindowGeometry g, in WindowGeometry pool, float* x, float* k, float* bias, float* y, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int cout = g.OutChannels, full = cout / TW.Count * TW.Count;
        // U per vector of filters, its 16 transformed vectors one after another (constant offsets in the tile loop), then the
        // filters of the tail, 16 floats each. The taps of filter f are cout floats apart (one input channel).
        float* u = stackalloc float[16 * cout];
        int f = 0;
        for (; f < full; f += TW.Count) KernelSlice<TW, TV>(k + f, cout, u + 16 * f, TW.Count);
        for (; f < cout; f++) KernelSlice<W1, float>(k + f, cout, u + 16 * f, 1);
        float* v = stackalloc float[16];
        float* splat = stackalloc float[16 * 16]; // V[ξ] broadcast to a whole vector (at most 16 lanes)
        for (int ph = 0; ph < pool.OutH; ph++)
        {
            int ih = 2 * ph - g.PadH, inRows = 0;
            for (int j = 0; j < 4; j++)
                if ((uint)(ih + j) < (uint)g.InH) inRows |= 1 << j;
            for (int pw = 0; pw < pool.OutW; pw++)
            {
                int iw = 2 * pw - g.PadW, inCols = 0;
                for (int j = 0; j < 4; j++)
                    if ((uint)(iw + j) < (uint)g.InW) inCols |= 1 << j;
                // V = Bᵀ·d·B of the tile's 4×4 inputs (zero outside the image), one lane wide, then broadcast once for all filters.
                float* src = x + (nint)ih * g.InW + iw;
                // A tile inside the image (every tile of a valid convolution) reads its 16 inputs without the edge tests.
                if ((inRows & inCols) == 15) InputTile<W1, float>(src, g.InW, 1, 15, 15, v, 1);
                else InputTile<W1, float>(src, g.InW, 1, inRows, inCols, v, 1);
                for (int xi = 0; xi < 16; xi++) TW.Store(TW.Splat(v[xi]), ref splat[xi * TW.Count], 0);
                float* dst = y + ((nint)ph * pool.OutW + pw) * cout;
                for (f = 0; f < full; f += TW.Count) SingleChannelTile<TW, TV>(splat, TW.Count, u + 16 * f, TW.Count, bias, f, relu, dst + f);
                for (; f < cout; f++) SingleChannelTile<W1, float>(splat, TW.Count, u + 16 * f, 1, bias, f, relu, dst + f);
            }
        }
    }

    /// <summary>
    /// One tile and vector of filters: the 16 products <c>V[ξ]·U[ξ]</c> (<paramref name="v"/> broadcast, <paramref name="vStep"/>
    /// floats apart) taken a column of the tile at a time into <c>Aᵀ</c> (so at most a column's four products and the eight
    /// partial sums are live: the 16 registers of SSE hold them without spilling), then <c>A</c> and the pooled epilogue.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SingleChannelTile<TW, TV>(float* v, nint vStep, float* u, nint plane, float* bias, int f, bool relu, float* y)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        var (a0, b0) = SingleChannelColumn<TW, TV>(v, vStep, u, plane, 0);
        var (a1, b1) = SingleChannelColumn<TW, TV>(v, vStep, u, plane, 1);
        var (a2, b2) = SingleChannelColumn<TW, TV>(v, vStep, u, plane, 2);
        var (a3, b3) = SingleChannelColumn<TW, TV>(v, vStep, u, plane, 3);
        PooledEpilogue<TW, TV>(TW.Add(TW.Add(a0, a1), a2), TW.Sub(TW.Sub(a1, a2), a3), TW.Add(TW.Add(b0, b1), b2), TW.Sub(TW.Sub(b1, b2), b3),
            bias, f, relu, y);
    }

    /// <summary>Column <paramref name="c"/> of <c>Aᵀ·M</c>: <c>(m0c + m1c + m2c, m1c − m2c − m3c)</c> with <c>m_rc = V[4r + c]·U[4r + c]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV, TV) SingleChannelColumn<TW, TV>(float* v, nint vStep, float* u, nint plane, int c)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TV m0 = P<TW, TV>(v, vStep, u, plane, c), m1 = P<TW, TV>(v, vStep, u, plane, 4 + c);
        TV m2 = P<TW, TV>(v, vStep, u, plane, 8 + c), m3 = P<TW, TV>(v, vStep, u, plane, 12 + c);
        return (TW.Add(TW.Add(m0, m1), m2), TW.Sub(TW.Sub(m1, m2), m3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV P<TW, TV>(float* v, nint vStep, float* u, nint plane, int xi)
        where TW : struct, IVectorWidth<TV> where TV : struct
        => TW.Mul(TW.Load(ref v[xi * vStep], 0), TW.Load(ref u[xi * plane], 0));
}
