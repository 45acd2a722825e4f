using System;

namespace NetGen.Optimizers;

/// <summary>
/// Keras <c>ExponentialDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False)</c>:
/// <c>initial · rate^(step / decaySteps)</c>, the exponent floored with <see cref="Staircase"/>.
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false)
    {
        InitialLearningRate = NonNegative(initialLearningRate, nameof(initialLearningRate));
        DecaySteps = AtLeastOne(decaySteps, nameof(decaySteps));
        DecayRate = NonNegative(decayRate, nameof(decayRate));
        Staircase = staircase;
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Steps per factor of <see cref="DecayRate"/>.</summary>
    public long DecaySteps { get; }

    /// <summary>The factor per <see cref="DecaySteps"/> steps.</summary>
    public double DecayRate { get; }

    /// <summary>Whether the rate changes in steps (integer exponent).</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override float At(long step)
    {
        double p = (double)step / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return (float)(InitialLearningRate * Math.Pow(DecayRate, p));
    }
}
