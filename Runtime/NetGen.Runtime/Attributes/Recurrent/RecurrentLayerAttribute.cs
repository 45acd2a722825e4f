namespace NetGen;

/// <summary>
/// What Keras' recurrent layers (<see cref="SimpleRNNAttribute"/>, <see cref="LSTMAttribute"/>, <see cref="GRUAttribute"/>)
/// share (LAYERS.md §8.1): the input is <c>(steps, features)</c>; the output is the last step's output <c>(units)</c>, or
/// every step's <c>(steps, units)</c> with <see cref="ReturnSequences"/>. Weights, in Keras order and layout:
/// <c>kernel (features, G·units)</c>, <c>recurrent_kernel (units, G·units)</c>, <c>bias</c> (G = 1, 4, 3 gate blocks).
/// </summary>
public abstract class RecurrentLayerAttribute : LayerAttribute
{
    private protected RecurrentLayerAttribute(int units) => Units = units;

    /// <summary>Size of the state and of each step's output.</summary>
    public int Units { get; }

    /// <summary>The cell's activation (Keras <c>activation</c>). Default <see cref="RecurrentActivation.Tanh"/>.</summary>
    public RecurrentActivation Activation { get; set; } = RecurrentActivation.Tanh;

    /// <summary>Whether the layer has a bias. Default true.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Initializer of <c>kernel</c>. Default <see cref="Initializer.GlorotUniform"/>.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Initializer of <c>recurrent_kernel</c>. Default <see cref="Initializer.Orthogonal"/>.</summary>
    public Initializer RecurrentInitializer { get; set; } = Initializer.Orthogonal;

    /// <summary>Initializer of <c>bias</c>. Default <see cref="Initializer.Zeros"/>.</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;

    /// <summary>Output every step, <c>(steps, units)</c>, instead of the last one. Default false.</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>
    /// Also expose the final states as outputs other layers read by name: <c>"name:h"</c> (and <c>"name:c"</c> for the
    /// LSTM), each <c>(units)</c>. Default false.
    /// </summary>
    public bool ReturnState { get; set; }

    /// <summary>Read the steps from the last to the first; a returned sequence stays in processing order (Keras). Default false.</summary>
    public bool GoBackwards { get; set; }

    /// <summary>Fraction of the input units dropped while training (Keras <c>dropout</c>). Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>Fraction of the recurrent state units dropped while training (Keras <c>recurrent_dropout</c>). Default 0.</summary>
    public double RecurrentDropout { get; set; }

    /// <summary>
    /// Keras <c>Bidirectional(layer, merge_mode)</c>: also run the layer over the reversed sequence with its own weights
    /// (<c>forward_…</c> then <c>backward_…</c> in the weight layout) and merge the two outputs. Default
    /// <see cref="BidirectionalMerge.None"/> (one direction).
    /// </summary>
    public BidirectionalMerge Bidirectional { get; set; } = BidirectionalMerge.None;

    /// <summary>Seed of the dropout mask stream; negative (the default) derives it from the network's seed and the layer's position.</summary>
    public long Seed { get; set; } = -1;
}
