using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NetGen.Tests.EndToEnd;
using NetGen.Tests.Generator;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// <c>TimeDistributed = true</c> (Keras' TimeDistributed wrapper): the generated test networks
/// (EndToEnd/TimeDistributedNetworks.cs) against PyTorch float64 fixtures from
/// tools/reference/make_time_distributed_fixtures.py (PyTorch modules applied step by step), finite differences, the
/// wrapper's naming and weights, dropout per step, and the diagnostics NG0052/NG0053 with their exact spans.
/// </summary>
public class TimeDistributedTests
{
    private const int Batch = 3;

    public static TheoryData<string> Networks() => new() { "TdDenseNet", "TdConvNet", "TdVideoNet", "TdLstmNet" };

    private static INetwork Create(string name, int seed = 3) => name switch
    {
        "TdDenseNet" => new TdDenseNet(seed),
        "TdConvNet" => new TdConvNet(seed),
        "TdVideoNet" => new TdVideoNet(seed),
        "TdLstmNet" => new TdLstmNet(seed),
        "TdDropoutNet" => new TdDropoutNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void MatchesPyTorch(string name)
    {
        var f = NetworkFixture.Load("time-distributed", name + ".json");
        f.AssertMatches(Create(f.Network));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var net = Create(name);
        GradientCheck.Random(net.Parameters.Length, 5, 0.6f).CopyTo(net.Parameters);
        var x = GradientCheck.Random(Batch * net.InputLength, 11);
        var y = GradientCheck.Random(Batch * net.OutputLength, 9);
        // Max pooling switches its winner under a step that straddles a tie: a small step for the video network.
        float h = name == "TdVideoNet" ? 1e-3f : 1e-2f;
        double worst = GradientCheck.MaxError(net, x, y, Batch, Loss.MeanSquaredError, h);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}x the bound");
    }

    [Fact]
    public void WrapperIsNamedAsKerasAndKeepsTheInnerWeightNames()
    {
        Assert.Equal(new[] { "time_distributed/kernel", "time_distributed/bias", "time_distributed_2/kernel", "time_distributed_2/bias" },
            TdDenseNet.ParameterLayout.Select(p => p.Name).ToArray());
        Assert.Equal(new[] { "time_distributed/kernel", "time_distributed/bias", "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "dense/kernel", "dense/bias" },
            TdVideoNet.ParameterLayout.Select(p => p.Name).ToArray());
        // The wrapped layer's shapes are one step's: Dense(4) on (2, 3) has a (3, 4) kernel, as Keras builds it.
        Assert.Equal(new[] { 3, 4 }, TdDenseNet.ParameterLayout[0].Shape.ToArray());
        Assert.Equal(new[] { 3, 3, 2, 3 }, TdVideoNet.ParameterLayout[0].Shape.ToArray());
    }

    [Fact]
    public void DropoutDrawsOneMaskElementPerStepAndIsOffAtInference()
    {
        // Dense(5) -> Dropout(0.5) per step -> Dense(2): with identity-like weights the training output shows the mask.
        var net = new TdDropoutNet(3);
        var p = net.Parameters;
        p.Clear();
        var layout = TdDropoutNet.ParameterLayout;
        var k1 = layout.Single(l => l.Name == "time_distributed/kernel");
        for (int i = 0; i < 5; i++) p[k1.Offset + i * 5 + i] = 1; // kernel (6, 5): unit i copies feature i
        var k2 = layout.Single(l => l.Name == "time_distributed_2/kernel");
        p[k2.Offset + 0] = 1; // kernel (5, 2): output 0 is unit 0
        const int n = 64;
        var x = Enumerable.Repeat(1f, n * 4 * 6).ToArray();
        var predicted = new float[n * 4 * 2];
        net.Predict(x, predicted, n);
        Assert.All(Enumerable.Range(0, n * 4), r => Assert.Equal(1f, predicted[r * 2]));
        net.ComputeGradients(x, new float[n * 4 * 2], n, Loss.MeanSquaredError);
        var trained = net.TrainingOutput.ToArray();
        int kept = 0;
        for (int r = 0; r < n * 4; r++)
        {
            Assert.True(trained[r * 2] is 0f or 2f, $"row {r}: {trained[r * 2]} is neither dropped (0) nor kept and scaled by 1/(1 − 0.5)");
            if (trained[r * 2] == 2f) kept++;
        }
        // 256 independent draws at rate 0.5: the kept count is 128 ± 8 (one standard deviation); 4.5 sigma is 36.
        Assert.InRange(kept, 128 - 36, 128 + 36);
        // Steps of one sample are not all dropped or kept together (one mask per step, not per sequence).
        Assert.Contains(Enumerable.Range(0, n), b => Enumerable.Range(0, 4).Select(t => trained[(b * 4 + t) * 2]).Distinct().Count() == 2);
    }

    // ------------------------------------------------------------------ diagnostics

    private static Diagnostic Single(string marked, string id)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        var source = marked.Replace("[|", "").Replace("|]", "");
        var result = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(TextSpan.FromBounds(start, end), diagnostic.Location.SourceSpan);
        Assert.Empty(result.Sources);
        return diagnostic;
    }

    [Fact]
    public void InputWithoutATimeAxisIsReported()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(6)]
            [Dense(4, TimeDistributed = [|true|])]
            public partial class Flat { }
            """, "NG0053");
        Assert.Equal("Dense 'time_distributed': TimeDistributed needs an input (steps, ...) with a time axis and a per-step shape (rank at least 2), but its input (6) has rank 1", d.GetMessage());
    }

    [Fact]
    public void PerStepShapeErrorsComeFromTheWrappedLayer()
    {
        // Conv2D per step of (5, 8, 3) sees (8, 3): rank 2, not (height, width, channels).
        var result = GeneratorHarness.Run("""
            using NetGen;
            [Network, Input(5, 8, 3)]
            [Conv2D(4, 3, TimeDistributed = true)]
            public partial class Thin { }
            """);
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("NG0017", d.Id);
        Assert.Contains("(8, 3)", d.GetMessage());
    }

    [Theory]
    [InlineData("[Masking(TimeDistributed = [|true|])]", "Masking starts a padding mask")]
    [InlineData("[Lambda(nameof(F), TimeDistributed = [|true|])]", "a Lambda's method sees whole samples")]
    [InlineData("[BatchNormalization(TimeDistributed = [|true|])]", "a trainable BatchNormalization normalizes each step")]
    [InlineData("[LSTM(2, ReturnState = true, TimeDistributed = [|true|])]", "its extra outputs ('h', 'c') would be per step")]
    [InlineData("[Add(\"input_layer\", \"input_layer\", TimeDistributed = [|true|])]", "it reads several inputs")]
    public void LayersThatCannotBeWrappedAreReported(string layer, string reason)
    {
        var d = Single($$"""
            using NetGen;
            [Network, Input(3, 4, 2)]
            {{layer}}
            public partial class Wrapped
            {
                private static void F(System.ReadOnlySpan<float> x, System.Span<float> y, int n) => x.CopyTo(y);
            }
            """, "NG0052");
        Assert.Contains("TimeDistributed cannot wrap this layer: " + reason, d.GetMessage());
    }

    [Fact]
    public void FrozenBatchNormalizationIsPerSampleAndWraps()
    {
        var result = GeneratorHarness.Run("""
            using NetGen;
            [Network, Input(3, 4, 2)]
            [BatchNormalization(TimeDistributed = true, Trainable = false)]
            public partial class Frozen { }
            """);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Single(result.Sources);
    }
}
