using System;
using NetGen;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// <c>UpSampling2D(Interpolation = Interpolation.Bilinear)</c> against PyTorch float64 fixtures written by
/// tools/reference/make_upsampling_fixtures.py (<c>interpolate(mode="bilinear", align_corners=False)</c>, the Keras
/// convention) and against finite differences; a 1×1 convolution before the up-sampling puts its backward pass on the
/// path of a parameter gradient. Factors (2, 3) and (4, 1): clamped rows and columns at both edges, and an axis whose
/// every coordinate is exact.
/// </summary>
public class BilinearUpSamplingTests
{
    private static NetworkFixture Load(string name) => NetworkFixture.Load(name, "upsampling");

    private static INetwork Create(string name) => name == "Bilinear23" ? new Bilinear23() : new Bilinear41();

    [Theory]
    [InlineData("Bilinear23")]
    [InlineData("Bilinear41")]
    public void MatchesPyTorch(string name) => Load(name).AssertMatches(Create(name), Loss.MeanSquaredError, trainingOutput: false);

    [Theory]
    [InlineData("Bilinear23")]
    [InlineData("Bilinear41")]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var f = Load(name);
        var net = Create(name);
        f.Parameters.CopyTo(net.Parameters);
        GradientCheck.AssertMatches(net, f.Input, f.Target, f.Batch, Loss.MeanSquaredError);
    }

    /// <summary>
    /// The kernel pair against each other: the backward pass is the forward pass's transpose, <c>⟨up(x), d⟩ = ⟨x, up*(d)⟩</c>
    /// for random x and d (a wrong weight or index in either breaks the identity), for factors 1 to 4 and odd sizes.
    /// </summary>
    [Theory]
    [InlineData(1, 1, 3, 3, 2)]
    [InlineData(2, 2, 5, 4, 3)]
    [InlineData(3, 4, 2, 7, 1)]
    [InlineData(4, 1, 1, 6, 2)]
    public void BackwardIsTheTransposeOfForward(int fh, int fw, int h, int w, int c)
    {
        var g = new WindowGeometry(1, h, w, c, 1, h * fh, w * fw, c, 1, fh, fw, 1, fh, fw, 1, 1, 1, 0, 0, 0);
        var rng = new Random(7 + fh * 10 + fw);
        float[] x = new float[2 * g.InSize], d = new float[2 * g.OutSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < d.Length; i++) d[i] = (float)(rng.NextDouble() * 2 - 1);
        var y = new float[d.Length];
        var dx = new float[x.Length];
        Spatial.UpSampleBilinear(g, x, y, 2);
        Spatial.UpSampleBilinearBackward(g, d, dx, 2);
        double left = 0, right = 0, scale = 0;
        for (int i = 0; i < y.Length; i++) { left += (double)y[i] * d[i]; scale += Math.Abs((double)y[i] * d[i]); }
        for (int i = 0; i < x.Length; i++) right += (double)x[i] * dx[i];
        Assert.True(Math.Abs(left - right) <= 1e-6 * scale + 1e-9, $"<up(x), d> = {left:R}, <x, up*(d)> = {right:R}");
        // Each output's four weights sum to 1 (a partition of unity): the backward pass of all-ones sends back exactly as
        // much as there are outputs.
        var ones = new float[d.Length];
        Array.Fill(ones, 1f);
        Spatial.UpSampleBilinearBackward(g, ones, dx, 2);
        double total = 0;
        foreach (float v in dx) total += v;
        Assert.Equal(2.0 * g.OutSize, total, 3);
    }

    [Fact]
    public void AnInterpolationThatIsNotAMemberIsNG0047()
    {
        var d = NetGen.Tests.Generator.GeneratorHarness.SingleError("""
            using NetGen;
            [Network, Input(4, 4, 2)]
            [UpSampling2D(2, Interpolation = [|(Interpolation)7|])]
            public partial class Up { }
            """, "NG0047");
        Assert.Equal("UpSampling2D 'up_sampling2d': Interpolation must be Interpolation.Nearest or Interpolation.Bilinear, but is 7", d.GetMessage());
    }

    [Fact]
    public void RejectsAGeometryThatIsNotUpSampling()
    {
        var g = new WindowGeometry(1, 3, 3, 2, 1, 5, 6, 2, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0);
        var e = Assert.Throws<ArgumentException>(() => Spatial.UpSampleBilinear(g, new float[18], new float[60], 1));
        Assert.Equal("g", e.ParamName);
    }
}

[Network]
[Input(3, 4, 2)]
[Conv2D(3, 1)]
[UpSampling2D(2, 3, Interpolation = Interpolation.Bilinear)]
[Flatten]
[Dense(2)]
public partial class Bilinear23 { }

[Network]
[Input(5, 3, 1)]
[Conv2D(2, 1)]
[UpSampling2D(4, 1, Interpolation = Interpolation.Bilinear)]
[Flatten]
[Dense(2)]
public partial class Bilinear41 { }
