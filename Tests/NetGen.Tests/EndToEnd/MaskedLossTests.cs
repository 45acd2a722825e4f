using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Optimizers;
using NetGen.Tests.Generator;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// A padding mask reaching the output (MaskedLossNetworks.cs): as in Keras (LAYERS.md §14.1.3) the loss is the
/// (sample-weighted) sum over the real steps divided by their number, its gradient is zero at padded steps, and accuracy
/// and metrics count the real steps only. Checked against the same layers without a mask over just the real steps: a
/// masked batch's loss must be the step-weighted mean of the unmasked networks' losses, and so must its gradients.
/// </summary>
public class MaskedLossTests
{
    private static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 2e-6 + 2e-5 * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");

    // Sample 0 has 4 real tokens then 2 padding steps; sample 1 has 6 real tokens.
    private static readonly float[] Tokens = { 1, 2, 3, 4, 0, 0, 2, 4, 1, 3, 3, 1 };
    private static readonly float[] FirstReal = { 1, 2, 3, 4 };
    private static readonly float[] Second = { 2, 4, 1, 3, 3, 1 };
    // One class per step; the padded steps' labels are out of range on purpose: they must not be read.
    private static readonly float[] Labels = { 0, 2, 1, 1, 7, -1, 2, 0, 0, 1, 2, 1 };

    private static (MaskedTaggerNet Masked, TaggerFourStepsNet Four, TaggerSixStepsNet Six) Taggers()
    {
        var masked = new MaskedTaggerNet(1);
        var four = new TaggerFourStepsNet(1);
        var six = new TaggerSixStepsNet(1);
        Assert.Equal(masked.Parameters.Length, four.Parameters.Length);
        GradientCheck.Random(masked.Parameters.Length, 5, 0.7f).CopyTo(masked.Parameters);
        masked.Parameters.CopyTo(four.Parameters);
        masked.Parameters.CopyTo(six.Parameters);
        return (masked, four, six);
    }

    private static float[] OneHot(float[] labels, int classes)
    {
        var y = new float[labels.Length * classes];
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= 0 && labels[i] < classes) y[i * classes + (int)labels[i]] = 1;
        return y;
    }

    [Theory]
    [InlineData(Loss.SparseCategoricalCrossentropy)]
    [InlineData(Loss.CategoricalCrossentropy)]
    [InlineData(Loss.MeanSquaredError)]
    public void LossAndGradientsAreTheMeanOverRealSteps(Loss loss)
    {
        var (masked, four, six) = Taggers();
        bool sparse = loss == Loss.SparseCategoricalCrossentropy;
        float[] Targets(float[] labels) => sparse ? labels : OneHot(labels, 3);
        float l4 = four.ComputeGradients(FirstReal, Targets(Labels[..4]), 1, loss);
        var g4 = four.Gradients.ToArray();
        float l6 = six.ComputeGradients(Second, Targets(Labels[6..]), 1, loss);
        var g6 = six.Gradients.ToArray();
        float lm = masked.ComputeGradients(Tokens, Targets(Labels), 2, loss);
        Close((4.0 * l4 + 6.0 * l6) / 10, lm, "loss");
        var gm = masked.Gradients;
        for (int i = 0; i < gm.Length; i++) Close((4.0 * g4[i] + 6.0 * g6[i]) / 10, gm[i], $"gradient[{i}]");
        // The padding token's embedding row (row 0) gets no gradient: nothing real reads it.
        for (int j = 0; j < 3; j++) Assert.Equal(0f, gm[j]);
        // Control: without the mask the padded steps would count, and the loss would differ.
        Assert.True(Math.Abs(lm - (l4 + l6) / 2) > 1e-4, "the step-weighted mean equals the per-sample mean: the check cannot tell them apart");
    }

    [Fact]
    public void SampleWeightsWeighTheRealStepsOfTheirSample()
    {
        var (masked, four, six) = Taggers();
        const Loss loss = Loss.SparseCategoricalCrossentropy;
        float l4 = four.ComputeGradients(FirstReal, Labels[..4], 1, loss);
        var g4 = four.Gradients.ToArray();
        float l6 = six.ComputeGradients(Second, Labels[6..], 1, loss);
        var g6 = six.Gradients.ToArray();
        float lm = masked.ComputeWeightedGradients(Tokens, Labels, new[] { 2f, 0.5f }, 2, loss);
        Close((2 * 4.0 * l4 + 0.5 * 6.0 * l6) / 10, lm, "loss");
        var gm = masked.Gradients;
        for (int i = 0; i < gm.Length; i++) Close((2 * 4.0 * g4[i] + 0.5 * 6.0 * g6[i]) / 10, gm[i], $"gradient[{i}]");
    }

    [Fact]
    public void MaskingLayerMaskSkipsAllZeroSteps()
    {
        var masked = new MaskedStepRegressionNet(1);
        var three = new StepRegressionThreeNet(1);
        var five = new StepRegressionFiveNet(1);
        GradientCheck.Random(masked.Parameters.Length, 6, 0.8f).CopyTo(masked.Parameters);
        masked.Parameters.CopyTo(three.Parameters);
        masked.Parameters.CopyTo(five.Parameters);
        var real0 = GradientCheck.Random(6, 7);
        var sample1 = GradientCheck.Random(10, 8);
        var x = new float[20];
        real0.CopyTo(x, 0); // steps 3 and 4 of sample 0 stay all zero: padding
        sample1.CopyTo(x, 10);
        var y = GradientCheck.Random(20, 9);
        float l3 = three.ComputeGradients(real0, y[..6], 1, Loss.MeanSquaredError);
        var g3 = three.Gradients.ToArray();
        float l5 = five.ComputeGradients(sample1, y[10..], 1, Loss.MeanSquaredError);
        var g5 = five.Gradients.ToArray();
        float lm = masked.ComputeGradients(x, y, 2, Loss.MeanSquaredError);
        Close((3.0 * l3 + 5.0 * l5) / 8, lm, "loss");
        for (int i = 0; i < masked.Gradients.Length; i++) Close((3.0 * g3[i] + 5.0 * g5[i]) / 8, masked.Gradients[i], $"gradient[{i}]");
        Assert.Equal(new float[] { 1, 1, 1, 0, 0, 1, 1, 1, 1, 1 }, masked.TrainingOutputMask.ToArray());
        var mask = new float[10];
        masked.PredictWithMask(x, new float[20], mask, 2);
        Assert.Equal(new float[] { 1, 1, 1, 0, 0, 1, 1, 1, 1, 1 }, mask);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var (masked, _, _) = Taggers();
        GradientCheck.AssertMatches(masked, Tokens, OneHot(Labels, 3), 2, Loss.CategoricalCrossentropy);
        var regression = new MaskedStepRegressionNet(1);
        GradientCheck.Random(regression.Parameters.Length, 6, 0.8f).CopyTo(regression.Parameters);
        var x = GradientCheck.Random(20, 7);
        Array.Clear(x, 6, 4);
        GradientCheck.AssertMatches(regression, x, GradientCheck.Random(20, 9), 2, Loss.MeanSquaredError);
    }

    [Fact]
    public void PredictWithMaskWritesTheOutputAndItsMask()
    {
        var (masked, _, _) = Taggers();
        Assert.Equal(6, MaskedTaggerNet.OutputMaskLength);
        Assert.Equal(6, ((INetwork)masked).OutputMaskLength);
        Assert.Equal(0, ((INetwork)new TaggerSixStepsNet(1)).OutputMaskLength);
        var plain = new float[36];
        masked.Predict(Tokens, plain, 2);
        var output = new float[36];
        var mask = new float[12];
        masked.PredictWithMask(Tokens, output, mask, 2);
        Assert.Equal(plain, output);
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1 }, mask);
        // The token-id overload gives the same.
        var fromIds = new float[36];
        var idMask = new float[12];
        masked.PredictWithMask(Tokens.Select(t => (int)t).ToArray(), fromIds, idMask, 2);
        Assert.Equal(plain, fromIds);
        Assert.Equal(mask, idMask);
        var error = Assert.Throws<ArgumentException>(() => masked.PredictWithMask(Tokens, output, new float[11], 2));
        Assert.Equal("outputMask", error.ParamName);
        Assert.Throws<NotSupportedException>(() => ((INetwork)new TaggerSixStepsNet(1)).PredictWithMask(Second, new float[18], new float[6], 1));
    }

    [Fact]
    public void EvaluateCountsOnlyRealSteps()
    {
        var (masked, four, six) = Taggers();
        const Loss loss = Loss.SparseCategoricalCrossentropy;
        // Expected loss and accuracy from the unmasked networks' predictions over the real steps.
        var p4 = new float[12];
        var p6 = new float[18];
        four.Predict(FirstReal, p4, 1);
        six.Predict(Second, p6, 1);
        var realPredictions = p4.Concat(p6).ToArray();
        var realLabels = Labels[..4].Concat(Labels[6..]).ToArray();
        double sum = 0;
        int correct = 0;
        for (int r = 0; r < 10; r++)
        {
            var row = realPredictions.AsSpan(r * 3, 3);
            int label = (int)realLabels[r];
            sum -= Math.Log(row[label]);
            int best = 0;
            for (int k = 1; k < 3; k++) if (row[k] > row[best]) best = k;
            if (best == label) correct++;
        }
        var evaluation = Trainer.Evaluate(masked, loss, Tokens, Labels, batchSize: 2, new[] { Metric.SparseCategoricalAccuracy() });
        Close(sum / 10, evaluation.Loss, "loss");
        Close(correct / 10.0, evaluation.Accuracy, "accuracy");
        Close(correct / 10.0, evaluation.Metrics["sparse_categorical_accuracy"], "sparse_categorical_accuracy");
        Assert.InRange(correct, 1, 9); // otherwise the accuracy check could not tell counted rows from skipped ones
    }

    [Fact]
    public void FitTrainsOnRealStepsAndReportsTheirAccuracy()
    {
        var (masked, _, _) = Taggers();
        masked.Compile(new Adam(0.05f), Loss.SparseCategoricalCrossentropy);
        var history = masked.Fit(Tokens, Labels, new FitOptions { Epochs = 60, BatchSize = 2, Shuffle = false });
        // Ten real steps a pass: the accuracy is a multiple of 1/10, and training learns them all.
        float accuracy = history.Accuracy[^1];
        Assert.Equal(1f, accuracy, 5);
        var after = Trainer.Evaluate(masked, Loss.SparseCategoricalCrossentropy, Tokens, Labels, 2);
        Assert.Equal(1f, after.Accuracy, 5);
        Assert.True(after.Loss < 0.2f, $"loss after training {after.Loss}");
    }

    [Fact]
    public void GeneratedCodeSnapshot()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(6, TokenIds = true)]
            [Embedding(5, 3, MaskZero = true)]
            [LSTM(4, ReturnSequences = true)]
            [Dense(3, Activation = Activation.Softmax)]
            public partial class TinyTagger { }
            """;
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        var problems = result.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Snapshot.Match("TinyTagger", Assert.Single(result.Sources).Text);
    }
}
