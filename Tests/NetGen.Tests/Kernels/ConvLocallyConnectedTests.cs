using System;
using System.Collections.Generic;
using NetGen.Kernels;
using Xunit;
using static NetGen.Tests.Kernels.ConvReference;

namespace NetGen.Tests.Kernels;

/// <summary>LocallyConnected1D/2D (Keras 2): hand-checked layout example and a grid with finite-difference backward.</summary>
public class ConvLocallyConnectedTests
{
    [Fact]
    public void WeightsAreNotSharedAndPatchIsChannelFastest()
    {
        // 1D, x = (3 steps, 2 channels), k = 2, F = 1: 2 positions, patch [x(t,0), x(t,1), x(t+1,0), x(t+1,1)].
        WindowGeometry g = Conv(new[] { 1, 1, 3 }, 2, 1, new[] { 1, 1, 2 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, "valid");
        float[] x = { 1, 2, 3, 4, 5, 6 };
        float[] k = { 1, 10, 100, 1000, /* position 1 */ 2, 0, 0, 0 };
        float[] bias = { 0.5f, -1 };
        var y = new float[2];
        LocallyConnected.Forward(g, x, k, bias, y, 1);
        Assert.Equal(new float[] { 4321.5f, 5 }, y);
    }

    [Fact]
    public void ParameterCountMatchesE16()
    {
        // LocallyConnected2D(4, 3) on (6, 6, 3): 16 positions · 27 · 4 + 16 · 4 = 1,792.
        WindowGeometry g = Conv(new[] { 1, 6, 6 }, 3, 4, new[] { 1, 3, 3 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, "valid");
        Assert.Equal(1792, g.OutPositions * g.WindowVolume * g.InChannels * g.OutChannels + g.OutSize);
    }

    public static IEnumerable<object[]> Grid()
    {
        foreach (int s in new[] { 1, 2, 3 })
        foreach (int k in new[] { 1, 2, 3 })
        {
            yield return new object[] { 2, 5 + s % 2, k, s, 3, 2 };
            yield return new object[] { 1, 7, k, s, 2, 3 };
        }
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void MatchesReference(int rank, int n, int k, int s, int cin, int f)
    {
        WindowGeometry g = ConvolutionTests.GridGeometry(rank, n, k, s, 1, "valid", cin, f);
        const int batch = 2;
        ConvFamilyCheck.Run(g.ToString(), batch * g.InSize, g.OutPositions * g.WindowVolume * cin * f, g.OutSize, batch * g.OutSize,
            (x, kk, b) => LocallyConnectedForward(g, x, kk, b, batch),
            (x, kk, b, y) => LocallyConnected.Forward(g, x, kk, b, y, batch),
            (x, dy, dk, db) => LocallyConnected.BackwardWeights(g, x, dy, dk, db, batch),
            (dy, kk, dx) => LocallyConnected.BackwardInput(g, dy, kk, dx, batch));
    }
}
