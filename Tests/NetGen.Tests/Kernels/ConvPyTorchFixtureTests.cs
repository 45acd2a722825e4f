using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// Compares the convolution-family kernels with PyTorch (float64, rounded to float32) on the fixtures written by
/// <c>tools/reference/make_conv_fixtures.py</c>: forward, dKernel, dBias and dx for every case. The geometry is
/// taken from the fixture, where the script computed Keras' shapes and padding independently of the C# tests.
/// Tolerance 1e-5 relative plus 1e-6 absolute: sums here have at most ~200 terms of magnitude ≤ 1, so float
/// accumulation error stays near 1e-6 relative even with cancellation, far below what a wrong tap or offset moves.
/// </summary>
public class ConvPyTorchFixtureTests
{
    private const double Rel = 1e-5, Abs = 1e-6;

    private static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "conv", name);
        Assert.True(File.Exists(path), $"Missing fixture {path}; regenerate with tools/reference/make_conv_fixtures.py");
        using FileStream stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    private static float[] Floats(JsonElement c, string property)
    {
        JsonElement e = c.GetProperty(property);
        var v = new float[e.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in e.EnumerateArray()) v[i++] = (float)item.GetDouble();
        return v;
    }

    private static WindowGeometry Geometry(JsonElement c)
    {
        var a = new int[20];
        int i = 0;
        foreach (JsonElement item in c.GetProperty("geometry").EnumerateArray()) a[i++] = item.GetInt32();
        Assert.Equal(20, i);
        return new WindowGeometry(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19]);
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (string file in new[] { "conv.json", "conv_transpose.json", "depthwise.json", "locally_connected.json" })
            foreach (JsonElement c in Load(file).GetProperty("cases").EnumerateArray())
                yield return new object[] { file, c.GetProperty("name").GetString()! };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string file, string name)
    {
        JsonElement c = default;
        foreach (JsonElement e in Load(file).GetProperty("cases").EnumerateArray())
            if (e.GetProperty("name").GetString() == name) c = e;
        WindowGeometry g = Geometry(c);
        int batch = c.GetProperty("batch").GetInt32();
        float[] x = Floats(c, "x"), k = Floats(c, "kernel"), b = Floats(c, "bias"), dy = Floats(c, "dy");
        var y = new float[batch * g.OutSize];
        var dk = new float[k.Length];
        var db = new float[b.Length];
        var dx = new float[x.Length];
        Assert.Equal(dy.Length, y.Length);
        switch (file)
        {
            case "conv.json":
            {
                var ws = new float[Convolution.WorkspaceLength(g)];
                Convolution.Forward(g, x, k, b, y, batch, ws);
                Convolution.BackwardWeights(g, x, dy, dk, db, batch, ws);
                Convolution.BackwardInput(g, dy, k, dx, batch, ws);
                break;
            }
            case "conv_transpose.json":
            {
                var ws = new float[TransposedConvolution.WorkspaceLength(g)];
                TransposedConvolution.Forward(g, x, k, b, y, batch, ws);
                TransposedConvolution.BackwardWeights(g, x, dy, dk, db, batch, ws);
                TransposedConvolution.BackwardInput(g, dy, k, dx, batch, ws);
                break;
            }
            case "depthwise.json":
                DepthwiseConvolution.Forward(g, x, k, b, y, batch);
                DepthwiseConvolution.BackwardWeights(g, x, dy, dk, db, batch);
                DepthwiseConvolution.BackwardInput(g, dy, k, dx, batch);
                break;
            default:
                LocallyConnected.Forward(g, x, k, b, y, batch);
                LocallyConnected.BackwardWeights(g, x, dy, dk, db, batch);
                LocallyConnected.BackwardInput(g, dy, k, dx, batch);
                break;
        }
        TestUtil.AllClose(TestUtil.ToDouble(Floats(c, "y")), y, Rel, Abs, $"{name} y");
        TestUtil.AllClose(TestUtil.ToDouble(Floats(c, "dkernel")), dk, Rel, Abs, $"{name} dKernel");
        TestUtil.AllClose(TestUtil.ToDouble(Floats(c, "dbias")), db, Rel, Abs, $"{name} dBias");
        TestUtil.AllClose(TestUtil.ToDouble(Floats(c, "dx")), dx, Rel, Abs, $"{name} dx");
    }
}
