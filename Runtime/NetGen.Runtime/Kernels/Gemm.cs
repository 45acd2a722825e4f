using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>Single-precision matrix products on row-major, contiguous spans.</summary>
/// <remarks>
/// All three variants share one blocked algorithm. The right operand is copied, one panel of
/// <c>kc × NR</c> at a time (NR = two SIMD vectors, zero-padded past the last column), into a stack buffer
/// laid out in the order the micro-kernel reads it; the micro-kernel then keeps a <c>6 × NR</c> tile of C
/// in registers while it walks the panel's <c>kc</c> steps, broadcasting one element of A per row and step
/// and issuing fused multiply-adds. The left operand is read in place through a (row stride, column stride)
/// pair, which is how <see cref="MatMulTransposeA"/> reuses the same kernel without a copy. Rows past the
/// last multiple of six go through a one-row kernel; tiles whose columns run past <c>n</c> are computed into
/// a small stack tile and copied out element by element. The vector width (AVX-512 with NR = 32, AVX2 with
/// NR = 16, or 128-bit SSE/AdvSimd with NR = 8) is chosen once per call and passed as a generic struct
/// parameter (<see cref="IVectorWidth{TV}"/>), so every width runs the same blocked loop and micro-kernels;
/// the scalar loop is the fallback without SIMD.
/// <para>
/// Work items are (column panel, row block) pairs; a product of at least 2²² multiply-adds is split over
/// <see cref="Parallelism.MaxThreads"/> threads (rows are split too when there are few column panels).
/// Every element of C is summed in the same order whatever the split, so results do not depend on the thread
/// count. When A exceeds about 1 MiB the k-blocks become the outer loop so a block of A stays in L2 across all
/// panels. On one thread with several column panels the loop runs the other way round (<c>Sweep</c>): each k-block of
/// every panel is packed once and every 6-row group of A passes over all of them from L1, so A is read once per k-block.
/// At most four rows against a row-major B (batch-1 Dense) skip packing altogether:
/// B's rows stream past C's rows held in registers (columns past the last whole vector as one vector per row of B, its
/// extra lanes unused). Nothing is allocated on the heap but one pinned per-thread buffer for packed B.
/// </para>
/// <para>
/// A right operand that many products share (an RNN's recurrent kernel) can be packed once: by <see cref="PackB"/> into
/// the blocked loop's column panels of this machine's widest path (<see cref="MatMulPacked"/> then runs that path's
/// <c>Block</c> on them, never the narrower panel for n ≤ 16, <c>Sweep</c> or the small-row path, whose layouts differ),
/// or by <see cref="PackStrips"/> into the small-row kernel's 128-column strips (<see cref="MatMulStrips"/>).
/// </para>
/// <para>
/// <see cref="MatMulBias"/> is the Dense epilogue: the bias joins each register tile's sums as its first k panel is
/// stored and ReLU is applied as its last is, so a Dense layer's output is written once.
/// </para>
/// </remarks>
[SkipLocalsInit] // the stack panel and tile are always written before they are read
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static unsafe class Gemm
{
    // Steps of k per packed panel. With NR = 32 (AVX-512) a panel is 256·32·4 B = 32 KiB: it stays in L1/L2
    // while every row block of A streams past it.
    private const int Kc = 256;
    // A k up to this fits one panel (48 KiB with NR = 32), so C is loaded and stored once.
    private const int MaxKc = 384;
    private const int Mr = 6;


    /// <summary><c>C[m×n] = A[m×k]·B[k×n]</c> (or <c>+=</c> when <paramref name="accumulate"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        Check(a.Length, b.Length, c.Length, m, k, n);
        // A(i, p) = a[i*k + p]; B(p, j) = b[p*n + j].
        Run(DefaultPath, a, k, 1, b, n, 1, c, m, k, n, accumulate);
    }

    /// <summary><c>C[m×n] = A[m×k]·B[n×k]ᵀ</c> (or <c>+=</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransposeB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        Check(a.Length, b.Length, c.Length, m, k, n);
        // A(i, p) = a[i*k + p]; B(p, j) = b[j*k + p].
        Run(DefaultPath, a, k, 1, b, 1, k, c, m, k, n, accumulate);
    }

    /// <summary><c>C[m×n] = A[k×m]ᵀ·B[k×n]</c> (or <c>+=</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransposeA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        Check(a.Length, b.Length, c.Length, m, k, n);
        // A(i, p) = a[p*m + i]; B(p, j) = b[p*n + j].
        Run(DefaultPath, a, 1, m, b, n, 1, c, m, k, n, accumulate);
    }

    /// <summary>
    /// <c>C[m×n] = A[m×k]·B[k×n]</c> (or <c>+=</c>) where row i of A starts at <c>a[i·lda]</c>: a set of rows of a larger
    /// matrix read in place, such as one time step of a (batch, steps, features) sequence (lda = steps·features).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MatMulRows(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        if (m < 0 || k < 0 || n < 0) ThrowNegative(m, k, n);
        if (lda < k) throw new ArgumentOutOfRangeException(nameof(lda), $"The row stride {lda} is shorter than a row of {k} floats.");
        long need = m == 0 ? 0 : (long)(m - 1) * lda + k;
        if (a.Length < need || b.Length < (long)k * n || c.Length < (long)m * n) ThrowLength(a.Length, b.Length, c.Length, m, k, n);
        Run(DefaultPath, a, lda, 1, b, n, 1, c, m, k, n, accumulate);
    }

    /// <summary>
    /// Floats <see cref="PackB"/> writes for a k×n right operand on this machine's widest path: k·n rounded up to whole
    /// column panels; 0 without SIMD, where <see cref="MatMulPacked"/> is not available.
    /// </summary>
    internal static int PackedBSize(int k, int n)
    {
        int nr = PanelWidth(DefaultPath);
        return nr == 0 ? 0 : (n + nr - 1) / nr * nr * k;
    }

    /// <summary>
    /// Packs B (k×n; with <paramref name="transposed"/> B = bᵀ for b stored n×k) once into the column panels the
    /// micro-kernels read, for a B that many products share (an RNN's recurrent kernel at every time step): panel q, columns
    /// q·NR.., is k rows of NR floats (zero past column n) at q·k·NR. <see cref="MatMulPacked"/> then skips the packing and
    /// gives <see cref="MatMulTransposeB"/>'s result bit for bit, and <see cref="MatMul"/>'s above <see cref="SmallRows"/>
    /// rows (at most that many rows, MatMul streams a row-major B unpacked, summing in another order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackB(ReadOnlySpan<float> b, bool transposed, Span<float> packed, int k, int n)
    {
        int size = PackedBSize(k, n);
        if (size == 0) throw new InvalidOperationException("Packed products need SIMD.");
        if (b.Length < (long)k * n || packed.Length < size) ThrowLength(0, b.Length, packed.Length, 0, k, n);
        int nr = PanelWidth(DefaultPath);
        int bps = transposed ? 1 : n, bjs = transposed ? k : 1;
        for (int q = 0; q * nr < n; q++) Pack(b, bps, bjs, 0, k, q * nr, n, nr, packed.Slice(q * k * nr, k * nr));
    }

    /// <summary><c>C[m×n] = A[m×k]·B</c> (or <c>+=</c>) with B packed by <see cref="PackB"/> for the same k and n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MatMulPacked(ReadOnlySpan<float> a, ReadOnlySpan<float> packed, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        int size = PackedBSize(k, n);
        if (size == 0) throw new InvalidOperationException("Packed products need SIMD.");
        Check(a.Length, 0, c.Length, m, k, 0);
        if (packed.Length < size || c.Length < (long)m * n) ThrowLength(a.Length, packed.Length, c.Length, m, k, n);
        fixed (float* pp = packed) Run(DefaultPath, a, k, 1, default, n, 1, c, m, k, n, accumulate, prepacked: pp);
    }

    /// <summary>
    /// Floats <see cref="PackStrips"/> writes for a k×n row-major right operand: k·n where the packed small-row product
    /// <see cref="MatMulStrips"/> applies (AVX-512 and n a multiple of its 128-column strip), else 0.
    /// </summary>
    internal static int StripPackedSize(int k, int n) => DefaultPath == 512 && n % StripColumns == 0 ? k * n : 0;

    private const int StripColumns = 128; // the 512-bit small-M strip: 8 vectors of 16

    /// <summary>
    /// Copies a row-major B (k×n) into 128-column strips, strip q (columns 128q..) as k rows of 128 floats at q·k·128: the
    /// order in which the small-row kernel reads it, so that a product of one to four rows (an LSTM's recurrent GEMV at
    /// batch 1) streams B from one contiguous run per strip instead of 512-byte pieces a row apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackStrips(ReadOnlySpan<float> b, Span<float> packed, int k, int n)
    {
        int size = StripPackedSize(k, n);
        if (size == 0) throw new InvalidOperationException("Strip-packed products need AVX-512 and n a multiple of 128.");
        if (b.Length < (long)k * n || packed.Length < size) ThrowLength(0, b.Length, packed.Length, 0, k, n);
        for (int q = 0; q < n / StripColumns; q++)
            for (int p = 0; p < k; p++)
                b.Slice(p * n + q * StripColumns, StripColumns).CopyTo(packed.Slice((q * k + p) * StripColumns, StripColumns));
    }

    /// <summary>
    /// <c>C[m×n] = A[m×k]·B</c> (or <c>+=</c>) for m ≤ 4 rows with B packed by <see cref="PackStrips"/>: the same kernel and
    /// summation order as <see cref="MatMul"/> on those rows, so the same result bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MatMulStrips(ReadOnlySpan<float> a, ReadOnlySpan<float> packed, Span<float> c, int m, int k, int n, bool accumulate = false)
    {
        int size = StripPackedSize(k, n);
        if (size == 0) throw new InvalidOperationException("Strip-packed products need AVX-512 and n a multiple of 128.");
        if (m > SmallRows) throw new ArgumentOutOfRangeException(nameof(m), m, $"Strip-packed products take at most {SmallRows} rows.");
        Check(a.Length, packed.Length, c.Length, m, k, n); // the packed B holds exactly k·n floats
        if (k == 0)
        {
            if (!accumulate) c.Slice(0, m * n).Clear();
            return;
        }
        if (m == 0 || n == 0) return;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(packed);
        ref float rc = ref MemoryMarshal.GetReference(c);
        for (int i = 0; i < m;)
        {
            int rows = m - i == 3 ? 3 : m - i >= 2 ? 2 : 1;
            ref float ai = ref Unsafe.Add(ref ra, (nint)i * k);
            ref float ci = ref Unsafe.Add(ref rc, (nint)i * n);
            for (int q = 0; q < n / StripColumns; q++)
            {
                ref float bq = ref Unsafe.Add(ref rb, (nint)q * k * StripColumns);
                ref float cq = ref Unsafe.Add(ref ci, q * StripColumns);
                if (rows == 3) Strip<W512, Vector512<float>, ThreeRows>(ref ai, k, 1, ref bq, StripColumns, ref cq, k, n, accumulate, null, false);
                else if (rows == 2) Strip<W512, Vector512<float>, TwoRows>(ref ai, k, 1, ref bq, StripColumns, ref cq, k, n, accumulate, null, false);
                else Strip<W512, Vector512<float>, OneRow>(ref ai, k, 1, ref bq, StripColumns, ref cq, k, n, accumulate, null, false);
            }
            i += rows;
        }
    }

    private static int PanelWidth(int path) => path == 512 ? 32 : path == 256 ? 16 : path == 128 ? 8 : 0;

    /// <summary>
    /// <c>C[m×n] = A[m×k]·B[k×n] + bias</c>, then ReLU when <paramref name="relu"/> (a Dense layer's forward pass with its
    /// epilogue): the bias is added to each register tile as its first k panel is stored and ReLU applied as its last is, so
    /// C is written once. Equal bit for bit to copying the bias into every row of C, <see cref="MatMul"/> with
    /// <c>accumulate</c>, then <see cref="Activations.Relu"/>. An empty <paramref name="bias"/> means none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MatMulBias(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int m, int k, int n, bool relu)
        => MatMulBiasOnPath(DefaultPath, a, b, bias, c, m, k, n, relu);

    /// <summary><see cref="MatMulBias"/> on a chosen <paramref name="path"/> (512, 256, 128 or 1): the tests' hook.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MatMulBiasOnPath(int path, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int m, int k, int n, bool relu)
    {
        Check(a.Length, b.Length, c.Length, m, k, n);
        if (!bias.IsEmpty && bias.Length < n)
            throw new ArgumentException($"bias must hold {n} floats (n), but has {bias.Length}.", nameof(bias));
        fixed (float* pb = bias)
            Run(path, a, k, 1, b, n, 1, c, m, k, n, false, bias.IsEmpty ? null : pb, relu);
    }

    private static void Check(int aLength, int bLength, int cLength, int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0) ThrowNegative(m, k, n);
        if (aLength < (long)m * k || bLength < (long)k * n || cLength < (long)m * n) ThrowLength(aLength, bLength, cLength, m, k, n);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegative(int m, int k, int n)
        => throw new ArgumentOutOfRangeException(nameof(m), $"Matrix dimensions must be non-negative (m={m}, k={k}, n={n}).");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(int aLength, int bLength, int cLength, int m, int k, int n)
        => throw new ArgumentException($"GEMM with m={m}, k={k}, n={n} needs a ≥ {(long)m * k}, b ≥ {(long)k * n}, c ≥ {(long)m * n} floats; got {aLength}, {bLength}, {cLength}.");

    /// <summary>The widest accelerated path: 512 (AVX-512), 256 (AVX2), 128 (SSE / AdvSimd) or 1 (scalar).</summary>
    internal static int DefaultPath => VectorWidth.Widest;

    /// <summary>Test hook: runs one variant (0 = A·B, 1 = A·Bᵀ, 2 = Aᵀ·B) on a chosen <paramref name="path"/> (512, 256, 128 or 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MultiplyOnPath(int path, int variant, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        Check(a.Length, b.Length, c.Length, m, k, n);
        switch (variant)
        {
            case 0: Run(path, a, k, 1, b, n, 1, c, m, k, n, accumulate); break;
            case 1: Run(path, a, k, 1, b, 1, k, c, m, k, n, accumulate); break;
            default: Run(path, a, 1, m, b, n, 1, c, m, k, n, accumulate); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Run(int path, ReadOnlySpan<float> a, int ars, int acs, ReadOnlySpan<float> b, int bps, int bjs, Span<float> c, int m, int k, int n, bool accumulate,
        float* bias = null, bool relu = false, float* prepacked = null)
    {
        // prepacked non-null: B packed by PackB for DefaultPath's panel width (b is then unused).
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c.Slice(0, m * n).Clear();
            for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                ref float cij = ref c[i * n + j];
                if (bias != null) cij = accumulate ? cij + bias[j] : bias[j];
                if (relu) cij = W1.Relu(cij);
            }
            return;
        }
        if (path == 1)
        {
            Scalar(a, ars, acs, b, bps, bjs, c, m, k, n, accumulate, bias, relu);
            return;
        }
        if (bjs == 1 && m <= SmallRows && prepacked == null)
        {
            // A few rows against a row-major B (batch-1 and small-batch Dense): packing B would copy more than
            // the product reads, so stream B's rows in place with C's rows held in registers.
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            ref float rc = ref MemoryMarshal.GetReference(c);
            if (path == 512) SmallM<W512, Vector512<float>>(ref ra, ars, acs, ref rb, bps, b.Length, ref rc, m, k, n, accumulate, bias, relu);
            else if (path == 256) SmallM<W256, Vector256<float>>(ref ra, ars, acs, ref rb, bps, b.Length, ref rc, m, k, n, accumulate, bias, relu);
            else SmallM<W128, Vector128<float>>(ref ra, ars, acs, ref rb, bps, b.Length, ref rc, m, k, n, accumulate, bias, relu);
            return;
        }
        // At most 16 columns (Dense(10)): the 512-bit panel of 32 columns would multiply more padding than data, the
        // 256-bit one (16 columns) half as much. Not for a prepacked B: its panels are as wide as the path it was packed for.
        if (path == 512 && n <= 16 && prepacked == null) path = 256;
        int nr = PanelWidth(path);
        int colTasks = (n + nr - 1) / nr;
        int threads = (long)m * k * n >= ParallelMacs ? Math.Min(Parallelism.MaxThreads, MaxThreads) : 1;
        int rowTasks = 1;
        if (threads > 1 && colTasks < 4 * threads)
            rowTasks = Math.Max(1, Math.Min((4 * threads + colTasks - 1) / colTasks, m / 48));
        int rowBlock = (m + rowTasks - 1) / rowTasks;
        rowBlock = (rowBlock + Mr - 1) / Mr * Mr;
        rowTasks = (m + rowBlock - 1) / rowBlock;
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new Job
            {
                A = pa, B = pb, C = pc, BLength = b.Length, Packed = prepacked,
                Ars = ars, Acs = acs, Bps = bps, Bjs = bjs, M = m, K = k, N = n,
                Accumulate = accumulate, ColTasks = colTasks, RowBlock = rowBlock, Bias = bias, Relu = relu,
            };
            int items = colTasks * rowTasks;
            int depth = PanelDepth(k);
            if (prepacked == null && (threads <= 1 || items == 1) && colTasks > 1 && m > Mr && (long)colTasks * depth * nr <= SweepPackedFloats
                && !((long)m * k > LargeA && n >= PackAMinColumns))
            {
                // One thread, several column panels: pack every panel of a k-block once, then let each 6-row group of A
                // (in L1) pass over all of them, so A is read once per k-block instead of once per panel. A prepacked B
                // goes through Block, which reads its panels in place.
                if (path == 512) Sweep<W512, Vector512<float>>(ref job, depth);
                else if (path == 256) Sweep<W256, Vector256<float>>(ref job, depth);
                else Sweep<W128, Vector128<float>>(ref job, depth);
                return;
            }
            // When A is larger than about 1 MiB, run one k-block of every item at a time, so that block of A
            // stays in L2 while all column panels pass over it (otherwise each panel re-streams all of A).
            bool largeA = (long)m * k > LargeA;
            int step = largeA ? depth : k;
            float[]? packedA = null;
            if (largeA && n >= PackAMinColumns)
            {
                // Also copy each k-block of A into 6-row groups (row fastest): the micro-kernel's six row
                // streams then sit in one contiguous run instead of six rows a power-of-two stride apart
                // (1024 floats apart for SGEMM 1024³), which alias onto the same L1 sets.
                int need = (m + Mr - 1) / Mr * Mr * depth;
                packedA = t_packedA;
                if (packedA == null || packedA.Length < need) t_packedA = packedA = new float[need];
            }
            fixed (float* pp = packedA) // the packed copy of A, if any, stays pinned for the whole product
            {
                for (int p0 = 0; p0 < k; p0 += step)
                {
                    job.PStart = p0;
                    job.PEnd = Math.Min(k, p0 + step);
                    if (packedA != null)
                    {
                        int kc = job.PEnd - p0;
                        PackA(a, ars, acs, m, p0, kc, packedA);
                        job.GroupStride = Mr * kc;
                        job.A = pp;
                    }
                    if (threads <= 1 || items == 1)
                    {
                        for (int i = 0; i < items; i++) RunItem(path, i, ref job);
                    }
                    else if (path == 512)
                    {
                        Parallelism.For(items, threads, &Item512, &job);
                    }
                    else if (path == 256)
                    {
                        Parallelism.For(items, threads, &Item256, &job);
                    }
                    else
                    {
                        Parallelism.For(items, threads, &Item128, &job);
                    }
                }
            }
        }
    }

    [ThreadStatic]
    private static float[]? t_packedA;

    [ThreadStatic]
    private static float[]? t_packedB; // pinned: Sweep's packed k-block of B

    // Floats of packed B (all column panels of one k-block) up to which Sweep runs: 512 KiB, half this core's L2.
    private const long SweepPackedFloats = 1 << 17;

    /// <summary>
    /// The single-threaded blocked loop in the other order: per k-block, every column panel of B packed once (into a pinned
    /// per-thread buffer), then each 6-row group of A runs against all panels while its rows sit in L1. Every element of C
    /// gets the same micro-kernel calls, panels and epilogue as in <see cref="Block"/>, so the results are identical.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sweep<TW, TV>(ref Job job, int depth)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int Nr = 2 * TW.Count, m = job.M, k = job.K, n = job.N, panels = job.ColTasks;
        int panelFloats = depth * Nr, lastCols = n - (panels - 1) * Nr;
        int need = panels * panelFloats + 16;
        float[]? buffer = t_packedB;
        if (buffer == null || buffer.Length < need) t_packedB = buffer = GC.AllocateUninitializedArray<float>(need, pinned: true);
        float* packed = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        packed += (int)((64 - ((nint)packed & 63)) & 63) / sizeof(float); // the micro-kernel's panel loads on cache lines
        Span<float> tile = Align64(stackalloc float[Mr * Nr + 16], Mr * Nr);
        ref float tRef = ref MemoryMarshal.GetReference(tile);
        var b = new ReadOnlySpan<float>(job.B, job.BLength);
        ref float a0 = ref Unsafe.AsRef<float>(job.A);
        ref float c0 = ref Unsafe.AsRef<float>(job.C);
        nint ars = job.Ars, acs = job.Acs;
        for (int p0 = 0; p0 < k; p0 += depth)
        {
            int kc = Math.Min(depth, k - p0);
            for (int jt = 0; jt < panels; jt++)
                Pack(b, job.Bps, job.Bjs, p0, kc, jt * Nr, n, Nr, new Span<float>(packed + (nint)jt * panelFloats, kc * Nr));
            bool add = job.Accumulate || p0 > 0;
            float* bias = p0 == 0 ? job.Bias : null;
            bool relu = job.Relu && p0 + kc == k;
            int i = 0;
            for (; i + Mr <= m; i += Mr)
            {
                ref float ai = ref Unsafe.Add(ref a0, (nint)i * ars + (nint)p0 * acs);
                for (int jt = 0; jt < panels; jt++)
                {
                    ref float pRef = ref *(packed + (nint)jt * panelFloats);
                    ref float ci = ref Unsafe.Add(ref c0, (nint)i * n + jt * Nr);
                    float* pBias = bias == null ? null : bias + jt * Nr;
                    if (jt < panels - 1 || lastCols == Nr)
                    {
                        Micro6<TW, TV>(ref ai, ars, acs, ref pRef, kc, ref ci, n, add, pBias, relu);
                    }
                    else
                    {
                        Micro6<TW, TV>(ref ai, ars, acs, ref pRef, kc, ref tRef, Nr, false);
                        MergeTile(ref tRef, Mr, Nr, ref ci, n, lastCols, add, pBias, relu);
                    }
                }
            }
            for (; i < m; i++)
            {
                ref float ai = ref Unsafe.Add(ref a0, (nint)i * ars + (nint)p0 * acs);
                for (int jt = 0; jt < panels; jt++)
                {
                    ref float pRef = ref *(packed + (nint)jt * panelFloats);
                    ref float ci = ref Unsafe.Add(ref c0, (nint)i * n + jt * Nr);
                    float* pBias = bias == null ? null : bias + jt * Nr;
                    if (jt < panels - 1 || lastCols == Nr)
                    {
                        Micro1<TW, TV>(ref ai, acs, ref pRef, kc, ref ci, add, pBias, relu);
                    }
                    else
                    {
                        Micro1<TW, TV>(ref ai, acs, ref pRef, kc, ref tRef, false);
                        MergeTile(ref tRef, 1, Nr, ref ci, n, lastCols, add, pBias, relu);
                    }
                }
            }
        }
    }

    /// <summary>A(i, p0 + p) for p &lt; kc into <paramref name="dst"/>: group g of rows 6g..6g+5 at g·6·kc, element (r, p) at p·6 + r; rows past m are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(ReadOnlySpan<float> a, int ars, int acs, int m, int p0, int kc, float[] dst)
    {
        ref float src = ref MemoryMarshal.GetReference(a);
        ref float d0 = ref MemoryMarshal.GetArrayDataReference(dst);
        for (int g = 0; g * Mr < m; g++)
        {
            int r0 = g * Mr, rows = Math.Min(Mr, m - r0);
            ref float d = ref Unsafe.Add(ref d0, (nint)g * Mr * kc);
            if (rows < Mr) new Span<float>(dst, g * Mr * kc, Mr * kc).Clear();
            if (acs == 1)
            {
                for (int r = 0; r < rows; r++)
                {
                    ref float s = ref Unsafe.Add(ref src, (nint)(r0 + r) * ars + p0);
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref d, p * Mr + r) = Unsafe.Add(ref s, p);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    ref float s = ref Unsafe.Add(ref src, (nint)(p0 + p) * acs + (nint)r0 * ars);
                    for (int r = 0; r < rows; r++) Unsafe.Add(ref d, p * Mr + r) = Unsafe.Add(ref s, (nint)r * ars);
                }
            }
        }
    }

    // Products of at least this many multiply-adds (about 30 µs on one core) are split over threads. Measured
    // with 2^19 (5 µs): the seed MLP's training step at batch 32 (products of 0.5-3.2 M multiply-adds) ran
    // 0.72x as fast on two threads as on one here, the hand-offs costing more than the halves saved.
    private const long ParallelMacs = 1 << 22;
    // More threads than this never pay on the shapes here; bounds the items per product.
    private const int MaxThreads = 64;
    // Columns of C from which copying a large A into 6-row groups pays: the copy costs about one cycle per
    // element, the product n/32 FMA cycles per element (measured: a loss at n = 128, a gain at n = 1024).
    private const int PackAMinColumns = 512;
    // Floats of A above which the k-blocks become the outer loop.
    private const long LargeA = 1 << 18;
    // Up to this many rows go through the in-place small-M path.
    private const int SmallRows = 4;

    /// <summary>One product, as pointers: the spans of <see cref="Run"/> pinned for the duration of the call.</summary>
    private unsafe struct Job
    {
        public float* A, B, C;
        public float* Packed; // non-null: B already packed by PackB, panel q at q·K·NR
        public int BLength, Ars, Acs, Bps, Bjs, M, K, N, ColTasks, RowBlock, PStart, PEnd;
        public int GroupStride; // > 0: A is a packed k-block in 6-row groups of this many floats (see PackA)
        public bool Accumulate;
        public float* Bias; // the epilogue: added to the first k panel's store (null: none) ...
        public bool Relu;   // ... and ReLU applied to the last one's
    }

    private static unsafe void Item512(int item, void* job) => RunItem(512, item, ref *(Job*)job);

    private static unsafe void Item256(int item, void* job) => RunItem(256, item, ref *(Job*)job);

    private static unsafe void Item128(int item, void* job) => RunItem(128, item, ref *(Job*)job);

    /// <summary>Item = (column panel, row block): packs that panel of B chunk by chunk and runs the block's rows against it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunItem(int path, int item, ref Job job)
    {
        int colTask = item % job.ColTasks, rowTask = item / job.ColTasks;
        int r0 = rowTask * job.RowBlock, rows = Math.Min(job.RowBlock, job.M - r0);
        var b = new ReadOnlySpan<float>(job.B, job.BLength);
        ref float aRef = ref job.GroupStride > 0
            ? ref Unsafe.Add(ref Unsafe.AsRef<float>(job.A), (nint)(r0 / Mr) * job.GroupStride)
            : ref Unsafe.Add(ref Unsafe.AsRef<float>(job.A), (nint)r0 * job.Ars);
        ref float cRef = ref Unsafe.Add(ref Unsafe.AsRef<float>(job.C), (nint)r0 * job.N);
        int nr = PanelWidth(path);
        float* packed = job.Packed == null ? null : job.Packed + (nint)colTask * job.K * nr;
        if (path == 512)
            Block<W512, Vector512<float>>(ref aRef, job.Ars, job.Acs, b, job.Bps, job.Bjs, ref cRef, rows, job.K, job.N, colTask * 32, job.PStart, job.PEnd, job.GroupStride, job.Accumulate, job.Bias, job.Relu, packed);
        else if (path == 256)
            Block<W256, Vector256<float>>(ref aRef, job.Ars, job.Acs, b, job.Bps, job.Bjs, ref cRef, rows, job.K, job.N, colTask * 16, job.PStart, job.PEnd, job.GroupStride, job.Accumulate, job.Bias, job.Relu, packed);
        else
            Block<W128, Vector128<float>>(ref aRef, job.Ars, job.Acs, b, job.Bps, job.Bjs, ref cRef, rows, job.K, job.N, colTask * 8, job.PStart, job.PEnd, job.GroupStride, job.Accumulate, job.Bias, job.Relu, packed);
    }

    /// <summary>The first <paramref name="length"/> floats of <paramref name="buffer"/> from its first 64-byte boundary (buffer has 16 spare floats).</summary>
    private static unsafe Span<float> Align64(Span<float> buffer, int length)
    {
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
        int skip = (int)((64 - (address & 63)) & 63) / sizeof(float);
        return buffer.Slice(skip, length);
    }

    /// <summary>Steps of k per packed panel: all of k up to <see cref="MaxKc"/>, else equal chunks of at most <see cref="Kc"/>.</summary>
    private static int PanelDepth(int k)
    {
        if (k <= MaxKc) return k;
        int chunks = (k + Kc - 1) / Kc;
        return (k + chunks - 1) / chunks;
    }

    /// <summary>Fallback without SIMD: i-p-j order so the innermost loop runs along a row of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Scalar(ReadOnlySpan<float> a, int ars, int acs, ReadOnlySpan<float> b, int bps, int bjs, Span<float> c, int m, int k, int n, bool accumulate,
        float* bias, bool relu)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * n, n);
            if (bias != null) new ReadOnlySpan<float>(bias, n).CopyTo(row);
            else if (!accumulate) row.Clear();
            for (int p = 0; p < k; p++)
            {
                float av = a[i * ars + p * acs];
                int bo = p * bps;
                for (int j = 0; j < n; j++) row[j] += av * b[bo + j * bjs];
            }
            if (relu)
                for (int j = 0; j < n; j++) row[j] = W1.Relu(row[j]);
        }
    }

    /// <summary>Copies B(p0..p0+kc, j0..j0+nr) into <paramref name="panel"/> as kc rows of <paramref name="nr"/>, zero-padding columns ≥ n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pack(ReadOnlySpan<float> b, int bps, int bjs, int p0, int kc, int j0, int n, int nr, Span<float> panel)
    {
        int cols = Math.Min(nr, n - j0);
        if (bjs == 1)
        {
            if (cols == nr && Vector256.IsHardwareAccelerated)
            {
                // Full-width rows (nr is 8, 16 or 32): plain vector copies, no per-row call overhead.
                ref float src = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), (nint)p0 * bps + j0);
                ref float dst = ref MemoryMarshal.GetReference(panel);
                for (int p = 0; p < kc; p++)
                {
                    ref float s = ref Unsafe.Add(ref src, (nint)p * bps);
                    ref float d = ref Unsafe.Add(ref dst, (nint)p * nr);
                    for (int j = 0; j < nr; j += 8) Vector256.LoadUnsafe(ref s, (nuint)j).StoreUnsafe(ref d, (nuint)j);
                }
                return;
            }
            for (int p = 0; p < kc; p++)
            {
                b.Slice((p0 + p) * bps + j0, cols).CopyTo(panel.Slice(p * nr, cols));
                if (cols < nr) panel.Slice(p * nr + cols, nr - cols).Clear();
            }
        }
        else
        {
            // B(p, j) = b[j*bjs + p]: a transpose. 8×8 blocks go through AVX shuffles; the ragged edges
            // (and machines without AVX) read each source row sequentially and scatter with stride nr.
            if (cols < nr) panel.Slice(0, kc * nr).Clear();
            ref float src0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), (nint)j0 * bjs + p0);
            ref float dst = ref MemoryMarshal.GetReference(panel);
            int jFull = 0, pFull = 0;
            if (Avx.IsSupported)
            {
                jFull = cols & ~7;
                pFull = kc & ~7;
                for (int j = 0; j < jFull; j += 8)
                    for (int p = 0; p < pFull; p += 8)
                        Transpose8x8(ref Unsafe.Add(ref src0, (nint)j * bjs + p), bjs, ref Unsafe.Add(ref dst, (nint)p * nr + j), nr);
            }
            for (int j = 0; j < cols; j++)
            {
                ref float s = ref Unsafe.Add(ref src0, (nint)j * bjs);
                ref float d = ref Unsafe.Add(ref dst, j);
                for (int p = j < jFull ? pFull : 0; p < kc; p++) Unsafe.Add(ref d, (nint)p * nr) = Unsafe.Add(ref s, p);
            }
        }
    }

    /// <summary>Writes the transpose of the 8×8 block at <paramref name="src"/> (row stride <paramref name="ls"/>) to <paramref name="dst"/> (row stride <paramref name="ld"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float src, nint ls, ref float dst, nint ld)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref src), r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, ls));
        Vector256<float> r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 2 * ls)), r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 3 * ls));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 4 * ls)), r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 5 * ls));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 6 * ls)), r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 7 * ls));
        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, ld));
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, 2 * ld));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, 3 * ld));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 4 * ld));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 5 * ld));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 6 * ld));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 7 * ld));
    }

    // ---------------------------------------------------------------- one blocked loop, any vector width

    /// <summary>The blocked loop over one column panel of NR = 2·<typeparamref name="TW"/>.Count columns: 6 × NR and 1 × NR register tiles of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Block<TW, TV>(ref float aRef, int ars, int acs, ReadOnlySpan<float> b, int bps, int bjs, ref float cRef, int m, int k, int n, int j0, int pStart, int pEnd, int groupStride, bool accumulate,
        float* bias, bool relu, float* prepacked)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int Nr = 2 * TW.Count;
        // The micro-kernel reads the panel with full-vector loads: align it to a cache line, or every
        // second 64-byte load straddles two lines (the stack itself is only 16-byte aligned).
        Span<float> panel = Align64(stackalloc float[MaxKc * Nr + 16], MaxKc * Nr);
        Span<float> tile = Align64(stackalloc float[Mr * Nr + 16], Mr * Nr);
        ref float pRef = ref MemoryMarshal.GetReference(panel);
        ref float tRef = ref MemoryMarshal.GetReference(tile);
        int cols = Math.Min(Nr, n - j0);
        int depth = PanelDepth(k);
        // Strides the micro-kernels walk A with: in place, or inside a packed 6-row group.
        int kars = groupStride > 0 ? 1 : ars, kacs = groupStride > 0 ? Mr : acs;
        for (int p0 = pStart; p0 < pEnd; p0 += depth)
        {
            int kc = Math.Min(depth, k - p0);
            if (prepacked == null) Pack(b, bps, bjs, p0, kc, j0, n, Nr, panel);
            else pRef = ref Unsafe.AsRef<float>(prepacked + (nint)p0 * Nr);
            bool add = accumulate || p0 > 0;
            // The epilogue: the bias joins the first panel's sums as they are stored, ReLU the last panel's.
            float* pBias = p0 == 0 && bias != null ? bias + j0 : null;
            bool pRelu = relu && p0 + kc == k;
            int i = 0;
            for (; i + Mr <= m; i += Mr)
            {
                ref float ai = ref Unsafe.Add(ref aRef, groupStride > 0 ? (nint)(i / Mr) * groupStride : (nint)i * ars + (nint)p0 * acs);
                ref float ci = ref Unsafe.Add(ref cRef, (nint)i * n + j0);
                if (cols == Nr)
                {
                    Micro6<TW, TV>(ref ai, kars, kacs, ref pRef, kc, ref ci, n, add, pBias, pRelu);
                }
                else
                {
                    Micro6<TW, TV>(ref ai, kars, kacs, ref pRef, kc, ref tRef, Nr, false);
                    MergeTile(ref tRef, Mr, Nr, ref ci, n, cols, add, pBias, pRelu);
                }
            }
            for (; i < m; i++)
            {
                ref float ai = ref Unsafe.Add(ref aRef, groupStride > 0 ? (nint)(i / Mr) * groupStride + i % Mr : (nint)i * ars + (nint)p0 * acs);
                ref float ci = ref Unsafe.Add(ref cRef, (nint)i * n + j0);
                if (cols == Nr)
                {
                    Micro1<TW, TV>(ref ai, kacs, ref pRef, kc, ref ci, add, pBias, pRelu);
                }
                else
                {
                    Micro1<TW, TV>(ref ai, kacs, ref pRef, kc, ref tRef, false);
                    MergeTile(ref tRef, 1, Nr, ref ci, n, cols, add, pBias, pRelu);
                }
            }
        }
    }

    /// <summary>
    /// 6 × NR tile of C (two vectors per row: 12 accumulators, which leaves room for the two panel vectors and
    /// the broadcast even in the 16 registers of SSE/AVX2) over <paramref name="kc"/> steps of a packed panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Micro6<TW, TV>(ref float a, nint ars, nint acs, ref float panel, int kc, ref float c, nint ldc, bool add,
        float* bias = null, bool relu = false)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        if (TW.Wide && add && Sse.IsSupported)
        {
            // C is read back after the k-loop: start fetching its 12 lines now (for a large C they come from
            // L3, rows a power-of-two apart, which the hardware prefetcher does not anticipate).
            float* pc = (float*)Unsafe.AsPointer(ref c);
            for (int r = 0; r < 6; r++)
            {
                Sse.Prefetch0(pc + r * ldc);
                Sse.Prefetch0(pc + r * ldc + 16);
            }
        }
        nint w = TW.Count;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float a0 = ref a;
        ref float a1 = ref Unsafe.Add(ref a, ars);
        ref float a2 = ref Unsafe.Add(ref a, 2 * ars);
        ref float a3 = ref Unsafe.Add(ref a, 3 * ars);
        ref float a4 = ref Unsafe.Add(ref a, 4 * ars);
        ref float a5 = ref Unsafe.Add(ref a, 5 * ars);
        ref float bp = ref panel;
        nint ao = 0;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TW.Load(ref bp, 0);
            TV b1 = TW.Load(ref bp, w);
            TV x = TW.Splat(Unsafe.Add(ref a0, ao));
            c00 = TW.MulAdd(x, b0, c00);
            c01 = TW.MulAdd(x, b1, c01);
            x = TW.Splat(Unsafe.Add(ref a1, ao));
            c10 = TW.MulAdd(x, b0, c10);
            c11 = TW.MulAdd(x, b1, c11);
            x = TW.Splat(Unsafe.Add(ref a2, ao));
            c20 = TW.MulAdd(x, b0, c20);
            c21 = TW.MulAdd(x, b1, c21);
            x = TW.Splat(Unsafe.Add(ref a3, ao));
            c30 = TW.MulAdd(x, b0, c30);
            c31 = TW.MulAdd(x, b1, c31);
            x = TW.Splat(Unsafe.Add(ref a4, ao));
            c40 = TW.MulAdd(x, b0, c40);
            c41 = TW.MulAdd(x, b1, c41);
            x = TW.Splat(Unsafe.Add(ref a5, ao));
            c50 = TW.MulAdd(x, b0, c50);
            c51 = TW.MulAdd(x, b1, c51);
            bp = ref Unsafe.Add(ref bp, 2 * w);
            ao += acs;
        }
        Store2<TW, TV>(ref c, c00, c01, add, bias, relu);
        Store2<TW, TV>(ref Unsafe.Add(ref c, ldc), c10, c11, add, bias, relu);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, add, bias, relu);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, add, bias, relu);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, add, bias, relu);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, add, bias, relu);
    }

    /// <summary>
    /// <see cref="Micro6{TW, TV}"/> (without its epilogue: C is overwritten) over an A whose six rows come broadcast: value p
    /// of row r is the whole vector at <c>a[(p·6 + r)·lanes]</c>, so each step loads it instead of broadcasting a float (on
    /// x64 without AVX a broadcast is a load and a shuffle, and the shuffles compete with the multiplications and
    /// additions). The same products summed in the same order as <see cref="Micro6{TW, TV}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Micro6Broadcast<TW, TV>(ref float a, ref float panel, int kc, ref float c, nint ldc)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        nint w = TW.Count;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float ap = ref a;
        ref float bp = ref panel;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TW.Load(ref bp, 0);
            TV b1 = TW.Load(ref bp, w);
            TV x = TW.Load(ref ap, 0);
            c00 = TW.MulAdd(x, b0, c00);
            c01 = TW.MulAdd(x, b1, c01);
            x = TW.Load(ref ap, w);
            c10 = TW.MulAdd(x, b0, c10);
            c11 = TW.MulAdd(x, b1, c11);
            x = TW.Load(ref ap, 2 * w);
            c20 = TW.MulAdd(x, b0, c20);
            c21 = TW.MulAdd(x, b1, c21);
            x = TW.Load(ref ap, 3 * w);
            c30 = TW.MulAdd(x, b0, c30);
            c31 = TW.MulAdd(x, b1, c31);
            x = TW.Load(ref ap, 4 * w);
            c40 = TW.MulAdd(x, b0, c40);
            c41 = TW.MulAdd(x, b1, c41);
            x = TW.Load(ref ap, 5 * w);
            c50 = TW.MulAdd(x, b0, c50);
            c51 = TW.MulAdd(x, b1, c51);
            bp = ref Unsafe.Add(ref bp, 2 * w);
            ap = ref Unsafe.Add(ref ap, 6 * w);
        }
        Store2<TW, TV>(ref c, c00, c01, false);
        Store2<TW, TV>(ref Unsafe.Add(ref c, ldc), c10, c11, false);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, false);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, false);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, false);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, false);
    }

    /// <summary>
    /// <see cref="Micro1{TW, TV}"/> for two panels at once (<paramref name="panelStride"/> floats apart), writing their 2·NR
    /// columns side by side at <paramref name="c"/>: each broadcast serves both panels and eight accumulators are in flight
    /// instead of four. Each panel's columns are summed exactly as <see cref="Micro1{TW, TV}"/> sums them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Micro1Pair<TW, TV>(ref float a, ref float panel, nint panelStride, int kc, ref float c)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        nint w = TW.Count;
        TV c0 = default, c1 = default, d0 = default, d1 = default;
        TV e0 = default, e1 = default, f0 = default, f1 = default;
        ref float bp = ref panel;
        ref float bq = ref Unsafe.Add(ref panel, panelStride);
        nint ao = 0;
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            TV x = TW.Splat(Unsafe.Add(ref a, ao));
            TV y = TW.Splat(Unsafe.Add(ref a, ao + 1));
            c0 = TW.MulAdd(x, TW.Load(ref bp, 0), c0);
            c1 = TW.MulAdd(x, TW.Load(ref bp, w), c1);
            d0 = TW.MulAdd(y, TW.Load(ref bp, 2 * w), d0);
            d1 = TW.MulAdd(y, TW.Load(ref bp, 3 * w), d1);
            e0 = TW.MulAdd(x, TW.Load(ref bq, 0), e0);
            e1 = TW.MulAdd(x, TW.Load(ref bq, w), e1);
            f0 = TW.MulAdd(y, TW.Load(ref bq, 2 * w), f0);
            f1 = TW.MulAdd(y, TW.Load(ref bq, 3 * w), f1);
            bp = ref Unsafe.Add(ref bp, 4 * w);
            bq = ref Unsafe.Add(ref bq, 4 * w);
            ao += 2;
        }
        if (p < kc)
        {
            TV x = TW.Splat(Unsafe.Add(ref a, ao));
            c0 = TW.MulAdd(x, TW.Load(ref bp, 0), c0);
            c1 = TW.MulAdd(x, TW.Load(ref bp, w), c1);
            e0 = TW.MulAdd(x, TW.Load(ref bq, 0), e0);
            e1 = TW.MulAdd(x, TW.Load(ref bq, w), e1);
        }
        Store2<TW, TV>(ref c, TW.Add(c0, d0), TW.Add(c1, d1), false);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 2 * w), TW.Add(e0, f0), TW.Add(e1, f1), false);
    }

    /// <summary>1 × NR tile; two independent accumulator pairs halve the FMA dependency chain of a single row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Micro1<TW, TV>(ref float a, nint acs, ref float panel, int kc, ref float c, bool add, float* bias = null, bool relu = false)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        nint w = TW.Count;
        TV c0 = default, c1 = default, d0 = default, d1 = default;
        ref float bp = ref panel;
        nint ao = 0;
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            TV x = TW.Splat(Unsafe.Add(ref a, ao));
            TV y = TW.Splat(Unsafe.Add(ref a, ao + acs));
            c0 = TW.MulAdd(x, TW.Load(ref bp, 0), c0);
            c1 = TW.MulAdd(x, TW.Load(ref bp, w), c1);
            d0 = TW.MulAdd(y, TW.Load(ref bp, 2 * w), d0);
            d1 = TW.MulAdd(y, TW.Load(ref bp, 3 * w), d1);
            bp = ref Unsafe.Add(ref bp, 4 * w);
            ao += 2 * acs;
        }
        if (p < kc)
        {
            TV x = TW.Splat(Unsafe.Add(ref a, ao));
            c0 = TW.MulAdd(x, TW.Load(ref bp, 0), c0);
            c1 = TW.MulAdd(x, TW.Load(ref bp, w), c1);
        }
        Store2<TW, TV>(ref c, TW.Add(c0, d0), TW.Add(c1, d1), add, bias, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store2<TW, TV>(ref float c, TV v0, TV v1, bool add, float* bias = null, bool relu = false)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        if (bias != null)
        {
            v0 = TW.Add(v0, TW.Load(ref *bias, 0));
            v1 = TW.Add(v1, TW.Load(ref *bias, TW.Count));
        }
        else if (add)
        {
            v0 = TW.Add(v0, TW.Load(ref c, 0));
            v1 = TW.Add(v1, TW.Load(ref c, TW.Count));
        }
        if (relu)
        {
            v0 = TW.Relu(v0);
            v1 = TW.Relu(v1);
        }
        TW.Store(v0, ref c, 0);
        TW.Store(v1, ref c, TW.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store1<TW, TV>(ref float c, TV v, bool add, float* bias = null, bool relu = false)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        if (bias != null) v = TW.Add(v, TW.Load(ref *bias, 0));
        else if (add) v = TW.Add(v, TW.Load(ref c, 0));
        if (relu) v = TW.Relu(v);
        TW.Store(v, ref c, 0);
    }

    /// <summary>Copies (or adds) the first <paramref name="cols"/> columns of a <paramref name="rows"/>×<paramref name="nr"/> tile into C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void MergeTile(ref float tile, int rows, int nr, ref float c, int ldc, int cols, bool add, float* bias = null, bool relu = false)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float src = ref Unsafe.Add(ref tile, (nint)r * nr);
            ref float dst = ref Unsafe.Add(ref c, (nint)r * ldc);
            for (int j = 0; j < cols; j++)
            {
                float v = Unsafe.Add(ref src, j);
                if (bias != null) v = bias[j] + v;
                else if (add) v = Unsafe.Add(ref dst, j) + v;
                Unsafe.Add(ref dst, j) = relu ? W1.Relu(v) : v;
            }
        }
    }

    // ---------------------------------------------------------------- small M, row-major B, any vector width

    private interface IRowCount
    {
        static abstract int Count { get; }
    }

    private struct OneRow : IRowCount
    {
        public static int Count => 1;
    }

    private struct TwoRows : IRowCount
    {
        public static int Count => 2;
    }

    private struct ThreeRows : IRowCount
    {
        public static int Count => 3;
    }

    /// <summary>
    /// C = A·B (or +=) for m ≤ <see cref="SmallRows"/> rows and B(p, j) = b[p·bps + j], without packing;
    /// <paramref name="bLength"/> floats are readable from <paramref name="b"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SmallM<TW, TV>(ref float a, nint ars, nint acs, ref float b, nint bps, nint bLength, ref float c, int m, int k, int n, bool add,
        float* bias, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int i = 0;
        while (i < m)
        {
            int left = m - i;
            ref float ai = ref Unsafe.Add(ref a, i * ars);
            ref float ci = ref Unsafe.Add(ref c, (nint)i * n);
            if (left == 3) { SmallStrips<TW, TV, ThreeRows>(ref ai, ars, acs, ref b, bps, bLength, ref ci, k, n, add, bias, relu); i += 3; }
            else if (left >= 2) { SmallStrips<TW, TV, TwoRows>(ref ai, ars, acs, ref b, bps, bLength, ref ci, k, n, add, bias, relu); i += 2; }
            else { SmallStrips<TW, TV, OneRow>(ref ai, ars, acs, ref b, bps, bLength, ref ci, k, n, add, bias, relu); i += 1; }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SmallStrips<TW, TV, TR>(ref float a, nint ars, nint acs, ref float b, nint bps, nint bLength, ref float c, int k, int n, bool add,
        float* bias, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct where TR : struct, IRowCount
    {
        int w = TW.Count;
        // 8 vectors wide with 32 registers (AVX-512) for up to three rows, and with 16 (SSE, AVX2, AdvSimd) for one row:
        // 8 accumulators, the broadcast and a vector of B fit (4 left the registers half empty and each accumulator's add
        // chain waiting on its own latency). Otherwise 4. The test is written out in each place so that it is a
        // constant of the instantiation (a helper method was not inlined and left the extra accumulators on the stack).
        int strip = (TW.Wide || TR.Count == 1) ? 8 * w : 4 * w;
        int j = 0;
        for (; j + strip <= n; j += strip)
            Strip<TW, TV, TR>(ref a, ars, acs, ref Unsafe.Add(ref b, j), bps, ref Unsafe.Add(ref c, j), k, n, add, bias == null ? null : bias + j, relu);
        for (; j + w <= n; j += w)
            Strip1<TW, TV, TR>(ref a, ars, acs, ref Unsafe.Add(ref b, j), bps, ref Unsafe.Add(ref c, j), k, n, add, bias == null ? null : bias + j, relu);
        if (j < n && k > 0)
        {
            // Fewer columns than a vector (Dense(10) at batch 1): one vector per row of B, its lanes past n unused.
            StripTail<TW, TV, TR>(ref a, ars, acs, ref Unsafe.Add(ref b, j), bps, bLength - j, ref Unsafe.Add(ref c, j), k, n, n - j, add,
                bias == null ? null : bias + j, relu);
            return;
        }
        for (; j < n; j++)
        {
            for (int r = 0; r < TR.Count; r++)
            {
                ref float ar = ref Unsafe.Add(ref a, r * ars);
                float sum = 0;
                for (int p = 0; p < k; p++) sum = float.MultiplyAddEstimate(Unsafe.Add(ref ar, p * acs), Unsafe.Add(ref b, p * bps + j), sum);
                ref float cr = ref Unsafe.Add(ref c, (nint)r * n + j);
                float v = bias != null ? bias[j] + sum : add ? cr + sum : sum;
                cr = relu ? W1.Relu(v) : v;
            }
        }
    }

    /// <summary>
    /// Up to three rows × 8 vectors (32 registers: AVX-512; one row with 16 registers) or × 4 vectors (2-3 rows with
    /// 16 registers) of C held in registers while B's rows stream past.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Strip<TW, TV, TR>(ref float a, nint ars, nint acs, ref float b, nint bps, ref float c, int k, nint ldc, bool add, float* bias, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct where TR : struct, IRowCount
    {
        nint w = TW.Count;
        TV c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default, c06 = default, c07 = default;
        TV c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default, c16 = default, c17 = default;
        TV c20 = default, c21 = default, c22 = default, c23 = default, c24 = default, c25 = default, c26 = default, c27 = default;
        ref float a1 = ref Unsafe.Add(ref a, ars);
        ref float a2 = ref Unsafe.Add(ref a, 2 * ars);
        ref float bp = ref b;
        nint ao = 0;
        for (int p = 0; p < k; p++)
        {
            TV x0 = TW.Splat(Unsafe.Add(ref a, ao));
            TV x1 = TR.Count > 1 ? TW.Splat(Unsafe.Add(ref a1, ao)) : default;
            TV x2 = TR.Count > 2 ? TW.Splat(Unsafe.Add(ref a2, ao)) : default;
            TV v = TW.Load(ref bp, 0);
            c00 = TW.MulAdd(x0, v, c00);
            if (TR.Count > 1) c10 = TW.MulAdd(x1, v, c10);
            if (TR.Count > 2) c20 = TW.MulAdd(x2, v, c20);
            v = TW.Load(ref bp, w);
            c01 = TW.MulAdd(x0, v, c01);
            if (TR.Count > 1) c11 = TW.MulAdd(x1, v, c11);
            if (TR.Count > 2) c21 = TW.MulAdd(x2, v, c21);
            v = TW.Load(ref bp, 2 * w);
            c02 = TW.MulAdd(x0, v, c02);
            if (TR.Count > 1) c12 = TW.MulAdd(x1, v, c12);
            if (TR.Count > 2) c22 = TW.MulAdd(x2, v, c22);
            v = TW.Load(ref bp, 3 * w);
            c03 = TW.MulAdd(x0, v, c03);
            if (TR.Count > 1) c13 = TW.MulAdd(x1, v, c13);
            if (TR.Count > 2) c23 = TW.MulAdd(x2, v, c23);
            if (TW.Wide || TR.Count == 1)
            {
                v = TW.Load(ref bp, 4 * w);
                c04 = TW.MulAdd(x0, v, c04);
                if (TR.Count > 1) c14 = TW.MulAdd(x1, v, c14);
                if (TR.Count > 2) c24 = TW.MulAdd(x2, v, c24);
                v = TW.Load(ref bp, 5 * w);
                c05 = TW.MulAdd(x0, v, c05);
                if (TR.Count > 1) c15 = TW.MulAdd(x1, v, c15);
                if (TR.Count > 2) c25 = TW.MulAdd(x2, v, c25);
                v = TW.Load(ref bp, 6 * w);
                c06 = TW.MulAdd(x0, v, c06);
                if (TR.Count > 1) c16 = TW.MulAdd(x1, v, c16);
                if (TR.Count > 2) c26 = TW.MulAdd(x2, v, c26);
                v = TW.Load(ref bp, 7 * w);
                c07 = TW.MulAdd(x0, v, c07);
                if (TR.Count > 1) c17 = TW.MulAdd(x1, v, c17);
                if (TR.Count > 2) c27 = TW.MulAdd(x2, v, c27);
            }
            bp = ref Unsafe.Add(ref bp, bps);
            ao += acs;
        }
        bool eight = TW.Wide || TR.Count == 1;
        StripStore<TW, TV>(ref c, c00, c01, c02, c03, c04, c05, c06, c07, eight, add, bias, relu);
        if (TR.Count > 1) StripStore<TW, TV>(ref Unsafe.Add(ref c, ldc), c10, c11, c12, c13, c14, c15, c16, c17, eight, add, bias, relu);
        if (TR.Count > 2) StripStore<TW, TV>(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, c22, c23, c24, c25, c26, c27, eight, add, bias, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StripStore<TW, TV>(ref float c, TV v0, TV v1, TV v2, TV v3, TV v4, TV v5, TV v6, TV v7, bool eight, bool add, float* bias, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int w = TW.Count;
        Store2<TW, TV>(ref c, v0, v1, add, bias, relu);
        Store2<TW, TV>(ref Unsafe.Add(ref c, 2 * w), v2, v3, add, bias == null ? null : bias + 2 * w, relu);
        if (eight)
        {
            Store2<TW, TV>(ref Unsafe.Add(ref c, 4 * w), v4, v5, add, bias == null ? null : bias + 4 * w, relu);
            Store2<TW, TV>(ref Unsafe.Add(ref c, 6 * w), v6, v7, add, bias == null ? null : bias + 6 * w, relu);
        }
    }

    /// <summary>
    /// Up to three rows × the last <paramref name="cols"/> (&lt; one vector) columns, k split four ways as in
    /// <see cref="Strip1"/>. Each row of B is read as a whole vector whose lanes past the last column belong to the next
    /// row (or lie past the product): rows whose vector would end past the <paramref name="bAvailable"/> floats readable
    /// from <paramref name="b"/> are copied into a zero-padded vector first. Only <paramref name="cols"/> lanes are stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void StripTail<TW, TV, TR>(ref float a, nint ars, nint acs, ref float b, nint bps, nint bAvailable, ref float c, int k, nint ldc, int cols, bool add,
        float* bias, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct where TR : struct, IRowCount
    {
        int w = TW.Count;
        // Rows p < safe have p·bps + w ≤ bAvailable: their whole vector is readable.
        int safe = bAvailable < w ? 0 : (int)Math.Min(k, (bAvailable - w) / bps + 1);
        TV c00 = default, c01 = default, c02 = default, c03 = default;
        TV c10 = default, c11 = default, c12 = default, c13 = default;
        TV c20 = default, c21 = default, c22 = default, c23 = default;
        ref float a1 = ref Unsafe.Add(ref a, ars);
        ref float a2 = ref Unsafe.Add(ref a, 2 * ars);
        ref float bp = ref b;
        nint ao = 0;
        int p = 0;
        for (; p + 4 <= safe; p += 4)
        {
            TV v0 = TW.Load(ref bp, 0);
            TV v1 = TW.Load(ref bp, bps);
            TV v2 = TW.Load(ref bp, 2 * bps);
            TV v3 = TW.Load(ref bp, 3 * bps);
            c00 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao)), v0, c00);
            c01 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao + acs)), v1, c01);
            c02 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao + 2 * acs)), v2, c02);
            c03 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao + 3 * acs)), v3, c03);
            if (TR.Count > 1)
            {
                c10 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao)), v0, c10);
                c11 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao + acs)), v1, c11);
                c12 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao + 2 * acs)), v2, c12);
                c13 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao + 3 * acs)), v3, c13);
            }
            if (TR.Count > 2)
            {
                c20 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao)), v0, c20);
                c21 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao + acs)), v1, c21);
                c22 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao + 2 * acs)), v2, c22);
                c23 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao + 3 * acs)), v3, c23);
            }
            bp = ref Unsafe.Add(ref bp, 4 * bps);
            ao += 4 * acs;
        }
        Span<float> row = stackalloc float[16];
        for (; p < k; p++)
        {
            TV v0;
            if (p < safe)
            {
                v0 = TW.Load(ref bp, 0);
            }
            else
            {
                row.Clear();
                for (int j = 0; j < cols; j++) row[j] = Unsafe.Add(ref bp, j);
                v0 = TW.Load(ref MemoryMarshal.GetReference(row), 0);
            }
            c00 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao)), v0, c00);
            if (TR.Count > 1) c10 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao)), v0, c10);
            if (TR.Count > 2) c20 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao)), v0, c20);
            bp = ref Unsafe.Add(ref bp, bps);
            ao += acs;
        }
        StoreColumns<TW, TV>(ref c, TW.Add(TW.Add(c00, c01), TW.Add(c02, c03)), cols, add, row, bias, relu);
        if (TR.Count > 1) StoreColumns<TW, TV>(ref Unsafe.Add(ref c, ldc), TW.Add(TW.Add(c10, c11), TW.Add(c12, c13)), cols, add, row, bias, relu);
        if (TR.Count > 2) StoreColumns<TW, TV>(ref Unsafe.Add(ref c, 2 * ldc), TW.Add(TW.Add(c20, c21), TW.Add(c22, c23)), cols, add, row, bias, relu);
    }

    /// <summary>Stores (or adds) the first <paramref name="cols"/> lanes of <paramref name="v"/> at <paramref name="c"/>, through <paramref name="scratch"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreColumns<TW, TV>(ref float c, TV v, int cols, bool add, Span<float> scratch, float* bias, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TW.Store(v, ref MemoryMarshal.GetReference(scratch), 0);
        for (int j = 0; j < cols; j++)
        {
            float s = scratch[j];
            float r = bias != null ? bias[j] + s : add ? Unsafe.Add(ref c, j) + s : s;
            Unsafe.Add(ref c, j) = relu ? W1.Relu(r) : r;
        }
    }

    /// <summary>Up to three rows × one vector; k is split four ways over independent accumulators to hide FMA latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Strip1<TW, TV, TR>(ref float a, nint ars, nint acs, ref float b, nint bps, ref float c, int k, nint ldc, bool add, float* bias, bool relu)
        where TW : struct, IVectorWidth<TV> where TV : struct where TR : struct, IRowCount
    {
        TV c00 = default, c01 = default, c02 = default, c03 = default;
        TV c10 = default, c11 = default, c12 = default, c13 = default;
        TV c20 = default, c21 = default, c22 = default, c23 = default;
        ref float a1 = ref Unsafe.Add(ref a, ars);
        ref float a2 = ref Unsafe.Add(ref a, 2 * ars);
        ref float bp = ref b;
        nint ao = 0;
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            TV v0 = TW.Load(ref bp, 0);
            TV v1 = TW.Load(ref bp, bps);
            TV v2 = TW.Load(ref bp, 2 * bps);
            TV v3 = TW.Load(ref bp, 3 * bps);
            c00 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao)), v0, c00);
            c01 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao + acs)), v1, c01);
            c02 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao + 2 * acs)), v2, c02);
            c03 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao + 3 * acs)), v3, c03);
            if (TR.Count > 1)
            {
                c10 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao)), v0, c10);
                c11 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao + acs)), v1, c11);
                c12 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao + 2 * acs)), v2, c12);
                c13 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao + 3 * acs)), v3, c13);
            }
            if (TR.Count > 2)
            {
                c20 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao)), v0, c20);
                c21 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao + acs)), v1, c21);
                c22 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao + 2 * acs)), v2, c22);
                c23 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao + 3 * acs)), v3, c23);
            }
            bp = ref Unsafe.Add(ref bp, 4 * bps);
            ao += 4 * acs;
        }
        for (; p < k; p++)
        {
            TV v0 = TW.Load(ref bp, 0);
            c00 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a, ao)), v0, c00);
            if (TR.Count > 1) c10 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a1, ao)), v0, c10);
            if (TR.Count > 2) c20 = TW.MulAdd(TW.Splat(Unsafe.Add(ref a2, ao)), v0, c20);
            bp = ref Unsafe.Add(ref bp, bps);
            ao += acs;
        }
        Store1<TW, TV>(ref c, TW.Add(TW.Add(c00, c01), TW.Add(c02, c03)), add, bias, relu);
        if (TR.Count > 1) Store1<TW, TV>(ref Unsafe.Add(ref c, ldc), TW.Add(TW.Add(c10, c11), TW.Add(c12, c13)), add, bias, relu);
        if (TR.Count > 2) Store1<TW, TV>(ref Unsafe.Add(ref c, 2 * ldc), TW.Add(TW.Add(c20, c21), TW.Add(c22, c23)), add, bias, relu);
    }
}
