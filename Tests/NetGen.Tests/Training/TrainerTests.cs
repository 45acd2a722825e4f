using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Data;
using NetGen.Optimizers;
using NetGen.Samples.Data;
using NetGen.Tests.EndToEnd;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

public class TrainerTests
{
    private static (float[] X, float[] Y, byte[] TestLabels, float[] TestX, float[] TestY) Slice()
    {
        var data = FashionMnist.Load(IdxTests.SliceDirectory);
        return (data.TrainImages, FashionMnist.OneHot(data.TrainLabels, 10), data.TestLabels, data.TestImages, FashionMnist.OneHot(data.TestLabels, 10));
    }

    [Fact]
    public void TrainsOnRealFashionMnistFarAboveChance()
    {
        var (x, y, _, testX, testY) = Slice();
        var model = new SliceMlp(seed: 1);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy);
        var before = model.Evaluate(testX, testY);
        var history = model.Fit(x, y, epochs: 8, batchSize: 32, validationSplit: 0.2);
        var after = model.Evaluate(testX, testY);
        Assert.Equal(8, history.Loss.Count);
        Assert.True(history.Loss[^1] < history.Loss[0] * 0.6, $"training loss {history.Loss[0]} -> {history.Loss[^1]}");
        Assert.True(after.Loss < before.Loss * 0.6, $"test loss {before.Loss} -> {after.Loss}");
        // Chance is 0.1; 480 training images give about 0.7 on these 200 test images.
        Assert.True(after.Accuracy >= 0.6, $"test accuracy {after.Accuracy}");
    }

    [Fact]
    public void SameSeedSameWeights()
    {
        var (x, y, _, _, _) = Slice();
        float[] Train(int seed)
        {
            var model = new SliceMlp(seed);
            model.Compile(new Adam(), Loss.CategoricalCrossentropy);
            model.Fit(x.AsSpan(0, 200 * 784), y.AsSpan(0, 2000), epochs: 2, batchSize: 16);
            return model.Parameters.ToArray();
        }
        Assert.Equal(Train(3), Train(3));
        Assert.NotEqual(Train(3), Train(4));
    }

    [Fact]
    public void SparseLabelsTrainLikeOneHot()
    {
        var data = FashionMnist.Load(IdxTests.SliceDirectory);
        var labels = data.TrainLabels.Take(64).Select(l => (float)l).ToArray();
        var oneHot = FashionMnist.OneHot(data.TrainLabels.AsSpan(0, 64), 10);
        var a = new SliceMlp(seed: 5);
        var b = new SliceMlp(seed: 5);
        a.Compile(new SGD(0.1f), Loss.SparseCategoricalCrossentropy);
        b.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy);
        a.Fit(data.TrainImages.AsSpan(0, 64 * 784), labels, epochs: 2, batchSize: 16);
        b.Fit(data.TrainImages.AsSpan(0, 64 * 784), oneHot, epochs: 2, batchSize: 16);
        var pa = a.Parameters.ToArray();
        var pb = b.Parameters.ToArray();
        for (int i = 0; i < pa.Length; i++) Assert.Equal(pb[i], pa[i], 5);
    }

    [Fact]
    public void BatchesCoverTheTrainingPartOnceAndValidationIsTheLastFraction()
    {
        // 10 samples, split 0.3: Keras trains on the first 7 and validates on the last 3.
        var net = new RecordingNetwork();
        var trainer = new Trainer(net, new SGD(), Loss.MeanSquaredError, seed: 1);
        var x = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var reports = new List<TrainingProgress>();
        var history = trainer.Fit(x, new float[10], epochs: 2, batchSize: 3, validationSplit: 0.3, callback: reports.Add);
        Assert.Equal(new[] { 3, 3, 1, 3, 3, 1 }, net.TrainBatches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (float)i), net.TrainBatches.Take(3).SelectMany(b => b).OrderBy(v => v));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (float)i), net.TrainBatches.Skip(3).SelectMany(b => b).OrderBy(v => v));
        Assert.NotEqual(net.TrainBatches.Take(3).SelectMany(b => b), net.TrainBatches.Skip(3).SelectMany(b => b)); // reshuffled
        Assert.Equal(new float[] { 7, 8, 9 }, net.Predicted.Distinct().OrderBy(v => v));
        Assert.Equal(8, reports.Count); // 3 batches + 1 epoch end, twice
        Assert.True(reports[3].IsEpochEnd && reports[3].ValLoss is not null);
        Assert.Equal(2, history.ValLoss.Count);
    }

    [Fact]
    public void WithoutShuffleTheOrderIsKept()
    {
        var net = new RecordingNetwork();
        new Trainer(net, new SGD(), Loss.MeanSquaredError, seed: 1).Fit(Enumerable.Range(0, 5).Select(i => (float)i).ToArray(), new float[5], batchSize: 2, shuffle: false);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4 }, net.TrainBatches.SelectMany(b => b));
    }

    [Fact]
    public void ArgumentErrorsNameTheArgument()
    {
        var model = new SliceMlp();
        Assert.Throws<InvalidOperationException>(() => model.Fit(new float[784], new float[10]));
        model.Compile(new Adam(), Loss.CategoricalCrossentropy);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => model.Fit(new float[785], new float[10])).ParamName);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(new float[784 * 2], new float[10]));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("20", e.Message);
        Assert.Equal("validationSplit", Assert.Throws<ArgumentException>(() => model.Fit(new float[784 * 2], new float[20], validationSplit: 0.6)).ParamName);
        Assert.Equal("validationSplit", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new float[784 * 2], new float[20], validationSplit: 1)).ParamName);
    }

    [Fact]
    public void AccuracyResolvesAsKerasDoes()
    {
        Assert.Equal((2, 3), Metrics.Accuracy(new float[] { 0.7f, 0.2f, 0.6f }, new float[] { 1, 0, 0 }, 1, false)); // binary, strict > 0.5
        Assert.Equal((1, 2), Metrics.Accuracy(new float[] { 0.1f, 0.9f, 0.5f, 0.5f }, new float[] { 1, 1 }, 2, true)); // sparse; tie → index 0
        Assert.Equal((1, 2), Metrics.Accuracy(new float[] { 0.1f, 0.9f, 0.8f, 0.2f }, new float[] { 0, 1, 0, 1 }, 2, false)); // categorical
    }

    /// <summary>A one-input, one-output network that records what the trainer feeds it (its output is its input).</summary>
    private sealed class RecordingNetwork : INetwork
    {
        private readonly float[] _p = new float[1], _g = new float[1];
        private float[] _out = Array.Empty<float>();

        public List<float[]> TrainBatches { get; } = new();
        public List<float> Predicted { get; } = new();
        public int InputLength => 1;
        public int OutputLength => 1;
        public int OutputRowsPerSample => 1;
        public int ParameterCount => 1;
        public Span<float> Parameters => _p;
        public ReadOnlySpan<float> Gradients => _g;
        public IReadOnlyList<ParameterInfo> ParameterLayout { get; } = new[] { new ParameterInfo("w/kernel", 0, 1, new[] { 1 }) };
        public string WeightSignature => "recording";
        public ReadOnlySpan<float> TrainingOutput => _out;

        public void Save(string path) => throw new NotSupportedException();

        public void Load(string path) => throw new NotSupportedException();

        public void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize = 1)
        {
            Predicted.AddRange(input.ToArray());
            input.CopyTo(output);
        }

        public float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int batchSize, Loss loss)
        {
            TrainBatches.Add(input.ToArray());
            _out = input.ToArray();
            return 0;
        }
    }

    [Fact]
    public void EpochAccuracyIsTheTrainingAccuracyNotTheValidationAccuracy()
    {
        var (x, y, _, _, _) = Slice();
        var model = new SliceMlp(seed: 3);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy);
        var lastBatch = new List<float>();
        var history = model.Fit(x, y, epochs: 3, batchSize: 32, validationSplit: 0.3,
            callback: p => { if (!p.IsEpochEnd) lastBatch.Add(p.Accuracy); });
        int batchesPerEpoch = lastBatch.Count / 3;
        for (int e = 0; e < 3; e++)
        {
            // The epoch's accuracy is the running training accuracy after its last batch ...
            Assert.Equal(lastBatch[(e + 1) * batchesPerEpoch - 1], history.Accuracy[e]);
            // ... and validation reports its own.
            Assert.NotEqual(history.Accuracy[e], history.ValAccuracy[e]);
        }
    }
}
