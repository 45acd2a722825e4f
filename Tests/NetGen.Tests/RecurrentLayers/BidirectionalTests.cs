using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using NetGen.Tests.EndToEnd;
using NetGen.Tests.Generator;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// Bidirectional layers whose directions stay separate (<c>BidirectionalMerge.Separate</c>, Keras merge_mode=None: ports
/// <c>forward</c>, <c>backward</c>) and whose final states are ports (<c>forward_h</c>, <c>forward_c</c>,
/// <c>backward_h</c>, <c>backward_c</c>): PyTorch float64 fixtures (tools/reference/make_bidirectional_fixtures.py),
/// finite differences (gradients flowing in through every port), and the unknown-port message.
/// </summary>
public class BidirectionalTests
{
    private const int Batch = 3;

    public static TheoryData<string> Networks() => new() { "BiLstmSeparateNet", "BiGruSeparateStateNet", "BiLstmStateNet", "BiSimpleRnnSeparateNet" };

    private static INetwork Create(string name, int seed = 3) => name switch
    {
        "BiLstmSeparateNet" => new BiLstmSeparateNet(seed),
        "BiGruSeparateStateNet" => new BiGruSeparateStateNet(seed),
        "BiLstmStateNet" => new BiLstmStateNet(seed),
        "BiSimpleRnnSeparateNet" => new BiSimpleRnnSeparateNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void MatchesPyTorch(string name)
    {
        var f = NetworkFixture.Load("bidirectional", name + ".json");
        f.AssertMatches(Create(f.Network));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var net = Create(name);
        GradientCheck.Random(net.Parameters.Length, 5, 0.6f).CopyTo(net.Parameters);
        var x = RecurrentGradientTests.PaddedInput(6, 3, 11, 0f);
        var y = GradientCheck.Random(Batch * 2, 9);
        double worst = GradientCheck.MaxError(net, x, y, Batch, Loss.MeanSquaredError);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}x the bound");
    }

    [Fact]
    public void UnknownPortListsTheBidirectionalPorts()
    {
        var result = GeneratorHarness.Run("""
            using NetGen;
            [Network, Input(6, 3)]
            [LSTM(4, Bidirectional = BidirectionalMerge.Sum, ReturnState = true, Name = "bi")]
            [Dense(2, Inputs = new[] { "bi:h" })]
            public partial class OldName { }
            """);
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("NG0051", d.Id);
        Assert.Contains("its extra outputs are 'forward_h', 'forward_c', 'backward_h', 'backward_c'", d.GetMessage());
        var separate = GeneratorHarness.Run("""
            using NetGen;
            [Network, Input(6, 3)]
            [GRU(4, Bidirectional = BidirectionalMerge.Concat, Name = "bi")]
            [Dense(2, Inputs = new[] { "bi:backward" })]
            public partial class NotSeparate { }
            """);
        Assert.Contains("only with Bidirectional = BidirectionalMerge.Separate", Assert.Single(separate.GeneratorDiagnostics).GetMessage());
    }
}
