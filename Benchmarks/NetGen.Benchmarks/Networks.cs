using NetGen;

namespace NetGen.Benchmarks;

/// <summary>The seed MLP of the README and the small CNN of the convolution issue.</summary>
[Network(InferenceBatchCapacity = 256)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(64, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class Mlp { }

[Network(InferenceBatchCapacity = 256)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class Cnn { }

/// <summary>The seed MLP with the generator's passes off (fusion A/B in the same run).</summary>
[Network(InferenceBatchCapacity = 256, Fusion = false)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(64, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class MlpUnfused { }

/// <summary>The small CNN with every pass but the Winograd convolutions (its A/B twin for that pass).</summary>
[Network(InferenceBatchCapacity = 256, Winograd = false)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class CnnDirect { }

/// <summary>The small CNN with the generator's passes off.</summary>
[Network(InferenceBatchCapacity = 256, Fusion = false)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class CnnUnfused { }

/// <summary>The small CNN in its usual Keras form with BatchNormalization after each convolution and the hidden Dense (folding A/B).</summary>
[Network(InferenceBatchCapacity = 256)]
[Input(28, 28, 1)]
[Conv2D(32, 3, UseBias = false)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, UseBias = false)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(128)]
[BatchNormalization]
[Activation(Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class CnnBatchNorm { }

/// <summary><see cref="CnnBatchNorm"/> with the generator's passes off.</summary>
[Network(InferenceBatchCapacity = 256, Fusion = false)]
[Input(28, 28, 1)]
[Conv2D(32, 3, UseBias = false)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, UseBias = false)]
[BatchNormalization]
[Activation(Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(128)]
[BatchNormalization]
[Activation(Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class CnnBatchNormUnfused { }

/// <summary>Marker type for the benchmark switcher.</summary>
public static class Networks
{
}
