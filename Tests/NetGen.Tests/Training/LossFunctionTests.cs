using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Optimizers;
using NetGen.Tests.EndToEnd;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>The losses added to the runtime (MAE, Huber, KL divergence, hinge, categorical focal) against PyTorch autograd (tools/reference/make_loss_fixtures.py).</summary>
public class LossFunctionTests
{
    private sealed record Fixture(string name, int rows, int cols, float[] predictions, float[] targets, double loss, double[] gradient);

    private static Fixture Load(string name)
        => JsonSerializer.Deserialize<Fixture>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "losses", name + ".json")))!;

    [Theory]
    [InlineData("mean_absolute_error", Loss.MeanAbsoluteError)]
    [InlineData("huber", Loss.Huber)]
    [InlineData("kl_divergence", Loss.KLDivergence)]
    [InlineData("hinge_binary", Loss.Hinge)]
    [InlineData("hinge_signed", Loss.Hinge)]
    [InlineData("categorical_focal_crossentropy", Loss.CategoricalFocalCrossentropy)]
    [InlineData("categorical_focal_unnormalised", Loss.CategoricalFocalCrossentropy)]
    [InlineData("categorical_crossentropy_from_logits", Loss.CategoricalCrossentropyFromLogits)]
    [InlineData("sparse_categorical_crossentropy_from_logits", Loss.SparseCategoricalCrossentropyFromLogits)]
    [InlineData("binary_crossentropy_from_logits", Loss.BinaryCrossentropyFromLogits)]
    public void MatchesPyTorch(string name, Loss loss)
    {
        var f = Load(name);
        var grad = new float[f.predictions.Length];
        float value = NetGen.Kernels.Losses.Compute(loss, f.predictions, f.targets, grad, f.rows, f.cols);
        Assert.True(Math.Abs(value - f.loss) <= 1e-6 * Math.Max(1, Math.Abs(f.loss)), $"loss {value}, PyTorch {f.loss}");
        double scale = f.gradient.Max(Math.Abs);
        for (int i = 0; i < grad.Length; i++)
            Assert.True(Math.Abs(grad[i] - f.gradient[i]) <= 1e-5 * scale, $"gradient[{i}] {grad[i]}, PyTorch {f.gradient[i]}");
        // Without a gradient span the value is the same.
        Assert.Equal(value, NetGen.Kernels.Losses.Compute(loss, f.predictions, f.targets, Span<float>.Empty, f.rows, f.cols));
    }

    [Theory]
    [InlineData("categorical_crossentropy_from_logits", Loss.CategoricalCrossentropyFromLogits)]
    [InlineData("sparse_categorical_crossentropy_from_logits", Loss.SparseCategoricalCrossentropyFromLogits)]
    [InlineData("binary_crossentropy_from_logits", Loss.BinaryCrossentropyFromLogits)]
    public void FromLogitsGradientsMatchFiniteDifferences(string name, Loss loss)
    {
        var f = Load(name);
        var z = (float[])f.predictions.Clone();
        var grad = new float[z.Length];
        NetGen.Kernels.Losses.Compute(loss, z, f.targets, grad, f.rows, f.cols);
        const float h = 1e-2f; // logits of order 1: the loss is smooth there, central differences err by O(h²)
        for (int i = 0; i < z.Length; i++)
        {
            float keep = z[i];
            z[i] = keep + h;
            double up = NetGen.Kernels.Losses.Compute(loss, z, f.targets, Span<float>.Empty, f.rows, f.cols);
            z[i] = keep - h;
            double down = NetGen.Kernels.Losses.Compute(loss, z, f.targets, Span<float>.Empty, f.rows, f.cols);
            z[i] = keep;
            double numeric = (up - down) / (2.0 * h);
            Assert.True(Math.Abs(numeric - grad[i]) <= 2e-3 * Math.Abs(grad[i]) + 3e-5, $"[{i}] numeric {numeric}, analytic {grad[i]}");
        }
    }

    [Theory]
    [InlineData("categorical_crossentropy_from_logits_smoothed", Loss.CategoricalCrossentropyFromLogits)]
    [InlineData("binary_crossentropy_from_logits_smoothed", Loss.BinaryCrossentropyFromLogits)]
    public void LabelSmoothingMatchesPyTorch(string name, Loss loss)
    {
        var f = Load(name);
        var smoothed = new float[f.targets.Length];
        NetGen.Kernels.Losses.SmoothLabels(loss, f.targets, smoothed, f.rows, f.cols, 0.1f);
        var grad = new float[f.predictions.Length];
        float value = NetGen.Kernels.Losses.Compute(loss, f.predictions, smoothed, grad, f.rows, f.cols);
        Assert.True(Math.Abs(value - f.loss) <= 1e-6 * Math.Max(1, Math.Abs(f.loss)), $"loss {value}, PyTorch {f.loss}");
        double scale = f.gradient.Max(Math.Abs);
        for (int i = 0; i < grad.Length; i++)
            Assert.True(Math.Abs(grad[i] - f.gradient[i]) <= 1e-5 * scale, $"gradient[{i}] {grad[i]}, PyTorch {f.gradient[i]}");
    }

    [Fact]
    public void TrainerLabelSmoothingSmoothsTheLossTargetsOnly()
    {
        var rng = new Random(7);
        var x = Enumerable.Range(0, 8 * 6).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var y = new float[8 * 4];
        for (int r = 0; r < 8; r++) y[r * 4 + r % 4] = 1;
        var smoothed = y.Select(v => v * 0.8f + 0.05f).ToArray(); // s = 0.2 over 4 classes

        // What the loss sees: the same as ComputeGradients on the smoothed targets, step and evaluation alike.
        var reference = new SoftmaxHead();
        var net = new SoftmaxHead();
        reference.Parameters.CopyTo(net.Parameters);
        float expected = reference.ComputeGradients(x, smoothed, 8, Loss.CategoricalCrossentropy);
        net.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy, labelSmoothing: 0.2f);
        var before = net.Evaluate(x, y, batchSize: 8);
        Assert.Equal(expected, before.Loss, 5);
        Assert.Equal(expected, net.TrainOnBatch(x, y, 8), 5);
        // Accuracy reads the targets as given: the same as without smoothing.
        var plain = new SoftmaxHead();
        reference.Parameters.CopyTo(plain.Parameters);
        plain.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy);
        Assert.Equal(plain.Evaluate(x, y, batchSize: 8).Accuracy, before.Accuracy);
        Assert.NotEqual(plain.Evaluate(x, y, batchSize: 8).Loss, before.Loss);

        // Keras gives label_smoothing to the cross-entropies only, in [0, 1]; a refused value leaves the old trainer.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => net.Compile(new SGD(0.1f), Loss.MeanSquaredError, labelSmoothing: 0.1f));
        Assert.Equal("LabelSmoothing", e.ParamName);
        Assert.Contains("MeanSquaredError has no label smoothing", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Compile(new SGD(0.1f), Loss.SparseCategoricalCrossentropy, labelSmoothing: 0.1f));
        Assert.Equal("LabelSmoothing", Assert.Throws<ArgumentOutOfRangeException>(() => net.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy, labelSmoothing: 1.5f)).ParamName);
        Assert.Equal(0.2f, ((INetwork)net).CompiledTrainer!.LabelSmoothing);
    }

    [Fact]
    public void ALinearOutputWithFromLogitsTrainsAsTheSoftmaxOutputWithTheFusedLoss()
    {
        // Keras' from_logits=True on a linear last layer is the softmax last layer with the plain loss: same loss, same
        // gradients (here through two code paths: the logits kernel and the fused softmax kernel), same evaluation.
        var logits = new LogitsHead();
        var probs = new SoftmaxHead();
        logits.Parameters.CopyTo(probs.Parameters);
        var rng = new Random(3);
        var x = Enumerable.Range(0, 8 * 6).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var ids = new float[] { 0, 3, 1, 2, 2, 0, 3, 1 };
        float a = logits.ComputeGradients(x, ids, 8, Loss.SparseCategoricalCrossentropyFromLogits);
        float b = probs.ComputeGradients(x, ids, 8, Loss.SparseCategoricalCrossentropy);
        Assert.Equal(b, a, 5);
        var ga = logits.Gradients.ToArray();
        var gb = probs.Gradients.ToArray();
        for (int i = 0; i < ga.Length; i++) Assert.True(Math.Abs(ga[i] - gb[i]) <= 1e-6 + 1e-5 * Math.Abs(gb[i]), $"gradient[{i}]: {ga[i]} vs {gb[i]}");
        var ea = Trainer.Evaluate(logits, Loss.SparseCategoricalCrossentropyFromLogits, x, ids, 4);
        var eb = Trainer.Evaluate(probs, Loss.SparseCategoricalCrossentropy, x, ids, 4);
        Assert.Equal(eb.Loss, ea.Loss, 5);
        Assert.Equal(eb.Accuracy, ea.Accuracy);
        // Sparse targets are class ids: one per row, checked like the plain sparse loss.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => logits.ComputeGradients(x, new float[] { 0, 4, 1, 2, 2, 0, 3, 1 }, 8, Loss.SparseCategoricalCrossentropyFromLogits));
        Assert.Contains("not a class id in [0, 4)", e.Message);
    }

    [Fact]
    public void FocalGradientMatchesFiniteDifferences()
    {
        // Central differences of the kernel's own value, in float, at a point away from the clip bounds.
        var f = Load("categorical_focal_unnormalised");
        var p = (float[])f.predictions.Clone();
        var grad = new float[p.Length];
        NetGen.Kernels.Losses.CategoricalFocalCrossentropy(p, f.targets, grad, f.rows, f.cols);
        for (int i = 0; i < p.Length; i += 3)
        {
            float h = 1e-3f * Math.Max(1e-2f, p[i]);
            float keep = p[i];
            p[i] = keep + h;
            double up = NetGen.Kernels.Losses.CategoricalFocalCrossentropy(p, f.targets, Span<float>.Empty, f.rows, f.cols);
            p[i] = keep - h;
            double down = NetGen.Kernels.Losses.CategoricalFocalCrossentropy(p, f.targets, Span<float>.Empty, f.rows, f.cols);
            p[i] = keep;
            double numeric = (up - down) / (2.0 * h);
            Assert.True(Math.Abs(numeric - grad[i]) <= 2e-2 * Math.Abs(grad[i]) + 1e-4, $"[{i}] numeric {numeric}, analytic {grad[i]}");
        }
    }

    [Theory]
    [InlineData(Loss.MeanAbsoluteError)]
    [InlineData(Loss.Huber)]
    [InlineData(Loss.KLDivergence)]
    [InlineData(Loss.Hinge)]
    [InlineData(Loss.CategoricalFocalCrossentropy)]
    public void GeneratedNetworksTrainWithTheNewLosses(Loss loss)
    {
        // The generated code hands any loss it does not fuse to the runtime's Losses.Compute, so no generator change is needed.
        var data = NetGen.Samples.Data.FashionMnist.Load(IdxTests.SliceDirectory);
        var y = NetGen.Samples.Data.FashionMnist.OneHot(data.TrainLabels, 10);
        var net = new SliceMlp(seed: 1);
        net.Compile(new Adam(0.003f), loss);
        var x = data.TrainImages.AsSpan(0, 256 * 784);
        var before = net.Evaluate(x, y.AsSpan(0, 2560)).Loss;
        var history = net.Fit(x, y.AsSpan(0, 2560), epochs: 3, batchSize: 32);
        var after = net.Evaluate(x, y.AsSpan(0, 2560)).Loss;
        // Hinge on softmax outputs cannot go below 0.9 (1 + (1 − 2p)/10 per row): compare what lies above that floor.
        float floor = loss == Loss.Hinge ? 0.9f : 0f;
        Assert.True(after - floor < (before - floor) * 0.9, $"{loss}: {before} -> {after}");
        Assert.True(history.Loss[2] < history.Loss[0]);
    }
}

[Network, Input(6)]
[Dense(5, Activation = Activation.Tanh)]
[Dense(4)]
public partial class LogitsHead { }

[Network, Input(6)]
[Dense(5, Activation = Activation.Tanh)]
[Dense(4, Activation = Activation.Softmax)]
public partial class SoftmaxHead { }
