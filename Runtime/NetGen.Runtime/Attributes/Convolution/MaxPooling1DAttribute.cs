using System;

namespace NetGen;

/// <summary>Keras <c>MaxPooling1D</c> on channels-last input (steps, channels). Padded cells never win.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPooling1DAttribute : PoolingLayerAttribute
{
    /// <summary>Declares max pooling; <paramref name="poolSize"/> is one size for every axis or one per axis (default 2).</summary>
    public MaxPooling1DAttribute(params int[] poolSize)
        : base(poolSize)
    {
    }
}
