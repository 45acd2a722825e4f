using System;

namespace NetGen;

/// <summary>Keras <c>AveragePooling1D</c> on channels-last input (steps, channels). With same padding each output divides by the number of real (unpadded) cells.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePooling1DAttribute : LayerAttribute
{
    /// <summary>Declares average pooling; <paramref name="poolSize"/> is one size for every axis or one per axis (default 2).</summary>
    public AveragePooling1DAttribute(params int[] poolSize) => PoolSize = poolSize;

    /// <summary>Pool size (empty: 2 along every axis).</summary>
    public int[] PoolSize { get; }

    /// <summary>Stride along every axis; 0 (default) means the pool size.</summary>
    public int Strides { get; set; } = 0;

    /// <summary>Per-axis strides (one per spatial axis); overrides <see cref="Strides"/>.</summary>
    public int[]? StridesPerAxis { get; set; }

    /// <summary>Valid (default) or same.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}
