using System;
using System.Collections.Generic;
using NetGen.Kernels;
using Xunit;
using static NetGen.Tests.Kernels.ConvReference;

namespace NetGen.Tests.Kernels;

/// <summary>DepthwiseConv2D (any axes): LAYERS.md E6 channel order and a grid against the reference with finite-difference backward.</summary>
public class ConvDepthwiseTests
{
    [Fact]
    public void E6_ChannelOrder()
    {
        var g = new WindowGeometry(1, 1, 1, 2, 1, 1, 1, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0);
        var y = new float[4];
        DepthwiseConvolution.Forward(g, new float[] { 1, 10 }, new float[] { 1, 2, 3, 4 }, ReadOnlySpan<float>.Empty, y, 1);
        Assert.Equal(new float[] { 1, 2, 30, 40 }, y);
    }

    [Fact]
    public void MultiplierOneEqualsPerChannelConv2D()
    {
        // Each channel of a depthwise layer with M = 1 is the single-channel Conv2D of E1 (same, stride 2).
        WindowGeometry g = Conv(new[] { 1, 4, 4 }, 2, 2, new[] { 1, 3, 3 }, new[] { 1, 2, 2 }, new[] { 1, 1, 1 }, "same");
        var x = new float[32];
        for (int i = 0; i < 16; i++) { x[2 * i] = i + 1; x[2 * i + 1] = -(i + 1); }
        var k = new float[18];
        for (int t = 0; t < 9; t++) { k[2 * t] = t + 1; k[2 * t + 1] = 1; }
        var y = new float[8];
        DepthwiseConvolution.Forward(g, x, k, ReadOnlySpan<float>.Empty, y, 1);
        Assert.Equal(new float[] { 348, -(1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11), 252, -(3 + 4 + 7 + 8 + 11 + 12), 274, -(9 + 10 + 11 + 13 + 14 + 15), 175, -(11 + 12 + 15 + 16) }, y);
    }

    public static IEnumerable<object[]> Grid()
    {
        foreach (string pad in new[] { "valid", "same" })
        foreach ((int s, int d) in new[] { (1, 1), (2, 1), (3, 1), (1, 2) })
        foreach (int m in new[] { 1, 2 })
        {
            yield return new object[] { 2, 5, 3, s, d, pad, 3, m };
            yield return new object[] { 2, 6, 2, s, d, pad, 17, m }; // 17 channels: vector body plus a tail
            yield return new object[] { 1, 7, 3, s, d, pad, 2, m };
        }
        yield return new object[] { 3, 4, 2, 1, 1, "same", 2, 2 };
        yield return new object[] { 3, 5, 3, 2, 1, "valid", 3, 1 };
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void MatchesReference(int rank, int n, int k, int s, int d, string pad, int c, int m)
    {
        WindowGeometry g = ConvolutionTests.GridGeometry(rank, n, k, s, d, pad, c, c * m);
        const int batch = 2;
        ConvFamilyCheck.Run(g.ToString(), batch * g.InSize, g.WindowVolume * c * m, c * m, batch * g.OutSize,
            (x, kk, b) => DepthwiseForward(g, x, kk, b, batch),
            (x, kk, b, y) => DepthwiseConvolution.Forward(g, x, kk, b, y, batch),
            (x, dy, dk, db) => DepthwiseConvolution.BackwardWeights(g, x, dy, dk, db, batch),
            (dy, kk, dx) => DepthwiseConvolution.BackwardInput(g, dy, kk, dx, batch));
    }
}
