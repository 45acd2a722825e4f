using System;
using NetGen.Optimizers;

namespace NetGen.Training;

/// <summary>
/// Keras <c>LearningRateScheduler(schedule)</c>: before every epoch sets the optimizer's learning rate to
/// <c>schedule(epoch, currentRate)</c> (epoch zero-based). For a rate that changes every step, give the optimizer a
/// <see cref="LearningRateSchedule"/> instead.
/// </summary>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, float, float> _schedule;

    /// <summary>Creates the callback.</summary>
    public LearningRateScheduler(Func<int, float, float> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _schedule = schedule;
    }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        if (Current.Optimizer.Schedule is not null)
            throw new InvalidOperationException("LearningRateScheduler cannot change a learning rate that follows a LearningRateSchedule.");
    }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        float rate = _schedule(epoch, Current.Optimizer.LearningRate);
        if (!(rate >= 0) || float.IsInfinity(rate))
            throw new InvalidOperationException($"The learning-rate schedule returned {rate} for epoch {epoch}; it must be a finite value ≥ 0.");
        Current.Optimizer.LearningRate = rate;
    }
}
