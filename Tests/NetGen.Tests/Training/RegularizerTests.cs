using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Optimizers;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>
/// Keras' weight regularizers and constraints (<c>KernelRegularizer</c>, <c>KernelConstraint</c>, ...) against PyTorch
/// float64 fixtures (tools/reference/make_regularizer_fixtures.py): the training loss includes the penalties, the
/// gradients their derivatives, an SGD step is followed by the constraints, and Evaluate adds the penalties too.
/// </summary>
public class RegularizerTests
{
    private sealed record Fixture(string Network, int Batch, float LearningRate, float[] Parameters, float[] Input, float[] Target,
        double LossValue, double[] Gradients, double[] ParametersAfter, double EvaluationLoss);

    private static Fixture Load(string name)
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "regularizers", name + ".json"));
        return JsonSerializer.Deserialize<Fixture>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    private static INetwork Create(string name) => name switch
    {
        "RegularizedMlp" => new RegularizedMlp(),
        "RegularizedConv" => new RegularizedConv(),
        "RegularizedLstm" => new RegularizedLstm(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    // float32 against float64: 1e-5 relative with a floor of 2e-6 (tight enough that a missing factor 2 in the L2
    // gradient, a penalty left out of the loss or a constraint over the wrong axis fails by orders of magnitude).
    private static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Abs(expected) + 2e-6, $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [InlineData("RegularizedMlp")]
    [InlineData("RegularizedConv")]
    [InlineData("RegularizedLstm")]
    public void TrainingStepMatchesPyTorch(string name)
    {
        var f = Load(name);
        var net = Create(name);
        Assert.Equal(f.Parameters.Length, net.ParameterCount);
        f.Parameters.CopyTo(net.Parameters);

        float loss = net.ComputeGradients(f.Input, f.Target, f.Batch, Loss.MeanSquaredError);
        Close(f.LossValue, loss, "loss (mean squared error + regularization)");
        var gradients = net.Gradients;
        for (int i = 0; i < gradients.Length; i++) Close(f.Gradients[i], gradients[i], $"gradient[{i}]");

        new SGD(f.LearningRate).Apply(net);
        var after = net.Parameters;
        for (int i = 0; i < after.Length; i++) Close(f.ParametersAfter[i], after[i], $"parameter[{i}] after the step and the constraints");

        var evaluation = Trainer.Evaluate(net, Loss.MeanSquaredError, f.Input, f.Target, f.Batch);
        Close(f.EvaluationLoss, evaluation.Loss, "evaluation loss (mean squared error + regularization)");
    }

    [Fact]
    public void TheLayoutCarriesTheDeclaredRegularizersAndConstraints()
    {
        var layout = RegularizedLstm.ParameterLayout;
        var recurrent = layout.Single(p => p.Name == "lstm/recurrent_kernel");
        Assert.Equal(new WeightRegularizer(0, 0.1f), recurrent.Regularizer);
        Assert.Equal(WeightConstraintKind.MaxNorm, recurrent.Constraint!.Kind);
        Assert.Equal(0.8f, recurrent.Constraint.MaxValue);
        Assert.Equal(new[] { 0, 1 }, recurrent.Constraint.Axes);
        Assert.Equal(WeightConstraintKind.NonNeg, layout.Single(p => p.Name == "lstm/bias").Constraint!.Kind);
        Assert.Null(layout.Single(p => p.Name == "dense/bias").Regularizer);
        Assert.Equal(new WeightRegularizer(0.02f, 0.02f), layout.Single(p => p.Name == "dense/kernel").Regularizer);
    }

    [Fact]
    public void DepthwiseOptionsReachKerasDepthwiseKernels()
    {
        // Keras 3 names DepthwiseConv2D's kernel 'kernel' (set with depthwise_regularizer), SeparableConv2D's two
        // 'depthwise_kernel' and 'pointwise_kernel'.
        var layout = RegularizedDepthwise.ParameterLayout;
        var depthwise = layout.Single(p => p.Name == "depthwise_conv2d/kernel");
        Assert.Equal(new WeightRegularizer(0, 0.5f), depthwise.Regularizer);
        Assert.Equal(new[] { 0, 1 }, depthwise.Constraint!.Axes);
        Assert.Equal(new WeightRegularizer(0.25f, 0), layout.Single(p => p.Name == "separable_conv2d/depthwise_kernel").Regularizer);
        Assert.Null(layout.Single(p => p.Name == "separable_conv2d/pointwise_kernel").Regularizer);
        Assert.Equal(WeightConstraintKind.UnitNorm, layout.Single(p => p.Name == "separable_conv2d/pointwise_kernel").Constraint!.Kind);
        Assert.Equal(new WeightRegularizer(0, 0.125f), layout.Single(p => p.Name == "separable_conv2d/bias").Regularizer);
        Assert.Null(layout.Single(p => p.Name == "depthwise_conv2d/bias").Regularizer);
    }

    [Fact]
    public void OptionsReachEveryWeightOfTheirName()
    {
        var layout = RegularizedEverywhere.ParameterLayout;
        string[] Named(Func<ParameterInfo, bool> has) => layout.Where(has).Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "embedding/embeddings" }, Named(p => p.Regularizer == new WeightRegularizer(0, 0.5f)));
        Assert.Equal(new[] { "lstm/forward_lstm/recurrent_kernel", "lstm/backward_lstm/recurrent_kernel" },
            Named(p => p.Regularizer == new WeightRegularizer(0.25f, 0)));
        Assert.Equal(new[] { "lstm/forward_lstm/kernel", "lstm/backward_lstm/kernel" },
            Named(p => p.Constraint is { Kind: WeightConstraintKind.MaxNorm, MaxValue: 1 }));
        Assert.Equal(4, Named(p => p.Name.StartsWith("multi_head_attention/", StringComparison.Ordinal) && p.Constraint is { MaxValue: 0.75f }).Length);
        Assert.Equal(4, Named(p => p.Name.StartsWith("multi_head_attention/", StringComparison.Ordinal) && p.Regularizer == new WeightRegularizer(0, 0.125f)).Length);
        Assert.Equal(new[] { "layer_normalization/gamma" }, Named(p => p.Regularizer == new WeightRegularizer(0, 0.0625f)));
        Assert.Equal(new[] { "time_distributed/kernel" }, Named(p => p.Regularizer == new WeightRegularizer(0.5f, 0)));
        Assert.Equal(new[] { "p_re_lu/alpha" }, Named(p => p.Constraint is { Kind: WeightConstraintKind.NonNeg }));

        // A training step reports the data loss plus exactly the layout's penalties, and the optimizer leaves every
        // embedding row of unit norm (unit_norm over axis 1: each token's vector).
        var net = new RegularizedEverywhere();
        var ids = new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2 };
        var target = new float[2 * 2];
        float loss = net.ComputeGradients(ids, target, 2, Loss.MeanSquaredError);
        var p = net.Parameters.ToArray();
        float penalty = Regularization.Penalty(layout, net.TrainableWeights, p);
        Assert.True(penalty > 0.1f, $"penalty {penalty}");
        var output = new float[4];
        net.Predict(ids, output, 2);
        float data = output.Select(v => v * v).Sum() / 4;
        Assert.Equal(data + penalty, loss, 4);
        new SGD(0.1f).Apply(net);
        var embeddings = layout.Single(w => w.Name == "embedding/embeddings");
        var e = net.Parameters.Slice(embeddings.Offset, embeddings.Length).ToArray();
        // Keras' unit_norm divides by (1e-7 + norm): rows of norm ≥ 0.005 end within 2e-5 below 1.
        for (int row = 0; row < 10; row++)
            Assert.InRange(Math.Sqrt(e.Skip(row * 4).Take(4).Sum(v => (double)v * v)), 1 - 2e-5, 1 + 1e-6);
    }

    [Fact]
    public void FrozenWeightsAreNeitherPenalizedNorConstrained()
    {
        var f = Load("RegularizedMlp");
        var net = new RegularizedMlp();
        f.Parameters.CopyTo(net.Parameters);
        float withAll = net.ComputeGradients(f.Input, f.Target, f.Batch, Loss.MeanSquaredError);
        net.SetTrainable("dense", false);
        float withoutFirst = net.ComputeGradients(f.Input, f.Target, f.Batch, Loss.MeanSquaredError);
        var layout = RegularizedMlp.ParameterLayout;
        var p = net.Parameters.ToArray();
        float firstPenalty = layout.Where(w => w.Layer == "dense").Sum(w => w.Regularizer!.Penalty(p.AsSpan(w.Offset, w.Length)));
        Assert.True(firstPenalty > 1e-3f, $"the fixture's first layer must carry a penalty worth testing ({firstPenalty})");
        Assert.Equal(withAll - firstPenalty, withoutFirst, 5);

        var kernel = layout.Single(w => w.Name == "dense/kernel");
        var before = net.Parameters.Slice(kernel.Offset, kernel.Length).ToArray();
        new SGD(0.1f).Apply(net);
        // max_norm(0.5) would rescale this kernel (its columns' norms exceed 0.5), but it is frozen: left exactly as it was.
        Assert.Equal(before, net.Parameters.Slice(kernel.Offset, kernel.Length).ToArray());
    }

    [Fact]
    public void RegularizedStepsAllocateNothingAfterTheFirst()
    {
        var f = Load("RegularizedConv");
        var net = new RegularizedConv();
        f.Parameters.CopyTo(net.Parameters);
        var sgd = new SGD(0.01f);
        net.ComputeGradients(f.Input, f.Target, f.Batch, Loss.MeanSquaredError);
        sgd.Apply(net);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 4; i++)
        {
            net.ComputeGradients(f.Input, f.Target, f.Batch, Loss.MeanSquaredError);
            sgd.Apply(net); // penalties, their gradients and unit_norm / max_norm over the kernels
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void PenaltyGradientMatchesFiniteDifferences()
    {
        var r = new WeightRegularizer(0.03f, 0.07f);
        var rng = new Random(5);
        var w = Enumerable.Range(0, 12).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var g = new float[w.Length];
        float penalty = r.AddGradient(w, g);
        Assert.Equal(r.Penalty(w), penalty);
        const float h = 1e-2f; // the penalty is linear (L1, away from zero) plus quadratic (L2): central differences are exact up to rounding
        for (int i = 0; i < w.Length; i++)
        {
            var plus = (float[])w.Clone();
            var minus = (float[])w.Clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = ((double)r.Penalty(plus) - r.Penalty(minus)) / ((double)plus[i] - minus[i]);
            Assert.True(Math.Abs(numeric - g[i]) <= 2e-4 * Math.Abs(numeric) + 2e-5, $"d/dw[{i}]: numeric {numeric:R}, analytic {g[i]:R}");
        }
    }

    [Fact]
    public void BadArgumentsAreRefusedWithTheirNames()
    {
        Assert.Equal("l2", Assert.Throws<ArgumentOutOfRangeException>(() => new WeightRegularizer(0, -1)).ParamName);
        Assert.Equal("l1", Assert.Throws<ArgumentOutOfRangeException>(() => new WeightRegularizer(float.NaN, 0)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => WeightConstraint.MinMaxNorm(0, 1, 2)).ParamName);
        var c = WeightConstraint.MaxNorm(1, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => c.Apply(new float[6], new[] { 2, 3 }));
        Assert.Contains("axis 2", e.Message);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => c.Apply(new float[5], new[] { 2, 3 })).ParamName);
    }
}
