using System;

namespace NetGen.Kernels;

/// <summary>The time-order helper of Bidirectional layers whose directions stay separate (Keras merge_mode=None).</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class RecurrentDirections
{
    /// <summary>
    /// <paramref name="y"/>[b, t] = <paramref name="x"/>[b, steps − 1 − t] over (batch, steps, units): the backward
    /// direction's outputs (processing order) in input time order. Its own gradient (the same reversal); not in place.
    /// </summary>
    public static void ReverseSteps(ReadOnlySpan<float> x, Span<float> y, int batch, int steps, int units)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive.");
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, "units must be positive.");
        Guard.AtLeast(x.Length, batch * steps * units, nameof(x), "batch·steps·units");
        Guard.AtLeast(y.Length, batch * steps * units, nameof(y), "batch·steps·units");
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                x.Slice((b * steps + steps - 1 - t) * units, units).CopyTo(y.Slice((b * steps + t) * units, units));
    }
}
