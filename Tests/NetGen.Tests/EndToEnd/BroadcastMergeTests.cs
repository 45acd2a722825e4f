using System;
using System.IO;
using System.Text.Json;
using NetGen;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// Merge layers on inputs that broadcast (Keras: sizes of 1 repeat), against PyTorch float64 fixtures written by
/// tools/reference/make_broadcast_fixtures.py, and against finite differences: a squeeze-and-excitation gate (1, 1, C)
/// times an (H, W, C) map, and a per-step scalar (T, 1) added to, subtracted from and compared with a (T, C) sequence.
/// </summary>
public class BroadcastMergeTests
{
    private sealed record Fixture(string Network, int Batch, float[] Parameters, float[] Input, float[] Target, double[] Output, double LossValue, double[] Gradients);

    private static Fixture Load(string name)
        => JsonSerializer.Deserialize<Fixture>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "broadcast", name + ".json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    private static INetwork Create(string name) => name == "SqueezeExcite" ? new SqueezeExcite() : new StepBias();

    private static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Abs(expected) + 2e-6, $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [InlineData("SqueezeExcite")]
    [InlineData("StepBias")]
    public void MatchesPyTorch(string name)
    {
        var f = Load(name);
        var net = Create(name);
        Assert.Equal(f.Parameters.Length, net.ParameterCount);
        f.Parameters.CopyTo(net.Parameters);
        var output = new float[f.Output.Length];
        net.Predict(f.Input, output, f.Batch);
        for (int i = 0; i < output.Length; i++) Close(f.Output[i], output[i], $"output[{i}]");
        float loss = net.ComputeGradients(f.Input, f.Target, f.Batch, Loss.MeanSquaredError);
        Close(f.LossValue, loss, "loss");
        var g = net.Gradients;
        for (int i = 0; i < g.Length; i++) Close(f.Gradients[i], g[i], $"gradient[{i}]");
    }

    [Theory]
    [InlineData("SqueezeExcite")]
    [InlineData("StepBias")]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var f = Load(name);
        var net = Create(name);
        f.Parameters.CopyTo(net.Parameters);
        GradientCheck.AssertMatches(net, f.Input, f.Target, f.Batch, Loss.MeanSquaredError);
    }
}

[Network]
[Input(4, 4, 3, Name = "x")]
[GlobalAveragePooling2D(Name = "pool")]
[Dense(3, Activation = Activation.Sigmoid, Name = "gate_dense")]
[Reshape(1, 1, 3, Name = "gate")]
[Multiply("x", "gate", Name = "scaled")]
[Flatten]
[Dense(2)]
public partial class SqueezeExcite { }

[Network]
[Input(5, 3, Name = "x")]
[Dense(1, Name = "s")]
[Add("x", "s", Name = "plus")]
[Subtract("x", "s", Name = "minus")]
[Maximum("x", "s", Name = "max")]
[Concatenate("plus", "minus", "max")]
[Flatten]
[Dense(2)]
public partial class StepBias { }
