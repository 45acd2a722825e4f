using NetGen;

namespace NetGen.Tests.EndToEnd;

// Pairs of identical networks, one generated with every optimising pass (loss fusion, bias + activation epilogues,
// dropped gradients) and one with [Network(Fusion = false)], one pair per layer family. FusionTests compares them.

[Network]
[Input(12)]
[Dense(16, Activation = Activation.Relu)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(4, Activation = Activation.Softmax)]
public partial class FusedMlp { }

[Network(Fusion = false)]
[Input(12)]
[Dense(16, Activation = Activation.Relu)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(4, Activation = Activation.Softmax)]
public partial class UnfusedMlp { }

[Network]
[Input(6)]
[Dense(5, Activation = Activation.Gelu)]
[Dense(3, Activation = Activation.Sigmoid)]
public partial class FusedSigmoid { }

[Network(Fusion = false)]
[Input(6)]
[Dense(5, Activation = Activation.Gelu)]
[Dense(3, Activation = Activation.Sigmoid)]
public partial class UnfusedSigmoid { }

[Network]
[Input(9, 9, 2)]
[Conv2D(4, 3, Activation = Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(3, 2, Padding = Padding.Same, Activation = Activation.Swish)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class FusedCnn { }

[Network(Fusion = false)]
[Input(9, 9, 2)]
[Conv2D(4, 3, Activation = Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(3, 2, Padding = Padding.Same, Activation = Activation.Swish)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class UnfusedCnn { }

[Network]
[Input(8, 8, 3)]
[DepthwiseConv2D(3, Activation = Activation.Relu)]
[SeparableConv2D(4, 2, Activation = Activation.Elu)]
[Conv2DTranspose(2, 2, Activation = Activation.Relu)]
[AveragePooling2D(2)]
[GlobalMaxPooling2D]
[Dense(2, Activation = Activation.Softmax)]
public partial class FusedConvVariants { }

[Network(Fusion = false)]
[Input(8, 8, 3)]
[DepthwiseConv2D(3, Activation = Activation.Relu)]
[SeparableConv2D(4, 2, Activation = Activation.Elu)]
[Conv2DTranspose(2, 2, Activation = Activation.Relu)]
[AveragePooling2D(2)]
[GlobalMaxPooling2D]
[Dense(2, Activation = Activation.Softmax)]
public partial class UnfusedConvVariants { }

[Network]
[Input(10, 3)]
[Conv1D(4, 3, Activation = Activation.Relu)]
[LocallyConnected1D(3, 2, Activation = Activation.Tanh)]
[ZeroPadding1D(1)]
[UpSampling1D(2)]
[Cropping1D(1)]
[Permute(2, 1)]
[Flatten]
[RepeatVector(2)]
[GlobalAveragePooling1D]
[Dense(2, Activation = Activation.Softmax)]
public partial class FusedSequence { }

[Network(Fusion = false)]
[Input(10, 3)]
[Conv1D(4, 3, Activation = Activation.Relu)]
[LocallyConnected1D(3, 2, Activation = Activation.Tanh)]
[ZeroPadding1D(1)]
[UpSampling1D(2)]
[Cropping1D(1)]
[Permute(2, 1)]
[Flatten]
[RepeatVector(2)]
[GlobalAveragePooling1D]
[Dense(2, Activation = Activation.Softmax)]
public partial class UnfusedSequence { }

[Network]
[Input(3, 4)]
[Dense(5, Activation = Activation.Tanh)]
[BatchNormalization]
[LayerNormalization(Epsilon = 1e-5)]
[GroupNormalization(5)]
[Dropout(0.25)]
[GaussianNoise(0.1)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class FusedNormalized { }

[Network(Fusion = false)]
[Input(3, 4)]
[Dense(5, Activation = Activation.Tanh)]
[BatchNormalization]
[LayerNormalization(Epsilon = 1e-5)]
[GroupNormalization(5)]
[Dropout(0.25)]
[GaussianNoise(0.1)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class UnfusedNormalized { }

[Network]
[Input(6, Name = "a")]
[Input(6, Name = "b")]
[Dense(4, Activation = Activation.Relu, Inputs = new[] { "a" })]
[Dense(4, Activation = Activation.Relu, Inputs = new[] { "b" })]
[Add("dense", "dense_1")]
[Multiply("dense", "add")]
[Maximum("add", "multiply")]
[Subtract("maximum", "dense_1")]
[Average("subtract", "dense")]
[Concatenate("average", "dense_1")]
[Dot(1, 1, "concatenate", "concatenate", Normalize = true)]
[Dense(2, Activation = Activation.Sigmoid, Name = "head", Inputs = new[] { "concatenate" })]
[Output("head", "dot")]
public partial class FusedGraph { }

[Network(Fusion = false)]
[Input(6, Name = "a")]
[Input(6, Name = "b")]
[Dense(4, Activation = Activation.Relu, Inputs = new[] { "a" })]
[Dense(4, Activation = Activation.Relu, Inputs = new[] { "b" })]
[Add("dense", "dense_1")]
[Multiply("dense", "add")]
[Maximum("add", "multiply")]
[Subtract("maximum", "dense_1")]
[Average("subtract", "dense")]
[Concatenate("average", "dense_1")]
[Dot(1, 1, "concatenate", "concatenate", Normalize = true)]
[Dense(2, Activation = Activation.Sigmoid, Name = "head", Inputs = new[] { "concatenate" })]
[Output("head", "dot")]
public partial class UnfusedGraph { }

[Network]
[Input(8, TokenIds = true)]
[Embedding(20, 6, MaskZero = true)]
[Dense(5, Activation = Activation.Tanh)]
[GlobalAveragePooling1D]
[Dense(2, Activation = Activation.Softmax)]
public partial class FusedTokens { }

[Network(Fusion = false)]
[Input(8, TokenIds = true)]
[Embedding(20, 6, MaskZero = true)]
[Dense(5, Activation = Activation.Tanh)]
[GlobalAveragePooling1D]
[Dense(2, Activation = Activation.Softmax)]
public partial class UnfusedTokens { }

// BatchNormalization folded into the layer before it (Predict only). Dense: the first folds its weights (15 rows of
// 4 features at batch 5), the second normalises block by block (5 rows of 18 features). Conv: folded weights, then the
// Activation layer fused into the convolution's epilogue and the max pooling into the same call.

[Network]
[Input(3, 4)]
[Dense(6)]
[BatchNormalization]
[Activation(Activation.Relu)]
[Flatten]
[Dense(7, UseBias = false)]
[BatchNormalization(Epsilon = 0.01, Scale = false)]
[Dense(3, Activation = Activation.Softmax)]
public partial class FusedFoldedDense { }

[Network(Fusion = false)]
[Input(3, 4)]
[Dense(6)]
[BatchNormalization]
[Activation(Activation.Relu)]
[Flatten]
[Dense(7, UseBias = false)]
[BatchNormalization(Epsilon = 0.01, Scale = false)]
[Dense(3, Activation = Activation.Softmax)]
public partial class UnfusedFoldedDense { }

[Network]
[Input(9, 9, 2)]
[Conv2D(4, 3, UseBias = false)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(3, 2, Padding = Padding.Same)]
[BatchNormalization(Center = false)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class FusedFoldedCnn { }

[Network(Fusion = false)]
[Input(9, 9, 2)]
[Conv2D(4, 3, UseBias = false)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(3, 2, Padding = Padding.Same)]
[BatchNormalization(Center = false)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class UnfusedFoldedCnn { }

// Winograd F(2×2, 3×3) in Predict (the Winograd pass): a ReLU epilogue with same padding, a convolution whose 2×2 max
// pooling is taken in the Winograd output transform (odd 8×7 output: the last row and column are dropped by the
// pooling), a linear one whose BatchNormalization is folded into its kernel first, and a first layer with too few input
// channels, which keeps the direct kernel. The twin computes every convolution directly ([Network(Winograd = false)]).

[Network]
[Input(10, 9, 3)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu)]
[Conv2D(12, 3)]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(9, 3, UseBias = false)]
[BatchNormalization]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class FusedWinograd { }

[Network(Winograd = false)]
[Input(10, 9, 3)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu)]
[Conv2D(12, 3)]
[Activation(Activation.Relu)]
[MaxPooling2D(2)]
[Conv2D(9, 3, UseBias = false)]
[BatchNormalization]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class UnfusedWinograd { }

// Winograd under TimeDistributed: the convolutions run over batch·steps samples, so the Winograd call must keep the
// convolution's batch operand (n * 3 here), with and without the pooling taken in its output transform.

[Network]
[Input(3, 6, 5, 2)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu, TimeDistributed = true)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu, TimeDistributed = true)]
[MaxPooling2D(2, TimeDistributed = true)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class FusedTimeDistributedWinograd { }

[Network(Winograd = false)]
[Input(3, 6, 5, 2)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu, TimeDistributed = true)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu, TimeDistributed = true)]
[MaxPooling2D(2, TimeDistributed = true)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class UnfusedTimeDistributedWinograd { }
