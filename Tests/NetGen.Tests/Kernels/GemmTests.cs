using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

public class GemmTests
{
    private static readonly int[] Sizes = { 0, 1, 3, 7, 17, 33, 65 };

    /// <summary>The SIMD paths this machine can run natively, plus the scalar fallback.</summary>
    public static IEnumerable<object[]> Paths()
    {
        if (Vector512.IsHardwareAccelerated) yield return new object[] { 512 };
        if (Vector256.IsHardwareAccelerated) yield return new object[] { 256 };
        if (Vector128.IsHardwareAccelerated) yield return new object[] { 128 };
        yield return new object[] { 1 };
    }

    // A(i, p) and B(p, j) as each variant stores them.
    private static double A(float[] a, int variant, int i, int p, int m, int k) => variant == 2 ? a[p * m + i] : a[i * k + p];
    private static double B(float[] b, int variant, int p, int j, int k, int n) => variant == 1 ? b[j * k + p] : b[p * n + j];

    private static void Check(int path, int variant, int m, int k, int n, bool accumulate, int seed)
    {
        float[] a = TestUtil.Uniform(seed, m * k);
        float[] b = TestUtil.Uniform(seed + 1, k * n);
        float[] c0 = TestUtil.Uniform(seed + 2, m * n);
        float[] c = (float[])c0.Clone();
        if (path == 0)
        {
            if (variant == 0) Gemm.MatMul(a, b, c, m, k, n, accumulate);
            else if (variant == 1) Gemm.MatMulTransposeB(a, b, c, m, k, n, accumulate);
            else Gemm.MatMulTransposeA(a, b, c, m, k, n, accumulate);
        }
        else
        {
            Gemm.MultiplyOnPath(path, variant, a, b, c, m, k, n, accumulate);
        }
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = accumulate ? c0[i * n + j] : 0, abs = Math.Abs(sum);
            for (int p = 0; p < k; p++)
            {
                double t = A(a, variant, i, p, m, k) * B(b, variant, p, j, k, n);
                sum += t;
                abs += Math.Abs(t);
            }
            // Float summation of k+1 terms in any order (blocked, FMA) is within γ_(k+1)·Σ|terms| of the exact
            // sum, γ_q ≈ q·2^-24; a missing or wrong term is of order Σ|terms|/k, far above this bound.
            double tol = (k + 2) * Math.Pow(2, -24) * abs + 1e-30;
            double err = Math.Abs(c[i * n + j] - sum);
            if (!(err <= tol))
                Assert.Fail($"path {path} variant {variant} m={m} k={k} n={n} acc={accumulate}: C[{i},{j}] = {c[i * n + j]}, expected {sum} (err {err:E2} > {tol:E2})");
        }
    }

    /// <summary>
    /// The epilogue (<see cref="Gemm.MatMulBias"/>: bias added and ReLU applied to each register tile as it is stored) equals
    /// the unfused sequence bit for bit: the bias copied into C, the product accumulated onto it, then
    /// <see cref="Activations.Relu"/>. Sizes cover the in-place small-M path (m ≤ 4, column tails narrower than a vector),
    /// the packed path (full and partial column panels, several k panels, the one-row kernel) and k = 0.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void BiasAndReluEpilogueEqualsBiasCopyThenProductThenRelu(int path)
    {
        int seed = 900;
        foreach (var (m, k, n) in new[] { (1, 784, 128), (1, 64, 10), (3, 128, 10), (4, 33, 65), (2, 17, 7), (256, 784, 128), (13, 531, 47), (7, 65, 33), (9, 0, 5), (6, 300, 16) })
        foreach (bool relu in new[] { false, true })
        foreach (bool withBias in new[] { true, false })
        {
            float[] a = TestUtil.Uniform(seed++, m * k), b = TestUtil.Uniform(seed++, k * n), bias = TestUtil.Uniform(seed++, n);
            var expected = new float[m * n];
            for (int i = 0; i < m; i++)
                if (withBias) bias.AsSpan().CopyTo(expected.AsSpan(i * n, n));
            Gemm.MultiplyOnPath(path, 0, a, b, expected, m, k, n, accumulate: withBias);
            if (relu) Activations.Relu(expected, expected);

            var c = new float[m * n];
            c.AsSpan().Fill(float.NaN);
            Gemm.MatMulBiasOnPath(path, a, b, withBias ? bias : default, c, m, k, n, relu);
            for (int i = 0; i < c.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(c[i]) == BitConverter.SingleToInt32Bits(expected[i]),
                    $"path {path} m={m} k={k} n={n} relu={relu} bias={withBias}: C[{i}] = {c[i]:R}, unfused {expected[i]:R}");
            if (relu && k > 0 && m * n >= 20) Assert.Contains(c, v => v == 0f); // the ReLU did clip something
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void AllVariantsMatchDoubleReferenceOverOddSizes(int path)
    {
        int seed = 0;
        foreach (int m in Sizes)
        foreach (int k in Sizes)
        foreach (int n in Sizes)
        for (int variant = 0; variant < 3; variant++)
        {
            Check(path, variant, m, k, n, accumulate: false, seed++);
            Check(path, variant, m, k, n, accumulate: true, seed++);
        }
    }

    [Theory]
    [InlineData(32, 784, 128)]
    [InlineData(32, 128, 64)]
    [InlineData(32, 64, 10)]
    [InlineData(784, 32, 128)]
    [InlineData(13, 531, 47)] // k spans three packed panels (256 + 256 + 19)
    [InlineData(97, 257, 70)]
    public void LargerShapesMatchOnEveryPath(int m, int k, int n)
    {
        for (int variant = 0; variant < 3; variant++)
        {
            Check(0, variant, m, k, n, accumulate: false, 1000 + variant);
            Check(0, variant, m, k, n, accumulate: true, 2000 + variant);
            foreach (object[] p in Paths())
                Check((int)p[0], variant, m, k, n, accumulate: variant == 1, 3000 + variant);
        }
    }

    /// <summary>
    /// MatMulRows (the LSTM's per-step input projection: rows (b, t) of a (batch, steps, features) sequence read in place)
    /// gives what MatMul gives on those rows copied out, bit for bit, on the small-M path (m ≤ 4) and the packed path, and
    /// refuses a span too short for the last row.
    /// </summary>
    [Theory]
    [InlineData(1, 28, 512, 28, 5)]
    [InlineData(3, 7, 33, 5, 2)]
    [InlineData(9, 28, 70, 28, 27)]
    [InlineData(40, 17, 65, 6, 0)]
    public void MatMulRowsReadsStridedRowsInPlace(int m, int k, int n, int steps, int t)
    {
        int lda = steps * k;
        float[] x = TestUtil.Uniform(7, m * lda);
        float[] b = TestUtil.Uniform(8, k * n);
        var rows = new float[m * k];
        for (int i = 0; i < m; i++) Array.Copy(x, i * lda + t * k, rows, i * k, k);
        foreach (bool accumulate in new[] { false, true })
        {
            float[] expected = TestUtil.Uniform(9, m * n), actual = (float[])expected.Clone();
            Gemm.MatMul(rows, b, expected, m, k, n, accumulate);
            Gemm.MatMulRows(x.AsSpan(t * k), lda, b, actual, m, k, n, accumulate);
            Assert.Equal(expected, actual);
        }
        Assert.Throws<ArgumentException>(() => Gemm.MatMulRows(x.AsSpan(t * k, (m - 1) * lda + k - 1), lda, b, new float[m * n], m, k, n));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MatMulRows(x, k - 1, b, new float[m * n], m, k, n));
    }

    /// <summary>
    /// MatMulPacked (a recurrent kernel packed once for every time step's GEMM) gives MatMulTransposeB's result bit for bit
    /// at every row count, and MatMul's above four rows (below, MatMul streams B unpacked), with k over one panel depth
    /// (512) and n not a whole number of panels; too short a packed buffer is refused. The shapes the unpacked product
    /// runs through Sweep (13×37×70, 32×128×512) or, at n ≤ 16 on AVX-512, the 256-bit panel (13×37×10, 20×700×16) check
    /// that a packed B keeps the panels it was packed with.
    /// </summary>
    [Theory]
    [InlineData(1, 512, 128)]
    [InlineData(5, 128, 512)]
    [InlineData(32, 512, 128)]
    [InlineData(13, 37, 70)]
    [InlineData(32, 128, 512)]
    [InlineData(13, 37, 10)]
    [InlineData(20, 700, 16)]
    public void PackedProductsMatchTheUnpackedOnes(int m, int k, int n)
    {
        if (Gemm.PackedBSize(k, n) == 0) return; // no SIMD: the callers take the unpacked path
        float[] a = TestUtil.Uniform(11, m * k), b = TestUtil.Uniform(12, k * n);
        var packed = new float[Gemm.PackedBSize(k, n)];
        foreach (bool transposed in new[] { false, true })
        {
            if (!transposed && m <= 4) continue;
            Gemm.PackB(b, transposed, packed, k, n);
            foreach (bool accumulate in new[] { false, true })
            {
                float[] expected = TestUtil.Uniform(13, m * n), actual = (float[])expected.Clone();
                if (transposed) Gemm.MatMulTransposeB(a, b, expected, m, k, n, accumulate);
                else Gemm.MatMul(a, b, expected, m, k, n, accumulate);
                Gemm.MatMulPacked(a, packed, actual, m, k, n, accumulate);
                Assert.Equal(expected, actual);
            }
        }
        Assert.Throws<ArgumentException>(() => Gemm.MatMulPacked(a, packed.AsSpan(1), new float[m * n], m, k, n));
    }

    /// <summary>
    /// MatMulStrips (an LSTM's recurrent GEMV at batch ≤ 4 over a kernel packed in 128-column strips) gives MatMul's result
    /// bit for bit for one to four rows, and refuses more rows or too short a packed buffer.
    /// </summary>
    [Theory]
    [InlineData(128, 512)]
    [InlineData(37, 256)]
    public void StripPackedProductsMatchMatMul(int k, int n)
    {
        if (Gemm.StripPackedSize(k, n) == 0) return; // no AVX-512: the callers take MatMul
        float[] b = TestUtil.Uniform(21, k * n);
        var packed = new float[Gemm.StripPackedSize(k, n)];
        Gemm.PackStrips(b, packed, k, n);
        for (int m = 1; m <= 4; m++)
        {
            float[] a = TestUtil.Uniform(22 + m, m * k);
            foreach (bool accumulate in new[] { false, true })
            {
                float[] expected = TestUtil.Uniform(30 + m, m * n), actual = (float[])expected.Clone();
                Gemm.MatMul(a, b, expected, m, k, n, accumulate);
                Gemm.MatMulStrips(a, packed, actual, m, k, n, accumulate);
                Assert.Equal(expected, actual);
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MatMulStrips(new float[5 * k], packed, new float[5 * n], 5, k, n));
        Assert.Throws<ArgumentException>(() => Gemm.MatMulStrips(new float[k], packed.AsSpan(1), new float[n], 1, k, n));
    }

    [Fact]
    public void KZeroClearsOrKeepsC()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.MatMul(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, c, 2, 0, 3, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c);
        Gemm.MatMulTransposeA(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, c, 2, 0, 3);
        Assert.Equal(new float[6], c);
    }

    [Fact]
    public void DoesNotWritePastC()
    {
        // n = 5 < vector width: the tail tile must not spill into the guard elements after C.
        float[] a = TestUtil.Uniform(1, 7 * 9), b = TestUtil.Uniform(2, 9 * 5);
        var c = new float[7 * 5 + 40];
        c.AsSpan(35).Fill(123f);
        for (int variant = 0; variant < 3; variant++)
        {
            if (variant == 0) Gemm.MatMul(a, b, c, 7, 9, 5);
            else if (variant == 1) Gemm.MatMulTransposeB(a, b, c, 7, 9, 5);
            else Gemm.MatMulTransposeA(a, b, c, 7, 9, 5);
            for (int i = 35; i < c.Length; i++) Assert.Equal(123f, c[i]);
        }
    }

    [Fact]
    public void RejectsShortSpans()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[3];
        Assert.Throws<ArgumentException>(() => Gemm.MatMul(a, b, c, 2, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MatMul(a, b, c, -1, 3, 2));
    }

    /// <summary>
    /// Products above the threading threshold split into (column panel, row block) items over the worker
    /// pool; with 1, 2 and 3 threads every element is summed in the same order, so the results must agree
    /// bit for bit, and match the double reference (one thread runs the k-block-outer sweep over all column panels, several
    /// threads the per-panel items). Also covers the small-M in-place path (m ≤ 4) at sizes with full 128-column strips,
    /// 16-column strips and a tail narrower than a vector.
    /// </summary>
    [Theory]
    [InlineData(260, 300, 70)]   // rows split (3 column panels < 4·threads); above the 2^22 threading threshold
    [InlineData(80, 200, 300)]   // columns split
    [InlineData(4, 784, 150)]    // small M: 128 + 16 + 6 columns
    [InlineData(3, 1000, 128)]
    [InlineData(601, 700, 70)]   // A above 2^18 floats: k-blocks outermost (601 = 6·100 + 1)
    [InlineData(601, 700, 530)]  // ... and n ≥ 512: A packed in 6-row groups, several k-blocks, ragged last group
    [InlineData(1027, 300, 520)] // packed A, one k-block (k = 300 fits a panel); 1027 = 6·171 + 1
    public void ThreadCountDoesNotChangeTheResult(int m, int k, int n)
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            for (int variant = 0; variant < 3; variant++)
            {
                float[] a = TestUtil.Uniform(10 + variant, m * k), b = TestUtil.Uniform(20 + variant, k * n);
                float[]? first = null;
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    Parallelism.MaxThreads = threads;
                    var c = new float[m * n];
                    if (variant == 0) Gemm.MatMul(a, b, c, m, k, n);
                    else if (variant == 1) Gemm.MatMulTransposeB(a, b, c, m, k, n);
                    else Gemm.MatMulTransposeA(a, b, c, m, k, n);
                    if (first == null) first = c;
                    else Assert.Equal(first, c);
                }
                Parallelism.MaxThreads = 2;
                Check(0, variant, m, k, n, accumulate: true, 40 + variant);
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void MaxThreadsRejectsZero()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxThreads = 0);
        Assert.Equal("value", e.ParamName);
    }
}
