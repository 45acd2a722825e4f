using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using NetGen.Optimizers;

namespace NetGen.Training;

/// <summary>
/// Keras-style training loop over any generated network (<c>compile</c> + <c>fit</c>/<c>evaluate</c>/
/// <c>train_on_batch</c>). Semantics as Keras: the last <c>validationSplit</c> fraction of the samples is
/// held out before any shuffling, the rest is reshuffled each epoch, the last partial batch is kept, loss and
/// metrics are running means weighted by batch size, and "accuracy" is resolved from the output shape.
/// </summary>
/// <remarks>
/// Every step is checked before the optimizer runs: a NaN or infinite loss or gradient stops training with a
/// <see cref="NonFiniteTrainingException"/> naming the batch, the first weight whose gradient is not finite and the
/// first sample holding a NaN or infinity; a batch that throws (a bad class id) rethrows. Either way that batch changed
/// nothing: the weights, the network's state (BatchNormalization's moving statistics, restored from a copy taken before
/// the batch) and the optimizer's slots are as before it. Earlier batches stay applied, as in Keras.
/// A callback or progress handler that throws ends <c>Fit</c> with its exception after the step it reports on: the network
/// keeps the weights, state and optimizer of the last completed step, <see cref="EarlyStopping"/> does not put its best
/// weights back (Keras does not call <c>on_train_end</c> either), the callbacks' files are closed and the network is free
/// for the next call. <c>Evaluate</c> may be called from a callback; <c>Fit</c> may not (it throws).
/// </remarks>
public sealed class Trainer
{
    private readonly Rng _rng;
    private float[] _batchX = Array.Empty<float>(), _batchY = Array.Empty<float>(), _batchW = Array.Empty<float>(), _evalOutput = Array.Empty<float>(), _evalMask = Array.Empty<float>();
    private float[] _segmentOutput = Array.Empty<float>(), _segmentTarget = Array.Empty<float>();
    private float[] _stateSnapshot = Array.Empty<float>();
    private readonly OutputInfo[] _outputs;
    // Correct and counted predictions per output: the running epoch of Fit, and Evaluate (its own pair, so an Evaluate
    // called from a callback in the middle of an epoch leaves the epoch's accuracy alone).
    private readonly double[] _correct, _counted, _evalCorrect, _evalCounted;
    private bool _fitting;
    private readonly Metric[] _metrics;
    private readonly Metric[] _trainMetrics, _valMetrics;
    private readonly string[] _metricNames;
    private readonly KeyValuePair<string, float>[] _progressMetrics;
    private readonly Optimizer? _optimizer;

    /// <summary>Creates a trainer (Keras <c>compile</c>): the optimizer, the loss and the seed of the shuffling stream.</summary>
    public Trainer(INetwork network, Optimizer optimizer, Loss loss, ulong seed)
        : this(network, optimizer, loss, seed, null)
    {
    }

    /// <summary>
    /// Creates a trainer (Keras <c>compile(optimizer, loss, metrics)</c>). Loss and accuracy are always reported;
    /// <paramref name="metrics"/> adds more (see <see cref="Metric"/>). The optimizer is bound to
    /// <paramref name="network"/> (<see cref="Optimizer.Bind"/>): giving it to a second network throws.
    /// </summary>
    public Trainer(INetwork network, Optimizer optimizer, Loss loss, ulong seed, IEnumerable<Metric>? metrics)
        : this(network, loss, seed, metrics)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.Bind(network);
        _optimizer = optimizer;
    }

    private Trainer(INetwork network, Loss loss, ulong seed, IEnumerable<Metric>? metrics)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!Enum.IsDefined(loss)) throw new ArgumentOutOfRangeException(nameof(loss), loss, "not a NetGen.Loss value");
        Network = network;
        Loss = loss;
        _rng = new Rng(seed);
        _outputs = new OutputInfo[network.Outputs.Count];
        for (int k = 0; k < _outputs.Length; k++) _outputs[k] = network.Outputs[k];
        _correct = new double[_outputs.Length];
        _counted = new double[_outputs.Length];
        _evalCorrect = new double[_outputs.Length];
        _evalCounted = new double[_outputs.Length];

        var chosen = new List<Metric>();
        var names = new HashSet<string>(StringComparer.Ordinal) { "loss", "accuracy" };
        if (metrics is not null)
            foreach (var m in metrics)
            {
                ArgumentNullException.ThrowIfNull(m, nameof(metrics));
                if (m is AccuracyMetric && m.Name == "accuracy") continue; // always reported
                if (!names.Add(m.Name)) throw new ArgumentException($"Two metrics are named '{m.Name}'.", nameof(metrics));
                // Refused now rather than by the first batch's metric update, after that batch's step was applied.
                foreach (var o in _outputs)
                    if (m.Refusal(o.Length / o.Rows, Sparse) is { } refusal)
                        throw new ArgumentException($"Metric '{m.Name}' cannot score output '{o.Name}' with the {Loss} loss: {refusal}", nameof(metrics));
                chosen.Add(m);
            }
        _metrics = chosen.ToArray();
        int outs = _outputs.Length;
        _trainMetrics = new Metric[_metrics.Length * outs];
        _valMetrics = new Metric[_metrics.Length * outs];
        _metricNames = new string[_metrics.Length * outs];
        for (int i = 0; i < _metrics.Length; i++)
            for (int k = 0; k < outs; k++)
            {
                _trainMetrics[i * outs + k] = _metrics[i].Clone();
                _valMetrics[i * outs + k] = _metrics[i].Clone();
                _metricNames[i * outs + k] = outs == 1 ? _metrics[i].Name : _outputs[k].Name + "_" + _metrics[i].Name;
            }
        _progressMetrics = new KeyValuePair<string, float>[_metricNames.Length];
    }

    /// <summary>
    /// Keras <c>evaluate</c> without <c>compile</c>: the loss (and accuracy and <paramref name="metrics"/>) of
    /// <paramref name="network"/> on x and y in inference mode. Needs no optimizer.
    /// </summary>
    public static Evaluation Evaluate(INetwork network, Loss loss, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize = 32, IEnumerable<Metric>? metrics = null)
        => new Trainer(network, loss, 0, metrics).Evaluate(x, y, batchSize);

    /// <summary>The network trained.</summary>
    public INetwork Network { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer => _optimizer ?? throw new InvalidOperationException("This trainer only evaluates: it was created without an optimizer.");

    /// <summary>The loss.</summary>
    public Loss Loss { get; }

    /// <summary>The metrics chosen at construction (beyond loss and accuracy).</summary>
    public IReadOnlyList<Metric> Metrics => _metrics;

    /// <summary>
    /// Whether every step checks all gradients for NaN and infinity before the update (default true). The loss is always
    /// checked; the gradient check reads every gradient once more (measured 35 µs for the 109,386 weights of the sample
    /// MLP on a loaded 2-core machine). A NaN input can leave the loss finite (the cross-entropies clip probabilities)
    /// while the gradients are NaN, so switching this off lets such a batch reach the weights.
    /// </summary>
    public bool CheckFiniteGradients { get; set; } = true;

    /// <summary>
    /// Keras' <c>label_smoothing</c> of the loss (default 0): the targets the loss sees are <c>y·(1 − s) + s/classes</c>
    /// (categorical and focal cross-entropies, classes = each output's last axis) or <c>y·(1 − s) + s/2</c> (binary), in
    /// <c>Fit</c>, <c>TrainOnBatch</c> and <c>Evaluate</c>'s loss; accuracy and the metrics read the targets as given. Other
    /// losses have none (Keras' sparse cross-entropy neither): setting it for them throws.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not in [0, 1], or the loss has no label smoothing.</exception>
    public float LabelSmoothing
    {
        get => _labelSmoothing;
        set
        {
            if (!(value >= 0f && value <= 1f)) throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), value, "LabelSmoothing must lie in [0, 1].");
            if (value != 0f && !Kernels.Losses.Smooths(Loss))
                throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), value, $"{Loss} has no label smoothing; Keras gives it to the categorical (and focal) and binary cross-entropies.");
            _labelSmoothing = value;
        }
    }

    private float _labelSmoothing;
    private float[] _smoothY = Array.Empty<float>();

    /// <summary>
    /// The targets the loss sees: <paramref name="y"/> itself, or with <see cref="LabelSmoothing"/> a smoothed copy (each
    /// output's rows smoothed over its own classes).
    /// </summary>
    private ReadOnlySpan<float> LossTargets(ReadOnlySpan<float> y, int batchSize)
    {
        if (_labelSmoothing == 0f || y.IsEmpty) return y;
        if (_smoothY.Length < y.Length) _smoothY = new float[y.Length];
        var smoothed = _smoothY.AsSpan(0, y.Length);
        for (int s = 0, at = 0; s < batchSize; s++)
            foreach (var o in _outputs)
            {
                int cols = o.Length / o.Rows;
                Kernels.Losses.SmoothLabels(Loss, y.Slice(at, o.Length), smoothed.Slice(at, o.Length), o.Rows, cols, _labelSmoothing);
                at += o.Length;
            }
        return smoothed;
    }

    /// <summary>Set by a callback to end <c>Fit</c> after the current batch (Keras <c>model.stop_training</c>).</summary>
    public bool StopTraining { get; set; }

    /// <summary>Classes per output row (the output's last axis).</summary>
    private int Columns => Network.OutputLength / Network.OutputRowsPerSample;

    private bool Sparse => Kernels.Losses.IsSparse(Loss);

    /// <summary>Target floats per sample: one class id per output row for the sparse loss, else the output size.</summary>
    private int TargetsPerSample => Sparse ? Network.OutputRowsPerSample : Network.OutputLength;

    /// <summary>
    /// Keras <c>fit</c>. <paramref name="x"/> holds N samples of <c>InputLength</c> floats; <paramref name="y"/> N targets.
    /// <paramref name="callback"/> is called after every batch and once more at the end of every epoch.
    /// </summary>
    public History Fit(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int epochs = 1, int batchSize = 32, double validationSplit = 0.0, bool shuffle = true, Action<TrainingProgress>? callback = null)
        => FitCore(x, y, new FitOptions { Epochs = epochs, BatchSize = batchSize, ValidationSplit = validationSplit, Shuffle = shuffle, Progress = callback }, argumentNames: true);

    /// <summary>
    /// Keras <c>fit</c> with callbacks, validation data and cancellation (see <see cref="FitOptions"/>). Returns the
    /// epochs run; a callback (<see cref="EarlyStopping"/>, <see cref="TerminateOnNaN"/>) may end training early.
    /// </summary>
    /// <exception cref="NonFiniteTrainingException">A batch's loss or gradient was NaN or infinite (and no callback handled it).</exception>
    /// <exception cref="OperationCanceledException">The cancellation token was cancelled.</exception>
    public History Fit(ReadOnlySpan<float> x, ReadOnlySpan<float> y, FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return FitCore(x, y, options, argumentNames: false);
    }

    /// <summary>Fit; errors name the method's arguments (<paramref name="argumentNames"/>) or <c>options</c>.</summary>
    private History FitCore(ReadOnlySpan<float> x, ReadOnlySpan<float> y, FitOptions options, bool argumentNames)
    {
        string Name(string argument) => argumentNames ? argument : nameof(options);
        var optimizer = Optimizer;
        if (_fitting)
            throw new InvalidOperationException(
                "Fit is already running on this trainer (a callback or progress handler called Fit again); the running Fit's batch buffers and counters would be overwritten. Call Fit again after it returns.");
        int n = SampleCount(x, y, "x", "y");
        int epochs = options.Epochs, batchSize = options.BatchSize;
        double validationSplit = options.ValidationSplit;
        if (epochs < 1) throw new ArgumentOutOfRangeException(Name("epochs"), epochs, "Epochs must be at least 1.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(Name("batchSize"), batchSize, "BatchSize must be at least 1.");
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(Name("validationSplit"), validationSplit, "ValidationSplit must be in [0, 1).");
        var valX = options.ValidationX.Span;
        var valY = options.ValidationY.Span;
        bool validationData = !valX.IsEmpty || !valY.IsEmpty;
        if (validationData)
        {
            if (validationSplit > 0) throw new ArgumentException("Give either ValidationX/ValidationY or ValidationSplit, not both.", nameof(options));
            SampleCount(valX, valY, "ValidationX", "ValidationY");
        }
        int trainCount = validationSplit > 0 ? (int)Math.Floor(n * (1 - validationSplit)) : n;
        int validationCount = n - trainCount;
        if (trainCount == 0 || (validationSplit > 0 && validationCount == 0))
            throw new ArgumentException($"validationSplit {validationSplit} of {n} samples leaves {trainCount} for training and {validationCount} for validation; both must be non-empty.", Name("validationSplit"));
        if (validationSplit > 0)
        {
            valX = x.Slice(trainCount * Network.InputLength);
            valY = y.Slice(trainCount * TargetsPerSample);
            validationData = true;
        }

        float[]? weights = SampleWeights(y, n, options);

        // A batch larger than the training set is the whole set (Keras); sizes below are then bounded by x's length.
        batchSize = Math.Min(batchSize, trainCount);
        int inLength = Network.InputLength, tLength = TargetsPerSample;
        EnsureBatchBuffers(batchSize);
        var order = new int[trainCount];
        int batches = (int)(((long)trainCount + batchSize - 1) / batchSize);
        var history = new History();
        var callbacks = options.Callbacks ?? Array.Empty<Callback>();
        var token = options.CancellationToken;
        foreach (var cb in callbacks)
        {
            ArgumentNullException.ThrowIfNull(cb, nameof(options.Callbacks));
            cb.Trainer = this;
        }
        StopTraining = false;
        bool finished = false;
        _fitting = true;
        try
        {
            foreach (var cb in callbacks) cb.OnTrainBegin();
            for (int epoch = 0; epoch < epochs && !StopTraining; epoch++)
            {
                token.ThrowIfCancellationRequested();
                foreach (var cb in callbacks) cb.OnEpochBegin(epoch);
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < trainCount; i++) order[i] = i;
                if (options.Shuffle) _rng.Shuffle(order);
                double lossSum = 0;
                Array.Clear(_correct);
                Array.Clear(_counted);
                foreach (var m in _trainMetrics) m.Reset();
                int seen = 0;
                for (int batch = 0; batch < batches; batch++)
                {
                    token.ThrowIfCancellationRequested();
                    int start = batch * batchSize, b = Math.Min(batchSize, trainCount - start);
                    for (int k = 0; k < b; k++)
                    {
                        int s = order[start + k];
                        x.Slice(s * inLength, inLength).CopyTo(_batchX.AsSpan(k * inLength));
                        y.Slice(s * tLength, tLength).CopyTo(_batchY.AsSpan(k * tLength));
                        if (weights is not null) _batchW[k] = weights[s];
                    }
                    var bx = _batchX.AsSpan(0, b * inLength);
                    var by = _batchY.AsSpan(0, b * tLength);
                    var bw = weights is null ? ReadOnlySpan<float>.Empty : _batchW.AsSpan(0, b);
                    var failure = TryStep(bx, by, bw, b, epoch + 1, batch + 1, order.AsSpan(start, b), out float loss);
                    if (failure is not null)
                    {
                        bool handled = false;
                        foreach (var cb in callbacks) handled |= cb.OnNonFinite(failure);
                        if (!handled) throw failure;
                        StopTraining = true;
                        break;
                    }
                    lossSum += (double)loss * b;
                    var trainingOutput = Network.TrainingOutput;
                    ReadOnlySpan<float> scored = by;
                    if (Network.OutputMaskLength > 0) RealRows(trainingOutput, by, Network.TrainingOutputMask, out trainingOutput, out scored);
                    CountCorrect(trainingOutput, scored, b, _correct, _counted);
                    UpdateMetrics(_trainMetrics, trainingOutput, scored, b);
                    seen += b;
                    if (options.Progress is { } progress)
                    {
                        for (int i = 0; i < _trainMetrics.Length; i++) _progressMetrics[i] = new(_metricNames[i], _trainMetrics[i].Result());
                        progress(new TrainingProgress(epoch + 1, epochs, batch + 1, batches, seen, (float)(lossSum / seen), MeanAccuracy(_correct, _counted), null, null, clock.Elapsed, false)
                        { Metrics = _progressMetrics });
                    }
                    foreach (var cb in callbacks) cb.OnBatchEnd(batch, (float)(lossSum / seen));
                    if (StopTraining) break;
                }
                if (seen == 0) break; // the first batch failed: no epoch to record

                var logs = new Dictionary<string, float>(StringComparer.Ordinal)
                {
                    ["loss"] = (float)(lossSum / seen),
                    // The epoch's training accuracy (Evaluate, validation included, counts in counters of its own).
                    ["accuracy"] = MeanAccuracy(_correct, _counted),
                };
                var epochMetrics = new List<KeyValuePair<string, float>>();
                for (int i = 0; i < _trainMetrics.Length; i++)
                {
                    logs[_metricNames[i]] = _trainMetrics[i].Result();
                    epochMetrics.Add(new(_metricNames[i], logs[_metricNames[i]]));
                }
                if (validationData)
                {
                    var evaluation = EvaluateCore(valX, valY, batchSize, _valMetrics, validationSplit > 0 ? "y" : "ValidationY", validationSplit > 0 ? trainCount : 0);
                    logs["val_loss"] = evaluation.Loss;
                    logs["val_accuracy"] = evaluation.Accuracy;
                    for (int i = 0; i < _valMetrics.Length; i++)
                    {
                        logs["val_" + _metricNames[i]] = _valMetrics[i].Result();
                        epochMetrics.Add(new("val_" + _metricNames[i], _valMetrics[i].Result()));
                    }
                }
                clock.Stop();
                history.Add(logs, clock.Elapsed.TotalSeconds, optimizer.LearningRate);
                options.Progress?.Invoke(new TrainingProgress(epoch + 1, epochs, batches, batches, seen, logs["loss"], logs["accuracy"],
                    validationData ? logs["val_loss"] : null, validationData ? logs["val_accuracy"] : null, clock.Elapsed, true) { Metrics = epochMetrics });
                foreach (var cb in callbacks) cb.OnEpochEnd(epoch, logs);
            }
            foreach (var cb in callbacks) cb.OnTrainEnd();
            finished = true;
        }
        finally
        {
            _fitting = false;
            if (!finished)
                foreach (var cb in callbacks) cb.OnTrainAborted();
        }
        return history;
    }

    /// <summary>
    /// Keras <c>evaluate</c> (inference mode): loss, accuracy and the compiled metrics averaged over every sample. If any
    /// output is NaN or infinite the loss is NaN (the loss kernels clip probabilities, which would hide it).
    /// </summary>
    public Evaluation Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize = 32)
    {
        var result = EvaluateCore(x, y, batchSize, _valMetrics);
        if (_valMetrics.Length == 0) return result;
        var metrics = new Dictionary<string, float>(StringComparer.Ordinal);
        for (int i = 0; i < _valMetrics.Length; i++) metrics[_metricNames[i]] = _valMetrics[i].Result();
        return result with { Metrics = metrics };
    }

    private Evaluation EvaluateCore(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize, Metric[] metrics, string yName = "y", long firstSample = 0)
    {
        int n = SampleCount(x, y, "x", "y");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        batchSize = Math.Min(batchSize, n);
        int inLength = Network.InputLength, outLength = Network.OutputLength, tLength = TargetsPerSample;
        long outputFloats = (long)batchSize * outLength;
        if (outputFloats > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize,
                $"batchSize {batchSize} × OutputLength {outLength} = {outputFloats} floats is more than one array holds; use a batchSize of at most {Array.MaxLength / outLength}.");
        if (_evalOutput.Length < outputFloats) _evalOutput = new float[outputFloats];
        int maskLength = Network.OutputMaskLength;
        if (_evalMask.Length < (long)batchSize * maskLength) _evalMask = new float[batchSize * maskLength];
        double lossSum = 0;
        bool finite = true;
        Array.Clear(_evalCorrect);
        Array.Clear(_evalCounted);
        foreach (var m in metrics) m.Reset();
        for (int start = 0; start < n; start += batchSize)
        {
            int b = Math.Min(batchSize, n - start);
            var output = _evalOutput.AsSpan(0, b * outLength);
            var target = y.Slice(start * tLength, b * tLength);
            // Keras' evaluate applies the loss's label smoothing too; accuracy and metrics read the targets as given.
            var lossTarget = LossTargets(target, b);
            var mask = _evalMask.AsSpan(0, b * maskLength);
            if (maskLength > 0) Network.PredictWithMask(x.Slice(start * inLength, b * inLength), output, mask, b);
            else Network.Predict(x.Slice(start * inLength, b * inLength), output, b);
            finite &= Finite.All(output);
            if (_outputs.Length == 1)
            {
                lossSum += (double)SampleLoss(output, lossTarget, b * Network.OutputRowsPerSample, Columns, mask, b, firstSample + start, yName) * b;
                if (maskLength > 0)
                {
                    // Accuracy and metrics over the real steps only (Keras passes the mask to them as sample weights).
                    RealRows(output, target, mask, out var realOutput, out var realTarget);
                    CountCorrect(realOutput, realTarget, b, _evalCorrect, _evalCounted);
                    UpdateMetrics(metrics, realOutput, realTarget, b);
                    continue;
                }
            }
            else
            {
                // Several outputs: the sum of each output's loss, each on its own columns of the packed rows.
                int outAt = 0, targetAt = 0;
                foreach (var o in _outputs)
                {
                    Segment(output, lossTarget, b, o, outAt, targetAt, out var so, out var st);
                    lossSum += (double)SampleLoss(so, st, b * o.Rows, o.Length / o.Rows, ReadOnlySpan<float>.Empty, b, firstSample + start, yName, target) * b;
                    outAt += o.Length;
                    targetAt += TargetLength(o);
                }
            }
            CountCorrect(output, target, b, _evalCorrect, _evalCounted);
            UpdateMetrics(metrics, output, target, b);
        }
        // Keras' evaluate adds the regularization losses of the weights (model.losses) to every batch's loss.
        float penalty = Regularization.Any(Network.ParameterLayout) ? Regularization.Penalty(Network.ParameterLayout, Network.TrainableWeights, Network.Parameters) : 0;
        return new Evaluation(finite ? (float)(lossSum / n) + penalty : float.NaN, MeanAccuracy(_evalCorrect, _evalCounted));
    }

    private int TargetLength(OutputInfo o) => Sparse ? o.Rows : o.Length;

    /// <summary>The loss of an evaluated batch; a bad class id is reported by its sample and place in <paramref name="yName"/>.</summary>
    private float SampleLoss(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int rows, int columns, ReadOnlySpan<float> mask, int b, long firstSample, string yName, ReadOnlySpan<float> batchTargets = default)
    {
        try
        {
            return Kernels.Losses.Compute(Loss, output, target, Span<float>.Empty, rows, columns, ReadOnlySpan<float>.Empty, mask);
        }
        catch (ArgumentOutOfRangeException e) when (Sparse && e.ParamName == "labels"
            && BadClassId(batchTargets.IsEmpty ? target : batchTargets, b, ReadOnlySpan<int>.Empty, firstSample, yName, "Evaluate") is { } named)
        {
            throw named;
        }
    }

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

    /// <summary>
    /// The rows of a masked output's batch whose step is real (mask nonzero), output and target copied out contiguously, for
    /// the accuracy and metrics (the loss kernels read the mask themselves).
    /// </summary>
    private void RealRows(ReadOnlySpan<float> output, ReadOnlySpan<float> target, ReadOnlySpan<float> mask, out ReadOnlySpan<float> realOutput, out ReadOnlySpan<float> realTarget)
    {
        int cols = Columns, targetCols = Sparse ? 1 : cols;
        int rows = output.Length / cols;
        int perStep = rows / mask.Length;
        if (_segmentOutput.Length < output.Length) _segmentOutput = new float[output.Length];
        if (_segmentTarget.Length < target.Length) _segmentTarget = new float[target.Length];
        int kept = 0;
        for (int r = 0; r < rows; r++)
        {
            if (mask[r / perStep] == 0) continue;
            output.Slice(r * cols, cols).CopyTo(_segmentOutput.AsSpan(kept * cols));
            target.Slice(r * targetCols, targetCols).CopyTo(_segmentTarget.AsSpan(kept * targetCols));
            kept++;
        }
        realOutput = _segmentOutput.AsSpan(0, kept * cols);
        realTarget = _segmentTarget.AsSpan(0, kept * targetCols);
    }

    /// <summary>Adds a batch's correct and counted predictions, per output.</summary>
    private void CountCorrect(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int b, double[] correct, double[] counted)
    {
        if (_outputs.Length == 1)
        {
            var (c, total) = Training.Metrics.Accuracy(output, target, Columns, Sparse);
            correct[0] += c;
            counted[0] += total;
            return;
        }
        int outAt = 0, targetAt = 0;
        for (int k = 0; k < _outputs.Length; k++)
        {
            var o = _outputs[k];
            Segment(output, target, b, o, outAt, targetAt, out var so, out var st);
            var (c, total) = Training.Metrics.Accuracy(so, st, o.Length / o.Rows, Sparse);
            correct[k] += c;
            counted[k] += total;
            outAt += o.Length;
            targetAt += TargetLength(o);
        }
    }

    /// <summary>Adds a batch to every metric of <paramref name="set"/> (one copy per output).</summary>
    private void UpdateMetrics(Metric[] set, ReadOnlySpan<float> output, ReadOnlySpan<float> target, int b)
    {
        if (set.Length == 0) return;
        int outs = _outputs.Length;
        if (outs == 1)
        {
            foreach (var m in set) m.Update(output, target, output.Length / Columns, Columns, Sparse); // every row, or a masked output's real rows
            return;
        }
        int outAt = 0, targetAt = 0;
        for (int k = 0; k < outs; k++)
        {
            var o = _outputs[k];
            Segment(output, target, b, o, outAt, targetAt, out var so, out var st);
            for (int i = 0; i < _metrics.Length; i++) set[i * outs + k].Update(so, st, b * o.Rows, o.Length / o.Rows, Sparse);
            outAt += o.Length;
            targetAt += TargetLength(o);
        }
    }

    /// <summary>Accuracy so far: with several outputs, the mean of the outputs' accuracies.</summary>
    private float MeanAccuracy(double[] correct, double[] counted)
    {
        double sum = 0;
        for (int k = 0; k < _outputs.Length; k++) sum += counted[k] > 0 ? correct[k] / counted[k] : 0; // none counted: every step was padding
        return (float)(sum / _outputs.Length);
    }

    /// <summary>One training step on one batch (Keras <c>train_on_batch</c>); returns its loss. A NaN or infinite loss or gradient throws before the update.</summary>
    public float TrainOnBatch(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize)
        => TrainOnBatch(x, y, ReadOnlySpan<float>.Empty, batchSize);

    /// <summary>
    /// <see cref="TrainOnBatch(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> with one weight per sample (Keras
    /// <c>train_on_batch(x, y, sample_weight)</c>): <paramref name="sampleWeight"/> holds <paramref name="batchSize"/> finite,
    /// non-negative floats, or is empty.
    /// </summary>
    public float TrainOnBatch(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> sampleWeight, int batchSize)
    {
        _ = Optimizer;
        int n = SampleCount(x, y, "x", "y");
        if (n != batchSize)
            throw new ArgumentException($"x holds {n} samples but batchSize is {batchSize}.", nameof(batchSize));
        if (!sampleWeight.IsEmpty) CheckWeights(sampleWeight, n, nameof(sampleWeight));
        var failure = TryStep(x, y, sampleWeight, batchSize, 0, 1, ReadOnlySpan<int>.Empty, out float loss);
        return failure is null ? loss : throw failure;
    }

    /// <summary>The weight of every sample from <see cref="FitOptions.SampleWeight"/> or <see cref="FitOptions.ClassWeight"/>; null when neither is given.</summary>
    private float[]? SampleWeights(ReadOnlySpan<float> y, int n, FitOptions options)
    {
        var given = options.SampleWeight.Span;
        var classWeight = options.ClassWeight;
        if (given.IsEmpty && classWeight is null) return null;
        if (!given.IsEmpty && classWeight is not null)
            throw new ArgumentException("Give either SampleWeight or ClassWeight, not both (as Keras).", nameof(options));
        if (!given.IsEmpty)
        {
            CheckWeights(given, n, "options.SampleWeight");
            return given.ToArray();
        }
        if (_outputs.Length != 1 || Network.OutputRowsPerSample != 1)
            throw new ArgumentException(
                $"ClassWeight needs a network with one output of one row per sample; this one has {_outputs.Length} output(s) and {Network.OutputRowsPerSample} row(s) per sample. Use SampleWeight instead.",
                nameof(options));
        foreach (var (id, w) in classWeight!)
            if (!(float.IsFinite(w) && w >= 0))
                throw new ArgumentOutOfRangeException(nameof(options), w, $"ClassWeight[{id}] is {w.ToString(CultureInfo.InvariantCulture)}; class weights must be finite and non-negative.");
        var weights = new float[n];
        int columns = Columns, tLength = TargetsPerSample;
        for (int i = 0; i < n; i++)
        {
            var t = y.Slice(i * tLength, tLength);
            int id;
            if (Sparse) id = (int)t[0];
            else if (columns == 1) id = t[0] >= 0.5f ? 1 : 0;
            else
            {
                id = 0;
                for (int j = 1; j < columns; j++)
                    if (t[j] > t[id]) id = j;
            }
            if (!classWeight.TryGetValue(id, out float w))
                throw new ArgumentException($"Sample {i} is of class {id}, which ClassWeight has no entry for; give a weight for every class in y.", nameof(options));
            weights[i] = w;
        }
        return weights;
    }

    private static void CheckWeights(ReadOnlySpan<float> weights, int n, string name)
    {
        if (weights.Length != n)
            throw new ArgumentException($"{name} must hold one weight per sample ({n}), but has {weights.Length}.", name);
        for (int i = 0; i < weights.Length; i++)
            if (!(float.IsFinite(weights[i]) && weights[i] >= 0))
                throw new ArgumentOutOfRangeException(name, weights[i], $"{name}[{i}] is {weights[i].ToString(CultureInfo.InvariantCulture)}; sample weights must be finite and non-negative.");
    }

    /// <summary>
    /// Forward, backward and, if the loss and every gradient are finite, the optimizer update. On an exception or a
    /// non-finite value the network's state is put back as it was before the batch (the weights are not touched before
    /// the update); returns the problem, or null after a successful update.
    /// </summary>
    private NonFiniteTrainingException? TryStep(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> sampleWeight, int batchSize, int epoch, int batch, ReadOnlySpan<int> samples, out float loss)
    {
        var state = Network.State;
        if (!state.IsEmpty)
        {
            if (_stateSnapshot.Length != state.Length) _stateSnapshot = new float[state.Length];
            state.CopyTo(_stateSnapshot);
        }
        try
        {
            var lossY = LossTargets(y, batchSize);
            loss = sampleWeight.IsEmpty ? Network.ComputeGradients(x, lossY, batchSize, Loss) : Network.ComputeWeightedGradients(x, lossY, sampleWeight, batchSize, Loss);
        }
        catch (ArgumentOutOfRangeException e) when (Sparse && e.ParamName == "labels" && BadClassId(y, batchSize, samples, 0, "y", epoch > 0 ? $"epoch {epoch}, batch {batch}" : "TrainOnBatch") is { } named)
        {
            _stateSnapshot.AsSpan(0, state.Length).CopyTo(state);
            throw named;
        }
        catch
        {
            _stateSnapshot.AsSpan(0, state.Length).CopyTo(state);
            throw;
        }
        var gradients = Network.Gradients;
        if (float.IsFinite(loss) && (!CheckFiniteGradients || Finite.All(gradients)))
        {
            _optimizer!.Apply(Network.Parameters, gradients, Network.ParameterLayout, Network.TrainableWeights);
            if (!state.IsEmpty) KeepFrozenState(state);
            return null;
        }
        _stateSnapshot.AsSpan(0, state.Length).CopyTo(state);
        return Diagnose(x, y, batchSize, epoch, batch, samples, loss, gradients);
    }

    /// <summary>A layer frozen at run time keeps its state: its moving statistics are put back as they were before the batch.</summary>
    private void KeepFrozenState(Span<float> state)
    {
        if (!Network.TrainableWeights.Contains(false)) return;
        var layout = Network.StateLayout;
        for (int i = 0; i < layout.Count; i++)
            if (Trainability.IsFrozen(Network, layout[i].Layer))
                _stateSnapshot.AsSpan(layout[i].Offset, layout[i].Length).CopyTo(state.Slice(layout[i].Offset, layout[i].Length));
    }

    /// <summary>
    /// The loss kernels name a bad class id by its row in the batch ("labels"); the caller passed <c>y</c>. Finds the first
    /// id of the batch that is not a whole number in [0, classes of its output) and names it by sample (its index in
    /// <c>y</c>) and place; null if none is found (the kernel's own exception then stands).
    /// </summary>
    private ArgumentOutOfRangeException? BadClassId(ReadOnlySpan<float> y, int batchSize, ReadOnlySpan<int> samples, long firstSample, string yName, string where)
    {
        int perSample = TargetsPerSample;
        for (int k = 0; k < batchSize; k++)
        {
            int at = 0;
            foreach (var o in _outputs)
            {
                int classes = o.Length / o.Rows;
                for (int r = 0; r < o.Rows; r++, at++)
                {
                    float v = y[k * perSample + at];
                    if (v >= 0 && v < classes && v == MathF.Floor(v)) continue;
                    long sample = firstSample + (samples.IsEmpty ? k : samples[k]);
                    var c = CultureInfo.InvariantCulture;
                    var which = perSample == 1 ? "" : $" (class id {at} of its {perSample}{(_outputs.Length > 1 ? $", output '{o.Name}'" : "")})";
                    return new ArgumentOutOfRangeException(yName, v,
                        $"{yName}[{(sample * perSample + at).ToString(c)}], the class id of sample {sample.ToString(c)}{which}, is {v.ToString("R", c)}, which is not a class id in [0, {classes}) ({where}; SparseCategoricalCrossentropy takes whole class numbers). "
                        + (where == "Evaluate" ? "" : "The weights, the state and the optimizer are as before this batch."));
                }
            }
        }
        return null;
    }

    private NonFiniteTrainingException Diagnose(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize, int epoch, int batch, ReadOnlySpan<int> samples, float loss, ReadOnlySpan<float> gradients)
    {
        var c = CultureInfo.InvariantCulture;
        string? weight = null;
        foreach (var p in Network.ParameterLayout)
            if (!Finite.All(gradients.Slice(p.Offset, p.Length)))
            {
                weight = p.Name;
                break;
            }
        long? inputSample = FirstNonFiniteSample(x, Network.InputLength, batchSize, samples, out int inputAt, out float inputValue);
        long? targetSample = FirstNonFiniteSample(y, y.Length / batchSize, batchSize, samples, out int targetAt, out float targetValue);
        var where = epoch > 0 ? $"epoch {epoch}, batch {batch}" : "TrainOnBatch";
        var text = $"Training stopped at {where}: the loss is {loss.ToString(c)}";
        if (weight is not null)
            text += $"; the first weight whose gradient is not finite is {weight} (layer {(weight.Contains('/') ? weight[..weight.LastIndexOf('/')] : weight)})";
        else
            text += " (every weight gradient is finite)";
        if (inputSample is { } xi) text += $"; input sample {xi} holds {inputValue.ToString(c)} at position {inputAt}";
        if (targetSample is { } yi) text += $"; target of sample {yi} holds {targetValue.ToString(c)} at position {targetAt}";
        if (inputSample is null && targetSample is null) text += "; the batch's inputs and targets are finite (a learning rate too large can make the weights overflow)";
        text += ". The weights, the state and the optimizer are as before this batch; earlier batches stay applied.";
        return new NonFiniteTrainingException(text, epoch, batch, loss, weight, inputSample, targetSample);
    }

    private static long? FirstNonFiniteSample(ReadOnlySpan<float> data, int perSample, int batchSize, ReadOnlySpan<int> samples, out int at, out float value)
    {
        at = -1;
        value = 0;
        if (perSample <= 0) return null;
        for (int k = 0; k < batchSize; k++)
        {
            int i = Finite.First(data.Slice(k * perSample, perSample));
            if (i < 0) continue;
            at = i;
            value = data[k * perSample + i];
            return samples.IsEmpty ? k : samples[k];
        }
        return null;
    }

    private void EnsureBatchBuffers(int batchSize)
    {
        long x = (long)batchSize * Network.InputLength, y = (long)batchSize * TargetsPerSample;
        if (x > Array.MaxLength || y > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize {batchSize} needs {Math.Max(x, y)} floats per batch buffer, more than one array holds.");
        if (_batchX.Length < x) _batchX = new float[x];
        if (_batchY.Length < y) _batchY = new float[y];
        if (_batchW.Length < batchSize) _batchW = new float[batchSize];
    }

    private int SampleCount(ReadOnlySpan<float> x, ReadOnlySpan<float> y, string xName, string yName)
    {
        int inLength = Network.InputLength, tLength = TargetsPerSample;
        if (x.Length == 0 || x.Length % inLength != 0)
            throw new ArgumentException($"{xName} must hold a positive multiple of InputLength ({inLength}) floats, but has {x.Length}.", xName);
        int n = x.Length / inLength;
        long expected = (long)n * tLength;
        if (y.Length != expected)
            throw new ArgumentException(
                $"{yName} must hold {expected} floats ({n} samples × {tLength} {(Sparse ? "class ids" : "target values")}), but has {y.Length}.", yName);
        return n;
    }
}
