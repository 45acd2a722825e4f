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

    /// <summary>
    /// False freezes the layer (Keras <c>trainable = False</c>): its weights keep their values through training (no
    /// gradient code is generated for them and the optimizer skips them), and BatchNormalization runs in inference mode
    /// (moving statistics, not updated), as in Keras 3. The gradient still flows through the layer to earlier ones.
    /// Layers declared trainable can be frozen and unfrozen at run time with <c>SetTrainable</c>.
    /// </summary>
    public bool Trainable { get; set; } = true;
}
