using System;
using System.IO;
using System.Linq;
using NetGen.Optimizers;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

[Network]
[Input(6)]
[Dense(8)]
[BatchNormalization]
[Activation(Activation.Relu)]
[Dense(3, Activation = Activation.Softmax)]
public partial class GuardedBnNet { }

/// <summary>Issue 11's run-time defects: non-finite data, throwing batches, huge batch sizes.</summary>
public class RobustnessTests
{
    private const int N = 24;

    private static (float[] X, float[] Y, float[] Labels) Data()
    {
        var rng = new Rng(7);
        var x = new float[N * 6];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat() * 2 - 1;
        var labels = new float[N];
        var y = new float[N * 3];
        for (int s = 0; s < N; s++)
        {
            labels[s] = s % 3;
            y[s * 3 + s % 3] = 1;
        }
        return (x, y, labels);
    }

    private static GuardedBnNet Compiled(Loss loss = Loss.CategoricalCrossentropy)
    {
        var net = new GuardedBnNet(seed: 2);
        net.Compile(new Adam(0.01f), loss);
        return net;
    }

    [Fact]
    public void NaNInputStopsBeforeTheStepNamingBatchSampleAndFirstWeight()
    {
        var (x, y, _) = Data();
        x[13 * 6 + 4] = float.NaN; // sample 13 sits in batch 4 (batch size 4, no shuffle)
        var net = Compiled();
        var e = Assert.Throws<NonFiniteTrainingException>(() => net.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false));
        Assert.Equal(1, e.Epoch);
        Assert.Equal(4, e.Batch);
        Assert.Equal(13, e.InputSample);
        Assert.Null(e.TargetSample);
        Assert.Equal("dense/kernel", e.Weight);
        Assert.Equal("dense", e.Layer);
        Assert.Contains("batch 4", e.Message);
        Assert.Contains("dense/kernel", e.Message);
        Assert.Contains("input sample 13", e.Message);

        // Weights and moving statistics are exactly those after batch 3: compare with a run on the first 12 samples.
        var reference = Compiled();
        reference.Fit(x.AsSpan(0, 12 * 6), y.AsSpan(0, 12 * 3), epochs: 1, batchSize: 4, shuffle: false);
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(reference.State.ToArray(), net.State.ToArray());
        Assert.All(net.State.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void NaNGradientBehindAFiniteLossIsCaught()
    {
        // Hinge drops NaN margins (NaN > 0 is false), so the loss stays finite while the gradients turn NaN.
        var (x, y, _) = Data();
        x[2 * 6] = float.NaN;
        var net = new GuardedBnNet(seed: 2);
        var trainer = new Trainer(net, new SGD(0.1f), Loss.Hinge, 0);
        var e = Assert.Throws<NonFiniteTrainingException>(() => trainer.Fit(x, y, new FitOptions { BatchSize = 4, Shuffle = false }));
        Assert.True(float.IsFinite(e.Loss));
        Assert.Equal(1, e.Batch);
        Assert.NotNull(e.Weight);
        Assert.Equal(new GuardedBnNet(seed: 2).Parameters.ToArray(), net.Parameters.ToArray());
        // Without the gradient check the batch reaches the weights.
        var unchecked_ = new GuardedBnNet(seed: 2);
        new Trainer(unchecked_, new SGD(0.1f), Loss.Hinge, 0) { CheckFiniteGradients = false }
            .Fit(x.AsSpan(0, 4 * 6), y.AsSpan(0, 12), new FitOptions { BatchSize = 4, Shuffle = false });
        Assert.Contains(unchecked_.Parameters.ToArray(), float.IsNaN);
    }

    [Fact]
    public void InfiniteTargetIsNamedAsTheTarget()
    {
        var (x, y, _) = Data();
        y[5 * 3] = float.PositiveInfinity;
        var net = new GuardedBnNet(seed: 2);
        net.Compile(new SGD(0.1f), Loss.MeanSquaredError);
        var e = Assert.Throws<NonFiniteTrainingException>(() => net.Fit(x, y, batchSize: 8, shuffle: false));
        Assert.Equal(1, e.Batch);
        Assert.Equal(5, e.TargetSample);
        Assert.Null(e.InputSample);
        Assert.False(float.IsFinite(e.Loss));
    }

    [Fact]
    public void BadClassIdLeavesWeightsAndMovingStatisticsAsAfterThePreviousBatch()
    {
        var (x, _, labels) = Data();
        labels[9] = 7; // batch 3 of 4-sample batches; 3 classes
        var net = Compiled(Loss.SparseCategoricalCrossentropy);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(x, labels, batchSize: 4, shuffle: false));
        var reference = Compiled(Loss.SparseCategoricalCrossentropy);
        reference.Fit(x.AsSpan(0, 8 * 6), labels.AsSpan(0, 8), batchSize: 4, shuffle: false);
        Assert.Equal(reference.State.ToArray(), net.State.ToArray());
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void ComputeGradientsCalledDirectlyWithABadClassIdLeavesTheMovingStatistics()
    {
        var (x, _, labels) = Data();
        var net = Compiled(Loss.SparseCategoricalCrossentropy);
        var before = net.State.ToArray();
        var bad = labels.AsSpan(0, 4).ToArray();
        bad[2] = 7; // 3 classes: the loss finds it after the forward pass has updated the moving statistics
        Assert.Throws<ArgumentOutOfRangeException>(() => net.ComputeGradients(x.AsSpan(0, 4 * 6), bad, 4, Loss.SparseCategoricalCrossentropy));
        Assert.Equal(before, net.State.ToArray());
        // A good call still moves them (the restore is not a no-op that hides the update).
        net.ComputeGradients(x.AsSpan(0, 4 * 6), labels.AsSpan(0, 4), 4, Loss.SparseCategoricalCrossentropy);
        Assert.NotEqual(before, net.State.ToArray());
    }

    [Fact]
    public void BatchSizeWhoseSizeProductOverflowsIntIsRefusedNotWrapped()
    {
        var net = Compiled();
        // 6 × 715,827,883 = 4,294,967,298 = 2^32 + 2: in int arithmetic it wraps to 2, the length of this input.
        var input = new float[2];
        var output = new float[3];
        var e = Assert.Throws<ArgumentException>(() => net.Predict(input, output, 715_827_883));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("4294967298", e.Message);
    }

    [Fact]
    public void TrainOnBatchWithNaNThrowsAndChangesNothing()
    {
        var (x, y, _) = Data();
        var net = Compiled();
        net.TrainOnBatch(x.AsSpan(0, 4 * 6), y.AsSpan(0, 12), 4);
        var weights = net.Parameters.ToArray();
        var state = net.State.ToArray();
        var bad = x.AsSpan(0, 4 * 6).ToArray();
        bad[0] = float.NaN;
        var e = Assert.Throws<NonFiniteTrainingException>(() => net.TrainOnBatch(bad, y.AsSpan(0, 12), 4));
        Assert.Equal(0, e.InputSample);
        Assert.Equal(weights, net.Parameters.ToArray());
        Assert.Equal(state, net.State.ToArray());
        // The optimizer did not count the refused step: the next good step equals a fresh run's second step.
        net.TrainOnBatch(x.AsSpan(0, 4 * 6), y.AsSpan(0, 12), 4);
        var reference = Compiled();
        reference.TrainOnBatch(x.AsSpan(0, 4 * 6), y.AsSpan(0, 12), 4);
        reference.TrainOnBatch(x.AsSpan(0, 4 * 6), y.AsSpan(0, 12), 4);
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void TerminateOnNaNStopsQuietlyKeepingEarlierEpochs()
    {
        var (x, y, _) = Data();
        var net = Compiled();
        var writer = new StringWriter();
        var terminate = new TerminateOnNaN(writer);
        int epochs = 0;
        var history = new Trainer(net, new Adam(0.01f), Loss.CategoricalCrossentropy, 1).Fit(x, y, new FitOptions
        {
            Epochs = 5,
            BatchSize = 8,
            Shuffle = false,
            Callbacks = new Callback[] { terminate, new ActionCallback(onEpochEnd: e => { if (e == 1) x[0] = float.NaN; epochs++; }) },
        });
        Assert.Equal(2, history.Epochs); // epoch 3's first batch held the NaN
        Assert.NotNull(terminate.Reason);
        Assert.Equal(3, terminate.Reason!.Epoch);
        Assert.Contains("epoch 3, batch 1", writer.ToString());
        Assert.All(net.Parameters.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void EvaluateOnNaNInputReportsNaNLoss()
    {
        var (x, y, _) = Data();
        var net = Compiled();
        Assert.True(float.IsFinite(net.Evaluate(x, y).Loss));
        x[20] = float.NaN;
        Assert.True(float.IsNaN(net.Evaluate(x, y).Loss));
    }

    [Fact]
    public void BatchSizeIntMaxValueTrainsOnTheWholeSetAsOneBatch()
    {
        var (x, y, _) = Data();
        var huge = Compiled();
        var whole = Compiled();
        var h = huge.Fit(x, y, epochs: 2, batchSize: int.MaxValue);
        whole.Fit(x, y, epochs: 2, batchSize: N);
        Assert.True(float.IsFinite(h.Loss[0]));
        Assert.Equal(whole.Parameters.ToArray(), huge.Parameters.ToArray());
        Assert.NotEqual(new GuardedBnNet(seed: 2).Parameters.ToArray(), huge.Parameters.ToArray());
        Assert.Equal(whole.Evaluate(x, y).Loss, huge.Evaluate(x, y, batchSize: int.MaxValue).Loss);
    }

    [Fact]
    public void MaxThreadsHasAnUpperBound()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxThreads = int.MaxValue);
            Assert.Contains(Parallelism.ThreadLimit.ToString(), e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxThreads = Parallelism.ThreadLimit + 1);
            Parallelism.MaxThreads = Parallelism.ThreadLimit;
            Assert.Equal(Parallelism.ThreadLimit, Parallelism.MaxThreads);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}

/// <summary>A callback made of delegates, for tests.</summary>
internal sealed class ActionCallback : Callback
{
    private readonly Action<int>? _onEpochEnd;
    private readonly Action<int, float>? _onBatchEnd;

    public ActionCallback(Action<int>? onEpochEnd = null, Action<int, float>? onBatchEnd = null)
    {
        _onEpochEnd = onEpochEnd;
        _onBatchEnd = onBatchEnd;
    }

    public override void OnEpochEnd(int epoch, System.Collections.Generic.IReadOnlyDictionary<string, float> logs) => _onEpochEnd?.Invoke(epoch);

    public override void OnBatchEnd(int batch, float loss) => _onBatchEnd?.Invoke(batch, loss);
}
