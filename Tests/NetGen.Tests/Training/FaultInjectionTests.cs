using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Optimizers;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>A BatchNormalization network whose Lambda layer throws on demand: user code failing inside a training step.</summary>
[Network]
[Input(4)]
[Dense(6)]
[BatchNormalization]
[Lambda(nameof(Trap), Backward = nameof(TrapBackward), ElementWise = true)]
[Dense(3, Activation = Activation.Softmax)]
public partial class TrapNet
{
    [ThreadStatic] public static int ThrowAfter;

    private static void Trap(ReadOnlySpan<float> x, Span<float> y, int batchSize)
    {
        if (ThrowAfter > 0 && --ThrowAfter == 0) throw new InvalidOperationException("trap");
        x.CopyTo(y);
    }

    private static void TrapBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batchSize) => dy.CopyTo(dx);
}

/// <summary>
/// Faults during Fit: a callback, a progress handler or a layer (user code) that throws, and Fit or Evaluate called from a
/// callback. What survives: the weights, state and optimizer of the last completed step (a step that throws changes
/// nothing), the network free for the next call, the callbacks' files closed.
/// </summary>
public sealed class FaultInjectionTests : IDisposable
{
    private const int N = 16;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("netgen-fault-");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    /// <summary>How many of this process' file descriptors point at <paramref name="path"/> (Linux; -1 elsewhere).</summary>
    private static int OpenHandles(string path)
    {
        if (!Directory.Exists("/proc/self/fd")) return -1;
        int count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(path, StringComparison.Ordinal)) count++;
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }
        return count;
    }

    private static (float[] X, float[] Y) Data()
    {
        var rng = new Rng(11);
        var x = new float[N * 4];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat() * 2 - 1;
        var y = new float[N * 3];
        for (int s = 0; s < N; s++) y[s * 3 + s % 3] = 1;
        return (x, y);
    }

    // ---------------- callbacks and layers that throw during Fit ----------------

    [Fact]
    public void ACallbackThatThrowsLeavesTheNetworkUsableWithTheWeightsOfTheLastStep()
    {
        var (x, y) = Data();
        var net = new GuardedBnNet(seed: 3);
        var x6 = Enumerable.Range(0, N * 6).Select(i => MathF.Sin(i * 0.7f)).ToArray();
        net.Compile(new Adam(0.01f), Loss.CategoricalCrossentropy);
        var csv = PathOf("log.csv");
        var e = Assert.Throws<InvalidOperationException>(() => net.Fit(x6, y, new FitOptions
        {
            Epochs = 3, BatchSize = 4, Shuffle = false,
            Callbacks = new Callback[]
            {
                new CsvLogger(csv),
                new ActionCallback(onBatchEnd: (batch, _) => { if (batch == 1 && epochOf(net) == 1) throw new InvalidOperationException("callback failed"); }),
            },
        }));
        Assert.Equal("callback failed", e.Message);

        // The weights and state are those after the sixth step: epoch 0's four batches and epoch 1's first two.
        var reference = new GuardedBnNet(seed: 3);
        reference.Compile(new Adam(0.01f), Loss.CategoricalCrossentropy);
        reference.Fit(x6, y, epochs: 1, batchSize: 4, shuffle: false);
        reference.Fit(x6.AsSpan(0, 8 * 6), y.AsSpan(0, 8 * 3), epochs: 1, batchSize: 4, shuffle: false);
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(reference.State.ToArray(), net.State.ToArray());
        Assert.Equal(6, net.TrainerOf().Optimizer.Iterations);

        // Usable: not held busy, the log file closed, Fit runs again.
        Assert.True(OpenHandles(csv) <= 0);
        File.Delete(csv);
        var output = new float[3];
        net.Predict(x6.AsSpan(0, 6), output);
        var history = net.Fit(x6, y, new FitOptions { Epochs = 1, BatchSize = 4, Callbacks = new Callback[] { new CsvLogger(csv) } });
        Assert.Equal(1, history.Epochs);
        Assert.Equal(2, File.ReadAllLines(csv).Length);

        static int epochOf(GuardedBnNet n) => (int)(n.TrainerOf().Optimizer.Iterations - 1) / 4;
    }

    [Fact]
    public void ALayerThatThrowsMidStepLeavesWeightsStateAndOptimizerAsBeforeTheBatch()
    {
        var (x, y) = Data();
        var net = new TrapNet(seed: 5);
        net.Compile(new Adam(0.01f), Loss.CategoricalCrossentropy);
        TrapNet.ThrowAfter = 3; // the third training forward pass throws (batch 3 of epoch 1)
        try
        {
            Assert.Throws<InvalidOperationException>(() => net.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false));
        }
        finally
        {
            TrapNet.ThrowAfter = 0;
        }
        var reference = new TrapNet(seed: 5);
        reference.Compile(new Adam(0.01f), Loss.CategoricalCrossentropy);
        reference.Fit(x.AsSpan(0, 8 * 4), y.AsSpan(0, 8 * 3), epochs: 1, batchSize: 4, shuffle: false);
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(reference.State.ToArray(), net.State.ToArray());
        Assert.Equal(2, net.TrainerOf().Optimizer.Iterations);
        // The next Fit continues as the reference does.
        net.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false);
        reference.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false);
        Assert.Equal(reference.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void EvaluateCalledFromACallbackDoesNotChangeTheEpochsTrainingAccuracy()
    {
        var (x, y) = Data();
        var x6 = Enumerable.Range(0, N * 6).Select(i => MathF.Cos(i * 0.3f)).ToArray();
        var plain = new GuardedBnNet(seed: 4);
        plain.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy);
        var expected = plain.Fit(x6, y, epochs: 2, batchSize: 4, shuffle: false);

        var probed = new GuardedBnNet(seed: 4);
        probed.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy);
        var zeros = new float[N * 3]; // accuracy against these differs from the training accuracy
        for (int s = 0; s < N; s++) zeros[s * 3 + 2] = 1;
        var history = probed.Fit(x6, y, new FitOptions
        {
            Epochs = 2, BatchSize = 4, Shuffle = false,
            Callbacks = new Callback[] { new ActionCallback(onBatchEnd: (_, _) => probed.Evaluate(x6, zeros)) },
        });
        Assert.Equal(expected.Accuracy, history.Accuracy);
        Assert.Equal(expected.Loss, history.Loss);
    }

    [Fact]
    public void FitCalledAgainFromItsOwnCallbackIsRefused()
    {
        var (x, y) = Data();
        var x6 = new float[N * 6];
        var net = new GuardedBnNet(seed: 4);
        net.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy);
        var e = Assert.Throws<InvalidOperationException>(() => net.Fit(x6, y, new FitOptions
        {
            BatchSize = 8,
            Callbacks = new Callback[] { new ActionCallback(onBatchEnd: (_, _) => net.Fit(x6, y)) },
        }));
        Assert.Contains("already", e.Message);
    }

    [Fact]
    public void AProgressHandlerOrOnTrainBeginThatThrowsClosesTheFilesAndFreesTheNetwork()
    {
        var (_, y) = Data();
        var x6 = Enumerable.Range(0, N * 6).Select(i => MathF.Sin(i * 0.4f)).ToArray();
        var net = new GuardedBnNet(seed: 3);
        net.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy);
        var csv = PathOf("progress.csv");
        Assert.Throws<TimeoutException>(() => net.Fit(x6, y, new FitOptions
        {
            Epochs = 2, BatchSize = 4,
            Callbacks = new Callback[] { new CsvLogger(csv) },
            Progress = p => { if (p.Epoch == 2 && p.Batch == 3) throw new TimeoutException("progress handler failed"); },
        }));
        Assert.True(OpenHandles(csv) <= 0);
        Assert.Equal(7, net.TrainerOf().Optimizer.Iterations); // the step of the batch whose report threw had been applied
        Assert.Equal(2, File.ReadAllLines(csv).Length); // header and epoch 0

        var beginCsv = PathOf("begin.csv");
        Assert.Throws<TimeoutException>(() => net.Fit(x6, y, new FitOptions
        {
            Callbacks = new Callback[] { new CsvLogger(beginCsv), new BeginThrows() },
        }));
        Assert.True(OpenHandles(beginCsv) <= 0);
        Assert.Equal(7, net.TrainerOf().Optimizer.Iterations);
        net.Predict(x6.AsSpan(0, 6), new float[3]); // not held busy
    }

    private sealed class BeginThrows : Callback
    {
        public override void OnTrainBegin() => throw new TimeoutException("OnTrainBegin failed");
    }

    [Fact]
    public void EarlyStoppingDoesNotRestoreTheBestWeightsWhenFitEndsWithAnException()
    {
        // As in Keras, on_train_end (where the best weights come back) is not called when fit raises: the weights stay those
        // of the last completed step. README documents this.
        var (_, y) = Data();
        var x6 = Enumerable.Range(0, N * 6).Select(i => MathF.Sin(i * 0.4f)).ToArray();
        var net = new GuardedBnNet(seed: 3);
        net.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy);
        float[]? lastStep = null;
        Assert.Throws<TimeoutException>(() => net.Fit(x6, y, new FitOptions
        {
            Epochs = 3, BatchSize = 8, Shuffle = false,
            Callbacks = new Callback[]
            {
                new EarlyStopping(monitor: "loss", patience: 5, mode: MonitorMode.Max, restoreBestWeights: true), // best: epoch 0
                new ActionCallback(onEpochEnd: e =>
                {
                    if (e < 2) return;
                    lastStep = net.Parameters.ToArray();
                    throw new TimeoutException("stop");
                }),
            },
        }));
        Assert.Equal(lastStep, net.Parameters.ToArray());
    }

    [Fact]
    public void TwoInstancesTrainingOnTwoThreadsAtOnceGetTheWeightsOfSequentialRuns()
    {
        // The documented way to train in parallel: an instance per thread. They share the kernels' worker pool (batch 64
        // splits the products), which must neither mix their buffers nor change a sum's order.
        const int n = 256;
        var x = Enumerable.Range(0, n * 6).Select(i => MathF.Sin(i * 0.13f)).ToArray();
        var y = new float[n * 3];
        for (int s = 0; s < n; s++) y[s * 3 + s % 3] = 1;
        GuardedBnNet Train()
        {
            var net = new GuardedBnNet(seed: 8);
            net.Compile(new Adam(0.01f), Loss.CategoricalCrossentropy);
            net.Fit(x, y, epochs: 3, batchSize: 64);
            return net;
        }
        var sequential = Train();
        var parallel = new GuardedBnNet[2];
        System.Threading.Tasks.Parallel.For(0, 2, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 2 }, t => parallel[t] = Train());
        foreach (var net in parallel)
        {
            Assert.Equal(sequential.Parameters.ToArray(), net.Parameters.ToArray());
            Assert.Equal(sequential.State.ToArray(), net.State.ToArray());
        }
    }
}
