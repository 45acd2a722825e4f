using System;

namespace NetGen;

/// <summary>Keras <c>GlobalMaxPooling1D</c>: the max over every spatial position, per channel.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling1DAttribute : GlobalPoolingLayerAttribute
{
}
