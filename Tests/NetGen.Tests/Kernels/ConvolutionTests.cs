using System;
using System.Collections.Generic;
using NetGen.Kernels;
using Xunit;
using static NetGen.Tests.Kernels.ConvReference;

namespace NetGen.Tests.Kernels;

/// <summary>Conv1D/2D/3D kernels: LAYERS.md worked examples, a grid against the double reference, finite differences.</summary>
public class ConvolutionTests
{
    private const double Rel = 1e-5, Abs = 1e-5;

    private static readonly float[] X4 = Seq(16);
    private static readonly float[] K3 = Seq(9);

    private static float[] Seq(int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i + 1;
        return v;
    }

    internal static float[] Forward(in WindowGeometry g, float[] x, float[] k, float[]? bias, int batch = 1)
    {
        var y = new float[batch * g.OutSize];
        var ws = new float[Convolution.WorkspaceLength(g)];
        Convolution.Forward(g, x, k, bias ?? Array.Empty<float>(), y, batch, ws);
        return y;
    }

    private static WindowGeometry Conv2D(int h, int w, int k, int s, string padding, int kw = -1, int cin = 1, int cout = 1, int d = 1)
        => Conv(new[] { 1, h, w }, cin, cout, new[] { 1, k, kw < 0 ? k : kw }, new[] { 1, s, s }, new[] { 1, d, d }, padding);

    private static WindowGeometry Conv1D(int n, int k, int s, int d, string padding)
        => Conv(new[] { 1, 1, n }, 1, 1, new[] { 1, 1, k }, new[] { 1, 1, s }, new[] { 1, 1, d }, padding);

    private static void Exact(float[] expected, float[] actual) => Assert.Equal(expected, actual);

    [Fact]
    public void E1_Conv2D_X_K3()
    {
        Exact(new float[] { 348, 393, 528, 573 }, Forward(Conv2D(4, 4, 3, 1, "valid"), X4, K3, null));
        Exact(new float[] { 348 }, Forward(Conv2D(4, 4, 3, 2, "valid"), X4, K3, null));
        Exact(new float[] { 111, 178, 217, 145, 231, 348, 393, 252, 363, 528, 573, 360, 197, 274, 295, 175 },
            Forward(Conv2D(4, 4, 3, 1, "same"), X4, K3, null));
        WindowGeometry g = Conv2D(4, 4, 3, 2, "same");
        Assert.Equal((0, 0), (g.PadH, g.PadW)); // P = 1 goes after
        Exact(new float[] { 348, 252, 274, 175 }, Forward(g, X4, K3, null));
    }

    [Fact]
    public void E2_Conv2D_2x2_Same()
        => Exact(new float[] { 44, 54, 64, 28, 84, 94, 104, 44, 124, 134, 144, 60, 41, 44, 47, 16 },
            Forward(Conv2D(4, 4, 2, 1, "same"), X4, new float[] { 1, 2, 3, 4 }, null));

    [Fact]
    public void E3_Conv1D()
    {
        float[] x4 = { 1, 2, 3, 4 }, x5 = { 1, 2, 3, 4, 5 };
        Exact(new float[] { 10, 21, 32, 43 }, Forward(Conv1D(4, 2, 1, 1, "causal"), x4, new float[] { 1, 10 }, null));
        Exact(new float[] { 10, 20, 31, 42 }, Forward(Conv1D(4, 2, 1, 2, "causal"), x4, new float[] { 1, 10 }, null));
        Exact(new float[] { 9 }, Forward(Conv1D(5, 3, 1, 2, "valid"), x5, new float[] { 1, 1, 1 }, null));
        WindowGeometry same = Conv1D(5, 4, 1, 1, "same");
        Assert.Equal(1, same.PadW);
        Exact(new float[] { 20, 30, 40, 26, 14 }, Forward(same, x5, new float[] { 1, 2, 3, 4 }, null));
    }

    [Fact]
    public void IssueExamples()
    {
        Exact(new float[] { 6, 7, 10, 11 }, Forward(Conv2D(4, 4, 3, 1, "valid"), X4, new float[] { 1, 0, -1, 0, 1, 0, -1, 0, 1 }, null));
        Exact(new float[] { 3, 2, 1, -5, -4, 0, 0, -9, -8, 0, 0, -13, -29, -18, -19, -37 },
            Forward(Conv2D(4, 4, 3, 1, "same"), X4, new float[] { 0, 1, 0, 1, -4, 1, 0, 1, 0 }, null));
        // 7×7 Toeplitz input x[r, c] = t(r − c) with t(−4..6) = 0,1,2,1,0,2,1,0,2,1,0 (built so that the stride-2
        // valid correlation with [[0,1,2],[2,0,1],[1,2,0]] gives 15 on the diagonal and 6 elsewhere).
        int[] t = { 0, 1, 2, 1, 0, 2, 1, 0, 2, 1, 0 };
        var x7 = new float[49];
        for (int r = 0; r < 7; r++)
            for (int c = 0; c < 7; c++) x7[r * 7 + c] = r - c >= -4 && r - c <= 6 ? t[r - c + 4] : 0;
        float[] k = { 0, 1, 2, 2, 0, 1, 1, 2, 0 };
        WindowGeometry g = Conv2D(7, 7, 3, 2, "valid");
        float[] expected = { 15, 6, 6, 6, 15, 6, 6, 6, 15 };
        Exact(expected, Forward(g, x7, k, null));
        Assert.Equal(ConvForward(g, D(x7), D(k), null, 1), Array.ConvertAll(expected, v => (double)v));
    }

    public static IEnumerable<object[]> Grid()
    {
        // rank, spatial size, kernel, stride, dilation, padding, cin, cout
        int[] sizes = { 5, 6, 7 };
        foreach (string pad in new[] { "valid", "same" })
        foreach (int n in sizes)
        foreach ((int s, int d) in new[] { (1, 1), (2, 1), (3, 1), (1, 2) })
        foreach (int k in new[] { 1, 2, 3 })
        {
            if (pad == "valid" && d * (k - 1) + 1 > n) continue;
            yield return new object[] { 2, n, k, s, d, pad, 3, 4 };
            if (k != 2 || s == 3) yield return new object[] { 1, n + 2, k + 1, s, d, pad, 2, 5 };
        }
        foreach (string pad in new[] { "valid", "same", "causal" })
            yield return new object[] { 1, 9, 3, 1, 2, pad, 2, 3 };
        foreach (string pad in new[] { "valid", "same" })
        foreach ((int s, int d) in new[] { (1, 1), (2, 1), (1, 2) })
            yield return new object[] { 3, 5, 3, s, d, pad, 2, 3 };
        yield return new object[] { 2, 6, 1, 1, 1, "valid", 5, 7 };   // pointwise fast path
        yield return new object[] { 2, 7, 1, 2, 1, "same", 4, 3 };    // 1×1 with stride: general path
        // Direct AVX-512 forward (patch ≤ 32 floats, filters a multiple of 16): rows wide enough for the
        // eight-position blocks, padding on both sides, stride, dilation, several channels, 1D and 3D.
        yield return new object[] { 2, 20, 3, 1, 1, "valid", 1, 32 };
        yield return new object[] { 2, 21, 3, 1, 1, "same", 3, 16 };
        yield return new object[] { 2, 23, 3, 2, 1, "same", 2, 48 };
        yield return new object[] { 2, 22, 3, 1, 2, "same", 1, 16 };
        yield return new object[] { 1, 30, 5, 1, 1, "causal", 4, 32 };
        yield return new object[] { 3, 8, 3, 1, 1, "same", 1, 16 };   // W = 9: one eight-wide block
    }

    internal static WindowGeometry GridGeometry(int rank, int n, int k, int s, int d, string pad, int cin, int cout)
    {
        // Non-square shapes: H one larger than W, D one smaller.
        int[] dims = rank == 1 ? new[] { 1, 1, n } : rank == 2 ? new[] { 1, n + 1, n } : new[] { n - 1, n, n + 1 };
        int[] ks = rank == 1 ? new[] { 1, 1, k } : rank == 2 ? new[] { 1, k, k == 1 ? 1 : k - 1 + (n % 2) } : new[] { k, k, k };
        int[] ss = rank == 1 ? new[] { 1, 1, s } : rank == 2 ? new[] { 1, s, s } : new[] { s, s, s };
        int[] ds = rank == 1 ? new[] { 1, 1, d } : rank == 2 ? new[] { 1, d, d } : new[] { d, d, d };
        if (rank == 3) ds[0] = 1;
        return Conv(dims, cin, cout, ks, ss, ds, pad);
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void MatchesReference(int rank, int n, int k, int s, int d, string pad, int cin, int cout)
    {
        WindowGeometry g = GridGeometry(rank, n, k, s, d, pad, cin, cout);
        const int batch = 2;
        float[] x = TestUtil.Uniform(1, batch * g.InSize);
        float[] kernel = TestUtil.Uniform(2, g.WindowVolume * cin * cout);
        float[] bias = TestUtil.Uniform(3, cout);
        float[] dy = TestUtil.Uniform(4, batch * g.OutSize);
        var ws = new float[Convolution.WorkspaceLength(g)];

        var y = new float[batch * g.OutSize];
        y.AsSpan().Fill(float.NaN);
        Convolution.Forward(g, x, kernel, bias, y, batch, ws);
        TestUtil.AllClose(ConvForward(g, D(x), D(kernel), D(bias), batch), y, Rel, Abs, $"{g} y");

        (double[] dk, double[] db, double[] dx) = ConvBackward(g, D(x), D(kernel), D(dy), batch);
        var dKernel = new float[kernel.Length];
        var dBias = new float[cout];
        var dX = new float[x.Length];
        dKernel.AsSpan().Fill(float.NaN); dBias.AsSpan().Fill(float.NaN); dX.AsSpan().Fill(float.NaN); // overwritten, not accumulated
        ws.AsSpan().Fill(float.NaN);
        Convolution.BackwardWeights(g, x, dy, dKernel, dBias, batch, ws);
        ws.AsSpan().Fill(float.NaN);
        Convolution.BackwardInput(g, dy, kernel, dX, batch, ws);
        TestUtil.AllClose(dk, dKernel, Rel, Abs, $"{g} dK");
        TestUtil.AllClose(db, dBias, Rel, Abs, $"{g} dB");
        TestUtil.AllClose(dx, dX, Rel, Abs, $"{g} dx");
    }

    [Theory]
    [InlineData(2, 6, 3, 2, 1, "same", 2, 3)]
    [InlineData(1, 8, 3, 1, 2, "causal", 2, 2)]
    [InlineData(3, 4, 2, 1, 1, "same", 2, 2)]
    public void BackwardMatchesFiniteDifferences(int rank, int n, int k, int s, int d, string pad, int cin, int cout)
    {
        WindowGeometry g = GridGeometry(rank, n, k, s, d, pad, cin, cout);
        const int batch = 2;
        float[] x = TestUtil.Uniform(5, batch * g.InSize), kernel = TestUtil.Uniform(6, g.WindowVolume * cin * cout), bias = TestUtil.Uniform(7, cout);
        float[] dy = TestUtil.Uniform(8, batch * g.OutSize);
        var ws = new float[Convolution.WorkspaceLength(g)];
        var dKernel = new float[kernel.Length];
        var dBias = new float[cout];
        var dX = new float[x.Length];
        Convolution.BackwardWeights(g, x, dy, dKernel, dBias, batch, ws);
        Convolution.BackwardInput(g, dy, kernel, dX, batch, ws);
        double[] xd = D(x), kd = D(kernel), bd = D(bias), up = D(dy);
        double[] F(double[] a, double[] b, double[] c) => ConvForward(g, a, b, c, batch);
        for (int i = 0; i < xd.Length; i++) TestUtil.Close(FiniteDifference(F, xd, kd, bd, up, 0, i), dX[i], Rel, Abs, $"dx[{i}]");
        for (int i = 0; i < kd.Length; i++) TestUtil.Close(FiniteDifference(F, xd, kd, bd, up, 1, i), dKernel[i], Rel, Abs, $"dK[{i}]");
        for (int i = 0; i < bd.Length; i++) TestUtil.Close(FiniteDifference(F, xd, kd, bd, up, 2, i), dBias[i], Rel, Abs, $"dB[{i}]");
    }

    [Fact]
    public void EmptyBiasMeansNoneAndIsSkippedInBackward()
    {
        WindowGeometry g = Conv2D(5, 5, 3, 1, "same", cin: 2, cout: 3);
        float[] x = TestUtil.Uniform(9, g.InSize), k = TestUtil.Uniform(10, 9 * 6), dy = TestUtil.Uniform(11, g.OutSize);
        TestUtil.AllClose(ConvForward(g, D(x), D(k), null, 1), Forward(g, x, k, null), Rel, Abs, "y");
        var dk = new float[k.Length];
        Convolution.BackwardWeights(g, x, dy, dk, Span<float>.Empty, 1, new float[Convolution.WorkspaceLength(g)]);
        TestUtil.AllClose(ConvBackward(g, D(x), D(k), D(dy), 1).DK, dk, Rel, Abs, "dK");
    }

    [Fact]
    public void LargeLayerIsProcessedInBlocksOfPositions()
    {
        // 3·3·64 = 576 patch floats per row: the 64K-float workspace holds 113 of the 18·18 = 324 positions.
        WindowGeometry g = Conv2D(18, 18, 3, 1, "same", cin: 64, cout: 2);
        Assert.True(Convolution.WorkspaceLength(g) < g.OutPositions * 576);
        float[] x = TestUtil.Uniform(12, g.InSize), k = TestUtil.Uniform(13, 576 * 2), dy = TestUtil.Uniform(14, g.OutSize);
        var ws = new float[Convolution.WorkspaceLength(g)];
        TestUtil.AllClose(ConvForward(g, D(x), D(k), null, 1), Forward(g, x, k, null), Rel, 1e-4, "y");
        var dk = new float[k.Length];
        var dx = new float[x.Length];
        Convolution.BackwardWeights(g, x, dy, dk, Span<float>.Empty, 1, ws);
        Convolution.BackwardInput(g, dy, k, dx, 1, ws);
        (double[] rdk, _, double[] rdx) = ConvBackward(g, D(x), D(k), D(dy), 1);
        TestUtil.AllClose(rdk, dk, Rel, 1e-4, "dK");
        TestUtil.AllClose(rdx, dx, Rel, 1e-4, "dx");
    }

    /// <summary>
    /// A forward pass big enough to split its im2col chunks over threads (13×13×32 → 64, batch 8: five chunks)
    /// must give bit-identical results with 1 and 2 threads (each chunk is the same gather and product), and
    /// match the double reference.
    /// </summary>
    [Fact]
    public void ForwardSplitOverThreadsMatchesOneThread()
    {
        var g = new WindowGeometry(1, 13, 13, 32, 1, 11, 11, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0);
        const int batch = 8;
        float[] x = TestUtil.Uniform(11, batch * g.InSize), kernel = TestUtil.Uniform(12, 288 * 64), bias = TestUtil.Uniform(13, 64);
        var ws = new float[Convolution.WorkspaceLength(g)];
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            var y1 = new float[batch * g.OutSize];
            Convolution.Forward(g, x, kernel, bias, y1, batch, ws);
            Parallelism.MaxThreads = 2;
            var y2 = new float[batch * g.OutSize];
            y2.AsSpan().Fill(float.NaN);
            Convolution.Forward(g, x, kernel, bias, y2, batch, ws);
            Assert.Equal(y1, y2);
            TestUtil.AllClose(ConvForward(g, D(x), D(kernel), D(bias), batch), y2, Rel, Abs, "threaded y");
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
