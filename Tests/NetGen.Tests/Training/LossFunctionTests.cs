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
