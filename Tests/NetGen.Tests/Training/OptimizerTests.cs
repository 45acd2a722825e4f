using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Optimizers;
using Xunit;

namespace NetGen.Tests.Training;

public class OptimizerTests
{
    private static readonly ParameterInfo[] OneScalar = { new("w/kernel", 0, 1, new[] { 1 }) };

    /// <summary>LAYERS.md E14: w0 = 1, gradients 0.5 then −0.25.</summary>
    private static (float First, float Second) TwoSteps(Optimizer optimizer)
    {
        var w = new float[] { 1f };
        optimizer.Apply(w, new[] { 0.5f }, OneScalar);
        float first = w[0];
        optimizer.Apply(w, new[] { -0.25f }, OneScalar);
        return (first, w[0]);
    }

    [Theory]
    [InlineData("SGD", 0.995, 0.9975)]
    [InlineData("SGD momentum 0.9", 0.995, 0.993)]
    [InlineData("SGD nesterov", 0.9905, 0.9912)]
    [InlineData("RMSprop", 0.9968377287, 0.9983121457)]
    [InlineData("Adam", 0.9990000063, 0.9987336708)]
    [InlineData("AdamW", 0.9989960063, 0.9987256748)]
    public void KerasWorkedExamples(string name, double first, double second)
    {
        Optimizer optimizer = name switch
        {
            "SGD" => new SGD(),
            "SGD momentum 0.9" => new SGD(momentum: 0.9),
            "SGD nesterov" => new SGD(momentum: 0.9, nesterov: true),
            "RMSprop" => new RMSprop(),
            "Adam" => new Adam(),
            "AdamW" => new AdamW(),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var (a, b) = TwoSteps(optimizer);
        // float32 weights near 1 have a spacing of 6e-8; the examples are given to 1e-10.
        Assert.Equal(first, a, 1.2e-7);
        Assert.Equal(second, b, 1.2e-7);
        Assert.Equal(2, optimizer.Iterations);
    }

    private sealed record Fixture(string Name, JsonElement Optimizer, float[] Initial, float[][] Gradients, double[][] After);

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optimizers"), "*.json").OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    private static float Get(JsonElement e, string name, float fallback) => e.TryGetProperty(name, out var v) ? v.GetSingle() : fallback;

    private static double D(JsonElement e, string name, double fallback) => e.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;

    private static bool Flag(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.GetBoolean();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FollowsPyTorchTrajectories(string file)
    {
        var f = JsonSerializer.Deserialize<Fixture>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optimizers", file)),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var o = f.Optimizer;
        Optimizer optimizer = o.GetProperty("kind").GetString() switch
        {
            "SGD" => new SGD(Get(o, "learningRate", 0.01f), D(o, "momentum", 0), Flag(o, "nesterov")),
            // The PyTorch reference runs RMSprop with epsilon 0 (its epsilon sits outside the square root, Keras' inside);
            // NetGen refuses 0 (a zero gradient would divide 0 by 0), and 1e-30 inside the root changes no float sum of
            // squares above 1e-23, so the trajectory is the same.
            "RMSprop" => new RMSprop(Get(o, "learningRate", 0.001f), D(o, "rho", 0.9), D(o, "momentum", 0), Math.Max(D(o, "epsilon", 1e-7), 1e-30), Flag(o, "centered")),
            "Adam" => new Adam(Get(o, "learningRate", 0.001f), D(o, "beta1", 0.9), D(o, "beta2", 0.999), D(o, "epsilon", 1e-7), Flag(o, "amsgrad")),
            "AdamW" => new AdamW(Get(o, "learningRate", 0.001f), Get(o, "weightDecay", 0.004f), D(o, "beta1", 0.9), D(o, "beta2", 0.999), D(o, "epsilon", 1e-7)),
            var kind => throw new InvalidDataException(kind),
        };
        var w = f.Initial.ToArray();
        var layout = new[] { new ParameterInfo("v/kernel", 0, w.Length, new[] { w.Length }) };
        for (int step = 0; step < f.Gradients.Length; step++)
        {
            optimizer.Apply(w, f.Gradients[step], layout);
            for (int i = 0; i < w.Length; i++)
                Assert.True(Math.Abs(w[i] - f.After[step][i]) <= 1e-6 * Math.Abs(f.After[step][i]) + 1e-7,
                    $"step {step + 1}, weight {i}: expected {f.After[step][i]:R}, got {w[i]:R}");
        }
    }

    [Fact]
    public void ClipValueClipsEachElement()
    {
        var sgd = new SGD(learningRate: 1f) { ClipValue = 0.5f };
        var w = new float[] { 0, 0, 0 };
        sgd.Apply(w, new float[] { 2, -0.25f, -3 }, new[] { new ParameterInfo("a/b", 0, 3, new[] { 3 }) });
        Assert.Equal(new float[] { -0.5f, 0.25f, 0.5f }, w);
    }

    [Fact]
    public void ClipNormActsPerVariableAndGlobalClipNormOnAll()
    {
        var layout = new[] { new ParameterInfo("a/kernel", 0, 2, new[] { 2 }), new ParameterInfo("a/bias", 2, 1, new[] { 1 }) };
        var grads = new float[] { 3, 4, 0.5f }; // norms 5 and 0.5; global √25.25
        var w = new float[3];
        new SGD(1f) { ClipNorm = 1f }.Apply(w, grads, layout);
        Assert.Equal(-0.6f, w[0], 6);
        Assert.Equal(-0.8f, w[1], 6);
        Assert.Equal(-0.5f, w[2], 6); // under the norm: untouched
        w = new float[3];
        new SGD(1f) { GlobalClipNorm = 1f }.Apply(w, grads, layout);
        double scale = 1 / Math.Sqrt(25.25);
        Assert.Equal(-3 * scale, w[0], 6);
        Assert.Equal(-0.5 * scale, w[2], 6);
    }

    [Fact]
    public void OnlyOneClippingOptionAndClearErrors()
    {
        var sgd = new SGD { ClipNorm = 1f };
        Assert.Throws<ArgumentException>(() => sgd.ClipValue = 1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(momentum: 1.5));
        var e = Assert.Throws<ArgumentException>(() => new Adam().Apply(new float[3], new float[2], OneScalar));
        Assert.Equal("gradients", e.ParamName);
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void WeightDecayIsDecoupledAndUsesTheLearningRate()
    {
        var sgd = new SGD(learningRate: 0.1f) { WeightDecay = 0.5f };
        var w = new float[] { 2f };
        sgd.Apply(w, new float[] { 0f }, OneScalar);
        Assert.Equal(2f * (1 - 0.05f), w[0], 6); // w − w·wd·lr, gradient unchanged
    }

    [Fact]
    public void OptimizerVariablesMatchKerasSummary()
    {
        // LAYERS.md E16: Adam on the 109,386-parameter MLP has 2·109,386 + 2 optimizer variables.
        Assert.Equal(218774, new Adam().VariableCount(109386));
        Assert.Equal(2, new SGD().VariableCount(109386));
    }

    [Fact]
    public void AStepAllocatesNothingAfterTheFirst()
    {
        var adam = new Adam();
        var w = new float[1000];
        var g = Enumerable.Range(0, 1000).Select(i => (float)Math.Sin(i)).ToArray();
        var layout = new[] { new ParameterInfo("x/kernel", 0, 1000, new[] { 1000 }) };
        adam.Apply(w, g, layout);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) adam.Apply(w, g, layout);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// After one gradient of 1 and then zero gradients, the exact first moment 0.1·0.9ⁿ passes through the
    /// subnormal range near n = 800 (and the second moment keeps decaying); the stored moments must be
    /// normal floats or exactly zero at every step, and the weights must follow the double-precision update
    /// while the moments are large.
    /// </summary>
    [Fact]
    public void AdamMomentsNeverBecomeSubnormal()
    {
        const int n = 40; // several vector widths plus a scalar tail
        var layout = new[] { new ParameterInfo("w/kernel", 0, n, new[] { n }) };
        var adam = new Adam();
        var w = new float[n];
        var g = new float[n];
        for (int i = 0; i < n; i++) g[i] = 1;
        double m = 0, v = 0, wRef = 0;
        for (int step = 1; step <= 1200; step++)
        {
            adam.Apply(w, g, layout);
            double gd = step == 1 ? 1 : 0;
            m = 0.9 * m + 0.1 * gd;
            v = 0.999 * v + 0.001 * gd * gd;
            if (step <= 100)
            {
                wRef -= 0.001 * Math.Sqrt(1 - Math.Pow(0.999, step)) / (1 - Math.Pow(0.9, step)) * m / (Math.Sqrt(v) + 1e-7);
                Assert.True(Math.Abs(w[0] - wRef) <= 1e-6 * Math.Abs(wRef) + 1e-9, $"step {step}: w = {w[0]}, expected {wRef}");
            }
            var (mm, vv) = adam.Moments;
            for (int i = 0; i < n; i++)
            {
                Assert.False(float.IsSubnormal(mm[i]), $"step {step}: first moment {i} is subnormal ({mm[i]:E3})");
                Assert.False(float.IsSubnormal(vv[i]), $"step {step}: second moment {i} is subnormal ({vv[i]:E3})");
            }
            Array.Clear(g);
        }
        // The moments below the flush threshold are zero; the weights stay where the large moments took them.
        Assert.Equal(0f, adam.Moments.M[0]);
        Assert.All(w, x => Assert.Equal(w[0], x));
    }
}
