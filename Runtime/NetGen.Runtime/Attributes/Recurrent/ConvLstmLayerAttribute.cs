using System;

namespace NetGen;

/// <summary>
/// What Keras' <c>ConvLSTM1D</c>, <c>ConvLSTM2D</c> and <c>ConvLSTM3D</c> share: an LSTM whose two matrix products are
/// convolutions over 1, 2 or 3 spatial axes (channels last). Each step's input is convolved with <c>kernel (k..., channels,
/// 4·filters)</c> (the layer's strides, padding and dilation) and the state h with <c>recurrent_kernel (k..., filters,
/// 4·filters)</c> (stride 1, "same" padding), gates i, f, c, o along the last axis, bias <c>(4·filters)</c>; then the LSTM
/// equations position by position.
/// </summary>
public abstract class ConvLstmLayerAttribute : LayerAttribute
{
    /// <summary>Sets the state channels and the kernel size (one value for every axis, or one per axis).</summary>
    protected ConvLstmLayerAttribute(int filters, int[] kernelSize)
    {
        Filters = filters;
        KernelSize = kernelSize;
    }

    /// <summary>Channels of the state and of each step's output.</summary>
    public int Filters { get; }

    /// <summary>Kernel size of both convolutions: one value for every axis, or one per axis.</summary>
    public int[] KernelSize { get; }

    /// <summary>Stride of the input convolution along every axis. Default 1 (the recurrent convolution always has stride 1).</summary>
    public int Strides { get; set; } = 1;

    /// <summary>Per-axis strides of the input convolution; overrides <see cref="Strides"/>.</summary>
    public int[]? StridesPerAxis { get; set; }

    /// <summary>Padding of the input convolution: valid (default) or same (the recurrent convolution is always "same").</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Dilation of the input convolution along every axis. Default 1 (strides &gt; 1 with dilation &gt; 1 is an error, as in Keras).</summary>
    public int DilationRate { get; set; } = 1;

    /// <summary>Per-axis dilation of the input convolution; overrides <see cref="DilationRate"/>.</summary>
    public int[]? DilationPerAxis { get; set; }

    /// <summary>The cell's activation (Keras <c>activation</c>). Default <see cref="NetGen.RecurrentActivation.Tanh"/>.</summary>
    public RecurrentActivation Activation { get; set; } = RecurrentActivation.Tanh;

    /// <summary>The gates' activation (Keras <c>recurrent_activation</c>). Default <see cref="NetGen.RecurrentActivation.Sigmoid"/>.</summary>
    public RecurrentActivation RecurrentActivation { get; set; } = RecurrentActivation.Sigmoid;

    /// <summary>Whether the layer has a bias. Default true.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Set the forget gate's bias block to ones after the bias initializer (Keras <c>unit_forget_bias</c>). Default true.</summary>
    public bool UnitForgetBias { get; set; } = true;

    /// <summary>Initializer of <c>kernel</c>. Default <see cref="Initializer.GlorotUniform"/>.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Initializer of <c>recurrent_kernel</c>, seen as a (product of the kernel axes · filters, 4·filters) matrix. Default <see cref="Initializer.Orthogonal"/>.</summary>
    public Initializer RecurrentInitializer { get; set; } = Initializer.Orthogonal;

    /// <summary>Initializer of <c>bias</c>. Default <see cref="Initializer.Zeros"/>.</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;

    /// <summary>Output every step, <c>(steps, spatial', filters)</c>, instead of the last one. Default false.</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>Also expose the final states as outputs other layers read by name: <c>"name:h"</c> and <c>"name:c"</c>, each <c>(spatial', filters)</c>. Default false.</summary>
    public bool ReturnState { get; set; }

    /// <summary>Read the steps from the last to the first; a returned sequence stays in processing order (Keras). Default false.</summary>
    public bool GoBackwards { get; set; }

    /// <summary>
    /// Keras <c>Bidirectional(ConvLSTM…, merge_mode)</c>: also run the layer over the reversed sequence with its own weights
    /// (<c>forward_…</c> then <c>backward_…</c> in the weight layout) and merge the two outputs position by position
    /// (<see cref="BidirectionalMerge.Concat"/> on the filters axis: 2·filters). Default <see cref="BidirectionalMerge.None"/>.
    /// </summary>
    public BidirectionalMerge Bidirectional { get; set; } = BidirectionalMerge.None;

    /// <summary>Fraction of the input units dropped while training (Keras <c>dropout</c>: one mask per call, reused at every step). Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>
    /// Fraction of the state units dropped while training (Keras <c>recurrent_dropout</c>): per call four masks over the
    /// state <c>(spatial', filters)</c>, one per gate, reused at every step; gate q's recurrent convolution reads <c>h ⊙ m_q</c>. Default 0.
    /// </summary>
    public double RecurrentDropout { get; set; }

    /// <summary>Seed of the dropout mask stream; negative (the default) derives it from the network's seed and the layer's position.</summary>
    public long Seed { get; set; } = -1;
}
