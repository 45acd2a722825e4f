using NetGen;

namespace NetGen.Tests.EndToEnd;

// One network per case of Fixtures/attention/layers.json (tools/reference/make_attention_layer_fixtures.py). Dense layers
// in front of the attention inputs make the gradients reaching those inputs part of the compared weight gradients.

/// <summary>Self-attention: query = value = key = one tensor (the gradients of the three projections are summed).</summary>
[Network]
[Input(5, 4)]
[Dense(6, Name = "pre")]
[MultiHeadAttention(2, 3, Name = "mha")]
public partial class MhaSelfFixtureNet { }

/// <summary>Cross-attention with a separate key, value_dim ≠ key_dim and output_shape.</summary>
[Network]
[Input(4, 6, Name = "xq")]
[Input(5, 3, Name = "xv")]
[Input(5, 2, Name = "xk")]
[Dense(6, Inputs = new[] { "xq" }, Name = "q")]
[Dense(3, Inputs = new[] { "xv" }, Name = "v")]
[Dense(2, Inputs = new[] { "xk" }, Name = "k")]
[MultiHeadAttention(2, 3, ValueDim = 4, OutputShape = 5, Inputs = new[] { "q", "v", "k" }, Name = "mha")]
public partial class MhaCrossFixtureNet { }

/// <summary>Causal self-attention without biases.</summary>
[Network]
[Input(5, 4)]
[Dense(4, Name = "pre")]
[MultiHeadAttention(2, 2, UseCausalMask = true, UseBias = false, Name = "mha")]
public partial class MhaCausalFixtureNet { }

/// <summary>Key defaults to value; causal mask on a query shorter than the value.</summary>
[Network]
[Input(3, 4, Name = "xq")]
[Input(4, 5, Name = "xv")]
[Dense(4, Inputs = new[] { "xq" }, Name = "q")]
[Dense(5, Inputs = new[] { "xv" }, Name = "v")]
[MultiHeadAttention(3, 2, UseCausalMask = true, Inputs = new[] { "q", "v" }, Name = "mha")]
public partial class MhaKeyDefaultFixtureNet { }

/// <summary>Padding mask from Embedding(MaskZero): masked keys get no weight, a masked query row's output is the output bias.</summary>
[Network]
[Input(6, TokenIds = true)]
[Embedding(7, 4, MaskZero = true, Name = "emb")]
[MultiHeadAttention(2, 2, Name = "mha")]
public partial class MhaMaskFixtureNet { }

/// <summary>Attention, dot scores with use_scale and a causal mask; key = value.</summary>
[Network]
[Input(4, 3, Name = "xq")]
[Input(5, 2, Name = "xv")]
[Dense(3, Inputs = new[] { "xq" }, Name = "q")]
[Dense(3, Inputs = new[] { "xv" }, Name = "v")]
[Attention(UseScale = true, UseCausalMask = true, Inputs = new[] { "q", "v" }, Name = "att")]
public partial class AttentionDotFixtureNet { }

/// <summary>Attention, concat scores with use_scale and a separate key.</summary>
[Network]
[Input(4, 3, Name = "xq")]
[Input(5, 2, Name = "xv")]
[Input(5, 3, Name = "xk")]
[Dense(3, Inputs = new[] { "xq" }, Name = "q")]
[Dense(2, Inputs = new[] { "xv" }, Name = "v")]
[Dense(3, Inputs = new[] { "xk" }, Name = "k")]
[Attention(ScoreMode = AttentionScore.Concat, UseScale = true, Inputs = new[] { "q", "v", "k" }, Name = "att")]
public partial class AttentionConcatFixtureNet { }

/// <summary>AdditiveAttention with query and value padding masks (Dense layers pass the Embedding's mask on).</summary>
[Network]
[Input(6, TokenIds = true)]
[Embedding(9, 4, MaskZero = true, Name = "emb")]
[Dense(4, Inputs = new[] { "emb" }, Name = "q")]
[Dense(3, Inputs = new[] { "emb" }, Name = "v")]
[Dense(4, Inputs = new[] { "emb" }, Name = "k")]
[AdditiveAttention(Inputs = new[] { "q", "v", "k" }, Name = "att")]
public partial class AdditiveMaskFixtureNet { }

/// <summary>Keras Hub PositionEmbedding (its output is the embeddings) added to its input.</summary>
[Network]
[Input(4, 3)]
[Dense(3, Name = "d")]
[PositionEmbedding(6, Name = "pos")]
[Add("d", "pos")]
public partial class PositionFixtureNet { }

/// <summary>The attention scores as a second output ("mha:scores", Keras' return_attention_scores): both outputs are trained.</summary>
[Network]
[Input(3, 4, Name = "xq")]
[Input(5, 3, Name = "xv")]
[Dense(4, Inputs = new[] { "xq" }, Name = "q")]
[Dense(3, Inputs = new[] { "xv" }, Name = "v")]
[MultiHeadAttention(2, 3, ReturnAttentionScores = true, Inputs = new[] { "q", "v" }, Name = "mha")]
[Output("mha", "mha:scores")]
public partial class MhaScoresFixtureNet { }

/// <summary>Attention's scores as a second output.</summary>
[Network]
[Input(4, 3, Name = "xq")]
[Input(5, 3, Name = "xv")]
[Dense(3, Inputs = new[] { "xq" }, Name = "q")]
[Dense(3, Inputs = new[] { "xv" }, Name = "v")]
[Attention(ReturnAttentionScores = true, Inputs = new[] { "q", "v" }, Name = "att")]
[Output("att", "att:scores")]
public partial class AttentionScoresFixtureNet { }

/// <summary>Only the scores are an output (the layer's main output is unused: its gradient is zero), read through a Dense layer.</summary>
[Network]
[Input(4, 3)]
[Dense(3, Name = "pre")]
[MultiHeadAttention(2, 2, ReturnAttentionScores = true, UseCausalMask = true, Name = "mha")]
[Dense(2, Inputs = new[] { "mha:scores" }, Name = "post")]
public partial class MhaScoresOnlyNet { }

/// <summary>A Masking layer's mask reaching self-attention (query and key masks); compared with <see cref="MhaShortNet"/>.</summary>
[Network]
[Input(5, 3)]
[Masking]
[MultiHeadAttention(2, 2, Name = "mha")]
public partial class MhaMaskingNet { }

/// <summary>The same attention on the sequence without its padded last step.</summary>
[Network]
[Input(4, 3)]
[MultiHeadAttention(2, 2, Name = "mha")]
public partial class MhaShortNet { }

/// <summary><see cref="MhaMaskingNet"/> without its Masking layer.</summary>
[Network]
[Input(5, 3)]
[MultiHeadAttention(2, 2, Name = "mha")]
public partial class MhaUnmaskedNet { }

/// <summary>
/// A Transformer block behind a padding mask: the mask reaches the keys of self-attention, goes on with the query's
/// mask (Keras) through the residual Add, LayerNormalization and the feed-forward Dense, and the average pools only
/// the real tokens. Without that, the padded tokens' rows would enter the average.
/// </summary>
[Network]
[Input(6, TokenIds = true)]
[Embedding(9, 4, MaskZero = true, Name = "emb")]
[MultiHeadAttention(2, 2, Name = "mha")]
[Add("emb", "mha", Name = "residual")]
[LayerNormalization(Name = "norm")]
[Dense(4, Activation = Activation.Tanh, Name = "ffn")]
[Concatenate("norm", "ffn", Name = "both")]
[GlobalAveragePooling1D(Name = "pool")]
[Dense(2, Name = "head")]
public partial class MaskedTransformerBlockNet { }

/// <summary>MaskedTransformerBlockNet without a mask over three tokens: nothing in the block knows positions, so it gives what the masked one gives for the real tokens.</summary>
[Network]
[Input(3, TokenIds = true)]
[Embedding(9, 4, Name = "emb")]
[MultiHeadAttention(2, 2, Name = "mha")]
[Add("emb", "mha", Name = "residual")]
[LayerNormalization(Name = "norm")]
[Dense(4, Activation = Activation.Tanh, Name = "ffn")]
[Concatenate("norm", "ffn", Name = "both")]
[GlobalAveragePooling1D(Name = "pool")]
[Dense(2, Name = "head")]
public partial class UnmaskedTransformerBlockNet { }

/// <summary>The AVX-512 paths' sizes: projections of 32 and 64 units, 16 keys, heads of 16 keys and 32 values, causal.</summary>
[Network]
[Input(16, 16)]
[Dense(32, Name = "pre")]
[MultiHeadAttention(2, 16, ValueDim = 32, UseCausalMask = true, Name = "mha")]
public partial class MhaTilesFixtureNet { }

/// <summary>One head of 16 over 12 padded tokens: fewer than 16 keys, padding masks, a query row with no allowed key.</summary>
[Network]
[Input(12, TokenIds = true)]
[Embedding(7, 16, MaskZero = true, Name = "emb")]
[MultiHeadAttention(1, 16, Name = "mha")]
public partial class MhaTilesMaskFixtureNet { }

/// <summary>Keras' attention_mask as a network input: cross-attention, a query row with no allowed key.</summary>
[Network]
[Input(3, 4, Name = "xq")]
[Input(5, 3, Name = "xv")]
[Input(3, 5, Name = "allowed")]
[Dense(4, Inputs = new[] { "xq" }, Name = "q")]
[Dense(3, Inputs = new[] { "xv" }, Name = "v")]
[MultiHeadAttention(2, 3, Inputs = new[] { "q", "v" }, AttentionMask = "allowed", Name = "mha")]
public partial class MhaAttentionMaskFixtureNet { }

/// <summary>Causal self-attention over 18 positions combined with an attention_mask input.</summary>
[Network]
[Input(18, 4, Name = "x")]
[Input(18, 18, Name = "allowed")]
[Dense(4, Inputs = new[] { "x" }, Name = "pre")]
[MultiHeadAttention(2, 2, UseCausalMask = true, AttentionMask = "allowed", Name = "mha")]
public partial class MhaLongAttentionMaskFixtureNet { }
