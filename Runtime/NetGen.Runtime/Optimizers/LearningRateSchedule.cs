using System;

namespace NetGen.Optimizers;

/// <summary>
/// A learning rate that depends on the optimizer step (Keras <c>keras.optimizers.schedules.LearningRateSchedule</c>).
/// Set it as <see cref="Optimizer.Schedule"/>: before every update the optimizer sets
/// <see cref="Optimizer.LearningRate"/> to <c>At(Iterations)</c>, where <see cref="Optimizer.Iterations"/> is 0 on the
/// first step, as Keras evaluates it.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate at optimizer step <paramref name="step"/> (zero-based).</summary>
    public abstract float At(long step);

    /// <summary>Throws unless <paramref name="value"/> is finite and ≥ 0.</summary>
    protected static double NonNegative(double value, string name)
        => value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite value ≥ 0.");

    /// <summary>Throws unless <paramref name="value"/> is ≥ 1.</summary>
    protected static long AtLeastOne(long value, string name)
        => value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
}
