using NetGen;

namespace FashionMnist;

/// <summary>
/// A small vision Transformer declared with attributes alone: 7x7 patches through a Conv2D with stride 7 (16 tokens of 64
/// features), Keras Hub position embeddings added to them, two post-norm encoder blocks (4-head self-attention + residual +
/// LayerNormalization, then a GELU feed-forward of 128 + residual + LayerNormalization), average over the tokens,
/// Dense(10, softmax). The same model in PyTorch (nn.MultiheadAttention): Benchmarks/peers/fashion_torch.py --model transformer.
/// </summary>
[Network]
[Input(28, 28, 1)]
[Conv2D(64, 7, Strides = 7, Name = "patchify")]
[Reshape(16, 64, Name = "patches")]
[PositionEmbedding(16, Name = "positions")]
[Add("patches", "positions", Name = "tokens")]
// Encoder block 1
[MultiHeadAttention(4, 16, Name = "attention_1")]
[Add("tokens", "attention_1", Name = "residual_1a")]
[LayerNormalization(Name = "norm_1a")]
[Dense(128, Activation = Activation.Gelu, Name = "feed_forward_1a")]
[Dense(64, Name = "feed_forward_1b")]
[Add("norm_1a", "feed_forward_1b", Name = "residual_1b")]
[LayerNormalization(Name = "norm_1b")]
// Encoder block 2
[MultiHeadAttention(4, 16, Name = "attention_2")]
[Add("norm_1b", "attention_2", Name = "residual_2a")]
[LayerNormalization(Name = "norm_2a")]
[Dense(128, Activation = Activation.Gelu, Name = "feed_forward_2a")]
[Dense(64, Name = "feed_forward_2b")]
[Add("norm_2a", "feed_forward_2b", Name = "residual_2b")]
[LayerNormalization(Name = "norm_2b")]
[GlobalAveragePooling1D]
[Dense(10, Activation = Activation.Softmax)]
public partial class FashionTransformer
{
}
