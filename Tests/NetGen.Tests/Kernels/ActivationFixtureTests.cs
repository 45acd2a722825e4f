using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// Activation kernels against PyTorch float64 references (<c>tools/reference/make_activation_fixtures.py</c>) over
/// SIMD-tail lengths and extreme inputs (±88, ±1e30, float extremes, subnormals, ±∞, NaN), and the activation
/// layers' parameterised kernels (ReLU, LeakyReLU, ELU, Softmax over any axis).
/// </summary>
/// <remarks>
/// Tolerance: forward values within 1e-6 relative (about 8 float ulps: the kernels round once from double or use
/// float transcendental functions of a few ulps) plus 1e-40 absolute: results below the smallest normal float
/// (1.2e-38) are subnormal and lose relative precision in float intermediates (x·σ(x) at x = −100 multiplies a
/// subnormal σ), as they do in Keras' float32; 1e-40 still tells such a value from 0 or from a normal number. Gradients within 1e-6 relative plus 1e-6·|dy| absolute (the cancellation in
/// derivatives computed from the float output, e.g. 1 − y²). A reference beyond float range must come out as the
/// infinity of its sign; NaN must come out as NaN. A wrong constant or formula moves results by 1e-3 or more.
/// </remarks>
public class ActivationFixtureTests
{
    private const double Rel = 1e-6, Tiny = 1e-40;

    internal static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "activations", name);
        Assert.True(File.Exists(path), $"Missing fixture {path}; regenerate with tools/reference/make_activation_fixtures.py");
        using FileStream stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    internal static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : e.GetDouble();

    internal static double[] Doubles(JsonElement e)
    {
        var v = new double[e.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in e.EnumerateArray()) v[i++] = item.ValueKind == JsonValueKind.Null ? double.NaN : Number(item);
        return v;
    }

    internal static bool[] Present(JsonElement e)
    {
        var v = new bool[e.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in e.EnumerateArray()) v[i++] = item.ValueKind != JsonValueKind.Null;
        return v;
    }

    internal static float[] Floats(JsonElement e)
    {
        double[] d = Doubles(e);
        var f = new float[d.Length];
        for (int i = 0; i < d.Length; i++) f[i] = (float)d[i];
        return f;
    }

    /// <summary>One value against its reference; <paramref name="abs"/> is the absolute floor.</summary>
    internal static void Check(double expected, float actual, double abs, string what)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(float.IsNaN(actual), $"{what}: expected NaN, got {actual:R}");
            return;
        }
        if (Math.Abs(expected) > float.MaxValue)
        {
            Assert.True(float.IsInfinity(actual) && Math.Sign(actual) == Math.Sign(expected), $"{what}: expected {expected:R} (beyond float range, so ±∞), got {actual:R}");
            return;
        }
        TestUtil.Close(expected, actual, Rel, abs, what);
    }

    public static IEnumerable<object[]> ElementwiseNames()
    {
        foreach (JsonProperty p in Load("elementwise.json").GetProperty("cases").EnumerateObject()) yield return new object[] { p.Name };
    }

    [Fact]
    public void EveryElementwiseMemberHasAFixture()
    {
        var names = new HashSet<string>();
        foreach (object[] n in ElementwiseNames()) names.Add((string)n[0]);
        foreach (ActivationTests.Act a in ActivationTests.All) Assert.Contains(a.Name, names);
        // Every Activation member except the linear and the row-wise ones has an element-wise kernel in the table.
        foreach (Activation a in Enum.GetValues<Activation>())
        {
            if (a is Activation.Linear or Activation.Softmax or Activation.LogSoftmax) continue;
            string snake = Snake(a.ToString());
            Assert.True(Array.Exists(ActivationTests.All, t => t.Name == snake), $"no kernel test for {a}");
            Assert.Contains(snake, names);
        }
    }

    private static string Snake(string name)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    [Theory]
    [MemberData(nameof(ElementwiseNames))]
    public void ElementwiseMatchesPyTorchOverTailLengthsAndExtremes(string name)
    {
        JsonElement root = Load("elementwise.json");
        float[] x = Floats(root.GetProperty("x"));
        float[] dy = Floats(root.GetProperty("dy"));
        JsonElement c = root.GetProperty("cases").GetProperty(name);
        double[] y = Doubles(c.GetProperty("y")), dx = Doubles(c.GetProperty("dx"));
        bool[] hasDx = Present(c.GetProperty("dx"));
        ActivationTests.Act act = Array.Find(ActivationTests.All, a => a.Name == name) ?? throw new InvalidOperationException($"No kernel for '{name}'.");
        foreach (int start in new[] { 0, 3 })
        {
            foreach (int n in new[] { 1, 7, 8, 15, 16, 17, 33, 100, x.Length - start })
            {
                if (start + n > x.Length) continue;
                var xs = x.AsSpan(start, n);
                var ys = new float[n];
                act.Forward(xs, ys);
                var g = new float[n];
                act.Backward(xs, ys, dy.AsSpan(start, n), g);
                for (int i = 0; i < n; i++)
                {
                    int k = start + i;
                    Check(y[k], ys[i], Tiny, $"{name}({x[k]:R}) [n={n}, at {i}]");
                    if (hasDx[k]) Check(dx[k], g[i], Tiny + 1e-6 * Math.Abs(dy[k]), $"{name}'({x[k]:R})·{dy[k]:R} [n={n}, at {i}]");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ElementwiseNames))]
    public void NaNPropagatesAtEveryPositionOfTheVectorBodyAndTail(string name)
    {
        ActivationTests.Act act = Array.Find(ActivationTests.All, a => a.Name == name)!;
        const int n = 37;
        for (int p = 0; p < n; p++)
        {
            float[] x = TestUtil.Uniform(p, n, -4, 4);
            x[p] = float.NaN;
            var y = new float[n];
            act.Forward(x, y);
            for (int i = 0; i < n; i++)
                Assert.True(float.IsNaN(y[i]) == (i == p), $"{name}: NaN at {p} of {n} gives y[{i}] = {y[i]}");
        }
    }

    public static IEnumerable<object[]> RowCases()
    {
        int count = Load("rowwise.json").GetProperty("cases").GetArrayLength();
        for (int i = 0; i < count; i++)
        {
            yield return new object[] { "softmax", i };
            yield return new object[] { "log_softmax", i };
        }
    }

    [Theory]
    [MemberData(nameof(RowCases))]
    public void RowWiseMatchesPyTorch(string name, int index)
    {
        JsonElement c = Load("rowwise.json").GetProperty("cases")[index];
        float[] x = Floats(c.GetProperty("x")), dy = Floats(c.GetProperty("dy"));
        JsonElement r = c.GetProperty(name);
        int cols = x.Length;
        // Two copies of the row: the kernel's row loop and any vector tail see a second row.
        var x2 = new float[2 * cols];
        var dy2 = new float[2 * cols];
        x.CopyTo(x2, 0);
        x.CopyTo(x2, cols);
        dy.CopyTo(dy2, 0);
        dy.CopyTo(dy2, cols);
        var y = new float[2 * cols];
        var dx = new float[2 * cols];
        if (name == "softmax") Activations.Softmax(x2, y, cols);
        else Activations.LogSoftmax(x2, y, cols);
        double[] yRef = Doubles(r.GetProperty("y"));
        for (int i = 0; i < 2 * cols; i++) Check(yRef[i % cols], y[i], 1e-7, $"{name}(row {index})[{i}]");
        if (r.GetProperty("dx").ValueKind == JsonValueKind.Null) return;
        if (name == "softmax") Activations.SoftmaxBackward(x2, y, dy2, dx, cols);
        else Activations.LogSoftmaxBackward(x2, y, dy2, dx, cols);
        double[] dxRef = Doubles(r.GetProperty("dx"));
        for (int i = 0; i < 2 * cols; i++) Check(dxRef[i % cols], dx[i], 1e-6, $"{name}'(row {index})[{i}]");
        // In place.
        var inPlace = (float[])x2.Clone();
        if (name == "softmax") Activations.Softmax(inPlace, inPlace, cols);
        else Activations.LogSoftmax(inPlace, inPlace, cols);
        Assert.Equal(y, inPlace);
    }

    public static IEnumerable<object[]> LayerCases()
    {
        int i = 0;
        foreach (JsonElement c in Load("layers.json").GetProperty("cases").EnumerateArray())
            yield return new object[] { i++, c.GetProperty("kind").GetString()! + " " + c.GetProperty("params").GetRawText() };
    }

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void LayerKernelsMatchPyTorch(int index, string description)
    {
        JsonElement c = Load("layers.json").GetProperty("cases")[index];
        string kind = c.GetProperty("kind").GetString()!;
        JsonElement p = c.GetProperty("params");
        float[] x = Floats(c.GetProperty("x")), dy = Floats(c.GetProperty("dy"));
        var y = new float[x.Length];
        var dx = new float[x.Length];
        var yInPlace = (float[])x.Clone();
        var dxInPlace = (float[])dy.Clone();
        switch (kind)
        {
            case "ReLU":
            {
                float slope = (float)p.GetProperty("negative_slope").GetDouble(), threshold = (float)p.GetProperty("threshold").GetDouble();
                float max = p.GetProperty("max_value").ValueKind == JsonValueKind.Null ? float.PositiveInfinity : (float)p.GetProperty("max_value").GetDouble();
                Activations.ReluWith(x, y, slope, max, threshold);
                Activations.ReluWithBackward(x, y, dy, dx, slope, max, threshold);
                Activations.ReluWith(yInPlace, yInPlace, slope, max, threshold);
                Activations.ReluWithBackward(x, y, dxInPlace, dxInPlace, slope, max, threshold);
                break;
            }
            case "LeakyReLU":
            {
                float slope = (float)p.GetProperty("negative_slope").GetDouble();
                Activations.LeakyReluWith(x, y, slope);
                Activations.LeakyReluWithBackward(x, y, dy, dx, slope);
                Activations.LeakyReluWith(yInPlace, yInPlace, slope);
                Activations.LeakyReluWithBackward(x, y, dxInPlace, dxInPlace, slope);
                break;
            }
            case "ELU":
            {
                float alpha = (float)p.GetProperty("alpha").GetDouble();
                Activations.EluWith(x, y, alpha);
                Activations.EluWithBackward(x, y, dy, dx, alpha);
                Activations.EluWith(yInPlace, yInPlace, alpha);
                Activations.EluWithBackward(x, y, dxInPlace, dxInPlace, alpha);
                break;
            }
            default:
            {
                var shape = new List<int>();
                foreach (JsonElement d in c.GetProperty("shape").EnumerateArray()) shape.Add(d.GetInt32());
                int axis = p.GetProperty("axis").GetInt32();
                if (axis < 0) axis += shape.Count;
                int outer = 1, inner = 1;
                for (int d = 0; d < axis; d++) outer *= shape[d];
                for (int d = axis + 1; d < shape.Count; d++) inner *= shape[d];
                Activations.SoftmaxAxis(x, y, outer, shape[axis], inner);
                Activations.SoftmaxAxisBackward(x, y, dy, dx, outer, shape[axis], inner);
                Activations.SoftmaxAxis(yInPlace, yInPlace, outer, shape[axis], inner);
                Activations.SoftmaxAxisBackward(x, y, dxInPlace, dxInPlace, outer, shape[axis], inner);
                break;
            }
        }
        double[] yRef = Doubles(c.GetProperty("y")), dxRef = Doubles(c.GetProperty("dx"));
        for (int i = 0; i < x.Length; i++)
        {
            Check(yRef[i], y[i], 1e-7, $"{description} y[{i}] (x = {x[i]:R})");
            Check(dxRef[i], dx[i], 1e-6, $"{description} dx[{i}] (x = {x[i]:R})");
        }
        Assert.Equal(y, yInPlace);
        Assert.Equal(dx, dxInPlace);
    }

    [Fact]
    public void LayerKernelsCheckTheirSizes()
    {
        var x = new float[12];
        var y = new float[12];
        Assert.Throws<ArgumentException>(() => Activations.SoftmaxAxis(x, y, 2, 5, 1));
        Assert.Throws<ArgumentException>(() => Activations.SoftmaxAxis(x, y, 2, 0, 6));
        Assert.Throws<ArgumentException>(() => Activations.ReluWith(x, y.AsSpan(1), 0, float.PositiveInfinity, 0));
        Assert.Throws<ArgumentException>(() => Activations.LogSoftmax(x, y, 5));
    }

    [Fact]
    public void ReluLayerKeepsValuesJustAboveAPositiveThreshold()
    {
        // LAYERS.md E9: relu(x, threshold=1): 0.5 → 0, 1 → 0, 1.5 → 1.5; relu(x, max_value=6, negative_slope=0.1): −2 → −0.2, 8 → 6.
        var y = new float[3];
        Activations.ReluWith(new[] { 0.5f, 1f, 1.5f }, y, 0, float.PositiveInfinity, 1);
        Assert.Equal(new[] { 0f, 0f, 1.5f }, y);
        var z = new float[2];
        Activations.ReluWith(new[] { -2f, 8f }, z, 0.1f, 6f, 0);
        Assert.Equal(-0.2f, z[0], 6);
        Assert.Equal(6f, z[1]);
    }

    [Fact]
    public void WorkedExamplesE9ForTheNewMembers()
    {
        // LAYERS.md §20 E9 (7 decimals): gelu (tanh form) and Keras 3's hard_sigmoid at −2, −0.5, 0, 0.5, 2.
        float[] x = { -2f, -0.5f, 0f, 0.5f, 2f };
        var y = new float[5];
        Activations.GeluTanh(x, y);
        TestUtil.AllClose(new[] { -0.0454023, -0.1542860, 0, 0.3457140, 1.9545977 }, y, 0, 1e-6, "gelu_tanh");
        Activations.HardSigmoid(x, y);
        TestUtil.AllClose(new[] { 0.1666667, 0.4166667, 0.5, 0.5833333, 0.8333333 }, y, 0, 1e-6, "hard_sigmoid");
    }
}
