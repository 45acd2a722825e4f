using System;
using System.Diagnostics;

namespace NetGen.Training;

/// <summary>
/// Keras-style training loop over any generated network (<c>compile</c> + <c>fit</c>/<c>evaluate</c>/
/// <c>train_on_batch</c>). Semantics as Keras: the last <c>validationSplit</c> fraction of the samples is
/// held out before any shuffling, the rest is reshuffled each epoch, the last partial batch is kept, loss and
/// accuracy are running means weighted by batch size, and "accuracy" is resolved from the output shape.
/// </summary>
public sealed class Trainer
{
    private readonly Rng _rng;
    private float[] _batchX = Array.Empty<float>(), _batchY = Array.Empty<float>(), _evalOutput = Array.Empty<float>();
    private float[] _segmentOutput = Array.Empty<float>(), _segmentTarget = Array.Empty<float>();
    private readonly OutputInfo[] _outputs;
    private readonly double[] _correct, _counted;

    /// <summary>Creates a trainer (Keras <c>compile</c>): the optimizer, the loss and the seed of the shuffling stream.</summary>
    public Trainer(INetwork network, Optimizer optimizer, Loss loss, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!Enum.IsDefined(loss)) throw new ArgumentOutOfRangeException(nameof(loss), loss, "not a NetGen.Loss value");
        Network = network;
        Optimizer = optimizer;
        Loss = loss;
        _rng = new Rng(seed);
        _outputs = new OutputInfo[network.Outputs.Count];
        for (int k = 0; k < _outputs.Length; k++) _outputs[k] = network.Outputs[k];
        _correct = new double[_outputs.Length];
        _counted = new double[_outputs.Length];
    }

    /// <summary>The network trained.</summary>
    public INetwork Network { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The loss.</summary>
    public Loss Loss { get; }

    /// <summary>Classes per output row (the output's last axis).</summary>
    private int Columns => Network.OutputLength / Network.OutputRowsPerSample;

    /// <summary>Target floats per sample: one class id per output row for the sparse loss, else the output size.</summary>
    private int TargetsPerSample => Loss == Loss.SparseCategoricalCrossentropy ? Network.OutputRowsPerSample : Network.OutputLength;

    /// <summary>
    /// Keras <c>fit</c>. <paramref name="x"/> holds N samples of <c>InputLength</c> floats; <paramref name="y"/> N targets.
    /// <paramref name="callback"/> is called after every batch and once more at the end of every epoch.
    /// </summary>
    public History Fit(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int epochs = 1, int batchSize = 32, double validationSplit = 0.0, bool shuffle = true, Action<TrainingProgress>? callback = null)
    {
        int n = SampleCount(x, y);
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be at least 1.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validationSplit must be in [0, 1).");
        int trainCount = validationSplit > 0 ? (int)Math.Floor(n * (1 - validationSplit)) : n;
        int validationCount = n - trainCount;
        if (trainCount == 0 || (validationSplit > 0 && validationCount == 0))
            throw new ArgumentException($"validationSplit {validationSplit} of {n} samples leaves {trainCount} for training and {validationCount} for validation; both must be non-empty.", nameof(validationSplit));

        int inLength = Network.InputLength, tLength = TargetsPerSample;
        EnsureBatchBuffers(batchSize);
        var order = new int[trainCount];
        int batches = (trainCount + batchSize - 1) / batchSize;
        var history = new History();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < trainCount; i++) order[i] = i;
            if (shuffle) _rng.Shuffle(order);
            double lossSum = 0;
            Array.Clear(_correct);
            Array.Clear(_counted);
            int seen = 0;
            for (int batch = 0; batch < batches; batch++)
            {
                int start = batch * batchSize, b = Math.Min(batchSize, trainCount - start);
                for (int k = 0; k < b; k++)
                {
                    int s = order[start + k];
                    x.Slice(s * inLength, inLength).CopyTo(_batchX.AsSpan(k * inLength));
                    y.Slice(s * tLength, tLength).CopyTo(_batchY.AsSpan(k * tLength));
                }
                float loss = Step(_batchX.AsSpan(0, b * inLength), _batchY.AsSpan(0, b * tLength), b);
                lossSum += (double)loss * b;
                CountCorrect(Network.TrainingOutput, _batchY.AsSpan(0, b * tLength), b);
                seen += b;
                callback?.Invoke(new TrainingProgress(epoch, epochs, batch + 1, batches, seen, (float)(lossSum / seen), MeanAccuracy(), null, null, clock.Elapsed, false));
            }
            // The epoch's training accuracy, read before validation reuses the counters.
            float epochLoss = (float)(lossSum / seen), epochAccuracy = MeanAccuracy();
            float? valLoss = null, valAccuracy = null;
            if (validationCount > 0)
            {
                var evaluation = Evaluate(x.Slice(trainCount * inLength), y.Slice(trainCount * tLength), batchSize);
                valLoss = evaluation.Loss;
                valAccuracy = evaluation.Accuracy;
            }
            clock.Stop();
            history.Add(epochLoss, epochAccuracy, valLoss, valAccuracy, clock.Elapsed.TotalSeconds);
            callback?.Invoke(new TrainingProgress(epoch, epochs, batches, batches, seen, epochLoss, epochAccuracy, valLoss, valAccuracy, clock.Elapsed, true));
        }
        return history;
    }

    /// <summary>Keras <c>evaluate</c> (inference mode): loss and accuracy averaged over every sample.</summary>
    public Evaluation Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize = 32)
    {
        int n = SampleCount(x, y);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        int inLength = Network.InputLength, outLength = Network.OutputLength, tLength = TargetsPerSample;
        if (_evalOutput.Length < batchSize * outLength) _evalOutput = new float[batchSize * outLength];
        double lossSum = 0;
        Array.Clear(_correct);
        Array.Clear(_counted);
        for (int start = 0; start < n; start += batchSize)
        {
            int b = Math.Min(batchSize, n - start);
            var output = _evalOutput.AsSpan(0, b * outLength);
            var target = y.Slice(start * tLength, b * tLength);
            Network.Predict(x.Slice(start * inLength, b * inLength), output, b);
            if (_outputs.Length == 1)
                lossSum += (double)Kernels.Losses.Compute(Loss, output, target, Span<float>.Empty, b * Network.OutputRowsPerSample, Columns) * b;
            else
            {
                // Several outputs: the sum of each output's loss, each on its own columns of the packed rows.
                int outAt = 0, targetAt = 0;
                foreach (var o in _outputs)
                {
                    Segment(output, target, b, o, outAt, targetAt, out var so, out var st);
                    lossSum += (double)Kernels.Losses.Compute(Loss, so, st, Span<float>.Empty, b * o.Rows, o.Length / o.Rows) * b;
                    outAt += o.Length;
                    targetAt += TargetLength(o);
                }
            }
            CountCorrect(output, target, b);
        }
        return new Evaluation((float)(lossSum / n), MeanAccuracy());
    }

    private int TargetLength(OutputInfo o) => Loss == Loss.SparseCategoricalCrossentropy ? o.Rows : o.Length;

    /// <summary>One output's columns of a batch of packed output and target rows, copied out contiguously.</summary>
    private void Segment(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int b, OutputInfo o, int outAt, int targetAt, out Span<float> so, out Span<float> st)
    {
        int tl = TargetLength(o);
        if (_segmentOutput.Length < b * o.Length) _segmentOutput = new float[b * o.Length];
        if (_segmentTarget.Length < b * tl) _segmentTarget = new float[b * tl];
        so = _segmentOutput.AsSpan(0, b * o.Length);
        st = _segmentTarget.AsSpan(0, b * tl);
        Kernels.Merge.SplitFrom(output, so, b, o.Length, Network.OutputLength, outAt);
        Kernels.Merge.SplitFrom(target, st, b, tl, TargetsPerSample, targetAt);
    }

    /// <summary>Adds a batch's correct and counted predictions, per output.</summary>
    private void CountCorrect(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int b)
    {
        bool sparse = Loss == Loss.SparseCategoricalCrossentropy;
        if (_outputs.Length == 1)
        {
            var (c, total) = Metrics.Accuracy(output, target, Columns, sparse);
            _correct[0] += c;
            _counted[0] += total;
            return;
        }
        int outAt = 0, targetAt = 0;
        for (int k = 0; k < _outputs.Length; k++)
        {
            var o = _outputs[k];
            Segment(output, target, b, o, outAt, targetAt, out var so, out var st);
            var (c, total) = Metrics.Accuracy(so, st, o.Length / o.Rows, sparse);
            _correct[k] += c;
            _counted[k] += total;
            outAt += o.Length;
            targetAt += TargetLength(o);
        }
    }

    /// <summary>Accuracy so far: with several outputs, the mean of the outputs' accuracies.</summary>
    private float MeanAccuracy()
    {
        double sum = 0;
        for (int k = 0; k < _outputs.Length; k++) sum += _correct[k] / _counted[k];
        return (float)(sum / _outputs.Length);
    }

    /// <summary>One training step on one batch (Keras <c>train_on_batch</c>); returns its loss.</summary>
    public float TrainOnBatch(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize)
    {
        int n = SampleCount(x, y);
        if (n != batchSize)
            throw new ArgumentException($"x holds {n} samples but batchSize is {batchSize}.", nameof(batchSize));
        return Step(x, y, batchSize);
    }

    private float Step(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize)
    {
        float loss = Network.ComputeGradients(x, y, batchSize, Loss);
        Optimizer.Apply(Network.Parameters, Network.Gradients, Network.ParameterLayout);
        return loss;
    }

    private void EnsureBatchBuffers(int batchSize)
    {
        if (_batchX.Length < batchSize * Network.InputLength) _batchX = new float[batchSize * Network.InputLength];
        if (_batchY.Length < batchSize * TargetsPerSample) _batchY = new float[batchSize * TargetsPerSample];
    }

    private int SampleCount(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int inLength = Network.InputLength, tLength = TargetsPerSample;
        if (x.Length == 0 || x.Length % inLength != 0)
            throw new ArgumentException($"x must hold a positive multiple of InputLength ({inLength}) floats, but has {x.Length}.", nameof(x));
        int n = x.Length / inLength;
        if (y.Length != n * tLength)
            throw new ArgumentException(
                $"y must hold {n * tLength} floats ({n} samples × {tLength} {(Loss == Loss.SparseCategoricalCrossentropy ? "class ids" : "target values")}), but has {y.Length}.", nameof(y));
        return n;
    }
}
