using System;
using System.Collections.Generic;
using NetGen.Optimizers;

namespace NetGen.Training;

/// <summary>
/// Keras <c>ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=10, mode="auto", min_delta=1e-4, cooldown=0,
/// min_lr=0.0)</c>: multiplies the optimizer's learning rate by <see cref="Factor"/> (not below <see cref="MinLearningRate"/>)
/// once <see cref="Monitor"/> has not improved by more than <see cref="MinDelta"/> for <see cref="Patience"/> epochs, then
/// waits <see cref="Cooldown"/> epochs before counting again.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private bool _maximize;
    private int _cooldownCounter;

    /// <summary>Creates the callback with Keras' defaults.</summary>
    public ReduceLROnPlateau(string monitor = "val_loss", float factor = 0.1f, int patience = 10, MonitorMode mode = MonitorMode.Auto,
        float minDelta = 1e-4f, int cooldown = 0, float minLearningRate = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(monitor);
        if (!(factor >= 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be in [0, 1): ReduceLROnPlateau does not increase the learning rate.");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be ≥ 0.");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "cooldown must be ≥ 0.");
        if (!float.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be finite.");
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be MonitorMode.Auto, Min or Max.");
        if (!(minLearningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "minLearningRate must be ≥ 0.");
        Monitor = monitor;
        Factor = factor;
        Patience = patience;
        Mode = mode;
        MinDelta = minDelta;
        Cooldown = cooldown;
        MinLearningRate = minLearningRate;
    }

    /// <summary>The log entry watched.</summary>
    public string Monitor { get; }

    /// <summary>Factor applied to the learning rate on a plateau.</summary>
    public float Factor { get; }

    /// <summary>Epochs without improvement before the rate is reduced.</summary>
    public int Patience { get; }

    /// <summary>Direction of improvement.</summary>
    public MonitorMode Mode { get; }

    /// <summary>Smallest change that counts as an improvement.</summary>
    public float MinDelta { get; }

    /// <summary>Epochs after a reduction during which the wait is not counted.</summary>
    public int Cooldown { get; }

    /// <summary>Lower bound of the learning rate.</summary>
    public float MinLearningRate { get; }

    /// <summary>Epochs counted since the last improvement.</summary>
    public int Wait { get; private set; }

    /// <summary>The best monitored value so far.</summary>
    public float Best { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        if (Current.Optimizer.Schedule is not null)
            throw new InvalidOperationException("ReduceLROnPlateau cannot change a learning rate that follows a LearningRateSchedule.");
        _maximize = Maximizes(Monitor, Mode);
        Best = _maximize ? float.NegativeInfinity : float.PositiveInfinity;
        Wait = 0;
        _cooldownCounter = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        float current = Monitored(logs, Monitor, nameof(ReduceLROnPlateau));
        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            Wait = 0;
        }
        bool better = _maximize ? current > Best + MinDelta : current < Best - MinDelta;
        if (better)
        {
            Best = current;
            Wait = 0;
        }
        else if (_cooldownCounter == 0)
        {
            Wait++;
            if (Wait >= Patience)
            {
                var optimizer = Current.Optimizer;
                float old = optimizer.LearningRate;
                if (old > MinLearningRate)
                {
                    optimizer.LearningRate = Math.Max(old * Factor, MinLearningRate);
                    _cooldownCounter = Cooldown;
                    Wait = 0;
                }
            }
        }
    }
}
