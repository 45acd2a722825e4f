using System;

namespace NetGen.Training;

/// <summary>
/// A metric reported during training and evaluation (Keras <c>metrics=[...]</c> at <c>compile</c>): pass instances to
/// the <see cref="Trainer"/>; each is reported per epoch in <see cref="History"/>, the progress line and the logs
/// callbacks see, under its <see cref="Name"/> and, for validation, <c>val_</c> + name. A metric accumulates over an
/// epoch (or an evaluation) and is reset before the next; with several outputs each output gets its own copy,
/// reported as <c>output_name</c> + <c>_</c> + name.
/// </summary>
/// <remarks>
/// Keras semantics: binary accuracy, precision and recall treat every output value as a binary prediction
/// (<c>value &gt; threshold</c>); categorical and top-k accuracy compare per row; AUC uses Keras' 200 thresholds and
/// trapezoidal ROC summation; the errors average over every value.
/// </remarks>
public abstract class Metric
{
    /// <summary>Creates a metric named <paramref name="name"/>.</summary>
    protected Metric(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The name in the logs (Keras' default name for the metric).</summary>
    public string Name { get; }

    /// <summary>Forgets everything accumulated.</summary>
    public abstract void Reset();

    /// <summary>
    /// Adds a batch: <paramref name="rows"/> rows of <paramref name="columns"/> predictions, and the targets (one class id
    /// per row when <paramref name="sparseTargets"/>, else one value per prediction).
    /// </summary>
    public abstract void Update(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int rows, int columns, bool sparseTargets);

    /// <summary>The metric over everything added since the last <see cref="Reset"/>.</summary>
    public abstract float Result();

    /// <summary>Why this metric cannot score outputs of <paramref name="columns"/> classes with these targets, or null when it can.</summary>
    internal virtual string? Refusal(int columns, bool sparseTargets) => null;

    /// <summary>A new, empty metric with the same settings.</summary>
    public abstract Metric Clone();

    /// <summary>Keras <c>"accuracy"</c>: binary, sparse or categorical accuracy, resolved from the output shape and the loss as Keras does.</summary>
    public static Metric Accuracy() => new AccuracyMetric("accuracy", AccuracyMetric.Kind.Auto, 0.5f);

    /// <summary>Keras <c>BinaryAccuracy(threshold=0.5)</c>: the fraction of values with <c>(p &gt; threshold) == y</c>.</summary>
    public static Metric BinaryAccuracy(float threshold = 0.5f) => new AccuracyMetric("binary_accuracy", AccuracyMetric.Kind.Binary, Threshold(threshold));

    /// <summary>Keras <c>CategoricalAccuracy()</c>: argmax of prediction equals argmax of the one-hot target.</summary>
    public static Metric CategoricalAccuracy() => new AccuracyMetric("categorical_accuracy", AccuracyMetric.Kind.Categorical, 0.5f);

    /// <summary>Keras <c>SparseCategoricalAccuracy()</c>: argmax of prediction equals the class id.</summary>
    public static Metric SparseCategoricalAccuracy() => new AccuracyMetric("sparse_categorical_accuracy", AccuracyMetric.Kind.Sparse, 0.5f);

    /// <summary>
    /// Keras <c>TopKCategoricalAccuracy(k=5)</c> (or the sparse form, from the targets): the target class is among the
    /// <paramref name="k"/> largest predictions (a class tied with the k-th largest counts as inside, as <c>in_top_k</c>).
    /// </summary>
    public static Metric TopKAccuracy(int k = 5)
        => k >= 1 ? new TopKMetric(k) : throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");

    /// <summary>Keras <c>Precision(thresholds=0.5)</c>: true positives / predicted positives (0 when nothing is predicted positive).</summary>
    public static Metric Precision(float threshold = 0.5f) => new ConfusionMetric("precision", Threshold(threshold), recall: false);

    /// <summary>Keras <c>Recall(thresholds=0.5)</c>: true positives / actual positives (0 when there are none).</summary>
    public static Metric Recall(float threshold = 0.5f) => new ConfusionMetric("recall", Threshold(threshold), recall: true);

    /// <summary>Keras <c>AUC(num_thresholds=200, curve="ROC", summation_method="interpolation")</c>.</summary>
    public static Metric Auc(int thresholds = 200)
        => thresholds > 2 ? new AucMetric(thresholds) : throw new ArgumentOutOfRangeException(nameof(thresholds), thresholds, "thresholds must be greater than 2.");

    /// <summary>Keras <c>MeanAbsoluteError()</c>: the mean of <c>|p − y|</c>.</summary>
    public static Metric MeanAbsoluteError() => new ErrorMetric("mean_absolute_error", squared: false);

    /// <summary>Keras <c>MeanSquaredError()</c>: the mean of <c>(p − y)²</c>.</summary>
    public static Metric MeanSquaredError() => new ErrorMetric("mean_squared_error", squared: true);

    /// <summary>A decision threshold: in [0, 1], as Keras requires (NaN would make every prediction negative).</summary>
    private static float Threshold(float threshold)
        => threshold >= 0 && threshold <= 1 ? threshold : throw new ArgumentOutOfRangeException("threshold", threshold, $"threshold must be in [0, 1], but is {threshold}.");

    /// <summary>Throws unless the spans match the shape.</summary>
    protected static void Check(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int rows, int columns, bool sparseTargets)
    {
        if (rows < 0 || columns < 1 || (long)rows * columns != predictions.Length)
            throw new ArgumentException($"predictions must hold rows × columns = {(long)rows * columns} floats, but has {predictions.Length}.", nameof(predictions));
        long expected = sparseTargets ? rows : (long)rows * columns;
        if (targets.Length != expected)
            throw new ArgumentException($"targets must hold {expected} floats, but has {targets.Length}.", nameof(targets));
    }
}
