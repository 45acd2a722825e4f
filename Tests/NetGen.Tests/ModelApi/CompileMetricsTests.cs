using System.Linq;
using NetGen.Optimizers;
using NetGen.Tests.EndToEnd;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.ModelApi;

/// <summary>Keras-style <c>Compile(optimizer, loss, metrics)</c> and <c>Fit(x, y, FitOptions)</c> on the generated class (issue 16).</summary>
public class CompileMetricsTests
{
    [Fact]
    public void Metrics_chosen_at_Compile_reach_History_the_progress_line_and_Evaluate()
    {
        var net = new GradMlp(seed: 2);
        var x = GradientCheck.Random(24 * 6, 3);
        var y = new float[24];
        for (int i = 0; i < y.Length; i++) y[i] = i % 3;
        net.Compile(new Adam(), Loss.SparseCategoricalCrossentropy, new[] { Metric.TopKAccuracy(2), Metric.SparseCategoricalAccuracy() });
        TrainingProgress? last = null;
        var history = net.Fit(x, y, new FitOptions { Epochs = 2, BatchSize = 8, ValidationSplit = 0.25, Progress = p => last = p });
        Assert.Contains("top_2_categorical_accuracy", history.Keys);
        Assert.Contains("val_sparse_categorical_accuracy", history.Keys);
        Assert.Equal(2, history["top_2_categorical_accuracy"].Count);
        Assert.NotNull(last);
        Assert.Contains(last!.Value.Metrics, m => m.Key == "top_2_categorical_accuracy");
        var evaluation = net.Evaluate(x, y, 8);
        // Sparse categorical accuracy is the accuracy Keras resolves for these targets.
        Assert.Equal(evaluation.Accuracy, evaluation.Metrics["sparse_categorical_accuracy"], 6);
        Assert.True(evaluation.Metrics["top_2_categorical_accuracy"] >= evaluation.Accuracy);
    }
}
