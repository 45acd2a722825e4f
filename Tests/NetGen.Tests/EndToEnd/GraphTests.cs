using System;
using System.Linq;
using NetGen.Data;
using NetGen.Optimizers;
using NetGen.Samples.Data;
using NetGen.Tests.Training;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>Functional graphs end to end: gradients by finite differences, training on Fashion-MNIST, the typed entry points.</summary>
public class GraphTests
{
    // The finite-difference checks run on twins of the ReLU networks with smooth activations: a ±h step that moves a
    // ReLU input across zero makes the central difference meaningless, and among thousands of parameters some always
    // do. What these tests check, the graph's wiring (skip connections, fan-out sums, several inputs and outputs), does
    // not depend on the activation; ReLU's own derivative is checked in GradientTests and the kernel tests.

    [Fact]
    public void ResidualMlpGradientsMatchFiniteDifferences()
    {
        var net = new ResidualSmooth(seed: 3);
        var x = GradientCheck.Random(3 * ResidualMlp.InputLength, 11, 0.5f);
        GradientCheck.AssertMatches(net, x, GradientCheck.Distributions(3, 10, 12), 3, Loss.CategoricalCrossentropy);
    }

    [Fact]
    public void TwoInputGradientsMatchFiniteDifferences()
    {
        var net = new ImageAndBrightnessSmooth(seed: 4);
        var x = GradientCheck.Random(3 * ImageAndBrightnessSmooth.InputLength, 13, 0.5f);
        GradientCheck.AssertMatches(net, x, GradientCheck.Distributions(3, 10, 14), 3, Loss.CategoricalCrossentropy);
    }

    [Fact]
    public void TwoOutputGradientsAreTheSumOfBothLosses()
    {
        var net = new TwoHeadsSmooth(seed: 5);
        var x = GradientCheck.Random(2 * TwoHeadsSmooth.InputLength, 15, 0.5f);
        var item = GradientCheck.Distributions(2, 10, 16);
        var group = GradientCheck.Distributions(2, 4, 17);
        var y = TwoHeadsSmooth.PackTargets(item, group);
        GradientCheck.AssertMatches(net, x, y, 2, Loss.CategoricalCrossentropy);

        // The summed loss is each head's own cross-entropy added: check against the heads' outputs.
        float loss = net.ComputeGradients(x, y, 2, Loss.CategoricalCrossentropy);
        var output = net.TrainingOutput.ToArray();
        double expected = 0;
        for (int s = 0; s < 2; s++)
        {
            for (int c = 0; c < 10; c++) expected -= item[s * 10 + c] * Math.Log(output[s * 14 + c]) / 2;
            for (int c = 0; c < 4; c++) expected -= group[s * 4 + c] * Math.Log(output[s * 14 + 10 + c]) / 2;
        }
        Assert.Equal(expected, loss, 1e-5);
    }

    [Fact]
    public void EveryMergeLayerInOneGraphMatchesFiniteDifferences()
    {
        var net = new EveryMergeGraph(seed: 6);
        var x = GradientCheck.Random(4 * EveryMergeGraph.InputLength, 18);
        GradientCheck.AssertMatches(net, x, GradientCheck.Distributions(4, 2, 19), 4, Loss.CategoricalCrossentropy);
    }

    [Fact]
    public void AnInferenceOnlyLambdaTrainsInFrontOfTheWeightsButNotBehindThem()
    {
        var front = new LambdaInFront(seed: 7);
        GradientCheck.AssertMatches(front, GradientCheck.Random(8, 20), GradientCheck.Random(6, 21), 2, Loss.MeanSquaredError);
        var y = new float[3];
        front.Predict(new float[] { 1, 2, 3, 4 }, y);
        var p = front.Parameters;
        for (int u = 0; u < 3; u++)
            Assert.Equal(2 * (1 * p[u] + 2 * p[3 + u] + 3 * p[6 + u] + 4 * p[9 + u]) + p[12 + u], y[u], 5);

        var behind = new LambdaBehindWeights(seed: 8);
        var e = Assert.Throws<NotSupportedException>(() => behind.ComputeGradients(new float[4], new float[2], 1, Loss.MeanSquaredError));
        Assert.Contains("lambda", e.Message);
    }

    [Fact]
    public void TypedAndPackedEntryPointsAgree()
    {
        var net = new ImageAndBrightness(seed: 9);
        var images = GradientCheck.Random(5 * 784, 22);
        var brightness = GradientCheck.Random(5, 23);
        var packed = ImageAndBrightness.PackInputs(images, brightness);
        Assert.Equal(5 * 785, packed.Length);
        Assert.Equal(brightness[2], packed[2 * 785 + 784]);
        Assert.Equal(images[3 * 784 + 5], packed[3 * 785 + 5]);

        var typed = new float[5 * 10];
        var single = new float[5 * 10];
        net.Predict(images, brightness, typed, 5);
        net.Predict(packed, single, 5);
        Assert.Equal(typed, single);

        var target = GradientCheck.Distributions(5, 10, 24);
        float a = net.ComputeGradients(images, brightness, target, 5, Loss.CategoricalCrossentropy);
        var gradients = net.Gradients.ToArray();
        float b = net.ComputeGradients(packed, target, 5, Loss.CategoricalCrossentropy);
        Assert.Equal(a, b);
        Assert.Equal(gradients, net.Gradients.ToArray());

        Assert.Equal("brightness", Assert.Throws<ArgumentException>(() => net.Predict(images, new float[4], typed, 5)).ParamName);
    }

    [Fact]
    public void GraphsPredictAndTrainWithoutAllocating()
    {
        INetwork[] networks = { new ImageAndBrightness(1), new TwoHeads(2), new EveryMergeGraph(3), new ResidualMlp(4) };
        foreach (var net in networks)
        {
            var input = GradientCheck.Random(3 * net.InputLength, 7);
            var output = new float[3 * net.OutputLength];
            var target = new float[3 * net.OutputLength];
            net.Predict(input, output, 3);
            net.ComputeGradients(input, target, 3, Loss.MeanSquaredError);
            Assert.Equal(0, Allocations.Fewest(() =>
            {
                for (int i = 0; i < 5; i++)
                {
                    net.Predict(input, output, 3);
                    net.ComputeGradients(input, target, 3, Loss.MeanSquaredError);
                }
            }));
        }
    }

    private static (FashionMnistData Data, float[] Y, float[] TestY) Slice()
    {
        var data = FashionMnist.Load(IdxTests.SliceDirectory);
        return (data, FashionMnist.OneHot(data.TrainLabels, 10), FashionMnist.OneHot(data.TestLabels, 10));
    }

    [Fact]
    public void ResidualMlpTrainsOnFashionMnist()
    {
        var (data, y, testY) = Slice();
        var model = new ResidualMlp(seed: 1);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy);
        model.Fit(data.TrainImages, y, epochs: 8, batchSize: 32);
        var result = model.Evaluate(data.TestImages, testY);
        Assert.True(result.Accuracy >= 0.6, $"test accuracy {result.Accuracy}");
    }

    /// <summary>Mean pixel value of each image: the derived feature of the second input.</summary>
    private static float[] Brightness(float[] images)
    {
        var b = new float[images.Length / 784];
        for (int i = 0; i < b.Length; i++) b[i] = images.AsSpan(i * 784, 784).ToArray().Average();
        return b;
    }

    [Fact]
    public void TwoInputNetworkTrainsOnFashionMnist()
    {
        var (data, y, testY) = Slice();
        var model = new ImageAndBrightness(seed: 1);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy);
        model.Fit(ImageAndBrightness.PackInputs(data.TrainImages, Brightness(data.TrainImages)), y, epochs: 8, batchSize: 32);
        var result = model.Evaluate(ImageAndBrightness.PackInputs(data.TestImages, Brightness(data.TestImages)), testY);
        Assert.True(result.Accuracy >= 0.6, $"test accuracy {result.Accuracy}");
    }

    /// <summary>Tops (0, 2, 3, 4, 6), bottoms (1), footwear (5, 7, 9), bags (8).</summary>
    private static readonly int[] s_group = { 0, 1, 0, 0, 0, 2, 0, 2, 3, 2 };

    [Fact]
    public void TwoHeadsTrainBothOutputs()
    {
        var (data, y, testY) = Slice();
        float[] Targets(byte[] labels, float[] item)
            => TwoHeads.PackTargets(item, FashionMnist.OneHot(labels.Select(l => (byte)s_group[l]).ToArray(), 4));
        var model = new TwoHeads(seed: 2);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy);
        var history = model.Fit(data.TrainImages, Targets(data.TrainLabels, y), epochs: 6, batchSize: 32);
        Assert.True(history.Loss[history.Loss.Count - 1] < history.Loss[0], "the summed loss falls");
        var result = model.Evaluate(data.TestImages, Targets(data.TestLabels, testY));
        // Accuracy with two outputs is the mean of both; chance is (0.1 + 0.25) / 2.
        Assert.True(result.Accuracy >= 0.7, $"mean test accuracy {result.Accuracy}");

        // Predict writes both heads into each packed row: each head's probabilities sum to one.
        var output = new float[2 * TwoHeads.OutputLength];
        model.Predict(data.TestImages.AsSpan(0, 2 * 784), output, 2);
        Assert.Equal(1.0, output.AsSpan(0, 10).ToArray().Sum(), 4);
        Assert.Equal(1.0, output.AsSpan(10, 4).ToArray().Sum(), 4);
        Assert.Equal(2, TwoHeads.Outputs.Count);
        Assert.Equal(new OutputInfo("group", 4, 1), TwoHeads.Outputs[1]);
    }

    [Fact]
    public void MaximumSendsATiedGradientToTheFirstInput()
    {
        // Both inputs equal: the first takes the whole gradient, the second none (TensorFlow's rule, documented).
        var net = MergeFixtureTests.Probed("maximum");
        var x = GradientCheck.Random(32, 25);
        var target = new float[32];
        net.ComputeGradients(x.Concat(x).ToArray(), target, 1, Loss.MeanSquaredError);
        var biases = net.ParameterLayout.Where(p => p.Name.EndsWith("/bias", StringComparison.Ordinal)).ToList();
        for (int i = 0; i < 32; i++)
        {
            Assert.Equal(2 * x[i] / 32, net.Gradients[biases[0].Offset + i], 6);
            Assert.Equal(0f, net.Gradients[biases[1].Offset + i]);
        }
    }

    [Fact]
    public void SummaryAndDiagramShowTheConnections()
    {
        Assert.Contains("Connected to", ResidualMlp.SummaryText);
        Assert.Contains("│ add (Add)", ResidualMlp.SummaryText);
        Assert.Contains("\"dense\" -> \"add\";", ResidualMlp.Diagram);
        Assert.Contains("\"dense_2\" -> \"add\";", ResidualMlp.Diagram);
        Assert.Contains("\"brightness\" -> \"dense_1\";", ImageAndBrightness.Diagram);
        Assert.StartsWith("digraph \"ResidualMlp\" {", ResidualMlp.Diagram);
        Assert.DoesNotContain("Connected to", SliceMlp.SummaryText); // a plain chain keeps Keras' Sequential table
    }

    [Fact]
    public void TheInferenceArenaOfAChainHoldsNoMoreThanTwoAdjacentTensors()
    {
        // A chain's tensors die as soon as the next layer has run: the arena is at most the largest pair of neighbours.
        Assert.Equal(SliceMlp.InferenceBatchCapacity * (32 + 10), SliceMlp.InferenceArenaFloats);
        Assert.Equal(ClassicMnistCnn.InferenceBatchCapacity * (26 * 26 * 32 + 13 * 13 * 32), ClassicMnistCnn.InferenceArenaFloats);
        // The residual block keeps dense's output alive across two layers: three 64-float tensors at once.
        Assert.Equal(ResidualMlp.InferenceBatchCapacity * 3 * 64, ResidualMlp.InferenceArenaFloats);
    }

    [Fact]
    public void TheTrainingFootprintAddsActivationsGradientsWeightsAndOptimizerSlots()
    {
        long perSample = SliceMlp.TrainingFloatsPerSample + SliceMlp.GradientFloatsPerSample;
        Assert.Equal(32 * perSample + 4L * SliceMlp.ParameterCount, SliceMlp.TrainingFloats(32, new Adam()));
        Assert.Equal(32 * perSample + 2L * SliceMlp.ParameterCount, SliceMlp.TrainingFloats(32, new SGD()));
        // Activations kept for backward: every non-reinterpreting layer's output plus the scratch the ReLU dense layers keep.
        Assert.Equal(32 + 32 + 10 + 10, SliceMlp.TrainingFloatsPerSample);
        Assert.Contains(" Inference arena: 336 floats", SliceMlp.SummaryText);
    }
}
