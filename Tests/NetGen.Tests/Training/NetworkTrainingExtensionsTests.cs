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
/// Compile, Fit, Evaluate, TrainOnBatch and Summary are the runtime's extension methods over INetwork (issue 12): code
/// written against INetwork trains a generated network exactly as the generated class's own members used to.
/// </summary>
public class NetworkTrainingExtensionsTests
{
    private static (float[] X, float[] Y) Data(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n * SliceMlp.InputLength];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var y = new float[n * 10];
        for (int s = 0; s < n; s++) y[s * 10 + rng.Next(10)] = 1;
        return (x, y);
    }

    [Fact]
    public void FitThroughINetworkShufflesWithTheStreamCompileAlwaysDerived()
    {
        // Compile seeds the trainer with DeriveSeed(seed, 1), as the generated Compile did before it moved to the
        // runtime: a trainer built by hand with that seed must train a twin bit for bit.
        var (x, y) = Data(40, 7);
        INetwork viaExtensions = new SliceMlp(seed: 5);
        var twin = new SliceMlp(seed: 5);
        Assert.Equal(5, viaExtensions.Seed);

        viaExtensions.Compile(new Adam(0.01f), Loss.CategoricalCrossentropy);
        var history = viaExtensions.Fit(x, y, epochs: 2, batchSize: 8, validationSplit: 0.25);
        var byHand = new Trainer(twin, new Adam(0.01f), Loss.CategoricalCrossentropy, Rng.DeriveSeed(5, 1));
        var expected = byHand.Fit(x, y, epochs: 2, batchSize: 8, validationSplit: 0.25);

        Assert.Equal(expected.Loss, history.Loss);
        Assert.Equal(expected.ValLoss, history.ValLoss);
        Assert.True(viaExtensions.Parameters.SequenceEqual(twin.Parameters));
        Assert.Same(viaExtensions.TrainerOf(), viaExtensions.CompiledTrainer);

        var evaluation = viaExtensions.Evaluate(x, y, batchSize: 16);
        Assert.Equal(byHand.Evaluate(x, y, batchSize: 16), evaluation);
        Assert.Equal(byHand.TrainOnBatch(x.AsSpan(0, 8 * 784), y.AsSpan(0, 80), 8),
                     viaExtensions.TrainOnBatch(x.AsSpan(0, 8 * 784), y.AsSpan(0, 80), 8));
        Assert.True(viaExtensions.Parameters.SequenceEqual(twin.Parameters));
    }

    [Fact]
    public void TrainOnBatchTakesSampleWeights()
    {
        var (x, y) = Data(4, 3);
        var a = new SliceMlp(seed: 2);
        var b = new SliceMlp(seed: 2);
        a.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy);
        b.Compile(new SGD(0.1f), Loss.CategoricalCrossentropy);
        float plain = a.TrainOnBatch(x, y, 4);
        // Keras' "sum over batch size": weights of 2 double the loss of the same (unchanged) weights.
        float doubled = b.TrainOnBatch(x, y, new float[] { 2, 2, 2, 2 }, 4);
        Assert.Equal(2 * plain, doubled, 5);
        var bad = Assert.Throws<ArgumentException>(() => b.TrainOnBatch(x, y, new float[] { 1, 1, 1 }, 4));
        Assert.Equal("sampleWeight", bad.ParamName);
    }

    [Fact]
    public void FitHoldsTheNetworkForItsWholeRun()
    {
        // Another thread's Predict between two steps of a Fit would overwrite the activations the next step reads, so the
        // guard covers the whole Fit, not only each step.
        var (x, y) = Data(16, 4);
        var net = new SliceMlp(seed: 1);
        net.Compile(new SGD(0.01f), Loss.CategoricalCrossentropy);
        Exception? seen = null;
        net.Fit(x, y, epochs: 1, batchSize: 4, callback: p =>
        {
            if (seen is null)
                seen = OnAnotherThread(() => net.Predict(x.AsSpan(0, 784).ToArray(), new float[10]));
        });
        var refused = Assert.IsType<InvalidOperationException>(seen);
        Assert.Contains("another thread", refused.Message);
        // Released after Fit: another thread may call now.
        Assert.Null(OnAnotherThread(() => net.Predict(x.AsSpan(0, 784).ToArray(), new float[10])));
    }

    /// <summary>Runs <paramref name="action"/> on a new thread, waits for it, and returns what it threw (null: nothing).</summary>
    private static Exception? OnAnotherThread(Action action)
    {
        Exception? thrown = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { thrown = e; }
        });
        thread.Start();
        thread.Join();
        return thrown;
    }

    [Fact]
    public void TrainingBeforeCompileSaysWhatToCall()
    {
        INetwork net = new SliceMlp();
        var (x, y) = Data(2, 1);
        foreach (var call in new Action[] { () => net.Fit(x, y), () => net.Evaluate(x, y), () => net.TrainOnBatch(x, y, 2) })
        {
            var e = Assert.Throws<InvalidOperationException>(call);
            Assert.Contains("Compile(optimizer, loss)", e.Message);
            Assert.Contains(nameof(SliceMlp), e.Message);
        }
        Assert.Throws<ArgumentNullException>(() => net.Compile(null!, Loss.MeanSquaredError));
        Assert.Null(net.CompiledTrainer);
    }

    [Fact]
    public void SummaryPrintsTheCompileTimeTable()
    {
        var net = new SliceMlp();
        var throughINetwork = new StringWriter();
        ((INetwork)net).Summary(throughINetwork);
        var onTheInstance = new StringWriter();
        net.Summary(onTheInstance); // the extension, beside the class's static Summary
        var onTheClass = new StringWriter();
        SliceMlp.Summary(onTheClass);
        Assert.Equal(SliceMlp.SummaryText, throughINetwork.ToString());
        Assert.Equal(SliceMlp.SummaryText, onTheInstance.ToString());
        Assert.Equal(SliceMlp.SummaryText, onTheClass.ToString());
        Assert.Contains("dense_1", SliceMlp.SummaryText);
    }

    [Fact]
    public void ANetworkWrittenByHandWithoutATrainerSlotIsToldSo()
    {
        INetwork wrapped = new Forwarding(new SliceMlp());
        var e = Assert.Throws<NotSupportedException>(() => wrapped.Compile(new SGD(0.1f), Loss.MeanSquaredError));
        Assert.Contains(nameof(Forwarding), e.Message);
        Assert.Contains("Trainer", e.Message);
        // Its default seed and guard: 0, and no guard (Fit through a Trainer built by hand still works).
        Assert.Equal(0, wrapped.Seed);
        Assert.False(wrapped.EnterBusy());
        var (x, y) = Data(4, 2);
        var history = new Trainer(wrapped, new SGD(0.1f), Loss.CategoricalCrossentropy, 1).Fit(x, y, batchSize: 2);
        Assert.Equal(1, history.Epochs);
    }

    /// <summary>An INetwork implemented by hand (only the required members), forwarding to a generated network.</summary>
    private sealed class Forwarding(INetwork inner) : INetwork
    {
        public int InputLength => inner.InputLength;
        public int OutputLength => inner.OutputLength;
        public int OutputRowsPerSample => inner.OutputRowsPerSample;
        public int ParameterCount => inner.ParameterCount;
        public Span<float> Parameters => inner.Parameters;
        public ReadOnlySpan<float> Gradients => inner.Gradients;
        public IReadOnlyList<ParameterInfo> ParameterLayout => inner.ParameterLayout;
        public string WeightSignature => inner.WeightSignature;
        public ReadOnlySpan<float> TrainingOutput => inner.TrainingOutput;
        public void Save(string path) => inner.Save(path);
        public void Load(string path) => inner.Load(path);
        public void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize = 1) => inner.Predict(input, output, batchSize);
        public float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int batchSize, Loss loss) => inner.ComputeGradients(input, target, batchSize, loss);
    }
}
