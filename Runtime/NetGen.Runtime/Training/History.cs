using System.Collections.Generic;

namespace NetGen.Training;

/// <summary>Per-epoch logs of a <see cref="Trainer.Fit"/> run (Keras <c>History.history</c>).</summary>
public sealed class History
{
    private readonly List<float> _loss = new(), _accuracy = new();
    private readonly List<float?> _valLoss = new(), _valAccuracy = new();
    private readonly List<double> _seconds = new();

    /// <summary>Training loss of each epoch (running mean over the epoch's batches, weighted by batch size).</summary>
    public IReadOnlyList<float> Loss => _loss;

    /// <summary>Training accuracy of each epoch.</summary>
    public IReadOnlyList<float> Accuracy => _accuracy;

    /// <summary>Validation loss of each epoch, or null without a validation split.</summary>
    public IReadOnlyList<float?> ValLoss => _valLoss;

    /// <summary>Validation accuracy of each epoch, or null without a validation split.</summary>
    public IReadOnlyList<float?> ValAccuracy => _valAccuracy;

    /// <summary>Wall-clock seconds of each epoch, validation included.</summary>
    public IReadOnlyList<double> EpochSeconds => _seconds;

    internal void Add(float loss, float accuracy, float? valLoss, float? valAccuracy, double seconds)
    {
        _loss.Add(loss);
        _accuracy.Add(accuracy);
        _valLoss.Add(valLoss);
        _valAccuracy.Add(valAccuracy);
        _seconds.Add(seconds);
    }
}
