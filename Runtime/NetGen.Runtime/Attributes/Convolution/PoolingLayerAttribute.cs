using System;

namespace NetGen;

/// <summary>Base of the max and average pooling layers.</summary>
public abstract class PoolingLayerAttribute : LayerAttribute
{
    /// <summary>Sets the pool size (empty: 2 along every axis).</summary>
    protected PoolingLayerAttribute(int[] poolSize) => PoolSize = poolSize;

    /// <summary>Pool size: one value for every axis or one per axis (empty: 2).</summary>
    public int[] PoolSize { get; }

    /// <summary>Stride along every axis; 0 (default) means the pool size.</summary>
    public int Strides { get; set; } = 0;

    /// <summary>Per-axis strides; overrides <see cref="Strides"/>.</summary>
    public int[]? StridesPerAxis { get; set; }

    /// <summary>Valid (default) or same.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}
