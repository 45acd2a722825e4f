using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Optimizers;
using NetGen.Tests.EndToEnd;
using NetGen.Tests.ModelApi;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>A Dense layer over a sequence: three output rows per sample, so one sample weight covers three loss rows.</summary>
[Network]
[Input(3, 4)]
[Dense(5, Activation = Activation.Softmax)]
public partial class WeightedSequence { }

/// <summary>One sigmoid output column: class_weight rounds the target to 0 or 1.</summary>
[Network]
[Input(3)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class WeightedBinary { }

/// <summary>
/// Keras <c>sample_weight</c> and <c>class_weight</c> (issue 16). Keras' default reduction multiplies each sample's loss by
/// its weight and divides the sum by the batch size. The checks are independent of the weighted kernels: the loss by its
/// formula in double, and a weighted batch against the weighted sum of one-sample steps (the gradient is linear in the
/// per-sample losses), which a wrong divisor (the sum of the weights) or a misplaced weight fails.
/// </summary>
public class SampleWeightTests
{
    private static readonly float[] Weights3 = { 2f, 0f, 0.5f };

    [Fact]
    public void Weighted_categorical_crossentropy_is_the_weighted_sum_over_the_batch_size()
    {
        const int rows = 3, cols = 4;
        var probs = GradientCheck.Distributions(rows, cols, 1);
        var y = GradientCheck.Distributions(rows, cols, 2);
        double expected = 0;
        for (int r = 0; r < rows; r++)
        {
            double row = 0;
            for (int j = 0; j < cols; j++) row -= y[r * cols + j] * Math.Log(Math.Clamp(probs[r * cols + j], 1e-7, 1 - 1e-7));
            expected += Weights3[r] * row;
        }
        expected /= rows; // Keras: divided by the batch size, not by the sum of the weights (2.5)
        var grad = new float[rows * cols];
        float loss = global::NetGen.Kernels.Losses.Compute(Loss.CategoricalCrossentropy, probs, y, grad, rows, cols, Weights3);
        Assert.Equal(expected, loss, 1e-6 * Math.Abs(expected));

        // Each row's gradient is its weight times the unweighted batch gradient's row.
        var plain = new float[rows * cols];
        global::NetGen.Kernels.Losses.Compute(Loss.CategoricalCrossentropy, probs, y, plain, rows, cols);
        for (int i = 0; i < grad.Length; i++) Assert.Equal(Weights3[i / cols] * plain[i], grad[i], 1e-6f);
        Assert.All(grad.AsSpan(cols, cols).ToArray(), v => Assert.Equal(0f, v)); // weight 0: no gradient
    }

    [Fact]
    public void Several_rows_per_sample_share_the_sample_weight_and_empty_weights_are_the_plain_kernel()
    {
        const int rows = 4, cols = 3; // two samples of two rows each
        var pred = GradientCheck.Random(rows * cols, 3);
        var y = GradientCheck.Random(rows * cols, 4);
        float[] w = { 3f, 0.25f };
        double expected = 0;
        for (int r = 0; r < rows; r++)
        {
            double row = 0;
            for (int j = 0; j < cols; j++) row += Math.Pow(pred[r * cols + j] - y[r * cols + j], 2) / cols;
            expected += w[r / 2] * row;
        }
        expected /= rows;
        Assert.Equal(expected, global::NetGen.Kernels.Losses.Compute(Loss.MeanSquaredError, pred, y, Span<float>.Empty, rows, cols, w), 1e-6 * expected);

        var a = new float[rows * cols];
        var b = new float[rows * cols];
        float la = global::NetGen.Kernels.Losses.Compute(Loss.MeanSquaredError, pred, y, a, rows, cols);
        float lb = global::NetGen.Kernels.Losses.Compute(Loss.MeanSquaredError, pred, y, b, rows, cols, ReadOnlySpan<float>.Empty);
        Assert.Equal(la, lb);
        Assert.Equal(a, b);

        var e = Assert.Throws<ArgumentException>(() => global::NetGen.Kernels.Losses.Compute(Loss.MeanSquaredError, pred, y, Span<float>.Empty, rows, cols, new float[3]));
        Assert.Equal("sampleWeight", e.ParamName);
    }

    /// <summary>
    /// ComputeWeightedGradients on a batch equals Σ wᵢ · (the step on sample i alone) / batch size, for the loss and every
    /// gradient; <paramref name="targetLength"/> is one sample's target floats.
    /// </summary>
    private static void MatchesWeightedSumOfSingles(INetwork net, float[] x, float[] y, float[] w, Loss loss, int targetLength)
    {
        int n = w.Length, inLength = net.InputLength;
        float weighted = net.ComputeWeightedGradients(x, y, w, n, loss);
        var gradients = net.Gradients.ToArray();

        double expectedLoss = 0;
        var expected = new double[gradients.Length];
        for (int i = 0; i < n; i++)
        {
            expectedLoss += w[i] * (double)net.ComputeGradients(x.AsSpan(i * inLength, inLength), y.AsSpan(i * targetLength, targetLength), 1, loss);
            var g = net.Gradients;
            for (int k = 0; k < expected.Length; k++) expected[k] += w[i] * (double)g[k];
        }
        expectedLoss /= n;
        for (int k = 0; k < expected.Length; k++) expected[k] /= n;

        Assert.Equal(expectedLoss, weighted, 2e-6 * Math.Max(1, Math.Abs(expectedLoss)));
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 1e-3, "the gradients are too small to tell anything");
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - gradients[k]) <= 2e-6 * scale, $"gradient {k}: {gradients[k]} vs {expected[k]}");

        // Unweighted again afterwards: the weights belonged to that call only.
        float plain = net.ComputeGradients(x, y, n, loss);
        float ones = net.ComputeWeightedGradients(x, y, Enumerable.Repeat(1f, n).ToArray(), n, loss);
        Assert.Equal(plain, ones, 1e-6f * Math.Max(1, Math.Abs(plain)));
        Assert.NotEqual(plain, weighted);
    }

    [Fact]
    public void Softmax_output_with_fused_categorical_crossentropy()
        => MatchesWeightedSumOfSingles(new GradMlp(seed: 5), GradientCheck.Random(3 * 6, 21), GradientCheck.Distributions(3, 3, 22), Weights3, Loss.CategoricalCrossentropy, 3);

    [Fact]
    public void Softmax_output_with_fused_sparse_categorical_crossentropy()
        => MatchesWeightedSumOfSingles(new GradMlp(seed: 6), GradientCheck.Random(3 * 6, 23), new float[] { 2, 0, 1 }, Weights3, Loss.SparseCategoricalCrossentropy, 1);

    [Fact]
    public void Sigmoid_output_with_fused_binary_crossentropy_and_with_mean_squared_error()
    {
        var y = new float[] { 1, 0, 0, 1, 1, 1 };
        MatchesWeightedSumOfSingles(new GradSkip(seed: 7), GradientCheck.Random(3 * 4, 24), y, Weights3, Loss.BinaryCrossentropy, 2);
        MatchesWeightedSumOfSingles(new GradSkip(seed: 7), GradientCheck.Random(3 * 4, 25), y, Weights3, Loss.MeanSquaredError, 2);
    }

    [Fact]
    public void Two_inputs_and_two_outputs_weigh_both_losses()
    {
        var net = new GradTwoInputs(seed: 8);
        var y = new float[3 * GradTwoInputs.OutputLength];
        var first = GradientCheck.Distributions(3, 2, 26);
        var second = GradientCheck.Random(3, 27);
        for (int i = 0; i < 3; i++)
        {
            first.AsSpan(i * 2, 2).CopyTo(y.AsSpan(i * 3));
            y[i * 3 + 2] = second[i];
        }
        MatchesWeightedSumOfSingles(net, GradientCheck.Random(3 * GradTwoInputs.InputLength, 28), y, Weights3, Loss.MeanSquaredError, 3);
    }

    [Fact]
    public void Sequence_output_weighs_every_row_of_a_sample()
        => MatchesWeightedSumOfSingles(new WeightedSequence(seed: 9), GradientCheck.Random(3 * 12, 29), new float[] { 0, 4, 1, 2, 2, 3, 1, 0, 4 }, Weights3, Loss.SparseCategoricalCrossentropy, 3);

    [Fact]
    public void A_bad_sample_weight_span_is_refused_naming_it()
    {
        var net = new GradMlp(seed: 1);
        var x = GradientCheck.Random(2 * 6, 1);
        var y = GradientCheck.Distributions(2, 3, 2);
        var e = Assert.Throws<ArgumentException>(() => net.ComputeWeightedGradients(x, y, new float[3], 2, Loss.CategoricalCrossentropy));
        Assert.Equal("sampleWeight", e.ParamName);
        Assert.Contains("2", e.Message);
    }

    private static (float[] X, float[] Y) Data(int n, int seed)
    {
        var x = GradientCheck.Random(n * 6, seed);
        var y = new float[n * 3];
        for (int i = 0; i < n; i++) y[i * 3 + (i * 7 + seed) % 3] = 1f;
        return (x, y);
    }

    [Fact]
    public void Class_weight_trains_exactly_as_the_sample_weights_it_stands_for()
    {
        var (x, y) = Data(20, 3);
        var classWeight = new Dictionary<int, float> { [0] = 1f, [1] = 3f, [2] = 0.5f };
        var perSample = Enumerable.Range(0, 20).Select(i => classWeight[Array.IndexOf(y, 1f, i * 3, 3) - i * 3]).ToArray();

        float[] Train(FitOptions options)
        {
            var net = new GradMlp(seed: 2);
            new Trainer(net, new Adam(0.01f), Loss.CategoricalCrossentropy, 4).Fit(x, y, options);
            return net.Parameters.ToArray();
        }

        var byClass = Train(new FitOptions { Epochs = 2, BatchSize = 8, ClassWeight = classWeight });
        var bySample = Train(new FitOptions { Epochs = 2, BatchSize = 8, SampleWeight = perSample });
        var plain = Train(new FitOptions { Epochs = 2, BatchSize = 8 });
        Assert.Equal(bySample, byClass);
        Assert.NotEqual(plain, byClass);

        // Every weight 1 is the unweighted loss (to float rounding of the per-row sum).
        var ones = Train(new FitOptions { Epochs = 2, BatchSize = 8, SampleWeight = Enumerable.Repeat(1f, 20).ToArray() });
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], ones[i], 1e-5f);
    }

    [Fact]
    public void Sparse_and_binary_targets_take_their_class_from_the_id_or_the_rounded_value()
    {
        // Sparse: class ids; binary: one column rounded to 0 or 1 (Keras).
        var net = new GradMlp(seed: 3);
        var x = GradientCheck.Random(4 * 6, 5);
        var ids = new float[] { 0, 2, 2, 1 };
        var trainer = new Trainer(net, new SGD(0.1f), Loss.SparseCategoricalCrossentropy, 1);
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(x, ids, new FitOptions { ClassWeight = new Dictionary<int, float> { [0] = 1, [2] = 2 } }));
        Assert.Contains("class 1", e.Message);

        var before = net.Parameters.ToArray();
        trainer.Fit(x, ids, new FitOptions { Shuffle = false, BatchSize = 4, ClassWeight = new Dictionary<int, float> { [0] = 0, [1] = 0, [2] = 0 } });
        Assert.Equal(before, net.Parameters.ToArray()); // every weight 0: the gradient is zero, SGD leaves the weights

        float[] Binary(FitOptions options)
        {
            var b = new WeightedBinary(seed: 6);
            new Trainer(b, new SGD(0.1f), Loss.BinaryCrossentropy, 1).Fit(GradientCheck.Random(4 * 3, 7), new float[] { 0.2f, 0.7f, 1f, 0f }, options);
            return b.Parameters.ToArray();
        }
        var byClass = Binary(new FitOptions { Epochs = 3, BatchSize = 2, ClassWeight = new Dictionary<int, float> { [0] = 0.5f, [1] = 2f } });
        var bySample = Binary(new FitOptions { Epochs = 3, BatchSize = 2, SampleWeight = new float[] { 0.5f, 2f, 2f, 0.5f } });
        Assert.Equal(bySample, byClass);
        Assert.NotEqual(Binary(new FitOptions { Epochs = 3, BatchSize = 2 }), byClass);
    }

    [Fact]
    public void Bad_weights_are_refused_with_the_argument_named_and_nothing_trained()
    {
        var (x, y) = Data(6, 4);
        var net = new GradMlp(seed: 4);
        var trainer = new Trainer(net, new Adam(), Loss.CategoricalCrossentropy, 1);
        var before = net.Parameters.ToArray();

        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(x, y, new FitOptions { SampleWeight = new float[5] }));
        Assert.Equal("options.SampleWeight", e.ParamName);
        Assert.Contains("(6)", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(x, y, new FitOptions { SampleWeight = new float[] { 1, 1, -1, 1, 1, 1 } }));
        Assert.Contains("[2]", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(x, y, new FitOptions { SampleWeight = new float[] { 1, 1, 1, float.NaN, 1, 1 } }));
        Assert.Contains("[3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => trainer.Fit(x, y, new FitOptions { SampleWeight = new float[6], ClassWeight = new Dictionary<int, float>() }));
        Assert.Contains("not both", e.Message);
        e = Assert.Throws<ArgumentException>(() => trainer.TrainOnBatch(x, y, new float[2], 6));
        Assert.Equal("sampleWeight", e.ParamName);
        Assert.Equal(before, net.Parameters.ToArray());

        var two = new Trainer(new GradTwoInputs(seed: 1), new Adam(), Loss.MeanSquaredError, 1);
        e = Assert.Throws<ArgumentException>(() => two.Fit(new float[2 * 7], new float[2 * 3], new FitOptions { ClassWeight = new Dictionary<int, float> { [0] = 1 } }));
        Assert.Contains("one output", e.Message);
    }

    [Fact]
    public void Train_on_batch_with_weights_reports_the_weighted_loss()
    {
        var (x, y) = Data(3, 5);
        var net = new GradMlp(seed: 5);
        float expected = net.ComputeWeightedGradients(x, y, Weights3, 3, Loss.CategoricalCrossentropy);
        var trainer = new Trainer(net, new SGD(0.01f), Loss.CategoricalCrossentropy, 1);
        Assert.Equal(expected, trainer.TrainOnBatch(x, y, Weights3, 3));
    }
}
