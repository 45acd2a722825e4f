using System;

namespace NetGen;

/// <summary>
/// Keras <c>AdditiveAttention</c> (Bahdanau): scores <c>Σ_d scale_d·tanh(q_d + k_d)</c>, softmax over the keys, weighted
/// sum of the values. Inputs as <see cref="AttentionAttribute"/>: <c>Inputs = new[] { "query", "value" }</c> or with a key.
/// Weight <c>scale (dim,)</c> (glorot_uniform) when <see cref="UseScale"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AdditiveAttentionAttribute : LayerAttribute
{
    /// <summary>Learn a per-feature <c>scale</c>. Default true (as Keras).</summary>
    public bool UseScale { get; set; } = true;

    /// <summary>Causal mask: query i attends only to keys j ≤ i (Keras <c>use_causal_mask</c>).</summary>
    public bool UseCausalMask { get; set; }

    /// <summary>Dropout rate on the attention weights while training, in [0, 1). Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>Seed of the attention-dropout stream; negative (the default) derives it from the network's seed.</summary>
    public long Seed { get; set; } = -1;

    /// <summary>
    /// Also output the attention scores (Keras <c>return_attention_scores</c>): the weights after dropout, (Tq, Tv) per
    /// sample, as an extra output named <c>"layer:scores"</c> that later layers and <c>[Output]</c> read like any other.
    /// </summary>
    public bool ReturnAttentionScores { get; set; }
}
