using System;
using System.Collections.Generic;

namespace NetGen.Training;

/// <summary>
/// Keras <c>EarlyStopping(monitor="val_loss", min_delta=0, patience=0, mode="auto", baseline=None,
/// restore_best_weights=False, start_from_epoch=0)</c>: stops training when <see cref="Monitor"/> has not improved
/// by more than <see cref="MinDelta"/> for <see cref="Patience"/> epochs.
/// </summary>
/// <remarks>
/// As Keras counts: every epoch (from <see cref="StartFromEpoch"/>) adds one to the wait; an improvement resets it to
/// 0 (if it also beats <see cref="Baseline"/>); training stops at the end of an epoch, not the first, whose wait has
/// reached the patience. With <see cref="RestoreBestWeights"/> the weights and state of the best epoch are put back
/// when training ends (also when it ran all its epochs).
/// </remarks>
public sealed class EarlyStopping : Callback
{
    private float[]? _bestParameters, _bestState;
    private bool _maximize;

    /// <summary>Creates the callback with Keras' defaults.</summary>
    public EarlyStopping(string monitor = "val_loss", float minDelta = 0, int patience = 0, MonitorMode mode = MonitorMode.Auto,
        float? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(monitor);
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be ≥ 0.");
        if (!float.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be finite.");
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be MonitorMode.Auto, Min or Max.");
        if (baseline is { } b && float.IsNaN(b)) throw new ArgumentOutOfRangeException(nameof(baseline), b, "baseline must be a number (or null for none); NaN would never be beaten.");
        Monitor = monitor;
        MinDelta = Math.Abs(minDelta);
        Patience = patience;
        Mode = mode;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
    }

    /// <summary>The log entry watched (e.g. <c>val_loss</c>, <c>val_accuracy</c>).</summary>
    public string Monitor { get; }

    /// <summary>Smallest change that counts as an improvement.</summary>
    public float MinDelta { get; }

    /// <summary>Epochs without improvement after which training stops.</summary>
    public int Patience { get; }

    /// <summary>Direction of improvement.</summary>
    public MonitorMode Mode { get; }

    /// <summary>A value the monitored quantity must beat before the wait is reset, or null.</summary>
    public float? Baseline { get; }

    /// <summary>Whether the best epoch's weights (and state) are restored at the end of training.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>Epochs (zero-based index) before which nothing is watched (warm-up).</summary>
    public int StartFromEpoch { get; }

    /// <summary>Epochs counted since the last improvement.</summary>
    public int Wait { get; private set; }

    /// <summary>The zero-based epoch at which training was stopped, or 0 if it was not.</summary>
    public int StoppedEpoch { get; private set; }

    /// <summary>The best monitored value so far.</summary>
    public float Best { get; private set; }

    /// <summary>The zero-based epoch of <see cref="Best"/>.</summary>
    public int BestEpoch { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _maximize = Maximizes(Monitor, Mode);
        Wait = 0;
        StoppedEpoch = 0;
        BestEpoch = 0;
        Best = _maximize ? float.NegativeInfinity : float.PositiveInfinity;
        _bestParameters = _bestState = null;
    }

    private bool IsImprovement(float value, float reference)
        => _maximize ? value - MinDelta > reference : value + MinDelta < reference;

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        float current = Monitored(logs, Monitor, nameof(EarlyStopping));
        if (epoch < StartFromEpoch) return;
        if (RestoreBestWeights && _bestParameters is null)
        {
            Snapshot();
            BestEpoch = epoch;
        }
        Wait++;
        if (IsImprovement(current, Best))
        {
            Best = current;
            BestEpoch = epoch;
            if (RestoreBestWeights) Snapshot();
            if (Baseline is not { } b || IsImprovement(current, b)) Wait = 0;
            return;
        }
        if (Wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Current.StopTraining = true;
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd()
    {
        if (!RestoreBestWeights || _bestParameters is null) return;
        _bestParameters.CopyTo(Current.Network.Parameters);
        _bestState?.CopyTo(Current.Network.State);
    }

    private void Snapshot()
    {
        var network = Current.Network;
        _bestParameters = network.Parameters.ToArray();
        _bestState = network.State.ToArray();
    }
}
