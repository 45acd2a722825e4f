using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen.Training;

/// <summary>
/// Keras <c>ModelCheckpoint(filepath, monitor="val_loss", save_best_only=False, mode="auto", save_weights_only=True)</c>:
/// saves the weights (and state) with the network's <c>Save</c> — a temporary file renamed over the target, so a crash
/// never leaves a half-written checkpoint — at the end of every epoch, or only when <see cref="Monitor"/> improved.
/// <c>{epoch}</c> in the path becomes the one-based epoch number (Keras' <c>{epoch:02d}</c> is accepted as well).
/// </summary>
public sealed class ModelCheckpoint : Callback
{
    private bool _maximize;

    /// <summary>Creates the callback.</summary>
    public ModelCheckpoint(string path, string monitor = "val_loss", bool saveBestOnly = false, MonitorMode mode = MonitorMode.Auto, float? initialValueThreshold = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(monitor);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be MonitorMode.Auto, Min or Max.");
        Path = path;
        Monitor = monitor;
        SaveBestOnly = saveBestOnly;
        Mode = mode;
        InitialValueThreshold = initialValueThreshold;
    }

    /// <summary>Where to save; <c>{epoch}</c> is replaced by the epoch number.</summary>
    public string Path { get; }

    /// <summary>The log entry compared when <see cref="SaveBestOnly"/>.</summary>
    public string Monitor { get; }

    /// <summary>Save only when the monitored value is better than every earlier one.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Direction of improvement.</summary>
    public MonitorMode Mode { get; }

    /// <summary>A value the first saved epoch must beat, or null.</summary>
    public float? InitialValueThreshold { get; }

    /// <summary>The best monitored value saved so far.</summary>
    public float Best { get; private set; }

    /// <summary>The file written last, or null.</summary>
    public string? LastSaved { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _maximize = Maximizes(Monitor, Mode);
        Best = InitialValueThreshold ?? (_maximize ? float.NegativeInfinity : float.PositiveInfinity);
        LastSaved = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        if (SaveBestOnly)
        {
            float current = Monitored(logs, Monitor, nameof(ModelCheckpoint));
            if (!(_maximize ? current > Best : current < Best)) return;
            Best = current;
        }
        var path = FilePath(epoch);
        Current.Network.Save(path);
        LastSaved = path;
    }

    /// <summary>The file name for the zero-based <paramref name="epoch"/>.</summary>
    public string FilePath(int epoch)
    {
        var number = (epoch + 1).ToString(CultureInfo.InvariantCulture);
        return Path.Replace("{epoch:02d}", (epoch + 1).ToString("00", CultureInfo.InvariantCulture)).Replace("{epoch}", number);
    }
}
