using System;

namespace NetGen.Training;

/// <summary>Binary, categorical, sparse and auto-resolved accuracy.</summary>
internal sealed class AccuracyMetric : Metric
{
    public enum Kind { Auto, Binary, Categorical, Sparse }

    private readonly Kind _kind;
    private readonly float _threshold;
    private double _correct, _count;

    public AccuracyMetric(string name, Kind kind, float threshold) : base(name)
    {
        _kind = kind;
        _threshold = threshold;
    }

    public override void Reset() => _correct = _count = 0;

    public override void Update(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int rows, int columns, bool sparseTargets)
    {
        Check(predictions, targets, rows, columns, sparseTargets);
        var kind = _kind;
        if (kind == Kind.Auto) kind = sparseTargets ? Kind.Sparse : columns == 1 ? Kind.Binary : Kind.Categorical;
        if (kind == Kind.Binary)
        {
            if (Refusal(columns, sparseTargets) is { } refusal) throw new InvalidOperationException(refusal);
            for (int i = 0; i < predictions.Length; i++)
                if ((predictions[i] > _threshold ? 1f : 0f) == targets[i]) _correct++;
            _count += predictions.Length;
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            int predicted = Metrics.ArgMax(predictions.Slice(r * columns, columns));
            int expected = sparseTargets ? (int)targets[r] : Metrics.ArgMax(targets.Slice(r * columns, columns));
            if (predicted == expected) _correct++;
        }
        _count += rows;
    }

    public override float Result() => _count == 0 ? 0f : (float)(_correct / _count);

    internal override string? Refusal(int columns, bool sparseTargets)
        => _kind == Kind.Binary && sparseTargets && columns != 1 ? "binary accuracy needs one target value per prediction, not class ids." : null;

    public override Metric Clone() => new AccuracyMetric(Name, _kind, _threshold);
}

/// <summary>Top-k categorical accuracy (one-hot or sparse targets).</summary>
internal sealed class TopKMetric : Metric
{
    private readonly int _k;
    private double _hits, _count;

    public TopKMetric(int k) : base(k == 5 ? "top_k_categorical_accuracy" : $"top_{k}_categorical_accuracy") => _k = k;

    public override void Reset() => _hits = _count = 0;

    public override void Update(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int rows, int columns, bool sparseTargets)
    {
        Check(predictions, targets, rows, columns, sparseTargets);
        for (int r = 0; r < rows; r++)
        {
            var p = predictions.Slice(r * columns, columns);
            int target = sparseTargets ? (int)targets[r] : Metrics.ArgMax(targets.Slice(r * columns, columns));
            float value = p[target];
            int greater = 0;
            foreach (var v in p) if (v > value) greater++;
            if (greater < _k && !float.IsNaN(value)) _hits++;
        }
        _count += rows;
    }

    public override float Result() => _count == 0 ? 0f : (float)(_hits / _count);

    public override Metric Clone() => new TopKMetric(_k);
}

/// <summary>Precision or recall at one threshold, every value a binary prediction.</summary>
internal sealed class ConfusionMetric : Metric
{
    private readonly float _threshold;
    private readonly bool _recall;
    private double _tp, _fp, _fn;

    public ConfusionMetric(string name, float threshold, bool recall) : base(name)
    {
        _threshold = threshold;
        _recall = recall;
    }

    public override void Reset() => _tp = _fp = _fn = 0;

    public override void Update(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int rows, int columns, bool sparseTargets)
    {
        Check(predictions, targets, rows, columns, sparseTargets);
        for (int i = 0; i < predictions.Length; i++)
        {
            bool actual = sparseTargets ? (int)targets[i / columns] == i % columns : targets[i] > 0.5f;
            bool predicted = predictions[i] > _threshold;
            if (predicted && actual) _tp++;
            else if (predicted) _fp++;
            else if (actual) _fn++;
        }
    }

    public override float Result()
    {
        double denominator = _recall ? _tp + _fn : _tp + _fp;
        return denominator == 0 ? 0f : (float)(_tp / denominator);
    }

    public override Metric Clone() => new ConfusionMetric(Name, _threshold, _recall);
}

/// <summary>ROC AUC over Keras' evenly spaced thresholds, trapezoidal summation.</summary>
internal sealed class AucMetric : Metric
{
    private readonly double[] _thresholds;
    // Per threshold: positives and negatives predicted above it.
    private readonly double[] _tp, _fp;
    private double _positives, _negatives;

    public AucMetric(int count) : base("auc")
    {
        const double epsilon = 1e-7;
        _thresholds = new double[count];
        _thresholds[0] = -epsilon;
        for (int i = 1; i < count - 1; i++) _thresholds[i] = (double)i / (count - 1);
        _thresholds[count - 1] = 1 + epsilon;
        _tp = new double[count];
        _fp = new double[count];
    }

    public override void Reset()
    {
        Array.Clear(_tp);
        Array.Clear(_fp);
        _positives = _negatives = 0;
    }

    public override void Update(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int rows, int columns, bool sparseTargets)
    {
        Check(predictions, targets, rows, columns, sparseTargets);
        for (int i = 0; i < predictions.Length; i++)
        {
            bool actual = sparseTargets ? (int)targets[i / columns] == i % columns : targets[i] > 0.5f;
            // Keras clips predictions to [0, 1]; the thresholds below it are those it exceeds.
            double p = Math.Clamp((double)predictions[i], 0.0, 1.0);
            int above = LowerBound(p); // thresholds[0 .. above) < p
            var counts = actual ? _tp : _fp;
            // Record "predicted positive at thresholds 0..above-1" as a difference array: +1 at 0, −1 at above.
            counts[0]++;
            if (above < counts.Length) counts[above]--;
            if (actual) _positives++; else _negatives++;
        }
    }

    private int LowerBound(double p)
    {
        int lo = 0, hi = _thresholds.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (_thresholds[mid] < p) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    public override float Result()
    {
        int n = _thresholds.Length;
        double tpRun = 0, fpRun = 0, area = 0, prevTpr = 0, prevFpr = 0;
        for (int i = 0; i < n; i++)
        {
            tpRun += _tp[i];
            fpRun += _fp[i];
            double tpr = _positives == 0 ? 0 : tpRun / _positives;
            double fpr = _negatives == 0 ? 0 : fpRun / _negatives;
            if (i > 0) area += (prevFpr - fpr) * (prevTpr + tpr) / 2;
            prevTpr = tpr;
            prevFpr = fpr;
        }
        return (float)area;
    }

    public override Metric Clone() => new AucMetric(_thresholds.Length);
}

/// <summary>Mean absolute or squared error over every value.</summary>
internal sealed class ErrorMetric : Metric
{
    private readonly bool _squared;
    private double _sum, _count;

    public ErrorMetric(string name, bool squared) : base(name) => _squared = squared;

    public override void Reset() => _sum = _count = 0;

    public override void Update(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int rows, int columns, bool sparseTargets)
    {
        Check(predictions, targets, rows, columns, sparseTargets);
        if (Refusal(columns, sparseTargets) is { } refusal) throw new InvalidOperationException(refusal);
        for (int i = 0; i < predictions.Length; i++)
        {
            double e = (double)predictions[i] - targets[i];
            _sum += _squared ? e * e : Math.Abs(e);
        }
        _count += predictions.Length;
    }

    public override float Result() => _count == 0 ? 0f : (float)(_sum / _count);

    internal override string? Refusal(int columns, bool sparseTargets)
        => sparseTargets ? $"{Name} needs one target value per prediction, not class ids." : null;

    public override Metric Clone() => new ErrorMetric(Name, _squared);
}
