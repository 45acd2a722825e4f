using System;

namespace NetGen;

/// <summary>Keras <c>AveragePooling3D</c> on channels-last input (depth, height, width, channels). With same padding each output divides by the number of real (unpadded) cells.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePooling3DAttribute : PoolingLayerAttribute
{
    /// <summary>Declares average pooling; <paramref name="poolSize"/> is one size for every axis or one per axis (default 2).</summary>
    public AveragePooling3DAttribute(params int[] poolSize)
        : base(poolSize)
    {
    }
}
