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
/// <c>[RNN(typeof(Cell))]</c> over a cell written in C# (EndToEnd/RnnCellNetworks.cs: a GRU written as a user cell):
/// the same outputs and gradients as the built-in GRU on the same weights, the built-in GRU's PyTorch fixture, finite
/// differences, each cell problem's diagnostic on the <c>typeof</c> argument, and the generated code.
/// </summary>
public class RnnCellTests
{
    private const int Batch = 3;

    private static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 2e-5 * Math.Abs(expected) + 5e-6, $"{what}: expected {expected:R}, got {actual:R}");

    [Fact]
    public void UserGruHasTheBuiltInGrusLayout()
    {
        Assert.Equal(GruNet.ParameterLayout.Select(p => (p.Name, p.Shape.ToArray())), UserGruNet.ParameterLayout.Select(p => (p.Name, p.Shape.ToArray())));
        Assert.Equal(GruNet.WeightSignature, UserGruNet.WeightSignature);
        // Initialisation follows the [CellWeight] initializers: orthogonal recurrent kernel (four orthonormal rows), zero bias.
        var net = new UserGruNet(4);
        var layout = UserGruNet.ParameterLayout;
        var rk = layout.Single(p => p.Name == "gru/recurrent_kernel");
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double dot = 0;
                for (int k = 0; k < 12; k++) dot += net.Parameters[rk.Offset + i * 12 + k] * net.Parameters[rk.Offset + j * 12 + k];
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-5, $"rows {i}, {j}: {dot}");
            }
        var bias = layout.Single(p => p.Name == "gru/bias");
        Assert.All(net.Parameters.Slice(bias.Offset, bias.Length).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData("UserGruNet", "GruNet")]
    [InlineData("UserGruSequenceNet", "BuiltInGruSequenceNet")]
    public void MatchesTheBuiltInGru(string user, string builtIn)
    {
        INetwork mine = user == "UserGruNet" ? new UserGruNet(1) : new UserGruSequenceNet(1);
        INetwork theirs = builtIn == "GruNet" ? new GruNet(1) : new BuiltInGruSequenceNet(1);
        Assert.Equal(theirs.ParameterCount, mine.ParameterCount);
        RnnCellOptionsTests.SameNetwork(mine, theirs, GradientCheck.Random(Batch * 18, 11), Batch);
    }

    [Fact]
    public void MatchesThePyTorchFixtureOfTheBuiltInGru()
    {
        // UserGruNet has GruNet's layout, so GruNet's PyTorch float64 fixture (nn.GRU) applies as it is.
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "recurrent-networks", "GruNet.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        float[] F(string name) => r.GetProperty(name).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        double[] D(string name) => r.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
        int batch = r.GetProperty("batch").GetInt32();
        var net = new UserGruNet(1);
        F("parameters").CopyTo(net.Parameters);
        var output = new float[batch * 2];
        net.Predict(F("input"), output, batch);
        var expected = D("output");
        for (int i = 0; i < output.Length; i++) Close(expected[i], output[i], $"output[{i}]");
        Close(r.GetProperty("lossValue").GetDouble(), net.ComputeGradients(F("input"), F("target"), batch, Loss.MeanSquaredError), "loss");
        var gradients = D("gradients");
        for (int i = 0; i < gradients.Length; i++) Close(gradients[i], net.Gradients[i], $"gradient[{i}]");
    }

    [Theory]
    [InlineData("UserGruNet")]
    [InlineData("UserGruSequenceNet")]
    public void GradientsMatchFiniteDifferences(string name)
    {
        INetwork net = name == "UserGruNet" ? new UserGruNet(2) : new UserGruSequenceNet(2);
        GradientCheck.Random(net.ParameterCount, 5, 0.6f).CopyTo(net.Parameters);
        var x = GradientCheck.Random(Batch * 18, 11);
        var y = GradientCheck.Random(Batch * 2, 9);
        double worst = GradientCheck.MaxError(net, x, y, Batch, Loss.MeanSquaredError);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}x the bound");
    }

    // ------------------------------------------------------------------ diagnostics

    private const string Methods = """
            public static void Forward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, System.Span<float> cache, int batchSize) { }
            public static void Backward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.ReadOnlySpan<float> newState, System.ReadOnlySpan<float> cache, System.ReadOnlySpan<float> dNewState, System.Span<float> dx, System.Span<float> dState, System.Span<float> dWeights, int batchSize) { }
        """;

    /// <summary>A network reading a cell declared by <paramref name="cell"/>; the span marked [| |] in <paramref name="layer"/> is where the error must be.</summary>
    private static Diagnostic Single(string cell, string layer, string id, string input = "6, 3")
    {
        string source = "using NetGen;\n" + cell + "\n[Network, Input(" + input + ")]\n" + layer + "\npublic partial class Net { }\n";
        int start = source.IndexOf("[|", StringComparison.Ordinal);
        int end = source.IndexOf("|]", StringComparison.Ordinal) - 2;
        source = source.Replace("[|", "").Replace("|]", "");
        var result = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(TextSpan.FromBounds(start, end), diagnostic.Location.SourceSpan);
        Assert.Empty(result.Sources);
        return diagnostic;
    }

    private static string Cell(string header, string body, string constants = "public const int InputSize = 3; public const int StateSize = 4;")
        => header + " { " + constants + "\n" + body + " }";

    [Fact]
    public void MissingBackwardNamesTheSignature()
    {
        var d = Single(Cell("public struct C", Methods.Split('\n')[0]), "[RNN([|typeof(C)|])]", "NG0056");
        Assert.Equal("RNN 'rnn': the cell type 'C' has no method 'Backward'; expected public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> state, "
            + "ReadOnlySpan<float> weights, ReadOnlySpan<float> newState, ReadOnlySpan<float> cache, ReadOnlySpan<float> dNewState, Span<float> dx, Span<float> dState, "
            + "Span<float> dWeights, int batchSize)", d.GetMessage());
    }

    [Fact]
    public void ForwardOfTheWrongShapeNamesBothSignatures()
    {
        var backward = Methods.Split('\n')[1];
        // A Span where a ReadOnlySpan belongs.
        var d = Single(Cell("public struct C", "public static void Forward(System.Span<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, System.Span<float> cache, int batchSize) { }\n" + backward),
            "[RNN([|typeof(C)|])]", "NG0056");
        Assert.StartsWith("RNN 'rnn': method 'C.Forward' is public static void Forward(System.Span<float> x, System.ReadOnlySpan<float> state, ", d.GetMessage());
        Assert.Contains(", but must be public static void Forward(ReadOnlySpan<float> x, ", d.GetMessage());
        // Not static; returning a value; a missing parameter; not public.
        Assert.Contains("is public void Forward(", Single(Cell("public struct C", "public void Forward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, System.Span<float> cache, int batchSize) { }\n" + backward),
            "[RNN([|typeof(C)|])]", "NG0056").GetMessage());
        Assert.Contains("is public static int Forward(", Single(Cell("public struct C", "public static int Forward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, System.Span<float> cache, int batchSize) => 0;\n" + backward),
            "[RNN([|typeof(C)|])]", "NG0056").GetMessage());
        Assert.Contains("is public static void Forward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, int batchSize)",
            Single(Cell("public struct C", "public static void Forward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, int batchSize) { }\n" + backward),
            "[RNN([|typeof(C)|])]", "NG0056").GetMessage());
        Assert.Contains("is static void Forward(", Single(Cell("public struct C", "internal static void Forward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.Span<float> newState, System.Span<float> cache, int batchSize) { }\n" + backward),
            "[RNN([|typeof(C)|])]", "NG0056").GetMessage());
    }

    [Fact]
    public void BackwardOfTheWrongShape()
    {
        var forward = Methods.Split('\n')[0];
        var d = Single(Cell("public struct C", forward + "\npublic static void Backward(System.ReadOnlySpan<float> x, System.ReadOnlySpan<float> state, System.ReadOnlySpan<float> weights, System.ReadOnlySpan<float> newState, System.ReadOnlySpan<float> cache, System.ReadOnlySpan<float> dNewState, System.Span<float> dx, System.Span<float> dState, System.ReadOnlySpan<float> dWeights, int batchSize) { }"),
            "[RNN([|typeof(C)|])]", "NG0056");
        Assert.Contains("method 'C.Backward' is public static void Backward(", d.GetMessage());
    }

    [Fact]
    public void RightMethodsWithoutTheInterface()
    {
        var d = Single(Cell("public struct C", Methods), "[RNN([|typeof(C)|])]", "NG0056");
        Assert.Equal("RNN 'rnn': the cell type 'C' has the right methods but does not declare the interface; write 'struct C : NetGen.IRecurrentCell'", d.GetMessage());
    }

    [Fact]
    public void CellMustBeANonGenericAccessibleStruct()
    {
        Assert.StartsWith("RNN 'rnn': the cell type 'C' is a class; declare the cell as a struct",
            Single(Cell("public sealed class C : IRecurrentCell", Methods), "[RNN([|typeof(C)|])]", "NG0057").GetMessage());
        Assert.StartsWith("RNN 'rnn': the cell type 'C<int>' is generic",
            Single(Cell("public struct C<T> : IRecurrentCell", Methods), "[RNN([|typeof(C<int>)|])]", "NG0057").GetMessage());
        Assert.StartsWith("RNN 'rnn': the cell type 'System.DayOfWeek' is an enum", Single("", "[RNN([|typeof(System.DayOfWeek)|])]", "NG0057").GetMessage());
    }

    [Fact]
    public void SizeConstantsAreRequiredAndChecked()
    {
        Assert.Equal("RNN 'rnn': the cell type 'C' declares no constant 'StateSize'; add 'public const int StateSize = ...;'",
            Single(Cell("public struct C : IRecurrentCell", Methods, "public const int InputSize = 3;"), "[RNN([|typeof(C)|])]", "NG0058").GetMessage());
        Assert.Equal("RNN 'rnn': 'C.InputSize' must be an int constant ('public const int InputSize = ...;')",
            Single(Cell("public struct C : IRecurrentCell", Methods, "public static readonly int InputSize = 3; public const int StateSize = 4;"), "[RNN([|typeof(C)|])]", "NG0058").GetMessage());
        Assert.Equal("RNN 'rnn': 'C.OutputSize' must be in [1, StateSize = 4], but is 5",
            Single(Cell("public struct C : IRecurrentCell", Methods, "public const int InputSize = 3; public const int StateSize = 4; public const int OutputSize = 5;"), "[RNN([|typeof(C)|])]", "NG0058").GetMessage());
        Assert.Equal("RNN 'rnn': 'C.StateSize' must be positive, but is 0",
            Single(Cell("public struct C : IRecurrentCell", Methods, "public const int InputSize = 3; public const int StateSize = 0;"), "[RNN([|typeof(C)|])]", "NG0058").GetMessage());
        Assert.Equal("RNN 'rnn': 'C.CacheSize' must not be negative, but is -1",
            Single(Cell("public struct C : IRecurrentCell", Methods, "public const int InputSize = 3; public const int StateSize = 4; public const int CacheSize = -1;"), "[RNN([|typeof(C)|])]", "NG0058").GetMessage());
    }

    [Fact]
    public void CellMustFitItsInput()
    {
        Assert.Equal("RNN 'rnn': the cell 'C' reads 3 features per step (InputSize), but the input (6, 5) has 5",
            Single(Cell("public struct C : IRecurrentCell", Methods), "[RNN([|typeof(C)|])]", "NG0059", "6, 5").GetMessage());
        Assert.Equal("RNN 'rnn': expects a rank-2 input (steps, features), but its input (6, 3, 2) has rank 3",
            Single(Cell("public struct C : IRecurrentCell", Methods), "[[|RNN(typeof(C))|]]", "NG0017", "6, 3, 2").GetMessage());
    }

    [Fact]
    public void WeightDeclarationsAreChecked()
    {
        Assert.Equal("RNN 'rnn': the weight 'kernel' of 'C' has the shape (3, 0); every axis must be positive",
            Single(Cell("[CellWeight(\"kernel\", 3, 0)] public struct C : IRecurrentCell", Methods), "[RNN([|typeof(C)|])]", "NG0085").GetMessage());
        Assert.Equal("RNN 'rnn': 'C' declares the weight 'w' twice",
            Single(Cell("[CellWeight(\"w\", 3)] [CellWeight(\"w\", 4)] public struct C : IRecurrentCell", Methods), "[RNN([|typeof(C)|])]", "NG0085").GetMessage());
        Assert.Equal("RNN 'rnn': the weight name 'a/b' of 'C' must be letters, digits and underscores",
            Single(Cell("[CellWeight(\"a/b\", 3)] public struct C : IRecurrentCell", Methods), "[RNN([|typeof(C)|])]", "NG0085").GetMessage());
    }

    [Fact]
    public void GeneratedCode()
    {
        const string source = """
            using System;
            using NetGen;
            namespace Samples;
            [Network]
            [Input(5, 2)]
            [RNN(typeof(TinyRnn.Leaky), ReturnSequences = true, ReturnState = true, Name = "leaky")]
            [Flatten]
            [Dense(2, Name = "head")]
            [Dense(2, Inputs = new[] { "leaky:state" }, Name = "state_head")]
            [Add("head", "state_head")]
            public partial class TinyRnn
            {
                /// <summary>h' = 0.5·h + x·W (two features, three state floats, output the first two).</summary>
                [CellWeight("kernel", 2, 3)]
                public struct Leaky : IRecurrentCell
                {
                    public const int InputSize = 2, StateSize = 3, OutputSize = 2;

                    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> state, ReadOnlySpan<float> weights, Span<float> newState, Span<float> cache, int batchSize)
                    {
                        for (int b = 0; b < batchSize; b++)
                            for (int j = 0; j < 3; j++)
                                newState[b * 3 + j] = 0.5f * state[b * 3 + j] + x[b * 2] * weights[j] + x[b * 2 + 1] * weights[3 + j];
                    }

                    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> state, ReadOnlySpan<float> weights, ReadOnlySpan<float> newState,
                        ReadOnlySpan<float> cache, ReadOnlySpan<float> dNewState, Span<float> dx, Span<float> dState, Span<float> dWeights, int batchSize)
                    {
                        for (int b = 0; b < batchSize; b++)
                        {
                            for (int j = 0; j < 3; j++)
                            {
                                dState[b * 3 + j] = 0.5f * dNewState[b * 3 + j];
                                dWeights[j] += x[b * 2] * dNewState[b * 3 + j];
                                dWeights[3 + j] += x[b * 2 + 1] * dNewState[b * 3 + j];
                            }
                            for (int f = 0; f < 2; f++)
                                dx[b * 2 + f] = weights[3 * f] * dNewState[b * 3] + weights[3 * f + 1] * dNewState[b * 3 + 1] + weights[3 * f + 2] * dNewState[b * 3 + 2];
                        }
                    }
                }
            }
            """;
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        var problems = result.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Snapshot.Match("TinyRnn", Assert.Single(result.Sources).Text);
    }
}
