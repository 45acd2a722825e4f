using NetGen;

namespace NetGen.Tests.Training;

// The networks of tools/reference/make_regularizer_fixtures.py (same layers, regularizers and constraints).

[Network, Input(4)]
[Dense(5, Activation = Activation.Relu, KernelRegularizer = "l1_l2(l1=0.01, l2=0.02)", BiasRegularizer = "l2(0.05)", KernelConstraint = "max_norm(0.5)")]
[Dense(3, KernelRegularizer = "L1(0.03)", KernelConstraint = "min_max_norm(0.2, 0.6, rate=0.5, axis=0)", BiasConstraint = "non_neg")]
public partial class RegularizedMlp { }

[Network, Input(5, 5, 2)]
[Conv2D(3, 2, KernelRegularizer = "l2(0.01)", BiasRegularizer = "l1(0.02)", KernelConstraint = "unit_norm(axis=[0, 1, 2])")]
[Flatten]
[Dense(2, KernelConstraint = "MaxNorm(max_value=0.3, axis=-1)")]
public partial class RegularizedConv { }

[Network, Input(5, 3)]
[LSTM(3, KernelRegularizer = "l1(0.01)", RecurrentRegularizer = "l2(0.1)", RecurrentConstraint = "max_norm(0.8, axis=(0, 1))", BiasConstraint = "NonNeg()")]
[Dense(2, KernelRegularizer = "l1_l2(0.02, 0.02)")]
public partial class RegularizedLstm { }

[Network, Input(4, 4, 2)]
[DepthwiseConv2D(2, DepthwiseRegularizer = "l2(0.5)", DepthwiseConstraint = "max_norm(1, axis=[0, 1])")]
[SeparableConv2D(2, 2, DepthwiseRegularizer = "l1(0.25)", PointwiseConstraint = "unit_norm(axis=[0, 1, 2])", BiasRegularizer = "l2(0.125)")]
public partial class RegularizedDepthwise { }

// Options reaching every weight of their name: both directions of a bidirectional layer, the four kernels of
// MultiHeadAttention, a time-distributed layer's, an embedding, PReLU's alpha, LayerNormalization's gamma.
[Network, Input(6, TokenIds = true)]
[Embedding(10, 4, EmbeddingsRegularizer = "l2(0.5)", EmbeddingsConstraint = "unit_norm(axis=1)")]
[LSTM(3, ReturnSequences = true, Bidirectional = BidirectionalMerge.Concat, RecurrentRegularizer = "l1(0.25)", KernelConstraint = "max_norm(1)")]
[MultiHeadAttention(2, 2, KernelConstraint = "max_norm(0.75, axis=[0, 1])", BiasRegularizer = "l2(0.125)")]
[LayerNormalization(GammaRegularizer = "l2(0.0625)")]
[Dense(2, TimeDistributed = true, KernelRegularizer = "l1(0.5)")]
[PReLU(AlphaConstraint = "non_neg")]
[Flatten]
[Dense(2)]
public partial class RegularizedEverywhere { }
