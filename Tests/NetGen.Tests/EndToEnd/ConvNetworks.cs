using NetGen;

namespace NetGen.Tests.EndToEnd;

// Small convolutional networks for end-to-end gradient checks: every layer of the convolution family,
// with smooth activations (tanh, swish) so finite differences do not cross kinks.

[Network]
[Input(7, 6, 2)]
[Conv2D(3, 3, Padding = Padding.Same, Strides = 2, Activation = Activation.Tanh)]
[Conv2D(2, 2, 3, Activation = Activation.Swish)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class ConvSameStridedNet { }

[Network]
[Input(9, 2)]
[Conv1D(3, 2, Padding = Padding.Causal, DilationRate = 2, Activation = Activation.Tanh)]
[MaxPooling1D(2)]
[Conv1D(2, 3)]
[GlobalAveragePooling1D]
[Dense(2, Activation = Activation.Sigmoid)]
public partial class Conv1DCausalNet { }

[Network]
[Input(4, 5, 4, 1)]
[Conv3D(2, 2, Activation = Activation.Tanh)]
[AveragePooling3D(2, Padding = Padding.Same)]
[GlobalMaxPooling3D]
[Dense(2)]
public partial class Conv3DNet { }

[Network]
[Input(3, 4, 2)]
[Conv2DTranspose(3, 3, Strides = 2, Padding = Padding.Same, Activation = Activation.Tanh)]
[DepthwiseConv2D(2, DepthMultiplier = 2, Activation = Activation.Swish)]
[SeparableConv2D(2, 3, DepthMultiplier = 2, Padding = Padding.Same)]
[GlobalAveragePooling2D]
[Dense(3, Activation = Activation.Softmax)]
public partial class TransposedDepthwiseSeparableNet { }

[Network]
[Input(6, 5, 2)]
[ZeroPadding2D(1, 0, 2, 1)]
[LocallyConnected2D(3, 3, Strides = 2, Activation = Activation.Tanh)]
[UpSampling2D(2, 1)]
[Cropping2D(1, 0, 0, 1)]
[Flatten]
[Dense(2)]
public partial class LocallyConnectedSpatialNet { }

[Network]
[Input(8, 3)]
[LocallyConnected1D(2, 3, Activation = Activation.Tanh)]
[UpSampling1D(2)]
[ZeroPadding1D(1)]
[Cropping1D(2, 1)]
[AveragePooling1D(3, Strides = 2, Padding = Padding.Same)]
[Flatten]
[Dense(2)]
public partial class Sequence1DNet { }

[Network]
[Input(5, 5, 5, 1)]
[ZeroPadding3D(1)]
[MaxPooling3D(3, Strides = 2)]
[UpSampling3D(1, 2, 1)]
[Cropping3D(0, 1, 0)]
[Conv3D(2, 1, 2, 2, Activation = Activation.Tanh)]
[Flatten]
[Dense(2)]
public partial class Spatial3DNet { }

/// <summary>LAYERS.md E16: the classic MNIST CNN, 34,826 parameters.</summary>
[Network]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation = Activation.Softmax)]
public partial class ClassicMnistCnn { }
