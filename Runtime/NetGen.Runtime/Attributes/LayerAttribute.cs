using System;

namespace NetGen;

/// <summary>Base class of every layer attribute.</summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name, used by <c>Summary</c>, weight files, the diagram and diagnostics, and by which later layers
    /// read it (<see cref="Inputs"/>). Defaults to Keras' naming: the snake_case class name, then <c>_1</c>, <c>_2</c>,
    /// ... for repeats (<c>dense</c>, <c>dense_1</c>).
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The names of the earlier layers or inputs this layer reads (Keras' functional API). Without it a layer reads the
    /// layer declared just above it. Merge layers take their inputs as constructor arguments instead.
    /// </summary>
    public string[]? Inputs { get; set; }
}
