using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// Compares the float kernels with PyTorch (float64 computation, results rounded to float32) on the fixtures
/// written by <c>tools/reference/make_kernel_fixtures.py</c>. Tolerance: 1e-5 relative plus 1e-6 absolute for
/// values near zero. The kernels evaluate in float (a few ulps, ~1e-7 relative) or in double rounded once, and
/// the fixture values are themselves rounded to float32 (6e-8 relative), so 1e-5 leaves a wide margin while still
/// catching any wrong constant or formula (those move results by 1e-3 or more).
/// </summary>
public class PyTorchFixtureTests
{
    private const double Rel = 1e-5, Abs = 1e-6;

    private static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "kernels", name);
        Assert.True(File.Exists(path), $"Missing fixture {path}; regenerate with tools/reference/make_kernel_fixtures.py");
        using FileStream stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    private static float[] Floats(JsonElement e)
    {
        var v = new float[e.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in e.EnumerateArray()) v[i++] = (float)item.GetDouble();
        return v;
    }

    private static void AllClose(float[] expected, float[] actual, string what)
        => TestUtil.AllClose(TestUtil.ToDouble(expected), actual, Rel, Abs, what);

    public static IEnumerable<object[]> ActivationNames()
    {
        foreach (JsonProperty p in Load("activations.json").GetProperty("cases").EnumerateObject()) yield return new object[] { p.Name };
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Activation(string name)
    {
        JsonElement root = Load("activations.json");
        float[] x = Floats(root.GetProperty("x"));
        float[] dy = Floats(root.GetProperty("dy"));
        JsonElement c = root.GetProperty("cases").GetProperty(name);
        var y = new float[x.Length];
        var dx = new float[x.Length];
        if (name == "softmax")
        {
            int cols = c.GetProperty("cols").GetInt32();
            Activations.Softmax(x, y, cols);
            Activations.SoftmaxBackward(x, y, dy, dx, cols);
        }
        else
        {
            ActivationTests.Act act = Array.Find(ActivationTests.All, a => a.Name == name)
                ?? throw new InvalidOperationException($"No kernel for fixture activation '{name}'.");
            act.Forward(x, y);
            act.Backward(x, y, dy, dx);
        }
        AllClose(Floats(c.GetProperty("y")), y, $"{name} y");
        AllClose(Floats(c.GetProperty("dx")), dx, $"{name} dx");
    }

    [Fact]
    public void EveryKernelActivationHasAFixture()
    {
        var names = new HashSet<string>();
        foreach (object[] n in ActivationNames()) names.Add((string)n[0]);
        foreach (ActivationTests.Act a in ActivationTests.All) Assert.Contains(a.Name, names);
        Assert.Contains("softmax", names);
    }

    [Fact]
    public void DenseForwardAndBackward()
    {
        JsonElement d = Load("dense.json");
        int rows = d.GetProperty("rows").GetInt32(), inF = d.GetProperty("in").GetInt32(), units = d.GetProperty("units").GetInt32();
        float[] x = Floats(d.GetProperty("x")), k = Floats(d.GetProperty("kernel")), b = Floats(d.GetProperty("bias")), dy = Floats(d.GetProperty("dy"));
        var y = new float[rows * units];
        Dense.Forward(x, k, b, y, rows, inF, units);
        AllClose(Floats(d.GetProperty("y")), y, "dense y");
        var dK = new float[inF * units];
        var dB = new float[units];
        Dense.BackwardWeights(x, dy, dK, dB, rows, inF, units);
        AllClose(Floats(d.GetProperty("dKernel")), dK, "dense dKernel");
        AllClose(Floats(d.GetProperty("dBias")), dB, "dense dBias");
        var dx = new float[rows * inF];
        Dense.BackwardInput(dy, k, dx, rows, inF, units);
        AllClose(Floats(d.GetProperty("dx")), dx, "dense dx");
    }

    public static IEnumerable<object[]> LossNames()
    {
        foreach (JsonProperty p in Load("losses.json").GetProperty("cases").EnumerateObject()) yield return new object[] { p.Name };
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void LossValueAndGradient(string name)
    {
        JsonElement c = Load("losses.json").GetProperty("cases").GetProperty(name);
        int rows = c.GetProperty("rows").GetInt32(), cols = c.GetProperty("cols").GetInt32();
        float[] input = Floats(c.GetProperty("input")), target = Floats(c.GetProperty("target"));
        float[] probs = c.TryGetProperty("probs", out JsonElement p) ? Floats(p) : Array.Empty<float>();
        var grad = new float[input.Length];
        float value = name switch
        {
            "mse" => Losses.MeanSquaredError(input, target, grad, rows, cols),
            "categorical_crossentropy" => Losses.CategoricalCrossentropy(input, target, grad, rows, cols),
            "sparse_categorical_crossentropy" => Losses.SparseCategoricalCrossentropy(input, target, grad, rows, cols),
            "binary_crossentropy" => Losses.BinaryCrossentropy(input, target, grad, rows, cols),
            "softmax_categorical_crossentropy" => Losses.SoftmaxCategoricalCrossentropy(input, probs, target, grad, rows, cols),
            "softmax_sparse_categorical_crossentropy" => Losses.SoftmaxSparseCategoricalCrossentropy(input, probs, target, grad, rows, cols),
            "sigmoid_binary_crossentropy" => Losses.SigmoidBinaryCrossentropy(input, probs, target, grad, rows, cols),
            _ => throw new InvalidOperationException($"No kernel for fixture loss '{name}'."),
        };
        TestUtil.Close(c.GetProperty("loss").GetDouble(), value, Rel, Abs, $"{name} loss");
        AllClose(Floats(c.GetProperty("grad")), grad, $"{name} grad");
    }
}
