using System;

namespace NetGen;

/// <summary>Keras <c>MaxPooling2D</c> on channels-last input (height, width, channels). Padded cells never win.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPooling2DAttribute : PoolingLayerAttribute
{
    /// <summary>Declares max pooling; <paramref name="poolSize"/> is one size for every axis or one per axis (default 2).</summary>
    public MaxPooling2DAttribute(params int[] poolSize)
        : base(poolSize)
    {
    }
}
