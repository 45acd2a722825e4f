using System;
using System.Linq;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>Arguments outside their range at run time: refused with the argument named and the range given, nothing changed.</summary>
public class ArgumentRangeTests
{
    private static (float[] X, float[] Y) Data()
    {
        var rng = new Rng(11);
        var x = new float[4 * 6];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat() * 2 - 1;
        var y = new float[4 * 3];
        for (int s = 0; s < 4; s++) y[s * 3 + s % 3] = 1;
        return (x, y);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-1f)]
    [InlineData(float.PositiveInfinity)]
    public void ComputeWeightedGradientsRefusesABadWeightNamingItAndKeepsTheState(float bad)
    {
        var (x6, y) = Data();
        var net = new GuardedBnNet(seed: 1);
        var state = net.State.ToArray();
        var weights = new float[] { 1, 1, bad, 1 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => net.ComputeWeightedGradients(x6, y.AsSpan(0, 12), weights, 4, Loss.CategoricalCrossentropy));
        Assert.Equal("sampleWeight", e.ParamName);
        Assert.Contains("sampleWeight[2]", e.Message);
        Assert.Equal(state, net.State.ToArray());
    }

    [Fact]
    public void AnUndefinedLossValueIsRefusedNamingTheLoss()
    {
        var (x6, y) = Data();
        var net = new GuardedBnNet(seed: 1);
        var state = net.State.ToArray();
        var e = Assert.ThrowsAny<ArgumentException>(() => net.ComputeGradients(x6, y.AsSpan(0, 12), 4, (Loss)99));
        Assert.Equal("loss", e.ParamName);
        Assert.Equal(state, net.State.ToArray());
    }

    [Fact]
    public void CallbackAndMetricArgumentsOutOfRangeAreRefused()
    {
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(mode: (MonitorMode)7)).ParamName);
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(mode: (MonitorMode)7)).ParamName);
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => new ModelCheckpoint("x", mode: (MonitorMode)7)).ParamName);
        Assert.Equal("minDelta", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(minDelta: float.NaN)).ParamName);
        Assert.Equal("baseline", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(baseline: float.NaN)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => Metric.TopKAccuracy(0)).ParamName);
        Assert.Equal("thresholds", Assert.Throws<ArgumentOutOfRangeException>(() => Metric.Auc(1)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => Metric.Precision(float.NaN)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => Metric.BinaryAccuracy(float.NaN)).ParamName);
    }

    [Fact]
    public void PredictLayerWithANullNameSaysSo()
    {
        var net = new GuardedBnNet(seed: 1);
        var e = Assert.ThrowsAny<ArgumentException>(() => net.PredictLayer(null!, new float[6], new float[8]));
        Assert.Equal("layer", e.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void PredictLayerWithABadBatchSizeNamesTheBatchSize(int batchSize)
    {
        // The output's expected size is batchSize × the layer's size: checked first, a bad batch size was reported as a
        // wrong output length ("output must hold -24 floats").
        var net = new GuardedBnNet(seed: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => net.PredictLayer("dense", new float[6], new float[8], batchSize));
        Assert.Equal("batchSize", e.ParamName);
    }

    [Fact]
    public void AMetricThatCannotScoreTheOutputIsRefusedAtCompileBeforeAnyStep()
    {
        var (x6, _) = Data();
        var labels = new float[] { 0, 1, 2, 0 };
        var net = new GuardedBnNet(seed: 1);
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<ArgumentException>(() => net.Compile(new NetGen.Optimizers.SGD(0.1f), Loss.SparseCategoricalCrossentropy,
            new[] { Metric.BinaryAccuracy() }));
        Assert.Equal("metrics", e.ParamName);
        Assert.Contains("binary_accuracy", e.Message);
        Assert.Contains("class ids", e.Message);
        Assert.Throws<ArgumentException>(() => new Trainer(net, new NetGen.Optimizers.SGD(0.1f), Loss.SparseCategoricalCrossentropy, 0,
            new[] { Metric.MeanSquaredError() }));
        Assert.Throws<InvalidOperationException>(() => net.Fit(x6, labels)); // never compiled
        Assert.Equal(before, net.Parameters.ToArray());
        // With one-hot targets the same metrics are fine.
        net.Compile(new NetGen.Optimizers.SGD(0.1f), Loss.CategoricalCrossentropy, new[] { Metric.BinaryAccuracy(), Metric.MeanSquaredError() });
    }

    [Fact]
    public void ABadClassIdIsNamedByItsPlaceInYAndItsSample()
    {
        // The loss kernels report "labels", row r of the batch; the caller passed y (or ValidationY) and thinks in samples.
        const int n = 16;
        var x = Enumerable.Range(0, n * 6).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => (float)(i % 3)).ToArray();
        labels[9] = 7; // batch 3 of 4-sample batches; 3 classes
        var net = new GuardedBnNet(seed: 1);
        net.Compile(new NetGen.Optimizers.SGD(0.1f), Loss.SparseCategoricalCrossentropy);
        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(x, labels, batchSize: 4, shuffle: false));
        Assert.Equal("y", fit.ParamName);
        Assert.Contains("y[9], the class id of sample 9, is 7", fit.Message);
        Assert.Contains("[0, 3)", fit.Message);
        Assert.Contains("epoch 1, batch 3", fit.Message);

        var evaluate = Assert.Throws<ArgumentOutOfRangeException>(() => net.Evaluate(x, labels, batchSize: 4));
        Assert.Equal("y", evaluate.ParamName);
        Assert.Contains("sample 9", evaluate.Message);

        labels[9] = 1;
        var validationY = labels.AsSpan(0, 8).ToArray();
        validationY[5] = float.NaN;
        var validation = Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(x, labels, new FitOptions
        {
            BatchSize = 4, ValidationX = x.AsMemory(0, 8 * 6), ValidationY = validationY,
        }));
        Assert.Equal("ValidationY", validation.ParamName);
        Assert.Contains("ValidationY[5], the class id of sample 5, is NaN", validation.Message);

        labels[14] = 2.5f; // in the validation split: sample 14 of y
        var split = Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(x, labels, batchSize: 4, validationSplit: 0.25));
        Assert.Equal("y", split.ParamName);
        Assert.Contains("y[14], the class id of sample 14, is 2.5", split.Message);
    }
}
