using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen;

/// <summary>The kind of a <see cref="WeightConstraint"/>.</summary>
public enum WeightConstraintKind
{
    /// <summary>Keras <c>MaxNorm</c>: slices whose L2 norm exceeds the maximum are scaled down to it.</summary>
    MaxNorm,

    /// <summary>Keras <c>NonNeg</c>: negative weights become zero.</summary>
    NonNeg,

    /// <summary>Keras <c>UnitNorm</c>: every slice scaled to unit L2 norm.</summary>
    UnitNorm,

    /// <summary>Keras <c>MinMaxNorm</c>: slice norms moved into [min, max] at the given rate.</summary>
    MinMaxNorm,
}

/// <summary>
/// Keras' weight constraints, applied to a weight after every optimizer update (<c>kernel_constraint</c>, ...). The norms
/// are L2 norms over <see cref="Axes"/> (Keras' <c>axis</c>; for a Dense kernel <c>(inputs, units)</c> axis 0 is each
/// unit's incoming weights), one per slice along the other axes; with Keras' epsilon 1e-7:
/// MaxNorm <c>w·min(n, max)/(ε + n)</c>; NonNeg <c>w·(w ≥ 0)</c>; UnitNorm <c>w/(ε + n)</c>;
/// MinMaxNorm <c>w·(rate·clip(n, min, max) + (1 − rate)·n)/(ε + n)</c>.
/// Set on a layer with its attribute's <c>KernelConstraint</c>, ... (<c>"max_norm(3)"</c>).
/// </summary>
public sealed class WeightConstraint
{
    private const double Epsilon = 1e-7;

    private readonly int[] _axes;

    private WeightConstraint(WeightConstraintKind kind, float min, float max, float rate, int[] axes)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || min < 0 || max < min)
            throw new ArgumentOutOfRangeException(kind == WeightConstraintKind.MinMaxNorm ? "minValue" : "maxValue",
                $"the norm bounds must be finite with 0 ≤ min ≤ max (got min {min}, max {max}).");
        if (!float.IsFinite(rate) || rate < 0 || rate > 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "rate must lie in [0, 1].");
        ArgumentNullException.ThrowIfNull(axes);
        if (kind != WeightConstraintKind.NonNeg && axes.Length == 0) throw new ArgumentException("at least one axis is needed for a norm.", nameof(axes));
        Kind = kind;
        MinValue = min;
        MaxValue = max;
        Rate = rate;
        _axes = (int[])axes.Clone();
        Axes = Array.AsReadOnly(_axes);
    }

    /// <summary>Keras <c>MaxNorm(max_value=2, axis=0)</c>.</summary>
    public static WeightConstraint MaxNorm(float maxValue = 2, params int[] axes)
        => new(WeightConstraintKind.MaxNorm, 0, maxValue, 1, axes.Length == 0 ? new[] { 0 } : axes);

    /// <summary>Keras <c>NonNeg()</c>.</summary>
    public static WeightConstraint NonNeg() => new(WeightConstraintKind.NonNeg, 0, 0, 1, Array.Empty<int>());

    /// <summary>Keras <c>UnitNorm(axis=0)</c>.</summary>
    public static WeightConstraint UnitNorm(params int[] axes)
        => new(WeightConstraintKind.UnitNorm, 1, 1, 1, axes.Length == 0 ? new[] { 0 } : axes);

    /// <summary>Keras <c>MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0)</c>.</summary>
    public static WeightConstraint MinMaxNorm(float minValue = 0, float maxValue = 1, float rate = 1, params int[] axes)
        => new(WeightConstraintKind.MinMaxNorm, minValue, maxValue, rate, axes.Length == 0 ? new[] { 0 } : axes);

    /// <summary>Which constraint.</summary>
    public WeightConstraintKind Kind { get; }

    /// <summary>MinMaxNorm's lower bound (0 otherwise).</summary>
    public float MinValue { get; }

    /// <summary>MaxNorm's and MinMaxNorm's upper bound.</summary>
    public float MaxValue { get; }

    /// <summary>MinMaxNorm's rate (1 otherwise).</summary>
    public float Rate { get; }

    /// <summary>The axes each norm runs over (negative counts from the end); empty for NonNeg.</summary>
    public IReadOnlyList<int> Axes { get; }

    /// <summary>
    /// Applies the constraint in place to <paramref name="weights"/> of shape <paramref name="shape"/> (row-major).
    /// </summary>
    public void Apply(Span<float> weights, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long size = 1;
        for (int d = 0; d < shape.Count; d++) size *= shape[d]; // indexed: a training step allocates nothing
        if (size != weights.Length)
            throw new ArgumentException($"weights must hold {size} floats (the product of the shape), but has {weights.Length}.", nameof(weights));
        if (Kind == WeightConstraintKind.NonNeg)
        {
            for (int i = 0; i < weights.Length; i++)
                if (!(weights[i] >= 0)) weights[i] = weights[i] * 0; // NaN stays NaN (w · 0), negatives become −0·… = 0
            return;
        }
        int rank = shape.Count;
        Span<bool> reduced = stackalloc bool[rank];
        foreach (int a in _axes)
        {
            int axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank)
                throw new ArgumentOutOfRangeException(nameof(shape), $"axis {a} is outside a weight of rank {rank}.");
            reduced[axis] = true;
        }
        // Strides of the weight and of its slices (one slice per combination of the kept axes' coordinates).
        Span<long> strides = stackalloc long[rank];
        Span<long> sliceStrides = stackalloc long[rank];
        long stride = 1, slices = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
            if (!reduced[d]) { sliceStrides[d] = slices; slices *= shape[d]; }
        }
        // Sums of squares per slice, then (in place) each slice's scale: pooled, so a training step allocates nothing.
        double[] sums = System.Buffers.ArrayPool<double>.Shared.Rent((int)slices);
        try
        {
            Array.Clear(sums, 0, (int)slices);
            for (int i = 0; i < weights.Length; i++) sums[SliceOf(i, strides, sliceStrides, reduced)] += (double)weights[i] * weights[i];
            for (long s = 0; s < slices; s++)
            {
                double norm = Math.Sqrt(sums[s]);
                double desired = Kind switch
                {
                    WeightConstraintKind.MaxNorm => Math.Clamp(norm, 0, MaxValue),
                    WeightConstraintKind.UnitNorm => 1,
                    _ => Rate * Math.Clamp(norm, MinValue, MaxValue) + (1 - Rate) * norm,
                };
                sums[s] = desired / (Epsilon + norm);
            }
            for (int i = 0; i < weights.Length; i++) weights[i] = (float)(weights[i] * sums[SliceOf(i, strides, sliceStrides, reduced)]);
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(sums);
        }
    }

    private static long SliceOf(long index, ReadOnlySpan<long> strides, ReadOnlySpan<long> sliceStrides, ReadOnlySpan<bool> reduced)
    {
        long s = 0, rest = index;
        for (int d = 0; d < strides.Length; d++)
        {
            long c = rest / strides[d];
            rest -= c * strides[d];
            if (!reduced[d]) s += c * sliceStrides[d];
        }
        return s;
    }

    /// <summary>Keras' spelling, e.g. <c>max_norm(max_value=2, axis=[0])</c>.</summary>
    public override string ToString()
    {
        string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        string axes = "axis=[" + string.Join(", ", _axes) + "]";
        return Kind switch
        {
            WeightConstraintKind.MaxNorm => $"max_norm(max_value={F(MaxValue)}, {axes})",
            WeightConstraintKind.NonNeg => "non_neg()",
            WeightConstraintKind.UnitNorm => $"unit_norm({axes})",
            _ => $"min_max_norm(min_value={F(MinValue)}, max_value={F(MaxValue)}, rate={F(Rate)}, {axes})",
        };
    }
}
