using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>Normalization and embedding kernels against tools/reference/make_norm_fixtures.py (PyTorch, float64).</summary>
public class NormalizationPyTorchFixtureTests
{
    private static JsonElement Load(string name)
        => JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "norm", name + ".json"))).RootElement;

    private static float[] F(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static int I(JsonElement e, string name) => e.GetProperty(name).GetInt32();

    /// <summary>float32 against float64: 1e-5 relative plus 2e-6 absolute (normalised values are O(1)).</summary>
    private static void Close(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Abs(expected[i]) + 2e-6, $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void BatchNormalizationOverThreeTrainingStepsThenInference()
    {
        var f = Load("batchnorm");
        int rows = I(f, "rows"), channels = I(f, "channels");
        float momentum = (float)f.GetProperty("momentum").GetDouble(), eps = (float)f.GetProperty("epsilon").GetDouble();
        var gamma = F(f, "gamma");
        var beta = F(f, "beta");
        var movingMean = new float[channels];
        var movingVariance = Enumerable.Repeat(1f, channels).ToArray();
        var mean = new float[channels];
        var inv = new float[channels];
        int step = 0;
        foreach (var s in f.GetProperty("steps").EnumerateArray())
        {
            var x = F(s, "x");
            var y = new float[x.Length];
            BatchNormalization.TrainingForward(x, gamma, beta, movingMean, movingVariance, mean, inv, y, rows, channels, momentum, eps);
            Close(F(s, "y"), y, $"step {step} y");
            Close(F(s, "movingMean"), movingMean, $"step {step} moving mean");
            Close(F(s, "movingVariance"), movingVariance, $"step {step} moving variance");
            var dx = new float[x.Length];
            var dGamma = new float[channels];
            var dBeta = new float[channels];
            BatchNormalization.Backward(x, gamma, mean, inv, F(s, "dy"), dGamma, dBeta, dx, rows, channels);
            Close(F(s, "dx"), dx, $"step {step} dx");
            Close(F(s, "dGamma"), dGamma, $"step {step} dGamma");
            Close(F(s, "dBeta"), dBeta, $"step {step} dBeta");
            step++;
        }
        var xi = F(f, "inferenceX");
        var yi = new float[xi.Length];
        BatchNormalization.InferenceForward(xi, gamma, beta, movingMean, movingVariance, yi, rows, channels, eps);
        Close(F(f, "inferenceY"), yi, "inference y");
    }

    [Fact]
    public void LayerNormalizationMatches()
    {
        var f = Load("layernorm");
        int rows = I(f, "rows"), features = I(f, "features");
        var x = F(f, "x");
        var y = new float[x.Length];
        var mean = new float[rows];
        var inv = new float[rows];
        LayerNormalization.Forward(x, F(f, "gamma"), F(f, "beta"), y, mean, inv, rows, features, (float)f.GetProperty("epsilon").GetDouble());
        Close(F(f, "y"), y, "y");
        var dx = new float[x.Length];
        var dGamma = new float[features];
        var dBeta = new float[features];
        LayerNormalization.Backward(x, F(f, "gamma"), mean, inv, F(f, "dy"), dGamma, dBeta, dx, rows, features);
        Close(F(f, "dx"), dx, "dx");
        Close(F(f, "dGamma"), dGamma, "dGamma");
        Close(F(f, "dBeta"), dBeta, "dBeta");
    }

    [Fact]
    public void GroupNormalizationMatches()
    {
        var f = Load("groupnorm");
        int batch = I(f, "batch"), positions = I(f, "positions"), channels = I(f, "channels"), groups = I(f, "groups");
        var x = F(f, "x");
        var y = new float[x.Length];
        var mean = new float[batch * groups];
        var inv = new float[batch * groups];
        GroupNormalization.Forward(x, F(f, "gamma"), F(f, "beta"), y, mean, inv, batch, positions, channels, groups, (float)f.GetProperty("epsilon").GetDouble());
        Close(F(f, "y"), y, "y");
        var dx = new float[x.Length];
        var dGamma = new float[channels];
        var dBeta = new float[channels];
        GroupNormalization.Backward(x, F(f, "gamma"), mean, inv, F(f, "dy"), dGamma, dBeta, dx, batch, positions, channels, groups);
        Close(F(f, "dx"), dx, "dx");
        Close(F(f, "dGamma"), dGamma, "dGamma");
        Close(F(f, "dBeta"), dBeta, "dBeta");
    }

    [Fact]
    public void EmbeddingMatches()
    {
        var f = Load("embedding");
        int vocab = I(f, "inputDim"), dim = I(f, "outputDim");
        var ids = f.GetProperty("ids").EnumerateArray().Select(v => (float)v.GetInt32()).ToArray();
        var y = new float[ids.Length * dim];
        Embedding.Forward(ids, F(f, "table"), y, ids.Length, vocab, dim);
        Close(F(f, "y"), y, "y");
        var dTable = new float[vocab * dim];
        Embedding.BackwardWeights(ids, F(f, "dy"), dTable, ids.Length, vocab, dim);
        Close(F(f, "dTable"), dTable, "dTable");
    }
}
