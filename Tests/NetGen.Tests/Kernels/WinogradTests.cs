using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="WinogradConvolution"/> (F(2×2, 3×3)) against the double-precision direct convolution of
/// <see cref="ConvReference"/>: odd image sizes (partial 2×2 blocks at the right and bottom edges), valid and same
/// padding, channel counts that leave vector tails at every width (1, 3, 17 input and 1, 5, 33 output channels beside
/// whole vectors), blocks spanning several samples, ReLU and linear, with and without bias, and the max-pooling form.
/// The tool script tools/test-widths.sh reruns these at 256 and 128 bits.
/// </summary>
/// <remarks>
/// Tolerance: each output may differ from the exact value by <c>1e-5 · Σ|x·k|</c> (the sum of the magnitudes of the
/// terms of its dot product, plus |bias|): F(2×2, 3×3) adds at most a small constant factor to float rounding of that
/// sum (its transforms only add, subtract and halve), while a wrong tap, transform coefficient or tile offset makes an
/// error of the size of the terms themselves.
/// </remarks>
public class WinogradTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int, int, string, int, int, int> Shapes => new()
    {
        // h, w, padding, cin, cout, batch
        { 13, 13, "valid", 32, 64, 1 },   // the small CNN's second convolution (11×11 out: a partial block per edge)
        { 13, 13, "valid", 32, 64, 3 },
        { 8, 8, "valid", 1, 32, 2 },      // even output (6×6), one input channel
        { 9, 7, "same", 3, 5, 2 },        // padding on every side, tails in both channel counts
        { 5, 6, "same", 17, 33, 1 },
        { 3, 3, "valid", 4, 16, 5 },      // a single output per sample
        { 4, 3, "same", 16, 1, 2 },       // one output channel
        { 30, 29, "valid", 8, 48, 2 },    // several blocks per sample
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesDirectConvolution(int h, int w, string padding, int cin, int cout, int batch)
    {
        var g = ConvReference.Conv(new[] { 1, h, w }, cin, cout, new[] { 1, 3, 3 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, padding);
        Assert.True(WinogradConvolution.Applies(g));
        float[] x = TestUtil.Uniform(11, batch * g.InSize), kernel = TestUtil.Uniform(12, 9 * cin * cout), bias = TestUtil.Uniform(13, cout);
        foreach (bool withBias in new[] { true, false })
        foreach (var activation in new[] { Activation.Relu, Activation.Linear })
        {
            var y = new float[batch * g.OutSize];
            y.AsSpan().Fill(float.NaN);
            WinogradConvolution.Forward(g, x, kernel, withBias ? bias : default, y, batch, new float[WinogradConvolution.WorkspaceLength(g)],
                new float[WinogradConvolution.CacheLength(g)], activation);
            var (expected, scale) = Reference(g, x, kernel, withBias ? bias : null, batch, activation == Activation.Relu);
            AssertClose(expected, scale, y, $"{h}x{w} {padding} {cin}->{cout} b{batch} bias={withBias} {activation}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMaxPoolMatchesDirectConvolutionThenPooling(int h, int w, string padding, int cin, int cout, int batch)
    {
        var g = ConvReference.Conv(new[] { 1, h, w }, cin, cout, new[] { 1, 3, 3 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, padding);
        if (g.OutH < 2 || g.OutW < 2) return; // nothing to pool
        var pool = new WindowGeometry(1, g.OutH, g.OutW, cout, 1, g.OutH / 2, g.OutW / 2, cout, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0);
        Assert.True(WinogradConvolution.PoolApplies(g, pool));
        float[] x = TestUtil.Uniform(21, batch * g.InSize), kernel = TestUtil.Uniform(22, 9 * cin * cout), bias = TestUtil.Uniform(23, cout);
        foreach (var activation in new[] { Activation.Relu, Activation.Linear })
        {
            var y = new float[batch * pool.OutSize];
            y.AsSpan().Fill(float.NaN);
            WinogradConvolution.ForwardMaxPool(g, pool, x, kernel, bias, y, batch, new float[WinogradConvolution.WorkspaceLength(g)],
                new float[WinogradConvolution.CacheLength(g)], activation);
            var (conv, scale) = Reference(g, x, kernel, bias, batch, activation == Activation.Relu);
            var expected = new double[y.Length];
            var expectedScale = new double[y.Length];
            for (int b = 0; b < batch; b++)
            for (int ph = 0; ph < pool.OutH; ph++)
            for (int pw = 0; pw < pool.OutW; pw++)
            for (int f = 0; f < cout; f++)
            {
                double best = double.NegativeInfinity, s = 0;
                for (int dh = 0; dh < 2; dh++)
                for (int dw = 0; dw < 2; dw++)
                {
                    int at = b * g.OutSize + ((2 * ph + dh) * g.OutW + 2 * pw + dw) * cout + f;
                    best = Math.Max(best, conv[at]);
                    s = Math.Max(s, scale[at]);
                }
                int o = b * pool.OutSize + (ph * pool.OutW + pw) * cout + f;
                expected[o] = best;
                expectedScale[o] = s;
            }
            AssertClose(expected, expectedScale, y, $"pooled {h}x{w} {padding} {cin}->{cout} b{batch} {activation}");
        }
    }

    /// <summary>
    /// The broadcast path (<c>BlockBroadcast</c>: the portable x64 build's, chosen where a broadcast is a shuffle) and the
    /// panel-by-panel path, each forced at this run's width, give the same floats bit for bit (the same products summed in
    /// the same order), plain and pooled, over the shapes above: leftover rows of one to five tiles, several blocks.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void BroadcastPathEqualsThePanelPathBitForBit(int h, int w, string padding, int cin, int cout, int batch)
    {
        var g = ConvReference.Conv(new[] { 1, h, w }, cin, cout, new[] { 1, 3, 3 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, padding);
        float[] x = TestUtil.Uniform(31, batch * g.InSize), kernel = TestUtil.Uniform(32, 9 * cin * cout), bias = TestUtil.Uniform(33, cout);
        WindowGeometry? pool = g.OutH >= 2 && g.OutW >= 2
            ? new WindowGeometry(1, g.OutH, g.OutW, cout, 1, g.OutH / 2, g.OutW / 2, cout, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0)
            : null;
        foreach (var p in new[] { null, pool })
        {
            int length = batch * (p is { } q ? q.OutSize : g.OutSize);
            var panel = new float[length];
            var broadcast = new float[length];
            broadcast.AsSpan().Fill(float.NaN);
            WinogradConvolution.ForwardVia(g, p, x, kernel, bias, panel, batch, new float[WinogradConvolution.WorkspaceLength(g, false)],
                new float[WinogradConvolution.CacheLength(g)], Activation.Relu, broadcast: false);
            WinogradConvolution.ForwardVia(g, p, x, kernel, bias, broadcast, batch, new float[WinogradConvolution.WorkspaceLength(g, true)],
                new float[WinogradConvolution.CacheLength(g)], Activation.Relu, broadcast: true);
            for (int i = 0; i < length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(panel[i]) == BitConverter.SingleToInt32Bits(broadcast[i]),
                    $"{h}x{w} {padding} {cin}->{cout} b{batch} pooled={p is not null}: output {i} is {broadcast[i]:R} broadcast, {panel[i]:R} by panels");
        }
    }

    [Fact]
    public void CachedTransformFollowsKernelChanges()
    {
        var g = ConvReference.Conv(new[] { 1, 9, 10 }, 5, 19, new[] { 1, 3, 3 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, "same");
        float[] x = TestUtil.Uniform(31, 2 * g.InSize), kernel = TestUtil.Uniform(32, 9 * 5 * 19), bias = TestUtil.Uniform(33, 19);
        var ws = new float[WinogradConvolution.WorkspaceLength(g)];
        var cache = new float[WinogradConvolution.CacheLength(g)];
        var y = new float[2 * g.OutSize];
        for (int round = 0; round < 4; round++)
        {
            // Round 2 repeats round 1's kernel (the cached transform is reused); the others change one weight, or all.
            if (round == 1) kernel[7] += 0.25f;
            if (round == 3) kernel.AsSpan().Clear();
            WinogradConvolution.Forward(g, x, kernel, bias, y, 2, ws, cache, Activation.Linear);
            var (expected, scale) = Reference(g, x, kernel, bias, 2, relu: false);
            AssertClose(expected, scale, y, $"round {round}");
        }
    }

    [Fact]
    public void RejectsWhatItDoesNotCompute()
    {
        var strided = ConvReference.Conv(new[] { 1, 9, 9 }, 2, 4, new[] { 1, 3, 3 }, new[] { 1, 2, 2 }, new[] { 1, 1, 1 }, "valid");
        var g = ConvReference.Conv(new[] { 1, 9, 9 }, 2, 4, new[] { 1, 3, 3 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, "valid");
        Assert.False(WinogradConvolution.Applies(strided));
        Assert.False(WinogradConvolution.Applies(ConvReference.Conv(new[] { 1, 9, 9 }, 2, 4, new[] { 1, 3, 3 }, new[] { 1, 1, 1 }, new[] { 1, 2, 2 }, "valid")));
        Assert.False(WinogradConvolution.Applies(ConvReference.Conv(new[] { 1, 9, 9 }, 2, 4, new[] { 1, 5, 5 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, "valid")));
        var x = new float[g.InSize];
        var k = new float[9 * 2 * 4];
        var ws = new float[WinogradConvolution.WorkspaceLength(g)];
        var cache = new float[WinogradConvolution.CacheLength(g)];
        Assert.Throws<ArgumentException>("g", () => WinogradConvolution.Forward(strided, x, k, default, new float[strided.OutSize], 1, ws, cache, Activation.Relu));
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => WinogradConvolution.Forward(g, x, k, default, new float[g.OutSize], 1, ws, cache, Activation.Sigmoid));
        Assert.Throws<ArgumentException>("workspace", () => WinogradConvolution.Forward(g, x, k, default, new float[g.OutSize], 1, ws.AsSpan(1), cache, Activation.Relu));
        Assert.Throws<ArgumentException>("cache", () => WinogradConvolution.Forward(g, x, k, default, new float[g.OutSize], 1, ws, cache.AsSpan(1), Activation.Relu));
        Assert.Throws<ArgumentException>("y", () => WinogradConvolution.Forward(g, x, k, default, new float[g.OutSize - 1], 1, ws, cache, Activation.Relu));
        var stride1Pool = new WindowGeometry(1, g.OutH, g.OutW, 4, 1, g.OutH - 1, g.OutW - 1, 4, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0);
        Assert.Throws<ArgumentException>("pool", () => WinogradConvolution.ForwardMaxPool(g, stride1Pool, x, k, default, new float[stride1Pool.OutSize], 1, ws, cache, Activation.Relu));
    }

    /// <summary>The exact output (double) and, per output, the sum of the magnitudes of its terms.</summary>
    private static (double[] Y, double[] Scale) Reference(in WindowGeometry g, float[] x, float[] kernel, float[]? bias, int batch, bool relu)
    {
        double[] y = ConvReference.ConvForward(g, ConvReference.D(x), ConvReference.D(kernel), bias is null ? null : ConvReference.D(bias), batch);
        var ax = new double[x.Length];
        var ak = new double[kernel.Length];
        for (int i = 0; i < x.Length; i++) ax[i] = Math.Abs(x[i]);
        for (int i = 0; i < kernel.Length; i++) ak[i] = Math.Abs(kernel[i]);
        double[]? ab = null;
        if (bias is not null)
        {
            ab = new double[bias.Length];
            for (int i = 0; i < bias.Length; i++) ab[i] = Math.Abs(bias[i]);
        }
        double[] scale = ConvReference.ConvForward(g, ax, ak, ab, batch);
        if (relu)
            for (int i = 0; i < y.Length; i++) y[i] = Math.Max(0, y[i]);
        return (y, scale);
    }

    private static void AssertClose(double[] expected, double[] scale, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = Tolerance * scale[i] + 1e-12;
            if (!(Math.Abs(actual[i] - expected[i]) <= bound))
                Assert.Fail($"{what}: output {i} is {actual[i]}, expected {expected[i]} (bound {bound:G3})");
        }
    }
}
