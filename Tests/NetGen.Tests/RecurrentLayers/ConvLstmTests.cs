using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NetGen.Kernels;
using NetGen.Tests.EndToEnd;
using NetGen.Tests.Generator;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// ConvLSTM2D (EndToEnd/ConvLstmNetworks.cs): PyTorch float64 fixtures of a ConvLSTM cell written from conv2d
/// (tools/reference/make_convlstm_fixtures.py), finite differences through five steps (weights and input), Keras'
/// weight names, shapes and initialisation, dropout, diagnostics with their spans, and the generated code.
/// </summary>
public class ConvLstmTests
{
    private const int Batch = 3;

    public static TheoryData<string> Networks() => new() { "ConvLstmNet", "ConvLstmSequenceNet", "ConvLstmStateNet", "ConvLstmPointwiseNet", "ConvLstm1DNet", "ConvLstm3DNet" };

    internal static INetwork Create(string name, int seed = 3) => name switch
    {
        "ConvLstmNet" => new ConvLstmNet(seed),
        "ConvLstmSequenceNet" => new ConvLstmSequenceNet(seed),
        "ConvLstmStateNet" => new ConvLstmStateNet(seed),
        "ConvLstmPointwiseNet" => new ConvLstmPointwiseNet(seed),
        "ConvLstm1DNet" => new ConvLstm1DNet(seed),
        "ConvLstm3DNet" => new ConvLstm3DNet(seed),
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
        // Random, O(1) weights everywhere (orthogonal and zero biases are too special to catch a wrong term).
        GradientCheck.Random(net.Parameters.Length, 5, 0.5f).CopyTo(net.Parameters);
        var x = GradientCheck.Random(Batch * net.InputLength, 11);
        var y = GradientCheck.Random(Batch * 2, 9);
        double worst = GradientCheck.MaxError(net, x, y, Batch, Loss.MeanSquaredError);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}x the bound");
    }

    [Theory]
    [InlineData("ConvLstmNet")]
    [InlineData("ConvLstmSequenceNet")]
    [InlineData("ConvLstm1DNet")]
    [InlineData("ConvLstm3DNet")]
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
        Assert.Contains(dx, v => Math.Abs(v) > 1e-3); // every step reaches the loss
    }

    [Fact]
    public void NegativeControlAGradientOfANearbyNetworkFails()
    {
        // The gradient of the same network with the recurrent kernel scaled by 1.05 must fail the finite-difference
        // bound of this one: the check can tell a small error in the recurrent convolution's path.
        var weights = GradientCheck.Random(new ConvLstmNet(3).Parameters.Length, 5, 0.5f);
        var x = GradientCheck.Random(Batch * ConvLstmNet.InputLength, 11);
        var y = GradientCheck.Random(Batch * 2, 9);
        var shifted = new ConvLstmNet(3);
        var q = (float[])weights.Clone();
        var rk = ConvLstmNet.ParameterLayout.Single(i => i.Name == "conv_lstm2d/recurrent_kernel");
        for (int i = 0; i < rk.Length; i++) q[rk.Offset + i] *= 1.05f;
        q.CopyTo(shifted.Parameters);
        shifted.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
        var wrong = shifted.Gradients.ToArray();
        var net = new ConvLstmNet(3);
        weights.CopyTo(net.Parameters);
        const float h = 1e-2f;
        double worst = 0;
        for (int i = rk.Offset; i < rk.Offset + rk.Length; i++)
        {
            float original = net.Parameters[i];
            net.Parameters[i] = original + h;
            double plus = net.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
            net.Parameters[i] = original - h;
            double minus = net.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
            net.Parameters[i] = original;
            double numeric = (plus - minus) / (2.0 * h);
            worst = Math.Max(worst, Math.Abs(numeric - wrong[i]) / (3e-4 + 1e-3 * Math.Abs(numeric)));
        }
        Assert.True(worst > 3, $"a 5% change of the recurrent kernel stayed within the bound ({worst:F2})");
    }

    [Fact]
    public void WeightsHaveKerasNamesShapesAndInitialisation()
    {
        Assert.Equal(new[] { "conv_lstm2d/kernel", "conv_lstm2d/recurrent_kernel", "conv_lstm2d/bias", "dense/kernel", "dense/bias" },
            ConvLstmNet.ParameterLayout.Select(p => p.Name));
        Assert.Equal(new[] { 3, 3, 2, 12 }, ConvLstmNet.ParameterLayout[0].Shape);
        Assert.Equal(new[] { 3, 3, 3, 12 }, ConvLstmNet.ParameterLayout[1].Shape);
        Assert.Equal(new[] { 12 }, ConvLstmNet.ParameterLayout[2].Shape);
        // Keras' count: 4·(kh·kw·C·F + kh·kw·F·F + F), then the head over (3, 3, 3).
        Assert.Equal(4 * (9 * 2 * 3 + 9 * 3 * 3 + 3) + 27 * 2 + 2, ConvLstmNet.ParameterCount);
        Assert.Equal(new[] { 3, 2, 2, 8 }, ConvLstmSequenceNet.ParameterLayout[0].Shape);
        Assert.DoesNotContain(ConvLstmSequenceNet.ParameterLayout, p => p.Name == "conv_lstm2d/bias");
        // Same padding with strides (2, 1) on 6×5: a (3, 5, 2) state, five steps returned.
        Assert.Equal(new[] { 5 * 3 * 5 * 2, 2 }, ConvLstmSequenceNet.ParameterLayout.Single(p => p.Name == "dense/kernel").Shape);
        Assert.Equal(new[] { 3 * 3 * 9, 2 }, ConvLstmStateNet.ParameterLayout.Single(p => p.Name == "dense/kernel").Shape);

        var net = new ConvLstmNet(7);
        var p = net.Parameters;
        // unit_forget_bias: the forget block [F, 2F) is 1, the rest 0.
        var bias = p.Slice(ConvLstmNet.ParameterLayout[2].Offset, 12).ToArray();
        Assert.Equal(Enumerable.Repeat(0f, 3).Concat(Enumerable.Repeat(1f, 3)).Concat(Enumerable.Repeat(0f, 6)), bias);
        // Orthogonal over the recurrent kernel seen as (kh·kw·F, 4F) = (27, 12): twelve orthonormal columns.
        var rk = ConvLstmNet.ParameterLayout[1];
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++)
            {
                double dot = 0;
                for (int k = 0; k < 27; k++) dot += p[rk.Offset + k * 12 + i] * p[rk.Offset + k * 12 + j];
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-5, $"columns {i}, {j}: {dot}");
            }
    }

    [Fact]
    public void OneAndThreeDimensionalLayersHaveKerasNamesAndShapes()
    {
        Assert.Equal(new[] { "conv_lstm1d/kernel", "conv_lstm1d/recurrent_kernel", "conv_lstm1d/bias", "dense/kernel", "dense/bias" },
            ConvLstm1DNet.ParameterLayout.Select(p => p.Name));
        Assert.Equal(new[] { 3, 2, 12 }, ConvLstm1DNet.ParameterLayout[0].Shape);
        Assert.Equal(new[] { 3, 3, 12 }, ConvLstm1DNet.ParameterLayout[1].Shape);
        // Same padding, stride 2 on 7 rows: 4 positions of 3 filters, five steps returned.
        Assert.Equal(new[] { 5 * 4 * 3, 2 }, ConvLstm1DNet.ParameterLayout[3].Shape);
        Assert.Equal(new[] { 2, 2, 3, 2, 8 }, ConvLstm3DNet.ParameterLayout[0].Shape);
        Assert.Equal(new[] { 2, 2, 3, 2, 8 }, ConvLstm3DNet.ParameterLayout[1].Shape);
        // Valid (2, 2, 3) with rows dilated by 2 on (3, 4, 4): a (2, 2, 2) state of 2 filters.
        Assert.Equal(new[] { 2 * 2 * 2 * 2, 2 }, ConvLstm3DNet.ParameterLayout[3].Shape);
        Assert.Equal(4 * (12 * 2 * 2 + 12 * 2 * 2 + 2) + 16 * 2 + 2, ConvLstm3DNet.ParameterCount);
        Assert.Contains(ConvLstm3DNet.Layers, l => l.KerasClass == "ConvLSTM3D");
    }

    [Fact]
    public void InputDropoutActsOnlyWhileTrainingAndFollowsTheSeed()
    {
        var net = new ConvLstmDropoutNet(2);
        var x = GradientCheck.Random(4 * ConvLstmDropoutNet.InputLength, 3);
        var y = new float[4 * 2];
        var predicted = new float[4 * 2];
        net.Predict(x, predicted, 4);
        // Inference-mode gradients see no dropout: their loss is Predict's.
        float inferenceLoss = net.ComputeGradients(x, y, 4, Loss.MeanSquaredError, default, training: false);
        Assert.Equal(predicted.Select(v => (double)v * v).Sum() / 8, inferenceLoss, 1e-6);
        net.ComputeGradients(x, y, 4, Loss.MeanSquaredError);
        var first = net.TrainingOutput.ToArray();
        Assert.NotEqual(predicted, first);
        net.ComputeGradients(x, y, 4, Loss.MeanSquaredError);
        Assert.NotEqual(first, net.TrainingOutput.ToArray()); // a new mask per call
        var again = new ConvLstmDropoutNet(2); // Seed = 3 fixes the stream
        again.ComputeGradients(x, y, 4, Loss.MeanSquaredError);
        Assert.Equal(first, again.TrainingOutput.ToArray());
    }

    [Fact]
    public void KernelRefusesBuffersOfTheWrongSize()
    {
        // 4×4×2 input, 3×3 valid kernel: 2×2 state of 3 filters.
        var input = new WindowGeometry(1, 4, 4, 2, 1, 2, 2, 12, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0);
        var recurrent = new WindowGeometry(1, 2, 2, 3, 1, 2, 2, 12, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1);
        int steps = 2, batch = 1;
        var kernel = new float[9 * 2 * 12];
        var rec = new float[9 * 3 * 12];
        var outputs = new float[steps * 12];
        var h = new float[12];
        var c = new float[12];
        var cache = new float[ConvLstm.CacheSize(batch, steps, 4, 3)];
        var scratch = new float[ConvLstm.ForwardScratchSize(batch, 4, 3)];
        var workspace = new float[Math.Max(Convolution.WorkspaceLength(input), Convolution.WorkspaceLength(recurrent))];
        var e = Assert.Throws<ArgumentException>(() => ConvLstm.Forward(input, recurrent, new float[steps * 32 - 1], kernel, rec, default,
            outputs, h, c, cache, scratch, workspace, batch, steps, RecurrentActivation.Tanh, RecurrentActivation.Sigmoid, false));
        Assert.Equal("x", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ConvLstm.Forward(input, recurrent, new float[steps * 32], kernel, rec, default,
            outputs, h, c, cache.AsSpan(1), scratch, workspace, batch, steps, RecurrentActivation.Tanh, RecurrentActivation.Sigmoid, false));
        Assert.Equal("cache", e.ParamName);
        var wrong = recurrent with { OutChannels = 8 };
        Assert.Throws<ArgumentException>(() => ConvLstm.Forward(input, wrong, new float[steps * 32], kernel, rec, default,
            outputs, h, c, cache, scratch, workspace, batch, steps, RecurrentActivation.Tanh, RecurrentActivation.Sigmoid, false));
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
    public void InputMustBeStepsRowsColsChannels()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(8, 8, 3)]
            [[|ConvLSTM2D(4, 3)|]]
            public partial class NoSteps { }
            """, "NG0017");
        Assert.Equal("ConvLSTM2D 'conv_lstm2d': expects a rank-4 input (steps, rows, cols, channels), but its input (8, 8, 3) has rank 3", d.GetMessage());
    }

    [Fact]
    public void OneAndThreeDimensionalInputsNameTheirAxes()
    {
        Assert.Equal("ConvLSTM1D 'conv_lstm1d': expects a rank-3 input (steps, rows, channels), but its input (8, 8, 3, 2) has rank 4", Single("""
            using NetGen;
            [Network, Input(8, 8, 3, 2)]
            [[|ConvLSTM1D(4, 3)|]]
            public partial class TooManyAxes { }
            """, "NG0017").GetMessage());
        Assert.Equal("ConvLSTM3D 'conv_lstm3d': expects a rank-5 input (steps, depth, rows, cols, channels), but its input (8, 8, 3, 2) has rank 4", Single("""
            using NetGen;
            [Network, Input(8, 8, 3, 2)]
            [[|ConvLSTM3D(4, 3)|]]
            public partial class TooFewAxes { }
            """, "NG0017").GetMessage());
        Single("""
            using NetGen;
            [Network, Input(5, 4, 4, 4, 2)]
            [ConvLSTM3D(2, [|3, 3|])]
            public partial class TwoOfThreeAxes { }
            """, "NG0022");
    }

    [Fact]
    public void KernelLargerThanTheImage()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(5, 4, 6, 2)]
            [[|ConvLSTM2D(4, 5)|]]
            public partial class TooSmall { }
            """, "NG0018");
        Assert.Contains("the kernel of 5 along height is larger than the input's 4", d.GetMessage());
    }

    [Fact]
    public void ArgumentsAreCheckedWhereTheyAreWritten()
    {
        Assert.Equal("ConvLSTM2D 'conv_lstm2d': filters must be positive, but is 0", Single("""
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D([|0|], 3)]
            public partial class NoFilters { }
            """, "NG0004").GetMessage());
        Single("""
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D(2, [|3, 3, 3|])]
            public partial class ThreeAxes { }
            """, "NG0022");
        Single("""
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D(2, 3, Dropout = [|1.5|])]
            public partial class BadRate { }
            """, "NG0005");
        Single("""
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D(2, 3, RecurrentActivation = [|(RecurrentActivation)42|])]
            public partial class BadActivation { }
            """, "NG0047");
        Single("""
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D(2, 3, Padding = [|Padding.Causal|])]
            public partial class Causal { }
            """, "NG0021");
        Single("""
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D(2, 3, Name = "c")]
            [Dense(2, Inputs = [|new[] { "c:h" }|])]
            public partial class NoStates { }
            """, "NG0051");
    }

    [Fact]
    public void GeneratedCode()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(4, 8, 8, 1)]
            [ConvLSTM2D(4, 3, Padding = Padding.Same, ReturnSequences = true, Dropout = 0.1, RecurrentDropout = 0.2)]
            [ConvLSTM2D(2, 3, Strides = 2, ReturnState = true, Name = "summary")]
            [Concatenate("summary", "summary:c")]
            [Flatten]
            [Dense(2, Activation = Activation.Softmax)]
            public partial class TinyConvLstm { }
            """;
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        var problems = result.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Snapshot.Match("TinyConvLstm", Assert.Single(result.Sources).Text);
    }
}
