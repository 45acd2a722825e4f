using System;

namespace NetGen;

/// <summary>Keras <c>GlobalMaxPooling1D</c>: the max over every spatial position, per channel.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling1DAttribute : LayerAttribute
{
    /// <summary>Keep the spatial axes with size 1 (Keras <c>keepdims</c>).</summary>
    public bool KeepDims { get; set; } = false;
}
