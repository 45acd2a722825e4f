using NetGen;

namespace NetGen.Tests.ModelApi;

// Networks of the model-API tests (issue 16): input gradients, intermediate outputs, frozen layers.

/// <summary>An MLP whose input goes through Flatten (an alias) and a Dense layer.</summary>
[Network]
[Input(2, 3)]
[Flatten]
[Dense(5, Activation = Activation.Tanh)]
[Dense(4, Activation = Activation.Swish)]
[Dense(3, Activation = Activation.Softmax)]
public partial class GradMlp { }

/// <summary>The input feeds an element-wise activation (in-place backward) and, through a skip, an Add: its gradient is a sum.</summary>
[Network]
[Input(4, Name = "x")]
[Activation(Activation.Tanh, Name = "squash")]
[Dense(4, Activation = Activation.Sigmoid, Name = "hidden")]
[Add("hidden", "x")]
[Dense(2, Activation = Activation.Sigmoid)]
public partial class GradSkip { }

/// <summary>A small CNN: convolution, average pooling, LayerNormalization and PReLU (kernels that write the input gradient next to the weights').</summary>
[Network]
[Input(6, 6, 1)]
[Conv2D(2, 3, Activation = Activation.Tanh)]
[AveragePooling2D(2)]
[Flatten]
[LayerNormalization]
[PReLU]
[Dense(3, Activation = Activation.Softmax)]
public partial class GradCnn { }

/// <summary>Two inputs, two outputs: gradients per input.</summary>
[Network]
[Input(4, Name = "left")]
[Input(3, Name = "right")]
[Dense(3, Activation = Activation.Tanh, Inputs = new[] { "left" }, Name = "l")]
[Dense(3, Activation = Activation.Tanh, Inputs = new[] { "right" }, Name = "r")]
[Concatenate("l", "r")]
[Dense(2, Activation = Activation.Softmax, Name = "first")]
[Dense(1, Inputs = new[] { "r" }, Name = "second")]
[Output("first", "second")]
public partial class GradTwoInputs { }

/// <summary>BatchNormalization in training mode on the input path.</summary>
[Network]
[Input(5)]
[BatchNormalization]
[Dense(3, Activation = Activation.Softmax)]
public partial class GradBatchNorm { }

/// <summary><see cref="GradMlp"/> cut after its second Dense layer: what <c>PredictLayers(dense_1: ...)</c> must give.</summary>
[Network]
[Input(2, 3)]
[Flatten]
[Dense(5, Activation = Activation.Tanh)]
[Dense(4, Activation = Activation.Swish)]
public partial class GradMlpCut { }

/// <summary>A CNN with a small inference chunk, so PredictLayers runs in several chunks.</summary>
[Network(InferenceBatchCapacity = 2)]
[Input(5, 5, 2)]
[Conv2D(3, 3, Activation = Activation.Relu, Padding = Padding.Same)]
[BatchNormalization]
[MaxPooling2D(2)]
[Flatten]
[Dropout(0.3)]
[Dense(4, Activation = Activation.Softmax)]
public partial class ChunkedCnn { }

/// <summary>A feature extractor frozen at declaration (Keras <c>trainable = False</c>) under a trainable head.</summary>
[Network]
[Input(6)]
[Dense(8, Activation = Activation.Tanh, Trainable = false, Name = "features")]
[BatchNormalization(Trainable = false, Name = "norm")]
[Dense(5, Activation = Activation.Swish, Name = "hidden")]
[Dense(3, Activation = Activation.Softmax, Name = "head")]
public partial class FrozenBase { }

/// <summary>FrozenBase without Trainable = false, to freeze at run time.</summary>
[Network]
[Input(6)]
[Dense(8, Activation = Activation.Tanh, Name = "features")]
[BatchNormalization(Name = "norm")]
[Dense(5, Activation = Activation.Swish, Name = "hidden")]
[Dense(3, Activation = Activation.Softmax, Name = "head")]
public partial class FreezableBase { }

/// <summary>Layers that compute differently in training and inference, for inference-mode gradients.</summary>
[Network]
[Input(5)]
[Dense(6, Activation = Activation.Tanh)]
[BatchNormalization]
[Dropout(0.5)]
[GaussianNoise(0.3)]
[Dense(3, Activation = Activation.Softmax)]
public partial class ModeDependent { }

/// <summary><see cref="ModeDependent"/> without dropout and noise, and BatchNormalization frozen (inference form): the same inference-mode function.</summary>
[Network]
[Input(5)]
[Dense(6, Activation = Activation.Tanh)]
[BatchNormalization(Trainable = false)]
[Dense(3, Activation = Activation.Softmax)]
public partial class ModeDependentReference { }
