using System;

namespace NetGen.Optimizers;

/// <summary>
/// Keras <c>CosineDecay(initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0)</c>.
/// Without warm-up: <c>initial · ((1 − α)·½(1 + cos(π·min(step, decaySteps)/decaySteps)) + α)</c>. With a
/// <see cref="WarmupTarget"/>: a linear ramp from the initial rate to the target over <see cref="WarmupSteps"/> steps,
/// then the cosine decay from the target over <see cref="DecaySteps"/> more.
/// </summary>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public CosineDecay(double initialLearningRate, long decaySteps, double alpha = 0, double? warmupTarget = null, long warmupSteps = 0)
    {
        InitialLearningRate = NonNegative(initialLearningRate, nameof(initialLearningRate));
        DecaySteps = AtLeastOne(decaySteps, nameof(decaySteps));
        Alpha = alpha >= 0 && alpha <= 1 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        WarmupTarget = warmupTarget is { } t ? NonNegative(t, nameof(warmupTarget)) : null;
        WarmupSteps = warmupSteps >= 0 ? warmupSteps : throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "warmupSteps must be ≥ 0.");
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Steps of the cosine part.</summary>
    public long DecaySteps { get; }

    /// <summary>Fraction of the starting rate kept at the end.</summary>
    public double Alpha { get; }

    /// <summary>Rate reached at the end of the warm-up, or null for no warm-up.</summary>
    public double? WarmupTarget { get; }

    /// <summary>Steps of the linear warm-up.</summary>
    public long WarmupSteps { get; }

    private double Decay(double step, double from)
    {
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * step / DecaySteps));
        return from * ((1 - Alpha) * cosine + Alpha);
    }

    /// <inheritdoc/>
    public override float At(long step)
    {
        if (WarmupTarget is not { } target)
            return (float)Decay(Math.Min(step, DecaySteps), InitialLearningRate);
        double s = Math.Min(step, DecaySteps + WarmupSteps);
        if (s < WarmupSteps)
            return (float)((target - InitialLearningRate) * (s / WarmupSteps) + InitialLearningRate);
        return (float)Decay(s - WarmupSteps, target);
    }
}
