using System;
using System.IO;
using System.Linq;
using NetGen.Optimizers;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>Training/inference modes, state, noise and token ids through generated networks.</summary>
public class NormTests
{
    [Fact]
    public void NormalizationGradientsMatchFiniteDifferences()
    {
        // Training-mode BatchNormalization uses the batch statistics, so the finite differences see them too;
        // the moving statistics change on every call but do not affect the training-mode output.
        GradientCheck.AssertMatches(new NormalizedNet(seed: 1), GradientCheck.Random(4 * 12, 1, 1.5f), GradientCheck.Distributions(4, 3, 2), 4, Loss.CategoricalCrossentropy);
        GradientCheck.AssertMatches(new BatchNormAxisNet(seed: 3), GradientCheck.Random(4 * 30, 5, 1.5f), GradientCheck.Random(4 * 2, 6), 4, Loss.MeanSquaredError);
        Assert.Equal(3 * 2 + 5 * 2, BatchNormAxisNet.StateCount); // moving statistics per index of axis 1 (3), then of axis -2 (5)
        GradientCheck.AssertMatches(new LayerNormAxisNet(seed: 4), GradientCheck.Random(3 * 40, 9, 1.5f), GradientCheck.Random(3 * 2, 10), 3, Loss.MeanSquaredError);
        GradientCheck.AssertMatches(new GroupNormNet(seed: 2), GradientCheck.Random(3 * 24, 3, 1.5f), GradientCheck.Random(3 * 2, 4), 3, Loss.MeanSquaredError);
    }

    [Fact]
    public void BatchNormalizationUpdatesItsMovingStatisticsOnlyWhenTraining()
    {
        var net = new NormalizedNet(seed: 3);
        Assert.Equal(10, NormalizedNet.StateCount);
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 }, net.State.ToArray());
        var x = GradientCheck.Random(4 * 12, 5);
        var output = new float[4 * 3];
        net.Predict(x, output, 4);
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 }, net.State.ToArray());
        net.ComputeGradients(x, GradientCheck.Distributions(4, 3, 6), 4, Loss.CategoricalCrossentropy);
        var moved = net.State.ToArray();
        Assert.Contains(moved.Take(5), m => m != 0);
        // Keras' update with momentum 0.99: the new mean is 1% of the batch mean, so it stays small.
        Assert.All(moved.Take(5), m => Assert.InRange(Math.Abs(m), 0, 0.01));
        Assert.Contains("Non-trainable params: 10 (40.00 B)", NormalizedNet.SummaryText);
    }

    [Fact]
    public void StateIsSavedAndLoadedWithTheWeights()
    {
        var dir = Directory.CreateTempSubdirectory("netgen-bn-");
        try
        {
            var a = new NormalizedNet(seed: 4);
            a.ComputeGradients(GradientCheck.Random(4 * 12, 7), GradientCheck.Distributions(4, 3, 8), 4, Loss.CategoricalCrossentropy);
            var path = Path.Combine(dir.FullName, "bn.weights");
            a.Save(path);
            var b = new NormalizedNet(seed: 5);
            b.Load(path);
            Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
            Assert.Equal(a.State.ToArray(), b.State.ToArray());
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void NoiseIsOnlyActiveWhileTrainingAndSeeded()
    {
        var x = GradientCheck.Random(2 * 6, 9);
        var y = GradientCheck.Distributions(2, 3, 10);
        var a = new NoisyNet(seed: 6);
        var b = new NoisyNet(seed: 6);
        a.ComputeGradients(x, y, 2, Loss.CategoricalCrossentropy);
        b.ComputeGradients(x, y, 2, Loss.CategoricalCrossentropy);
        Assert.Equal(a.TrainingOutput.ToArray(), b.TrainingOutput.ToArray());
        var p1 = new float[6];
        var p2 = new float[6];
        a.Predict(x, p1, 2);
        a.Predict(x, p2, 2);
        Assert.Equal(p1, p2);
        Assert.NotEqual(p1, a.TrainingOutput.ToArray());
    }

    [Fact]
    public void TokenClassifierLearnsASyntheticTask()
    {
        // Class 1 iff the sequence contains more tokens from 10..19 than from 0..9.
        var rng = new Rng(11);
        const int count = 400;
        var ids = new float[count * 8];
        var labels = new float[count];
        for (int i = 0; i < count; i++)
        {
            int high = 0;
            for (int t = 0; t < 8; t++)
            {
                int id = rng.NextInt(20);
                ids[i * 8 + t] = id;
                if (id >= 10) high++;
            }
            labels[i] = high > 4 ? 1 : 0;
        }
        var model = new TokenClassifier(seed: 1);
        model.Compile(new Adam(0.02f), Loss.SparseCategoricalCrossentropy);
        var history = model.Fit(ids.Select(v => (int)v).ToArray(), labels, epochs: 15, batchSize: 16, validationSplit: 0.25);
        Assert.True(history.ValAccuracy[^1] >= 0.85, $"validation accuracy {history.ValAccuracy[^1]}");
        // Float ids and int ids are the same input.
        var asFloats = model.Evaluate(ids, labels);
        var asInts = model.Evaluate(ids.Select(v => (int)v).ToArray(), labels);
        Assert.Equal(asFloats, asInts);

        // The int entry point agrees with the float one and rejects a bad id before computing anything.
        var tokens = ids.Take(8).Select(v => (int)v).ToArray();
        var viaInts = new float[2];
        var viaFloats = new float[2];
        model.Predict(tokens, viaInts);
        model.Predict(ids.AsSpan(0, 8), viaFloats);
        Assert.Equal(viaFloats, viaInts);
        tokens[5] = 20;
        var untouched = new float[] { 7, 7 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(tokens, untouched));
        Assert.Contains("5", e.Message);
        Assert.Contains("20", e.Message);
        Assert.Equal(new float[] { 7, 7 }, untouched);
    }

    [Fact]
    public void EmbeddingGradientTouchesOnlyTheRowsRead()
    {
        var model = new TokenClassifier(seed: 2);
        var ids = new float[] { 3, 3, 5, 7, 3, 5, 7, 7 };
        model.ComputeGradients(ids, new float[] { 1 }, 1, Loss.SparseCategoricalCrossentropy);
        var table = model.Gradients.Slice(0, 20 * 6);
        for (int row = 0; row < 20; row++)
        {
            bool read = row is 3 or 5 or 7;
            bool nonzero = table.Slice(row * 6, 6).ToArray().Any(v => v != 0);
            Assert.Equal(read, nonzero);
        }
    }

    [Fact]
    public void PaddedStepsDoNotChangeAMaskedPrediction()
    {
        // Masked mean over the real steps: (4, 9, 13) and (4, 9, 13, 4, 9, 13) have the same mean embedding, whatever
        // the padding; an unmasked mean also averages the padding row, so the two differ.
        var a = new[] { 4, 9, 13, 0, 0, 0, 0, 0 };
        var b = new[] { 4, 0, 9, 13, 4, 9, 13, 0 };
        var ya = new float[2];
        var yb = new float[2];
        var masked = new MaskedTokenClassifier(seed: 7);
        masked.Predict(a, ya);
        masked.Predict(b, yb);
        Assert.Equal(ya[0], yb[0], 6);
        Assert.Equal(ya[1], yb[1], 6);
        var plain = new TokenClassifier(seed: 7);
        plain.Predict(a, ya);
        plain.Predict(b, yb);
        Assert.NotEqual(ya[0], yb[0], 4);
    }

    [Fact]
    public void MaskedGradientsMatchFiniteDifferencesAndSkipPaddedRows()
    {
        var ids = new float[] { 3, 0, 7, 0, 0, 12, 0, 0, 0, 5, 5, 0, 18, 0, 0, 0 };
        var net = new MaskedTokenClassifier(seed: 8);
        GradientCheck.AssertMatches(net, ids, new float[] { 1, 0 }, 2, Loss.SparseCategoricalCrossentropy);
        net.ComputeGradients(ids, new float[] { 1, 0 }, 2, Loss.SparseCategoricalCrossentropy);
        // Row 0 of the embedding table is only read at padded steps, so it gets no gradient.
        Assert.All(net.Gradients.Slice(0, 6).ToArray(), g => Assert.Equal(0f, g));
    }
}

