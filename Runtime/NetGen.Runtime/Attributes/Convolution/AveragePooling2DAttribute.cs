using System;

namespace NetGen;

/// <summary>Keras <c>AveragePooling2D</c> on channels-last input (height, width, channels). With same padding each output divides by the number of real (unpadded) cells.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePooling2DAttribute : PoolingLayerAttribute
{
    /// <summary>Declares average pooling; <paramref name="poolSize"/> is one size for every axis or one per axis (default 2).</summary>
    public AveragePooling2DAttribute(params int[] poolSize)
        : base(poolSize)
    {
    }
}
