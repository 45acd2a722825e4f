using System;

namespace NetGen;

/// <summary>Keras <c>MaxPooling3D</c> on channels-last input (depth, height, width, channels). Padded cells never win.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPooling3DAttribute : PoolingLayerAttribute
{
    /// <summary>Declares max pooling; <paramref name="poolSize"/> is one size for every axis or one per axis (default 2).</summary>
    public MaxPooling3DAttribute(params int[] poolSize)
        : base(poolSize)
    {
    }
}
