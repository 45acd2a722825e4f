using NetGen;

namespace FashionMnist;

/// <summary>The Keras MNIST example's MLP, applied to Fashion-MNIST.</summary>
[Network]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(64, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class FashionMlp
{
}
