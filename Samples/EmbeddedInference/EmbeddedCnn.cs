using NetGen;

namespace EmbeddedInference;

/// <summary>
/// The Fashion-MNIST sample's small CNN (Samples/FashionMnist/FashionCnn.cs, same layers and so the same weight
/// signature), with its trained weights baked into the assembly: <see cref="FromBakedWeights"/> needs no file.
/// </summary>
[Network(InferenceBatchCapacity = 1)]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
[Weights("fashion-cnn.weights.txt")]
public partial class EmbeddedCnn
{
}
