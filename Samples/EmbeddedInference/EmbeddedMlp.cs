using NetGen;

namespace EmbeddedInference;

/// <summary>
/// The Fashion-MNIST sample's MLP (Samples/FashionMnist/FashionMlp.cs, same layers and so the same weight signature),
/// with its trained weights baked into the assembly: <see cref="FromBakedWeights"/> needs no file.
/// </summary>
[Network(InferenceBatchCapacity = 1)]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(64, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
[Weights("fashion-mlp.weights.txt")]
public partial class EmbeddedMlp
{
}
