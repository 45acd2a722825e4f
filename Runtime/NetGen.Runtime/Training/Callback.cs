using System;
using System.Collections.Generic;

namespace NetGen.Training;

/// <summary>
/// Base of the training callbacks (Keras <c>keras.callbacks.Callback</c>): pass any number of them in
/// <see cref="FitOptions.Callbacks"/>; they are called in list order. Epoch and batch indices are zero-based, as
/// Keras passes them. <see cref="Trainer"/> is set before <see cref="OnTrainBegin"/> (Keras <c>self.model</c>).
/// </summary>
public abstract class Callback
{
    /// <summary>The trainer running <c>Fit</c>: its network, optimizer and <see cref="Trainer.StopTraining"/>.</summary>
    public Trainer? Trainer { get; internal set; }

    /// <summary>The trainer, or an error when the callback is used outside <c>Fit</c>.</summary>
    protected Trainer Current => Trainer ?? throw new InvalidOperationException($"{GetType().Name} is not attached to a running Fit.");

    /// <summary>Called once before the first epoch.</summary>
    public virtual void OnTrainBegin() { }

    /// <summary>Called before every epoch.</summary>
    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>Called after every optimizer step with the running mean loss of the epoch.</summary>
    public virtual void OnBatchEnd(int batch, float loss) { }

    /// <summary>Called after every epoch (validation included) with its logs: <c>loss</c>, <c>accuracy</c>, the compiled metrics and their <c>val_</c> forms.</summary>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs) { }

    /// <summary>Called once after the last epoch (also when a callback stopped training early).</summary>
    public virtual void OnTrainEnd() { }

    /// <summary>Called instead of <see cref="OnTrainEnd"/> when Fit ends with an exception (cancellation, a bad batch): releases files.</summary>
    internal virtual void OnTrainAborted() { }

    /// <summary>
    /// Called when a batch's loss or gradients are not finite (the weights, state and optimizer are still as before that
    /// batch). Return true to stop training quietly (as <see cref="TerminateOnNaN"/> does); if no callback does,
    /// <c>Fit</c> throws <paramref name="error"/>.
    /// </summary>
    public virtual bool OnNonFinite(NonFiniteTrainingException error) => false;

    /// <summary>Whether <paramref name="monitor"/> improves upwards (<see cref="MonitorMode.Auto"/> decides from the name).</summary>
    internal static bool Maximizes(string monitor, MonitorMode mode)
    {
        if (mode != MonitorMode.Auto) return mode == MonitorMode.Max;
        var name = monitor.StartsWith("val_", StringComparison.Ordinal) ? monitor[4..] : monitor;
        return name.Contains("acc", StringComparison.Ordinal) || name.EndsWith("auc", StringComparison.Ordinal)
            || name.EndsWith("precision", StringComparison.Ordinal) || name.EndsWith("recall", StringComparison.Ordinal);
    }

    /// <summary>The monitored value from <paramref name="logs"/>, or an error listing what the logs hold.</summary>
    internal static float Monitored(IReadOnlyDictionary<string, float> logs, string monitor, string owner)
    {
        if (logs.TryGetValue(monitor, out var value)) return value;
        throw new InvalidOperationException($"{owner} monitors '{monitor}', which is not in the epoch logs ({string.Join(", ", logs.Keys)}); "
            + "val_ values need validation data or a validation split.");
    }
}
