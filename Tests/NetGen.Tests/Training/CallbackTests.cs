using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using NetGen.Optimizers;
using NetGen.Tests.EndToEnd;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>
/// Callbacks against Keras' documented behaviour (keras/src/callbacks/*.py): the expected sequences below are worked
/// out by hand from Keras' rules, written next to each case.
/// </summary>
public class CallbackTests
{
    /// <summary>One weight w, gradient 1 every step, loss = the next value of a script (one batch per epoch).</summary>
    private sealed class ScriptedNetwork : INetwork
    {
        private readonly float[] _p = { 0 }, _g = { 1 }, _state = { 0 };
        private readonly float[] _out = { 0 };
        private readonly float[] _losses;
        private int _calls;

        public ScriptedNetwork(params float[] losses) => _losses = losses;

        public List<string> Saved { get; } = new();
        public int InputLength => 1;
        public int OutputLength => 1;
        public int OutputRowsPerSample => 1;
        public int ParameterCount => 1;
        public Span<float> Parameters => _p;
        public ReadOnlySpan<float> Gradients => _g;
        public Span<float> State => _state;
        public IReadOnlyList<ParameterInfo> ParameterLayout { get; } = new[] { new ParameterInfo("w/kernel", 0, 1, new[] { 1 }) };
        public string WeightSignature => "scripted";
        public ReadOnlySpan<float> TrainingOutput => _out;
        public void Save(string path) => Saved.Add(path + "=" + _p[0]);
        public void Load(string path) => throw new NotSupportedException();
        public void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize = 1) => output.Fill(0);

        public float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int batchSize, Loss loss)
        {
            _state[0] = _calls; // "moving statistics" that follow the steps
            return _losses[Math.Min(_calls++, _losses.Length - 1)];
        }
    }

    private static (Trainer Trainer, ScriptedNetwork Network) Scripted(params float[] losses)
    {
        var net = new ScriptedNetwork(losses);
        return (new Trainer(net, new SGD(1f), Loss.MeanSquaredError, 0), net);
    }

    private static History Fit(Trainer trainer, int epochs, params Callback[] callbacks)
        => trainer.Fit(new float[1], new float[1], new FitOptions { Epochs = epochs, BatchSize = 1, Callbacks = callbacks });

    private static Dictionary<string, float> Logs(float value, string key = "val_loss") => new() { [key] = value };

    [Fact]
    public void EarlyStoppingKerasDocExampleRunsFourEpochs()
    {
        // Keras' docstring: patience 3, a loss that never improves after the first epoch: "Only 4 epochs are run."
        // Epoch 0 improves on +inf (wait 0); epochs 1, 2, 3 raise the wait to 1, 2, 3; at 3 ≥ patience training stops.
        var (trainer, _) = Scripted(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        var stop = new EarlyStopping(monitor: "loss", patience: 3);
        var history = Fit(trainer, 10, stop);
        Assert.Equal(4, history.Epochs);
        Assert.Equal(3, stop.StoppedEpoch);
    }

    [Fact]
    public void EarlyStoppingPatienceZeroStopsAtTheFirstEpochWithoutImprovementButNeverAtEpochZero()
    {
        var (trainer, _) = Scripted(5, 4, 4, 3);
        var history = Fit(trainer, 10, new EarlyStopping(monitor: "loss"));
        Assert.Equal(3, history.Epochs); // 5, 4 improve; the second 4 does not (epoch 2)
    }

    [Fact]
    public void EarlyStoppingMinDeltaAndModeMax()
    {
        // max mode, min_delta 0.05: an improvement must exceed the best by more than 0.05.
        var (trainer, _) = Scripted();
        var stop = new EarlyStopping(monitor: "val_accuracy", minDelta: 0.05f, patience: 1) { Trainer = trainer };
        stop.OnTrainBegin();
        float[] values = { 0.50f, 0.54f, 0.60f, 0.62f, 0.64f };
        int stoppedAt = -1;
        for (int e = 0; e < values.Length && stoppedAt < 0; e++)
        {
            stop.OnEpochEnd(e, Logs(values[e], "val_accuracy"));
            if (trainer.StopTraining) stoppedAt = e;
        }
        // 0.50 best; 0.54 is within delta (wait 1 ≥ 1 → stop at epoch 1).
        Assert.Equal(1, stoppedAt);
        Assert.Equal(0.50f, stop.Best);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpochsWeightsAndStateAtTrainEnd()
    {
        // SGD(1) with gradient 1: w = -(epoch + 1) after each epoch; the state records the step index.
        // Losses 3, 1, 2, 2: best at epoch 1 (w = -2, state 1); patience 2 stops at epoch 3.
        var (trainer, net) = Scripted(3, 1, 2, 2, 2);
        var stop = new EarlyStopping(monitor: "loss", patience: 2, restoreBestWeights: true);
        var history = Fit(trainer, 10, stop);
        Assert.Equal(4, history.Epochs);
        Assert.Equal(1, stop.BestEpoch);
        Assert.Equal(-2f, net.Parameters[0]);
        Assert.Equal(1f, net.State[0]);
    }

    [Fact]
    public void EarlyStoppingRestoresBestWeightsEvenWhenAllEpochsRan()
    {
        var (trainer, net) = Scripted(3, 1, 2);
        Fit(trainer, 3, new EarlyStopping(monitor: "loss", patience: 5, restoreBestWeights: true));
        Assert.Equal(-2f, net.Parameters[0]);
    }

    [Fact]
    public void EarlyStoppingBaselineMustBeBeatenToResetTheWait()
    {
        // Baseline 0.5 (min): improvements that do not beat it do not reset the wait (Keras returns before the patience
        // check on any improvement). Losses 0.9, 0.8, 0.7, 0.6, then 0.6 forever, patience 2:
        // with the baseline the wait reaches 5 at epoch 4, the first without improvement → stop there (5 epochs);
        // without it the wait restarts at every improvement → epochs 4, 5 count 1, 2 → stop at epoch 5 (6 epochs).
        var (trainer, _) = Scripted(0.9f, 0.8f, 0.7f, 0.6f);
        Assert.Equal(5, Fit(trainer, 10, new EarlyStopping(monitor: "loss", patience: 2, baseline: 0.5f)).Epochs);
        var (plain, _) = Scripted(0.9f, 0.8f, 0.7f, 0.6f);
        Assert.Equal(6, Fit(plain, 10, new EarlyStopping(monitor: "loss", patience: 2)).Epochs);
    }

    [Fact]
    public void EarlyStoppingNamesAMissingMonitor()
    {
        var (trainer, _) = Scripted(1);
        var e = Assert.Throws<InvalidOperationException>(() => Fit(trainer, 2, new EarlyStopping()));
        Assert.Contains("val_loss", e.Message);
        Assert.Contains("loss, accuracy", e.Message);
    }

    [Theory]
    // A plateau from epoch 0 on, patience 2, factor 0.5, learning rate 1.
    // Without cooldown: reductions at epochs 2, 4, 6 (the wait counts 1, 2 between them).
    [InlineData(0, new float[] { 1, 1, 0.5f, 0.5f, 0.25f, 0.25f, 0.125f, 0.125f, 0.0625f })]
    // Cooldown 2: after the reduction at epoch 2 the counter is 2; epoch 3 decrements it to 1 (still cooling, no wait),
    // epoch 4 decrements it to 0 and counts wait 1, epoch 5 counts 2 and reduces: epochs 2, 5, 8.
    [InlineData(2, new float[] { 1, 1, 0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f, 0.125f })]
    public void ReduceLROnPlateauWithCooldown(int cooldown, float[] expected)
    {
        var (trainer, _) = Scripted();
        var reduce = new ReduceLROnPlateau(factor: 0.5f, patience: 2, cooldown: cooldown) { Trainer = trainer };
        reduce.OnTrainBegin();
        var rates = new List<float>();
        for (int e = 0; e < expected.Length; e++)
        {
            reduce.OnEpochEnd(e, Logs(1.0f));
            rates.Add(trainer.Optimizer.LearningRate);
        }
        Assert.Equal(expected, rates);
    }

    [Fact]
    public void ReduceLROnPlateauRespectsMinDeltaAndMinLearningRate()
    {
        var (trainer, _) = Scripted();
        var reduce = new ReduceLROnPlateau(factor: 0.1f, patience: 1, minDelta: 0.01f, minLearningRate: 0.05f) { Trainer = trainer };
        reduce.OnTrainBegin();
        reduce.OnEpochEnd(0, Logs(1.0f));    // best 1.0
        reduce.OnEpochEnd(1, Logs(0.995f));  // not below 1.0 − 0.01: wait 1 → 1 · 0.1 = 0.1
        Assert.Equal(0.1f, trainer.Optimizer.LearningRate, 6);
        reduce.OnEpochEnd(2, Logs(0.995f));  // 0.1 · 0.1 = 0.01, clipped to 0.05
        Assert.Equal(0.05f, trainer.Optimizer.LearningRate, 6);
        reduce.OnEpochEnd(3, Logs(0.995f));  // already at the minimum: unchanged
        Assert.Equal(0.05f, trainer.Optimizer.LearningRate, 6);
    }

    [Fact]
    public void LearningRateSchedulerSetsTheRateBeforeEachEpoch()
    {
        var (trainer, net) = Scripted(1);
        var history = Fit(trainer, 4, new LearningRateScheduler((epoch, rate) => epoch < 2 ? rate : rate * 0.5f));
        Assert.Equal(new[] { 1f, 1f, 0.5f, 0.25f }, history.LearningRate);
        Assert.Equal(-(1 + 1 + 0.5f + 0.25f), net.Parameters[0]); // SGD with gradient 1 moves w by the rate
    }

    [Fact]
    public void ModelCheckpointSavesOnlyImprovementsWithTheEpochInTheName()
    {
        var (trainer, net) = Scripted(3, 1, 2, 0.5f);
        Fit(trainer, 4, new ModelCheckpoint("ck-{epoch:02d}.weights", monitor: "loss", saveBestOnly: true));
        Assert.Equal(new[] { "ck-01.weights=-1", "ck-02.weights=-2", "ck-04.weights=-4" }, net.Saved);
        var (all, allNet) = Scripted(3, 1, 2);
        Fit(all, 3, new ModelCheckpoint("e{epoch}.w"));
        Assert.Equal(new[] { "e1.w=-1", "e2.w=-2", "e3.w=-3" }, allNet.Saved);
    }

    [Fact]
    public void ModelCheckpointWritesARealWeightFileAtomically()
    {
        var dir = Directory.CreateTempSubdirectory("netgen-ck-");
        try
        {
            var net = new SliceMlp(seed: 1);
            var x = new float[8 * 784];
            var y = new float[8 * 10];
            for (int i = 0; i < 8; i++) y[i * 10 + i] = 1;
            var path = Path.Combine(dir.FullName, "best.weights");
            new Trainer(net, new SGD(0.01f), Loss.CategoricalCrossentropy, 0).Fit(x, y, new FitOptions
            {
                Epochs = 2, BatchSize = 4, ValidationX = x, ValidationY = y,
                Callbacks = new Callback[] { new ModelCheckpoint(path) },
            });
            var loaded = new SliceMlp(seed: 9);
            loaded.Load(path);
            Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray()); // the last epoch's weights
            Assert.Single(Directory.GetFiles(dir.FullName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void CsvLoggerWritesKerasColumns()
    {
        var path = Path.GetTempFileName();
        try
        {
            var (trainer, _) = Scripted(0.5f, 0.25f);
            trainer.Fit(new float[1], new float[1], new FitOptions
            {
                Epochs = 2, BatchSize = 1, ValidationX = new float[1], ValidationY = new float[1],
                Callbacks = new Callback[] { new CsvLogger(path) },
            });
            var lines = File.ReadAllLines(path);
            Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]); // Keras sorts the keys
            Assert.Equal(3, lines.Length);
            Assert.Equal("0,1,0.5,1,0", lines[1]); // scripted loss; outputs and targets are 0: accuracy 1, val_loss 0
            Assert.Equal("1,1,0.25,1,0", lines[2]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CancellationStopsBetweenBatches()
    {
        var net = new ScriptedNetwork(1);
        var optimizer = new SGD(1f);
        var trainer = new Trainer(net, optimizer, Loss.MeanSquaredError, 0);
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(new float[10], new float[10], new FitOptions
        {
            Epochs = 3, BatchSize = 1, CancellationToken = cts.Token,
            Progress = p => { if (p.Batch == 3 && !p.IsEpochEnd) cts.Cancel(); },
        }));
        Assert.Equal(3, optimizer.Iterations);
        Assert.Equal(-3f, net.Parameters[0]);
    }

    [Fact]
    public void ValidationDataIsEvaluatedEveryEpoch()
    {
        var data = NetGen.Samples.Data.FashionMnist.Load(IdxTests.SliceDirectory);
        var y = NetGen.Samples.Data.FashionMnist.OneHot(data.TrainLabels, 10);
        var testY = NetGen.Samples.Data.FashionMnist.OneHot(data.TestLabels, 10);
        var net = new SliceMlp(seed: 4);
        var trainer = new Trainer(net, new Adam(), Loss.CategoricalCrossentropy, 1);
        var history = trainer.Fit(data.TrainImages.AsSpan(0, 128 * 784), y.AsSpan(0, 1280), new FitOptions
        {
            Epochs = 2, ValidationX = data.TestImages, ValidationY = testY,
        });
        var after = trainer.Evaluate(data.TestImages, testY);
        Assert.Equal(after.Loss, history.ValLoss[1]);
        Assert.Equal(after.Accuracy, history.ValAccuracy[1]);
        Assert.Equal(history.ValLoss.Select(v => v!.Value), history["val_loss"]);
        var both = Assert.Throws<ArgumentException>(() => trainer.Fit(data.TrainImages.AsSpan(0, 784 * 10), y.AsSpan(0, 100),
            new FitOptions { ValidationSplit = 0.2, ValidationX = data.TestImages, ValidationY = testY }));
        Assert.Contains("not both", both.Message);
    }

    [Fact]
    public void CallbacksComposeInListOrder()
    {
        var order = new List<string>();
        var (trainer, _) = Scripted(1, 2, 3);
        Fit(trainer, 3,
            new ActionCallback(onEpochEnd: e => order.Add($"a{e}")),
            new EarlyStopping(monitor: "loss", patience: 1),
            new ActionCallback(onEpochEnd: e => order.Add($"b{e}")));
        Assert.Equal(new[] { "a0", "b0", "a1", "b1" }, order); // early stopping at epoch 1 still lets b see it
    }
}
