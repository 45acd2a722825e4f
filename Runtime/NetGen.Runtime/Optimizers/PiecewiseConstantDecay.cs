using System;

namespace NetGen.Optimizers;

/// <summary>
/// Keras <c>PiecewiseConstantDecay(boundaries, values)</c>: <c>values[0]</c> while <c>step ≤ boundaries[0]</c>,
/// <c>values[i]</c> while <c>boundaries[i−1] &lt; step ≤ boundaries[i]</c>, and the last value after the last boundary.
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly float[] _values;

    /// <summary>Creates the schedule: one more value than boundaries, boundaries increasing.</summary>
    public PiecewiseConstantDecay(long[] boundaries, float[] values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != boundaries.Length + 1)
            throw new ArgumentException($"values must hold one more entry than boundaries ({boundaries.Length + 1}), but holds {values.Length}.", nameof(values));
        for (int i = 1; i < boundaries.Length; i++)
            if (boundaries[i] <= boundaries[i - 1])
                throw new ArgumentException($"boundaries must increase, but boundaries[{i}] = {boundaries[i]} follows {boundaries[i - 1]}.", nameof(boundaries));
        foreach (var v in values)
            if (!(v >= 0) || float.IsInfinity(v)) throw new ArgumentOutOfRangeException(nameof(values), v, "every value must be a finite rate ≥ 0.");
        _boundaries = (long[])boundaries.Clone();
        _values = (float[])values.Clone();
    }

    /// <inheritdoc/>
    public override float At(long step)
    {
        for (int i = 0; i < _boundaries.Length; i++)
            if (step <= _boundaries[i]) return _values[i];
        return _values[^1];
    }
}
