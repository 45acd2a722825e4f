using NetGen;

namespace FashionMnist;

/// <summary>The MLP with batch normalization and dropout (sample flag <c>--model mlp-bn</c>).</summary>
[Network]
[Input(28, 28)]
[Flatten]
[Dense(128, UseBias = false)]
[BatchNormalization]
[Activation(Activation.Relu)]
[Dropout(0.2)]
[Dense(64, UseBias = false)]
[BatchNormalization]
[Activation(Activation.Relu)]
[Dropout(0.2)]
[Dense(10, Activation = Activation.Softmax)]
public partial class FashionBnMlp
{
}
