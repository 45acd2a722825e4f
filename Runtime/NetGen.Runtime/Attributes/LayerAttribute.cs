using System;

namespace NetGen;

/// <summary>Base class of every layer attribute.</summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name, used by <c>Summary</c>, weight files and diagnostics. Defaults to Keras' naming:
    /// the snake_case class name, then <c>_1</c>, <c>_2</c>, ... for repeats (<c>dense</c>, <c>dense_1</c>).
    /// </summary>
    public string? Name { get; set; }
}
