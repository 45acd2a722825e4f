using System;
using System.Collections.Generic;
using NetGen.Kernels;
using Xunit;
using static NetGen.Tests.Kernels.ConvReference;

namespace NetGen.Tests.Kernels;

/// <summary>Conv2DTranspose (generalised to 1–3 axes): LAYERS.md E5 and a grid against the scatter reference with finite-difference backward.</summary>
public class ConvTransposedTests
{
    private static float[] Forward(in WindowGeometry g, float[] x, float[] k, float[]? bias, int batch = 1)
    {
        var y = new float[batch * g.OutSize];
        y.AsSpan().Fill(float.NaN);
        TransposedConvolution.Forward(g, x, k, bias ?? Array.Empty<float>(), y, batch, new float[TransposedConvolution.WorkspaceLength(g)]);
        return y;
    }

    private static WindowGeometry T2D(int n, int k, int s, bool same)
        => Transposed(new[] { 1, n, n }, 1, 1, new[] { 1, k, k }, new[] { 1, s, s }, new[] { 1, 1, 1 }, same);

    [Fact]
    public void E5_WorkedExamples()
    {
        float[] x = { 1, 2, 3, 4 };
        float[] k3 = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        Assert.Equal(new float[] { 1, 2, 5, 4, 6, 4, 5, 14, 10, 12, 10, 14, 36, 24, 30, 12, 15, 34, 20, 24, 21, 24, 55, 32, 36 },
            Forward(T2D(2, 3, 2, false), x, k3, null));
        WindowGeometry same2 = T2D(2, 3, 2, true);
        Assert.Equal((4, 0), (same2.OutH, same2.PadH));
        Assert.Equal(new float[] { 1, 2, 5, 4, 4, 5, 14, 10, 10, 14, 36, 24, 12, 15, 34, 20 }, Forward(same2, x, k3, null));
        Assert.Equal(new float[] { 1, 4, 7, 6, 7, 23, 33, 24, 19, 53, 63, 42, 21, 52, 59, 36 }, Forward(T2D(2, 3, 1, false), x, k3, null));
        WindowGeometry same1 = T2D(2, 3, 1, true);
        Assert.Equal((2, 1), (same1.OutH, same1.PadH));
        Assert.Equal(new float[] { 23, 33, 53, 63 }, Forward(same1, x, k3, null));
    }

    [Fact]
    public void PositionsPastTheFullResultGetOnlyTheBias()
    {
        // k = 1, s = 3, valid: full length (n−1)·3 + 1 = 4, output max(k_eff, s) based = 6; the last two only bias.
        WindowGeometry g = Transposed(new[] { 1, 1, 2 }, 1, 1, new[] { 1, 1, 1 }, new[] { 1, 1, 3 }, new[] { 1, 1, 1 }, false);
        Assert.Equal(6, g.OutW);
        Assert.Equal(new float[] { 10.5f, 0.5f, 0.5f, 20.5f, 0.5f, 0.5f }, Forward(g, new float[] { 5, 10 }, new float[] { 2 }, new float[] { 0.5f }));
    }

    public static IEnumerable<object[]> Grid()
    {
        foreach (bool same in new[] { false, true })
        foreach ((int s, int d) in new[] { (1, 1), (2, 1), (3, 1), (1, 2) })
        foreach (int k in new[] { 1, 2, 3, 4 })
        {
            yield return new object[] { 2, 3 + k % 2, k, s, d, same, 2, 3 };
            if (k != 1) yield return new object[] { 1, 4, k, s, d, same, 3, 2 };
        }
        yield return new object[] { 3, 2, 3, 2, 1, true, 2, 2 };
        yield return new object[] { 3, 3, 2, 1, 2, false, 1, 2 };
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void MatchesReference(int rank, int n, int k, int s, int d, bool same, int cin, int cout)
    {
        int[] dims = rank == 1 ? new[] { 1, 1, n } : rank == 2 ? new[] { 1, n + 1, n } : new[] { n, n + 1, n };
        int[] ks = rank == 1 ? new[] { 1, 1, k } : rank == 2 ? new[] { 1, k, Math.Max(1, k - 1) } : new[] { k, k, k };
        int[] ss = rank == 1 ? new[] { 1, 1, s } : rank == 2 ? new[] { 1, s, s } : new[] { s, s, s };
        int[] ds = rank == 1 ? new[] { 1, 1, d } : rank == 2 ? new[] { 1, d, d } : new[] { d, d, d };
        WindowGeometry g = Transposed(dims, cin, cout, ks, ss, ds, same);
        const int batch = 2;
        var ws = new float[TransposedConvolution.WorkspaceLength(g)];
        ConvFamilyCheck.Run(g.ToString(), batch * g.InSize, g.WindowVolume * cin * cout, cout, batch * g.OutSize,
            (x, kk, b) => TransposedForward(g, x, kk, b, batch),
            (x, kk, b, y) => TransposedConvolution.Forward(g, x, kk, b, y, batch, ws),
            (x, dy, dk, db) => TransposedConvolution.BackwardWeights(g, x, dy, dk, db, batch, ws),
            (dy, kk, dx) => TransposedConvolution.BackwardInput(g, dy, kk, dx, batch, ws));
    }
}
