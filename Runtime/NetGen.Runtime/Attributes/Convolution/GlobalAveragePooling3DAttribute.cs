using System;

namespace NetGen;

/// <summary>Keras <c>GlobalAveragePooling3D</c>: the average over every spatial position, per channel.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePooling3DAttribute : GlobalPoolingLayerAttribute
{
}
