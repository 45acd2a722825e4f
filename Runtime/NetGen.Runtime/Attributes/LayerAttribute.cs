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

    /// <summary>
    /// Keras <c>TimeDistributed(layer)</c>: apply this layer to every time step of a <c>(steps, ...)</c> input with one set
    /// of weights, giving <c>(steps, layer output...)</c>; e.g. <c>[Conv2D(8, 3, TimeDistributed = true)]</c> on
    /// <c>(steps, height, width, channels)</c>. The layer is named <c>time_distributed</c> (Keras' wrapper name) and its
    /// weights keep the wrapped layer's names (<c>time_distributed/kernel</c>). Layers that read several inputs, token ids
    /// or a padding mask, Lambda, layers with state outputs and a trainable BatchNormalization (whose statistics Keras
    /// takes per step) cannot be wrapped. Default false.
    /// </summary>
    public bool TimeDistributed { get; set; }
}
