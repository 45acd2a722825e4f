using System;
using System.Runtime.CompilerServices;

namespace NetGen.Kernels;

/// <summary>
/// Convolution kernels (Keras Conv1D, Conv2D, Conv3D with <c>groups = 1</c>): cross-correlation with stride,
/// dilation and zero padding, channels-last, over the geometry of <see cref="WindowGeometry"/>.
/// The kernel is <c>(KD, KH, KW, InChannels, OutChannels)</c> row-major (Keras' layout), the bias
/// <c>OutChannels</c> floats.
/// </summary>
/// <remarks>
/// The batch is lowered to matrix products: the patches of a block of (sample, output position) rows are gathered into a
/// <c>rows × (WindowVolume·InChannels)</c> matrix in the caller's workspace (im2col), and because the patch
/// order <c>(kd, kh, kw, c)</c> matches the kernel's row-major order, the kernel buffer is already the
/// <c>(WindowVolume·InChannels) × OutChannels</c> right operand: <c>y = patches·K</c>,
/// <c>dK += patchesᵀ·dy</c>, and <c>dpatches = dy·Kᵀ</c> scattered back onto the input (col2im).
/// A 1×1 window with stride 1 and no padding skips the gather: the input rows are the patches.
/// Forward for a short patch (at most 32 floats) and whole vectors of filters runs a direct kernel instead
/// (<see cref="ConvolutionDirect"/>).
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Convolution
{
    // Size of the patch matrix, in floats (256 KiB): rows are (sample, output position) pairs over the whole batch,
    // processed in blocks of this many floats, so small layers get long matrix products spanning several samples
    // and big layers a bounded, cache-friendly workspace.
    private const int ChunkFloats = 1 << 16;

    /// <summary>Floats of workspace the methods of this class need for geometry <paramref name="g"/> (independent of the batch size).</summary>
    public static int WorkspaceLength(in WindowGeometry g)
        => IsPointwise(g) ? 0 : ChunkRows(g) * g.WindowVolume * g.InChannels;

    /// <summary>
    /// <c>y[b, o, f] = bias[f] + Σ_{tap, c} xpad[b, o·s + tap·d, c]·kernel[tap, c, f]</c> for a batch of
    /// <paramref name="batch"/> samples; an empty <paramref name="bias"/> means no bias.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int batch, Span<float> workspace)
    {
        Check(g, x.Length, y.Length, kernel.Length, batch, workspace.Length, nameof(x), nameof(y));
        if (!bias.IsEmpty) Guard.AtLeast(bias.Length, g.OutChannels, nameof(bias), "OutChannels");
        int f = g.OutChannels, positions = g.OutPositions;
        if (IsPointwise(g))
        {
            int rowsAll = batch * positions;
            Span<float> yAll = y.Slice(0, rowsAll * f);
            if (!bias.IsEmpty) WindowOps.BroadcastRows(bias, yAll, rowsAll, f);
            Gemm.MatMul(x.Slice(0, rowsAll * g.InChannels), kernel, yAll, rowsAll, g.InChannels, f, accumulate: !bias.IsEmpty);
            return;
        }
        if (ConvolutionDirect.Applies(g))
        {
            ConvolutionDirect.Forward(g, x, kernel, bias, y, batch);
            return;
        }
        int q = g.WindowVolume * g.InChannels;
        int chunk = ChunkRows(g), total = batch * positions;
        int chunks = (total + chunk - 1) / chunk;
        if (chunks >= 2 && Parallelism.MaxThreads > 1 && (long)total * q * f >= ParallelMacs)
        {
            // Whole chunks (gather and product) go to the threads, so the gather is split too; each thread
            // gathers into a buffer of its own (allocated once per thread), the caller's workspace is not used.
            ForwardParallel(g, x, kernel, bias, y, total, chunk, chunks);
            return;
        }
        for (int r0 = 0; r0 < total; r0 += chunk)
        {
            int rows = Math.Min(chunk, total - r0);
            Span<float> col = workspace.Slice(0, rows * q);
            ForwardChunk(g, x, kernel, bias, y, r0, rows, col);
        }
    }

    // Forward passes of at least this many multiply-adds split their chunks over threads.
    private const long ParallelMacs = 1 << 21;

    [ThreadStatic]
    private static float[]? t_columns;

    private static void ForwardChunk(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int r0, int rows, Span<float> col)
    {
        int f = g.OutChannels, q = g.WindowVolume * g.InChannels;
        Gather(g, x, r0, rows, col);
        Span<float> yBlock = y.Slice(r0 * f, rows * f);
        if (!bias.IsEmpty) WindowOps.BroadcastRows(bias, yBlock, rows, f);
        Gemm.MatMul(col, kernel, yBlock, rows, q, f, accumulate: !bias.IsEmpty);
    }

    private unsafe struct ForwardJob
    {
        public WindowGeometry G;
        public float* X, K, Bias, Y;
        public int XLength, KLength, BiasLength, YLength, Total, Chunk;
    }

    private static unsafe void ForwardParallel(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int total, int chunk, int chunks)
    {
        fixed (float* px = x, pk = kernel, pb = bias, py = y)
        {
            var job = new ForwardJob
            {
                G = g, X = px, K = pk, Bias = pb, Y = py, XLength = x.Length, KLength = kernel.Length, BiasLength = bias.Length,
                YLength = y.Length, Total = total, Chunk = chunk,
            };
            Parallelism.For(chunks, Parallelism.MaxThreads, &ForwardItem, &job);
        }
    }

    private static unsafe void ForwardItem(int item, void* state)
    {
        ref ForwardJob job = ref *(ForwardJob*)state;
        int q = job.G.WindowVolume * job.G.InChannels;
        int r0 = item * job.Chunk, rows = Math.Min(job.Chunk, job.Total - r0);
        float[] col = t_columns ??= new float[job.Chunk * q];
        if (col.Length < rows * q) t_columns = col = new float[job.Chunk * q];
        ForwardChunk(job.G, new ReadOnlySpan<float>(job.X, job.XLength), new ReadOnlySpan<float>(job.K, job.KLength),
            new ReadOnlySpan<float>(job.Bias, job.BiasLength), new Span<float>(job.Y, job.YLength), r0, rows, col.AsSpan(0, rows * q));
    }

    /// <summary>
    /// <c>dKernel = Σ_b patches(x_b)ᵀ·dy_b</c> and <c>dBias[f] = Σ_{b, o} dy[b, o, f]</c>, both overwritten;
    /// an empty <paramref name="dBias"/> is skipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWeights(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dKernel, Span<float> dBias, int batch, Span<float> workspace)
    {
        Check(g, x.Length, dy.Length, dKernel.Length, batch, workspace.Length, nameof(x), nameof(dy));
        if (!dBias.IsEmpty) Guard.AtLeast(dBias.Length, g.OutChannels, nameof(dBias), "OutChannels");
        int f = g.OutChannels, positions = g.OutPositions;
        int q = g.WindowVolume * g.InChannels;
        Span<float> dk = dKernel.Slice(0, q * f);
        if (IsPointwise(g))
        {
            int rowsAll = batch * positions;
            Gemm.MatMulTransposeA(x.Slice(0, rowsAll * g.InChannels), dy.Slice(0, rowsAll * f), dk, g.InChannels, rowsAll, f);
        }
        else
        {
            int chunk = ChunkRows(g), total = batch * positions;
            if (total == 0) dk.Clear();
            for (int r0 = 0; r0 < total; r0 += chunk)
            {
                int rows = Math.Min(chunk, total - r0);
                Span<float> col = workspace.Slice(0, rows * q);
                Gather(g, x, r0, rows, col);
                Gemm.MatMulTransposeA(col, dy.Slice(r0 * f, rows * f), dk, q, rows, f, accumulate: r0 > 0);
            }
        }
        if (!dBias.IsEmpty) WindowOps.SumRows(dy, dBias, batch * positions, f);
    }

    /// <summary>
    /// <c>dx</c> (overwritten) = the scatter of <c>dy·kernelᵀ</c> through the window map; input cells that no
    /// window covers, and padding, receive nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInput(in WindowGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> kernel, Span<float> dx, int batch, Span<float> workspace)
    {
        Check(g, dx.Length, dy.Length, kernel.Length, batch, workspace.Length, nameof(dx), nameof(dy));
        int f = g.OutChannels, positions = g.OutPositions;
        int q = g.WindowVolume * g.InChannels;
        if (IsPointwise(g))
        {
            int rowsAll = batch * positions;
            Gemm.MatMulTransposeB(dy.Slice(0, rowsAll * f), kernel, dx.Slice(0, rowsAll * g.InChannels), rowsAll, f, g.InChannels);
            return;
        }
        int chunk = ChunkRows(g), total = batch * positions;
        dx.Slice(0, batch * g.InSize).Clear();
        for (int r0 = 0; r0 < total; r0 += chunk)
        {
            int rows = Math.Min(chunk, total - r0);
            Span<float> col = workspace.Slice(0, rows * q);
            Gemm.MatMulTransposeB(dy.Slice(r0 * f, rows * f), kernel, col, rows, f, q);
            // Scatter the block back sample by sample (a block may span several samples).
            for (int done = 0; done < rows;)
            {
                int r = r0 + done, b = r / positions, p = r - b * positions, n = Math.Min(rows - done, positions - p);
                WindowOps.Col2ImAdd(g, col.Slice(done * q, n * q), p, n, dx.Slice(b * g.InSize, g.InSize));
                done += n;
            }
        }
    }

    /// <summary>Patch rows of global rows <c>[r0, r0 + rows)</c> (row = sample·OutPositions + position), sample by sample.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gather(in WindowGeometry g, ReadOnlySpan<float> x, int r0, int rows, Span<float> col)
    {
        int positions = g.OutPositions, q = g.WindowVolume * g.InChannels;
        for (int done = 0; done < rows;)
        {
            int r = r0 + done, b = r / positions, p = r - b * positions, n = Math.Min(rows - done, positions - p);
            WindowOps.Im2Col(g, x.Slice(b * g.InSize, g.InSize), p, n, col.Slice(done * q, n * q));
            done += n;
        }
    }

    /// <summary>True when the input rows already are the patch rows: 1×1 window, stride 1, no padding, same spatial size.</summary>
    private static bool IsPointwise(in WindowGeometry g)
        => g.WindowVolume == 1 && g.SD == 1 && g.SH == 1 && g.SW == 1 && g.PadD == 0 && g.PadH == 0 && g.PadW == 0
           && g.InD == g.OutD && g.InH == g.OutH && g.InW == g.OutW;

    private static int ChunkRows(in WindowGeometry g)
        => Math.Max(1, ChunkFloats / Math.Max(1, g.WindowVolume * g.InChannels));

    private static void Check(in WindowGeometry g, int inLength, int outLength, int kernelLength, int batch, int workspaceLength, string inName, string outName)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        Guard.AtLeast(inLength, batch * g.InSize, inName, "batch·InSize");
        Guard.AtLeast(outLength, batch * g.OutSize, outName, "batch·OutSize");
        Guard.AtLeast(kernelLength, g.WindowVolume * g.InChannels * g.OutChannels, "kernel", "WindowVolume·InChannels·OutChannels");
        Guard.AtLeast(workspaceLength, WorkspaceLength(g), "workspace", "WorkspaceLength(g)");
    }
}
