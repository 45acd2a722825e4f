using System;

namespace NetGen;

/// <summary>Keras <c>GlobalAveragePooling1D</c>: the average over every spatial position, per channel.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePooling1DAttribute : GlobalPoolingLayerAttribute
{
}
