using NetGen;

namespace NetGen.Tests.HeldOut;

// Networks of tools/reference/make_heldout_fixtures.py (Fixtures/heldout): non-default arguments whose geometry or
// formula the generator derives from the attributes. Each comment gives the shapes the script computes.

/// <summary>Even kernel, stride 2, 'same' (pad 1/2 rows, 1/1 columns), no bias; then dilation 3 'same' (pad 1/2).</summary>
[Network]
[Input(7, 6, 2)]
[Conv2D(3, 4, Strides = 2, Padding = Padding.Same, UseBias = false, Activation = Activation.Tanh)] // (4, 3, 3)
[Conv2D(2, 2, DilationRate = 3, Padding = Padding.Same)] // (4, 3, 2)
[Flatten]
[Dense(3)]
public partial class HeldConvEvenSameStrideNet { }

/// <summary>Kernel (3, 2) with strides (1, 3) 'same', then max pooling 3 stride 2 'same'.</summary>
[Network]
[Input(6, 7, 2)]
[Conv2D(3, 3, 2, StridesPerAxis = new[] { 1, 3 }, Padding = Padding.Same, Activation = Activation.Swish)] // (6, 3, 3)
[MaxPooling2D(3, Strides = 2, Padding = Padding.Same)] // (3, 2, 3)
[Flatten]
[Dense(2)]
public partial class HeldConvPerAxisStridesNet { }

/// <summary>Average pooling 'same' with a non-square window and per-axis strides, then an even window at stride 1 (pad 1/2).</summary>
[Network]
[Input(5, 6, 2)]
[AveragePooling2D(2, 3, StridesPerAxis = new[] { 1, 2 }, Padding = Padding.Same)] // (5, 3, 2)
[AveragePooling2D(4, Strides = 1, Padding = Padding.Same)] // (5, 3, 2)
[Flatten]
[Dense(2)]
public partial class HeldAvgPoolSameNet { }

/// <summary>Conv1D even kernel stride 2 'same', causal with dilation 3, 1D pooling 'same'.</summary>
[Network]
[Input(9, 2)]
[Conv1D(3, 4, Strides = 2, Padding = Padding.Same, Activation = Activation.Tanh)] // (5, 3)
[Conv1D(2, 2, DilationRate = 3, Padding = Padding.Causal)] // (5, 2)
[MaxPooling1D(2, Strides = 1, Padding = Padding.Same)] // (5, 2)
[AveragePooling1D(3, Strides = 2, Padding = Padding.Same)] // (3, 2)
[Flatten]
[Dense(2)]
public partial class HeldConv1DMixNet { }

/// <summary>Transposed convolutions with stride 2 'same': odd kernel (crop 0/1) and even kernel (crop 1/1).</summary>
[Network]
[Input(3, 2, 2)]
[Conv2DTranspose(3, 3, Strides = 2, Padding = Padding.Same, Activation = Activation.Tanh)] // (6, 4, 3)
[Conv2DTranspose(2, 4, Strides = 2, Padding = Padding.Same)] // (12, 8, 2)
[Flatten]
[Dense(2)]
public partial class HeldConvTransposeSameNet { }

/// <summary>Transposed convolutions with output_padding: valid with 1, 'same' with 0 (crop 1 before).</summary>
[Network]
[Input(3, 3, 2)]
[Conv2DTranspose(2, 3, Strides = 2, OutputPadding = 1, Activation = Activation.Tanh)] // (8, 8, 2)
[Conv2DTranspose(2, 3, Strides = 2, Padding = Padding.Same, OutputPadding = 0)] // (15, 15, 2)
[Flatten]
[Dense(2)]
public partial class HeldConvTransposeOutputPaddingNet { }

/// <summary>A dilated transposed convolution 'same', then per-axis strides and output padding.</summary>
[Network]
[Input(4, 3, 2)]
[Conv2DTranspose(3, 2, DilationRate = 2, Padding = Padding.Same, Activation = Activation.Swish)] // (4, 3, 3)
[Conv2DTranspose(2, 3, 2, StridesPerAxis = new[] { 2, 1 }, OutputPaddingPerAxis = new[] { 1, 0 })] // (10, 4, 2)
[Flatten]
[Dense(2)]
public partial class HeldConvTransposeDilatedNet { }

/// <summary>DepthwiseConv2D even kernel stride 2 'same' with depth_multiplier 3; SeparableConv2D dilated, no bias.</summary>
[Network]
[Input(7, 6, 2)]
[DepthwiseConv2D(4, Strides = 2, Padding = Padding.Same, DepthMultiplier = 3, Activation = Activation.Tanh)] // (4, 3, 6)
[SeparableConv2D(3, 3, DepthMultiplier = 2, DilationRate = 2, Padding = Padding.Same, UseBias = false)] // (4, 3, 3)
[Flatten]
[Dense(2)]
public partial class HeldDepthwiseSeparableNet { }

/// <summary>SeparableConv2D with a (2, 3) kernel, stride 2 'same' (columns pad 0/1); a depthwise valid layer with multiplier 2.</summary>
[Network]
[Input(6, 6, 3)]
[SeparableConv2D(2, 2, 3, Strides = 2, Padding = Padding.Same, Activation = Activation.Swish)] // (3, 3, 2)
[DepthwiseConv2D(2, DepthMultiplier = 2)] // (2, 2, 4)
[Flatten]
[Dense(2)]
public partial class HeldSeparableStridedNet { }

/// <summary>Conv3D with strides (1, 2, 2) 'same', 3D pooling 'same'.</summary>
[Network]
[Input(3, 5, 4, 1)]
[Conv3D(2, 2, StridesPerAxis = new[] { 1, 2, 2 }, Padding = Padding.Same, Activation = Activation.Tanh)] // (3, 3, 2, 2)
[AveragePooling3D(2, Strides = 1, Padding = Padding.Same)] // (3, 3, 2, 2)
[MaxPooling3D(1, 2, 2, Padding = Padding.Same)] // (3, 2, 1, 2)
[Flatten]
[Dense(2)]
public partial class HeldConv3DSameNet { }

/// <summary>Asymmetric zero padding and cropping, non-uniform up-sampling, a strided LocallyConnected2D.</summary>
[Network]
[Input(4, 5, 2)]
[ZeroPadding2D(2, 0, 1, 3)] // (6, 9, 2)
[Cropping2D(1, 2, 0, 1)] // (3, 8, 2)
[UpSampling2D(2, 3)] // (6, 24, 2)
[LocallyConnected2D(2, 2, 3, StridesPerAxis = new[] { 2, 3 }, Activation = Activation.Tanh)] // (3, 8, 2)
[Flatten]
[Dense(2)]
public partial class HeldPadCropUpNet { }

/// <summary>Activation layers and activations with non-default options.</summary>
[Network]
[Input(3, 4)]
[Dense(5)]
[ReLU(MaxValue = 1.0, NegativeSlope = 0.1, Threshold = 0.2)]
[Dense(4, Activation = Activation.GeluTanh)]
[ELU(Alpha = 0.5)]
[LeakyReLU(NegativeSlope = 0.05)]
[Dense(4, Activation = Activation.HardSilu)]
[Softmax(Axis = 1)]
public partial class HeldActivationOptionsNet { }

/// <summary>GRU reset_after=False backwards returning sequences (processing order) into a backwards LSTM.</summary>
[Network]
[Input(5, 3)]
[GRU(4, ResetAfter = false, GoBackwards = true, ReturnSequences = true)]
[LSTM(3, GoBackwards = true)]
[Dense(2)]
public partial class HeldRecurrentStackNet { }

/// <summary>BatchNormalization on axis 1 with momentum and epsilon; LayerNormalization on axis 1 without centre; GroupNormalization without scale.</summary>
[Network]
[Input(4, 3)]
[Dense(3)]
[BatchNormalization(Axis = 1, Momentum = 0.8, Epsilon = 0.01)]
[LayerNormalization(Axis = 1, Center = false)]
[GroupNormalization(3, Epsilon = 1e-5, Scale = false)]
[Flatten]
[Dense(2)]
public partial class HeldNormOptionsNet { }

/// <summary>Loss probes: a sequence output (3 rows per sample) through one activation.</summary>
[Network]
[Input(3, 4)]
[Dense(3, Activation = Activation.Sigmoid)]
public partial class HeldLossSigmoidNet { }

/// <inheritdoc cref="HeldLossSigmoidNet"/>
[Network]
[Input(3, 4)]
[Dense(3, Activation = Activation.Softmax)]
public partial class HeldLossSoftmaxNet { }

/// <inheritdoc cref="HeldLossSigmoidNet"/>
[Network]
[Input(3, 4)]
[Dense(3, Activation = Activation.Tanh)]
public partial class HeldLossTanhNet { }

/// <inheritdoc cref="HeldLossSigmoidNet"/>
[Network]
[Input(3, 4)]
[Dense(3, Activation = Activation.HardSigmoid)]
public partial class HeldLossHardSigmoidNet { }

/// <inheritdoc cref="HeldLossSigmoidNet"/>
[Network]
[Input(3, 4)]
[Dense(3, Activation = Activation.Softplus)]
public partial class HeldLossSoftplusNet { }

/// <summary>Transposed convolutions whose kernel is smaller than the stride: 'same' extends the full result with zeros; then output padding per axis.</summary>
[Network]
[Input(2, 3, 2)]
[Conv2DTranspose(2, 2, Strides = 3, Padding = Padding.Same, Activation = Activation.Tanh)] // (6, 9, 2)
[Conv2DTranspose(2, 2, Strides = 3, Padding = Padding.Same, OutputPaddingPerAxis = new[] { 2, 1 })] // (17, 25, 2)
[Flatten]
[Dense(2)]
public partial class HeldTransposeSmallKernelNet { }

/// <summary>Pooling whose stride exceeds the window ('same' average with gaps; valid max with per-axis strides).</summary>
[Network]
[Input(8, 7, 2)]
[AveragePooling2D(2, Strides = 3, Padding = Padding.Same)] // (3, 3, 2)
[Conv2D(3, 2, Padding = Padding.Same, Activation = Activation.Tanh)] // (3, 3, 3)
[MaxPooling2D(2, StridesPerAxis = new[] { 1, 2 })] // (2, 1, 3)
[Flatten]
[Dense(2)]
public partial class HeldPoolStrideGapNet { }

/// <summary>1D padding and cropping (asymmetric), a strided causal convolution, up-sampling, strided valid pooling, strided LocallyConnected1D.</summary>
[Network]
[Input(9, 2)]
[ZeroPadding1D(2, 1)] // (12, 2)
[Cropping1D(1, 2)] // (9, 2)
[Conv1D(3, 3, Strides = 2, Padding = Padding.Causal, Activation = Activation.Tanh)] // (5, 3)
[UpSampling1D(3)] // (15, 3)
[AveragePooling1D(2, Strides = 3)] // (5, 3)
[LocallyConnected1D(2, 2, Strides = 2)] // (2, 2)
[Flatten]
[Dense(2)]
public partial class HeldSequence1DNet { }

/// <summary>BatchNormalization over convolution features (statistics over batch, rows and columns) without centre; GroupNormalization(2); LayerNormalization without scale.</summary>
[Network]
[Input(4, 5, 2)]
[Conv2D(4, 3, Padding = Padding.Same)]
[BatchNormalization(Center = false, Momentum = 0.5, Epsilon = 1e-4)]
[GroupNormalization(2)]
[LayerNormalization(Scale = false)]
[GlobalAveragePooling2D]
[Dense(2, Activation = Activation.Tanh)]
public partial class HeldConvNormNet { }

/// <summary>Embedding(mask_zero) into an LSTM returning sequences into masked GlobalAveragePooling1D.</summary>
[Network]
[Input(6, TokenIds = true)]
[Embedding(7, 3, MaskZero = true)]
[LSTM(3, ReturnSequences = true)]
[GlobalAveragePooling1D]
[Dense(2)]
public partial class HeldEmbeddingMaskNet { }

/// <summary>Bidirectional GRU (concat), SimpleRNN (ave) and LSTM (mul).</summary>
[Network]
[Input(4, 3)]
[GRU(3, ReturnSequences = true, Bidirectional = BidirectionalMerge.Concat)] // (4, 6)
[SimpleRNN(2, ReturnSequences = true, Bidirectional = BidirectionalMerge.Ave)] // (4, 2)
[LSTM(2, Bidirectional = BidirectionalMerge.Mul)] // (2)
[Dense(2)]
public partial class HeldBidirectionalNet { }

/// <summary>Permute, Dot over given axes (plain and normalised), Concatenate on axis 1, Softmax on axis 1.</summary>
[Network]
[Input(3, 4, Name = "x")]
[Dense(4, Activation = Activation.Tanh, Inputs = new[] { "x" }, Name = "a")]
[Dense(4, Inputs = new[] { "x" }, Name = "b")]
[Permute(2, 1, Inputs = new[] { "a" }, Name = "p")] // (4, 3)
[Dot(2, 1, "a", "p", Name = "d1")] // (3, 3)
[Dot(2, "a", "b", Normalize = true, Name = "d2")] // (3, 3)
[Concatenate("d1", "d2", Axis = 1)] // (6, 3)
[Softmax(Axis = 1)]
[Flatten]
[Dense(2)]
public partial class HeldDotPermuteNet { }

/// <summary>3×3 convolutions with 8 and more channels, which Predict runs through the Winograd kernels (odd output rows, a fused 2×2 pooling, a 1×1 output).</summary>
[Network]
[Input(7, 6, 3)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu)] // (7, 6, 8)
[Conv2D(9, 3, Padding = Padding.Same, Activation = Activation.Relu)] // (7, 6, 9)
[MaxPooling2D] // (3, 3, 9)
[Conv2D(8, 3)] // (1, 1, 8)
[Flatten]
[Dense(2)]
public partial class HeldWinogradCnnNet { }

/// <summary>BatchNormalization folded (in Predict) into a bias-free convolution, a 1×1 convolution and a bias-free Dense.</summary>
[Network]
[Input(5, 5, 8)]
[Conv2D(10, 3, Padding = Padding.Same, UseBias = false)]
[BatchNormalization(Momentum = 0.9, Epsilon = 0.01)]
[Activation(Activation.Tanh)]
[Conv2D(8, 1)]
[BatchNormalization(Scale = false)]
[GlobalAveragePooling2D]
[Dense(6, UseBias = false)]
[BatchNormalization(Center = false)]
[Dense(2)]
public partial class HeldFoldConvNet { }

/// <summary>BatchNormalization after a causal Conv1D, a per-step Dense (folded) and a wide Dense (normalised block by block).</summary>
[Network]
[Input(6, 2)]
[Conv1D(4, 3, Padding = Padding.Causal, UseBias = false)]
[BatchNormalization]
[Dense(3, UseBias = false)]
[BatchNormalization(Momentum = 0.5)]
[Flatten]
[Dense(4)]
[BatchNormalization(Center = false, Epsilon = 0.1)]
[Dense(2)]
public partial class HeldFoldSequenceNet { }

/// <summary>A frozen BatchNormalization (Trainable = false): inference mode in training too, moving statistics unchanged, no weight gradient.</summary>
[Network]
[Input(3, 4)]
[Dense(4, Activation = Activation.Tanh)]
[BatchNormalization(Trainable = false)]
[Dense(2)]
public partial class HeldFrozenBatchNormNet { }

/// <summary>A per-pixel softmax over channels: the losses' rows are the 20 pixels of each sample.</summary>
[Network]
[Input(4, 5, 2)]
[Conv2D(3, 3, Padding = Padding.Same, Activation = Activation.Softmax)]
public partial class HeldSegmentationNet { }

/// <summary>Softmax from its own Activation layer (the loss fuses through it).</summary>
[Network]
[Input(3, 4)]
[Dense(3)]
[Activation(Activation.Softmax)]
public partial class HeldActivationSoftmaxNet { }

/// <summary>Softmax from a Softmax layer on the last axis.</summary>
[Network]
[Input(3, 4)]
[Dense(3)]
[Softmax]
public partial class HeldSoftmaxLayerNet { }

/// <summary>Bidirectional layers wrapping go_backwards layers (Keras negates go_backwards for the backward copy).</summary>
[Network]
[Input(4, 3)]
[GRU(3, GoBackwards = true, ReturnSequences = true, Bidirectional = BidirectionalMerge.Concat)] // (4, 6)
[SimpleRNN(2, GoBackwards = true, Bidirectional = BidirectionalMerge.Sum)] // (2)
[Dense(2)]
public partial class HeldBidirectionalBackwardsNet { }

/// <summary>Attention with concat scores and no scale; AdditiveAttention without scale, causal (query shorter than value).</summary>
[Network]
[Input(4, 3, Name = "xq")]
[Input(5, 3, Name = "xv")]
[Dense(3, Inputs = new[] { "xq" }, Name = "q")]
[Dense(3, Inputs = new[] { "xv" }, Name = "v")]
[Attention(ScoreMode = AttentionScore.Concat, Inputs = new[] { "q", "v" }, Name = "a1")]
[AdditiveAttention(UseScale = false, UseCausalMask = true, Inputs = new[] { "q", "v" }, Name = "a2")]
[Concatenate("a1", "a2")]
[Flatten]
[Dense(2)]
public partial class HeldAttentionVariantsNet { }

/// <summary>MultiHeadAttention on a rank-4 input with the default attention axes (all 6 positions jointly), value_dim, output_shape, no biases.</summary>
[Network]
[Input(2, 3, 4)]
[MultiHeadAttention(2, 3, ValueDim = 2, OutputShape = 5, UseBias = false)] // (2, 3, 5)
[Flatten]
[Dense(2)]
public partial class HeldMhaSpatialNet { }

/// <summary>A small U-Net: a skip connection reads the convolution that the pooling is fused with; up-sampling, concatenation, a folded normalisation.</summary>
[Network]
[Input(6, 6, 2)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu, Name = "c1")]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu, Name = "c2")]
[MaxPooling2D(Name = "p")] // (3, 3, 8)
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.Relu, Name = "c3")]
[UpSampling2D(2, Name = "u")] // (6, 6, 8)
[Concatenate("u", "c2")] // (6, 6, 16)
[Conv2D(8, 3, Padding = Padding.Same)]
[BatchNormalization(Momentum = 0.9)]
[Activation(Activation.Relu)]
[GlobalAveragePooling2D]
[Dense(2)]
public partial class HeldUNetNet { }

/// <summary>Recurrent layers with non-default activations: GRU relu + hard_sigmoid (Keras 3's x/6 + 1/2), a linear bias-free SimpleRNN, a bias-free LSTM with hard_sigmoid gates.</summary>
[Network]
[Input(5, 3)]
[GRU(3, Activation = RecurrentActivation.Relu, RecurrentActivation = RecurrentActivation.HardSigmoid, ReturnSequences = true)]
[SimpleRNN(2, Activation = RecurrentActivation.Linear, UseBias = false, ReturnSequences = true)]
[LSTM(2, RecurrentActivation = RecurrentActivation.HardSigmoid, UseBias = false)]
[Dense(2)]
public partial class HeldRecurrentActivationsNet { }

/// <summary>TimeDistributed strided 'same' convolution and global pooling over the steps of a video-like input, into a SimpleRNN.</summary>
[Network]
[Input(3, 4, 4, 2)]
[Conv2D(3, 2, Strides = 2, Padding = Padding.Same, Activation = Activation.Tanh, TimeDistributed = true)] // (3, 2, 2, 3)
[GlobalAveragePooling2D(TimeDistributed = true)] // (3, 3)
[SimpleRNN(2)]
[Dense(2)]
public partial class HeldTimeDistributedConvNet { }

/// <summary>Two outputs (a softmax head and a linear head) trained with the sum of their losses.</summary>
[Network]
[Input(4)]
[Dense(5, Activation = Activation.Tanh, Name = "h")]
[Dense(3, Activation = Activation.Softmax, Name = "a")]
[Dense(2, Inputs = new[] { "h" }, Name = "b")]
[Output("a", "b")]
public partial class HeldMultiOutputNet { }

/// <summary>Encoder LSTM, RepeatVector, decoder GRU returning sequences, a per-step Dense.</summary>
[Network]
[Input(4, 3)]
[LSTM(3)]
[RepeatVector(2)]
[GRU(2, ReturnSequences = true)]
[Dense(2)]
public partial class HeldSeq2SeqNet { }

/// <summary>3D asymmetric padding and cropping, non-uniform up-sampling, a per-axis dilated 'same' Conv3D, 3D average pooling 'same' with per-axis strides.</summary>
[Network]
[Input(3, 4, 3, 2)]
[ZeroPadding3D(1, 0, 0, 2, 1, 1)] // (4, 6, 5, 2)
[Cropping3D(0, 1, 1, 0, 2, 0)] // (3, 5, 3, 2)
[UpSampling3D(2, 1, 2)] // (6, 5, 6, 2)
[Conv3D(2, 2, 3, 2, DilationPerAxis = new[] { 1, 1, 2 }, Padding = Padding.Same, Activation = Activation.Tanh)] // (6, 5, 6, 2)
[AveragePooling3D(3, 2, 2, StridesPerAxis = new[] { 2, 2, 3 }, Padding = Padding.Same)] // (3, 3, 2, 2)
[Flatten]
[Dense(2)]
public partial class HeldSpatial3DNet { }

/// <summary>Per-axis dilation with 'same' padding on a depthwise (multiplier 2) and an even-kernel convolution.</summary>
[Network]
[Input(6, 7, 2)]
[DepthwiseConv2D(3, 2, DilationPerAxis = new[] { 1, 3 }, Padding = Padding.Same, DepthMultiplier = 2, Activation = Activation.Swish)] // (6, 7, 4)
[Conv2D(2, 2, 4, DilationPerAxis = new[] { 2, 1 }, Padding = Padding.Same)] // (6, 7, 2)
[Flatten]
[Dense(2)]
public partial class HeldDepthwiseDilatedNet { }
