using System;
using System.Linq;
using NetGen.Tests.EndToEnd;
using NetGen.Tests.Generator;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// Bidirectional ConvLSTM (Keras' Bidirectional(ConvLSTM…, merge_mode), EndToEnd/ConvLstmNetworks.cs): PyTorch float64
/// fixtures (tools/reference/make_convlstm_fixtures.py: the backward copy over the flipped sequence, merged on the
/// filters axis), finite differences of every weight and of the input, Keras' forward_/backward_ weight names, the
/// per-direction state ports, and no streaming.
/// </summary>
public class ConvLstmBidirectionalTests
{
    private const int Batch = 3;

    public static TheoryData<string> Networks() => new() { "ConvLstmBiConcatNet", "ConvLstmBiMulNet", "ConvLstm1DBiAveNet", "ConvLstm3DBiSumNet", "ConvLstmBiSeparateNet" };

    private static INetwork Create(string name, int seed = 3) => name switch
    {
        "ConvLstmBiConcatNet" => new ConvLstmBiConcatNet(seed),
        "ConvLstmBiMulNet" => new ConvLstmBiMulNet(seed),
        "ConvLstm1DBiAveNet" => new ConvLstm1DBiAveNet(seed),
        "ConvLstm3DBiSumNet" => new ConvLstm3DBiSumNet(seed),
        "ConvLstmBiSeparateNet" => new ConvLstmBiSeparateNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void MatchesPyTorch(string name)
    {
        var f = NetworkFixture.Load("convlstm", name + ".json");
        f.AssertMatches(Create(f.Network));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var net = Create(name);
        GradientCheck.Random(net.Parameters.Length, 5, 0.5f).CopyTo(net.Parameters);
        var x = GradientCheck.Random(Batch * net.InputLength, 11);
        var y = GradientCheck.Random(Batch * 2, 9);
        double worst = GradientCheck.MaxError(net, x, y, Batch, Loss.MeanSquaredError);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}x the bound");
    }

    [Theory]
    [InlineData("ConvLstmBiConcatNet")]
    [InlineData("ConvLstm1DBiAveNet")]
    [InlineData("ConvLstmBiSeparateNet")]
    public void InputGradientMatchesFiniteDifferences(string name)
    {
        var net = Create(name);
        GradientCheck.Random(net.Parameters.Length, 5, 0.5f).CopyTo(net.Parameters);
        var x = GradientCheck.Random(Batch * net.InputLength, 11);
        var y = GradientCheck.Random(Batch * 2, 9);
        var dx = new float[x.Length];
        net.ComputeGradients(x, y, Batch, Loss.MeanSquaredError, dx, training: true);
        double worst = ModelApi.InputGradientTests.WorstInputError(net, x, y, Batch, Loss.MeanSquaredError, dx);
        Assert.True(worst <= 1, $"input gradient: worst error is {worst:F2}x the bound");
        Assert.Contains(dx, v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void WeightsHaveKerasBidirectionalNamesAndShapes()
    {
        Assert.Equal(new[]
        {
            "conv_lstm2d/forward_conv_lstm2d/kernel", "conv_lstm2d/forward_conv_lstm2d/recurrent_kernel", "conv_lstm2d/forward_conv_lstm2d/bias",
            "conv_lstm2d/backward_conv_lstm2d/kernel", "conv_lstm2d/backward_conv_lstm2d/recurrent_kernel", "conv_lstm2d/backward_conv_lstm2d/bias", "dense/kernel", "dense/bias",
        }, ConvLstmBiConcatNet.ParameterLayout.Select(p => p.Name));
        Assert.Equal(new[] { 3, 3, 2, 8 }, ConvLstmBiConcatNet.ParameterLayout[3].Shape);
        // Concat doubles the filters axis: five steps of (5, 4, 2 + 2).
        Assert.Equal(new[] { 5 * 5 * 4 * 4, 2 }, ConvLstmBiConcatNet.ParameterLayout[6].Shape);
        Assert.Equal(new[] { "conv_lstm2d/forward_conv_lstm2d/kernel", "conv_lstm2d/forward_conv_lstm2d/recurrent_kernel", "conv_lstm2d/backward_conv_lstm2d/kernel", "conv_lstm2d/backward_conv_lstm2d/recurrent_kernel", "dense/kernel", "dense/bias" },
            ConvLstmBiMulNet.ParameterLayout.Select(p => p.Name));
        Assert.Equal(new[] { 4 * 4 * 3, 2 }, ConvLstmBiMulNet.ParameterLayout[4].Shape); // Mul keeps 3 filters
        Assert.Equal("conv_lstm1d/backward_conv_lstm1d/kernel", ConvLstm1DBiAveNet.ParameterLayout[3].Name);
        // Separate: the layer's (5, 5, 2), the backward port's, backward_h and forward_c: 8 channels.
        Assert.Equal(new[] { 5 * 5 * 8, 2 }, ConvLstmBiSeparateNet.ParameterLayout.Single(p => p.Name == "dense/kernel").Shape);
        // unit_forget_bias in both directions.
        var net = new ConvLstmBiConcatNet(7);
        foreach (var bias in ConvLstmBiConcatNet.ParameterLayout.Where(p => p.Name.EndsWith("/bias", StringComparison.Ordinal) && p.Name != "dense/bias"))
            Assert.Equal(new[] { 0f, 0f, 1f, 1f, 0f, 0f, 0f, 0f }, net.Parameters.Slice(bias.Offset, 8).ToArray());
    }

    [Fact]
    public void BidirectionalLayersDoNotStream()
    {
        Assert.Null(typeof(ConvLstmBiConcatNet).GetMethod("Step"));
        Assert.Null(typeof(ConvLstmBiMulNet).GetMethod("Step"));
    }

    [Fact]
    public void ABadMergeModeIsReportedWhereItIsWritten()
    {
        const string marked = """
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D(2, 3, Bidirectional = [|(BidirectionalMerge)9|])]
            public partial class BadMerge { }
            """;
        int start = marked.IndexOf("[|", StringComparison.Ordinal), end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        var result = GeneratorHarness.Run(marked.Replace("[|", "").Replace("|]", ""));
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("NG0047", d.Id);
        Assert.Equal(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(start, end), d.Location.SourceSpan);
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void PortsNameTheDirections()
    {
        var result = GeneratorHarness.Run("""
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D(2, 3, Bidirectional = BidirectionalMerge.Sum, Name = "b")]
            [Dense(2, Inputs = new[] { "b:h" })]
            public partial class NoStates { }
            """);
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("NG0051", d.Id);
        Assert.Contains("its two directions' outputs only with Bidirectional = BidirectionalMerge.Separate", d.GetMessage());
        result = GeneratorHarness.Run("""
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D(2, 3, Bidirectional = BidirectionalMerge.Sum, ReturnState = true, Name = "b")]
            [Dense(2, Inputs = new[] { "b:h" })]
            public partial class ForwardH { }
            """);
        Assert.Contains("'forward_h', 'forward_c', 'backward_h', 'backward_c'", Assert.Single(result.GeneratorDiagnostics).GetMessage());
    }
}
