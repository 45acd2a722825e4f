using System;
using System.Collections.Generic;

namespace NetGen.Training;

/// <summary>Per-epoch logs of a <see cref="Trainer.Fit(ReadOnlySpan{float}, ReadOnlySpan{float}, FitOptions)"/> run (Keras <c>History.history</c>).</summary>
public sealed class History
{
    private readonly List<float> _loss = new(), _accuracy = new(), _learningRate = new();
    private readonly List<float?> _valLoss = new(), _valAccuracy = new();
    private readonly List<double> _seconds = new();
    private readonly Dictionary<string, List<float>> _values = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();

    /// <summary>Training loss of each epoch (running mean over the epoch's batches, weighted by batch size).</summary>
    public IReadOnlyList<float> Loss => _loss;

    /// <summary>Training accuracy of each epoch.</summary>
    public IReadOnlyList<float> Accuracy => _accuracy;

    /// <summary>Validation loss of each epoch, or null without validation data.</summary>
    public IReadOnlyList<float?> ValLoss => _valLoss;

    /// <summary>Validation accuracy of each epoch, or null without validation data.</summary>
    public IReadOnlyList<float?> ValAccuracy => _valAccuracy;

    /// <summary>Wall-clock seconds of each epoch, validation included.</summary>
    public IReadOnlyList<double> EpochSeconds => _seconds;

    /// <summary>The optimizer's learning rate at the end of each epoch (after callbacks such as ReduceLROnPlateau acted).</summary>
    public IReadOnlyList<float> LearningRate => _learningRate;

    /// <summary>The number of epochs recorded.</summary>
    public int Epochs => _loss.Count;

    /// <summary>Names of the logged series in the order they first appeared: <c>loss</c>, <c>accuracy</c>, metrics, then the <c>val_</c> forms.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>Every logged series by name (Keras <c>history.history["val_loss"]</c>), one value per epoch.</summary>
    public IReadOnlyList<float> this[string key]
        => _values.TryGetValue(key, out var list) ? list : throw new KeyNotFoundException($"History has no '{key}'; it has {string.Join(", ", _order)}.");

    /// <summary>Whether a series named <paramref name="key"/> was logged.</summary>
    public bool Contains(string key) => _values.ContainsKey(key);

    internal void Add(IReadOnlyDictionary<string, float> logs, double seconds, float learningRate)
    {
        _loss.Add(logs["loss"]);
        _accuracy.Add(logs["accuracy"]);
        _valLoss.Add(logs.TryGetValue("val_loss", out var vl) ? vl : null);
        _valAccuracy.Add(logs.TryGetValue("val_accuracy", out var va) ? va : null);
        _seconds.Add(seconds);
        _learningRate.Add(learningRate);
        foreach (var (key, value) in logs)
        {
            if (!_values.TryGetValue(key, out var list))
            {
                _values[key] = list = new List<float>();
                _order.Add(key);
            }
            list.Add(value);
        }
    }
}
