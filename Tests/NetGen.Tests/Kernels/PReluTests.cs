using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Kernels;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>PReLU: the kernels against tools/reference/make_prelu_fixtures.py (PyTorch autograd, float64), and a generated network's gradients against finite differences.</summary>
public class PReluTests
{
    private static float[] F(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static int[] I(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    public static TheoryData<string> Cases => new() { "elementwise", "per_channel_image", "shared_middle" };

    private static JsonElement Case(string name)
        => JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "prelu", "prelu.json"))).RootElement
            .GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>Row-major strides of alpha over the input's axes, 0 along shared axes (alpha's extent there is 1).</summary>
    private static int[] Strides(int[] alphaShape, int[] shared)
    {
        var strides = new int[alphaShape.Length];
        int stride = 1;
        for (int d = alphaShape.Length - 1; d >= 0; d--)
        {
            strides[d] = shared.Contains(d + 1) ? 0 : stride;
            stride *= alphaShape[d];
        }
        return strides;
    }

    /// <summary>float32 against float64: 1e-5 relative plus 1e-6 absolute.</summary>
    private static void Close(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Abs(expected[i]) + 1e-6, $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchPyTorch(string name)
    {
        var f = Case(name);
        var shape = I(f, "shape");
        var strides = Strides(I(f, "alphaShape"), I(f, "sharedAxes"));
        int batch = f.GetProperty("batch").GetInt32();
        var x = F(f, "x");
        var alpha = F(f, "alpha");
        var y = new float[x.Length];
        PRelu.Forward(x, alpha, y, batch, shape, strides);
        Close(F(f, "y"), y, "y");
        var dx = new float[x.Length];
        var dAlpha = Enumerable.Repeat(123f, alpha.Length).ToArray(); // overwritten, not accumulated
        PRelu.Backward(x, alpha, F(f, "dy"), dx, dAlpha, batch, shape, strides);
        Close(F(f, "dx"), dx, "dx");
        Close(F(f, "dAlpha"), dAlpha, "dAlpha");
        // In place, and without an input gradient.
        var inPlace = (float[])x.Clone();
        PRelu.Forward(inPlace, alpha, inPlace, batch, shape, strides);
        Close(F(f, "y"), inPlace, "y in place");
        var dAlphaOnly = new float[alpha.Length];
        PRelu.Backward(x, alpha, F(f, "dy"), Span<float>.Empty, dAlphaOnly, batch, shape, strides);
        Close(F(f, "dAlpha"), dAlphaOnly, "dAlpha without dx");
    }

    [Fact]
    public void GeneratedNetworkGradientsMatchFiniteDifferences()
    {
        var net = new PReluNet(4);
        Assert.Equal(2 * 2 * 2 * 3 + 3 /* conv */ + 3 /* alpha per channel */ + 27 * 2 + 2 /* dense */ + 2 /* alpha per unit */, PReluNet.ParameterCount);
        // Nonzero slopes, so the negative side carries a gradient to check.
        var p = net.Parameters;
        foreach (var info in PReluNet.ParameterLayout.Where(i => i.Name.EndsWith("/alpha", StringComparison.Ordinal)))
            for (int i = 0; i < info.Length; i++) p[info.Offset + i] = 0.1f + 0.05f * i;
        const int batch = 3;
        var x = GradientCheck.Random(batch * PReluNet.InputLength, 7);
        var y = GradientCheck.Distributions(batch, 2, 8);
        // A small step: PReLU has a kink at 0, which a step of 1e-2 could straddle.
        double worst = GradientCheck.MaxError(net, x, y, batch, Loss.CategoricalCrossentropy, h: 2e-3f);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}× the bound");
    }

    [Fact]
    public void AlphaHasTheKerasShapeAndStartsAtZero()
    {
        var layout = PReluNet.ParameterLayout.Where(i => i.Name.EndsWith("/alpha", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { "p_re_lu/alpha", "p_re_lu_1/alpha" }, layout.Select(i => i.Name));
        Assert.Equal(new[] { 1, 1, 3 }, layout[0].Shape);
        Assert.Equal(new[] { 2 }, layout[1].Shape);
        var net = new PReluNet(1);
        Assert.All(layout, i => Assert.True(net.Parameters.Slice(i.Offset, i.Length).ToArray().All(v => v == 0)));
    }
}
