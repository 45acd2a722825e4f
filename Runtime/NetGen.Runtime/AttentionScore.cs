namespace NetGen;

/// <summary>How <see cref="Kernels.Attention"/> scores a query against a key (Keras' Attention <c>score_mode</c> and AdditiveAttention).</summary>
public enum AttentionScore
{
    /// <summary>Keras <c>Attention(score_mode="dot")</c>: <c>s = scale·(q·k)</c> (scale 1 without <c>use_scale</c>); no 1/√d factor.</summary>
    Dot = 0,
    /// <summary>Keras <c>Attention(score_mode="concat")</c>: <c>s = w·Σ_d tanh(scale·(q_d + k_d))</c>, w the <c>concat_score_weight</c>.</summary>
    Concat = 1,
    /// <summary>Keras <c>AdditiveAttention</c> (Bahdanau): <c>s = Σ_d scale_d·tanh(q_d + k_d)</c> (scale 1 without <c>use_scale</c>).</summary>
    Additive = 2,
}
