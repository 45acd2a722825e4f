using System;

namespace NetGen;

/// <summary>
/// Keras <c>MultiHeadAttention(num_heads, key_dim)</c>: query, value and key are projected per head
/// (<c>query/kernel (Dq, heads, key_dim)</c>, <c>key/kernel (Dk, heads, key_dim)</c>, <c>value/kernel (Dv, heads, value_dim)</c>,
/// each with a bias (heads, ·)), scaled dot-product attention runs per head over the sequence, and
/// <c>attention_output/kernel (heads, value_dim, out)</c> with bias (out) projects the heads back.
/// </summary>
/// <remarks>
/// Inputs follow Keras' call <c>mha(query, value, key)</c>: <c>Inputs = new[] { "query", "value" }</c> or
/// <c>new[] { "query", "value", "key" }</c> (key defaults to value). Without <see cref="LayerAttribute.Inputs"/> the layer is
/// self-attention on the layer declared just above it (query = value = key). Inputs are (T, D) sequences, or higher rank
/// with attention over all axes between the batch and the features jointly (Keras' default <c>attention_axes</c>).
/// A padding mask from <c>Embedding(MaskZero = true)</c> reaching the query masks query rows, reaching the value (or key)
/// masks keys; a query row left with no key gets all-zero weights (current Keras), so its output is the output bias.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MultiHeadAttentionAttribute : LayerAttribute
{
    /// <summary>Declares <paramref name="numHeads"/> heads of size <paramref name="keyDim"/> (the per-head size, as Keras).</summary>
    public MultiHeadAttentionAttribute(int numHeads, int keyDim)
    {
        NumHeads = numHeads;
        KeyDim = keyDim;
    }

    /// <summary>Number of attention heads.</summary>
    public int NumHeads { get; }

    /// <summary>Size of each head's query and key projections.</summary>
    public int KeyDim { get; }

    /// <summary>Size of each head's value projection. 0 (the default) means <see cref="KeyDim"/>.</summary>
    public int ValueDim { get; set; }

    /// <summary>Last dimension of the output (Keras <c>output_shape</c>). 0 (the default) means the query's last dimension.</summary>
    public int OutputShape { get; set; }

    /// <summary>Whether the four projections have biases. Default true.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Dropout rate on the attention weights while training, in [0, 1). Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>Causal (look-ahead) mask: query position t attends only to key positions s ≤ t (Keras <c>use_causal_mask</c>).</summary>
    public bool UseCausalMask { get; set; }

    /// <summary>
    /// Keras <c>attention_axes</c> (axes count the batch axis; negative ones count from the end): the axes attention runs
    /// over. Default null: every axis between the batch and the features (for (T, D) inputs <c>new[] { 1 }</c>). They may
    /// also be the last few of those, e.g. <c>new[] { 2 }</c> on (rows, cols, dim) inputs attends along each row with the
    /// rows apart; the axes before them must then be equal for query and value, and the scores are (those axes, heads,
    /// query positions, key positions). Axes followed by an axis that is not attended need a Permute first (NG0062).
    /// </summary>
    public int[]? AttentionAxes { get; set; }

    /// <summary>
    /// Keras <c>attention_mask</c>: the name of a layer or input (or <c>"owner:port"</c>) whose output per sample is
    /// (query positions, key positions), e.g. an <c>[Input(T, S, Name = "mask")]</c>; a nonzero entry lets that query
    /// position attend that key position. It combines (AND) with the padding masks and <see cref="UseCausalMask"/>; a query
    /// row left with no key gets all-zero weights. Not differentiable: nothing flows back into it. Not with
    /// <see cref="AttentionAxes"/> naming fewer than all the axes.
    /// </summary>
    public string? AttentionMask { get; set; }

    /// <summary>Initializer of the four kernels. Default glorot_uniform (fans as Keras computes them for the 3-D kernels).</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Initializer of the four biases. Default zeros.</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;

    /// <summary>Seed of the attention-dropout stream; negative (the default) derives it from the network's seed.</summary>
    public long Seed { get; set; } = -1;

    /// <summary>
    /// Also output the attention scores (Keras <c>return_attention_scores</c>): the softmax probabilities before dropout,
    /// (heads, query positions, key positions) per sample, as an extra output named <c>"layer:scores"</c> that later
    /// layers and <c>[Output]</c> read like any other (e.g. <c>[Output("mha", "mha:scores")]</c>). Gradients flow back through it.
    /// </summary>
    public bool ReturnAttentionScores { get; set; }
}
