using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Optimizers;
using NetGen.Tests.EndToEnd;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>Metrics against references computed in numpy by tools/reference/make_metric_fixtures.py.</summary>
public class MetricTests
{
    private sealed record Fixture(string name, int rows, int columns, int k, float threshold, float[] predictions, float[] targets, float[] ids,
        double binary_accuracy, double categorical_accuracy, double sparse_categorical_accuracy, double top_k, double precision, double recall,
        double auc, double auc_exact, double mean_absolute_error, double mean_squared_error);

    private static Fixture Load(string name)
        => JsonSerializer.Deserialize<Fixture>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "metrics", name + ".json")))!;

    /// <summary>Feeds the fixture in uneven batches, as training does, and returns the result.</summary>
    private static float Run(Metric m, Fixture f, bool sparse)
    {
        m.Reset();
        int at = 0;
        foreach (int size in new[] { 7, 1, 20, int.MaxValue })
        {
            int rows = Math.Min(size, f.rows - at);
            if (rows <= 0) break;
            var p = f.predictions.AsSpan(at * f.columns, rows * f.columns);
            var t = sparse ? f.ids.AsSpan(at, rows) : f.targets.AsSpan(at * f.columns, rows * f.columns);
            m.Update(p, t, rows, f.columns, sparse);
            at += rows;
        }
        return m.Result();
    }

    private static void Close(double expected, double actual, double tolerance)
        => Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected}, got {actual} (tolerance {tolerance})");

    [Theory]
    [InlineData("multiclass")]
    [InlineData("threeclass")]
    [InlineData("binary")]
    public void BinaryMetricsMatchTheReference(string name)
    {
        var f = Load(name);
        Close(f.binary_accuracy, Run(Metric.BinaryAccuracy(f.threshold), f, false), 1e-6);
        Close(f.precision, Run(Metric.Precision(f.threshold), f, false), 1e-6);
        Close(f.recall, Run(Metric.Recall(f.threshold), f, false), 1e-6);
        Close(f.auc, Run(Metric.Auc(), f, false), 1e-5);
        Close(f.auc_exact, Run(Metric.Auc(), f, false), 0.01); // the binned AUC is close to the exact one
        Close(f.mean_absolute_error, Run(Metric.MeanAbsoluteError(), f, false), 1e-6);
        Close(f.mean_squared_error, Run(Metric.MeanSquaredError(), f, false), 1e-6);
        if (f.columns == 1) Close(f.binary_accuracy, Run(Metric.Accuracy(), f, false), 1e-6);
    }

    [Theory]
    [InlineData("multiclass")]
    [InlineData("threeclass")]
    public void CategoricalMetricsMatchTheReference(string name)
    {
        var f = Load(name);
        Close(f.categorical_accuracy, Run(Metric.CategoricalAccuracy(), f, false), 1e-6);
        Close(f.sparse_categorical_accuracy, Run(Metric.SparseCategoricalAccuracy(), f, true), 1e-6);
        Close(f.categorical_accuracy, Run(Metric.Accuracy(), f, false), 1e-6);
        Close(f.top_k, Run(Metric.TopKAccuracy(f.k), f, false), 1e-6);
        Close(f.top_k, Run(Metric.TopKAccuracy(f.k), f, true), 1e-6);
        // Sparse targets give the same precision/recall as their one-hot form.
        Close(f.precision, Run(Metric.Precision(), f, true), 1e-6);
        Close(f.recall, Run(Metric.Recall(), f, true), 1e-6);
    }

    [Fact]
    public void TopKCountsTiesAtTheBoundaryAsInside()
    {
        var m = Metric.TopKAccuracy(1);
        m.Update(new float[] { 0.4f, 0.4f, 0.2f }, new float[] { 1 }, 1, 3, true);
        Assert.Equal(1f, m.Result());
    }

    [Fact]
    public void MetricsReportInHistoryProgressAndEvaluation()
    {
        var data = NetGen.Samples.Data.FashionMnist.Load(IdxTests.SliceDirectory);
        var y = NetGen.Samples.Data.FashionMnist.OneHot(data.TrainLabels, 10);
        var net = new SliceMlp(seed: 2);
        var trainer = new Trainer(net, new Adam(), Loss.CategoricalCrossentropy, 1,
            new[] { Metric.TopKAccuracy(3), Metric.Precision(), Metric.MeanAbsoluteError(), Metric.Accuracy() });
        string? lastLine = null;
        var history = trainer.Fit(data.TrainImages.AsSpan(0, 160 * 784), y.AsSpan(0, 1600), new FitOptions
        {
            Epochs = 2, ValidationSplit = 0.25, Progress = p => { if (p.IsEpochEnd) lastLine = ConsoleProgress.Line(p); },
        });
        Assert.Equal(new[] { "loss", "accuracy", "top_3_categorical_accuracy", "precision", "mean_absolute_error",
            "val_loss", "val_accuracy", "val_top_3_categorical_accuracy", "val_precision", "val_mean_absolute_error" }, history.Keys);
        Assert.Matches(@"loss: [0-9.]+ - accuracy: [0-9.]+ - top_3_categorical_accuracy: [0-9.]+ - precision: [0-9.]+ - mean_absolute_error: [0-9.]+ - val_loss: [0-9.]+ - val_accuracy: [0-9.]+ - val_top_3_categorical_accuracy", lastLine);
        // The validation metrics are those of an evaluation of the held-out samples with the final weights.
        var evaluation = trainer.Evaluate(data.TrainImages.AsSpan(120 * 784, 40 * 784), y.AsSpan(1200, 400));
        Assert.Equal(evaluation.Metrics["top_3_categorical_accuracy"], history["val_top_3_categorical_accuracy"][1]);
        Assert.Equal(evaluation.Metrics["mean_absolute_error"], history["val_mean_absolute_error"][1]);
        Assert.True(history["val_top_3_categorical_accuracy"][1] >= history.ValAccuracy[1]);
        // A reference computed here from the predictions.
        var output = net.Predict(data.TrainImages.AsSpan(120 * 784, 40 * 784));
        var target = y.AsSpan(1200, 400);
        double mae = 0;
        for (int i = 0; i < output.Length; i++) mae += Math.Abs(output[i] - target[i]);
        Close(mae / output.Length, evaluation.Metrics["mean_absolute_error"], 1e-5);
    }

    [Fact]
    public void DuplicateMetricNamesAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new Trainer(new SliceMlp(), new Adam(), Loss.CategoricalCrossentropy, 0,
            new[] { Metric.Precision(), Metric.Precision(0.7f) }));
        Assert.Contains("precision", e.Message);
    }
}
