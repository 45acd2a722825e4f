using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>Pooling, global pooling, padding, cropping and up-sampling against tools/reference/make_pool_fixtures.py.</summary>
public class PoolPyTorchFixtureTests
{
    private sealed record Fixture(string Name, string Op, int[]? Geometry, int Positions, int Channels, float[] X, double[] Y, float[] Dy, double[] Dx);

    private static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pool");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in System.IO.Directory.GetFiles(Directory, "*.json").OrderBy(f => f, StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesPyTorch(string file)
    {
        var f = JsonSerializer.Deserialize<Fixture>(File.ReadAllText(Path.Combine(Directory, file)), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var y = new float[f.Y.Length];
        var dx = new float[f.X.Length];
        const int batch = 2;
        if (f.Op is "globalmax" or "globalavg")
        {
            if (f.Op == "globalmax")
            {
                GlobalPooling.MaxForward(f.X, y, batch, f.Positions, f.Channels);
                GlobalPooling.MaxBackward(f.X, y, f.Dy, dx, batch, f.Positions, f.Channels);
            }
            else
            {
                GlobalPooling.AverageForward(f.X, y, batch, f.Positions, f.Channels);
                GlobalPooling.AverageBackward(f.Dy, dx, batch, f.Positions, f.Channels);
            }
        }
        else
        {
            var a = f.Geometry!;
            var g = new WindowGeometry(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19]);
            Assert.Equal(f.Y.Length, batch * g.OutSize);
            switch (f.Op)
            {
                case "max":
                    Pooling.MaxForward(g, f.X, y, batch);
                    Pooling.MaxBackward(g, f.X, y, f.Dy, dx, batch);
                    break;
                case "avg":
                    Pooling.AverageForward(g, f.X, y, batch);
                    Pooling.AverageBackward(g, f.Dy, dx, batch);
                    break;
                case "pad":
                    Spatial.ZeroPad(g, f.X, y, batch);
                    Spatial.ZeroPadBackward(g, f.Dy, dx, batch);
                    break;
                case "crop":
                    Spatial.Crop(g, f.X, y, batch);
                    Spatial.CropBackward(g, f.Dy, dx, batch);
                    break;
                case "upsample":
                    Spatial.UpSample(g, f.X, y, batch);
                    Spatial.UpSampleBackward(g, f.Dy, dx, batch);
                    break;
                default:
                    throw new InvalidDataException(f.Op);
            }
        }
        // float32 against float64: sums of at most 27 terms of O(1) values.
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - f.Y[i]) <= 1e-5 * Math.Abs(f.Y[i]) + 1e-6, $"y[{i}]: expected {f.Y[i]}, got {y[i]}");
        for (int i = 0; i < dx.Length; i++) Assert.True(Math.Abs(dx[i] - f.Dx[i]) <= 1e-5 * Math.Abs(f.Dx[i]) + 1e-6, $"dx[{i}]: expected {f.Dx[i]}, got {dx[i]}");
    }
}
