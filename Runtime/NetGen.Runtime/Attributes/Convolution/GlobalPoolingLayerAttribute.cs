using System;

namespace NetGen;

/// <summary>Base of the global pooling layers.</summary>
public abstract class GlobalPoolingLayerAttribute : LayerAttribute
{
    /// <summary>Keep the spatial axes with size 1 (Keras <c>keepdims</c>).</summary>
    public bool KeepDims { get; set; } = false;
}
