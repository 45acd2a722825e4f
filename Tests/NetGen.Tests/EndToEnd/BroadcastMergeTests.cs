using System;
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
    private static NetworkFixture Load(string name) => NetworkFixture.Load(name, "broadcast");

    private static INetwork Create(string name) => name == "SqueezeExcite" ? new SqueezeExcite() : new StepBias();

    [Theory]
    [InlineData("SqueezeExcite")]
    [InlineData("StepBias")]
    public void MatchesPyTorch(string name) => Load(name).AssertMatches(Create(name), Loss.MeanSquaredError, trainingOutput: false);

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
