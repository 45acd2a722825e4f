using System;

namespace NetGen;

/// <summary>
/// Keras <c>Attention</c> (Luong): <c>softmax(scores(query, key))·value</c> with no weights besides an optional
/// <c>scale</c> and, for <see cref="ScoreMode"/> concat, <c>concat_score_weight</c>. Inputs (Keras' call order):
/// <c>Inputs = new[] { "query", "value" }</c> or <c>new[] { "query", "value", "key" }</c> (key defaults to value).
/// </summary>
/// <remarks>
/// Query (Tq, dim), value (Tv, valueDim), key (Tv, dim); output (Tq, valueDim). Padding masks from
/// <c>Embedding(MaskZero = true)</c>: the value mask hides keys, the query mask zeroes output rows. A query row left with
/// no key gets uniform weights (Keras' −1e9 scores collapse in float32).
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AttentionAttribute : LayerAttribute
{
    /// <summary>Learn a scalar <c>scale</c> (initialised to 1) multiplying the scores. Default false.</summary>
    public bool UseScale { get; set; }

    /// <summary>Score function: <see cref="AttentionScore.Dot"/> (default) or <see cref="AttentionScore.Concat"/>.</summary>
    public AttentionScore ScoreMode { get; set; } = AttentionScore.Dot;

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
