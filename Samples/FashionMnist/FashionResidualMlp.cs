using NetGen;

namespace FashionMnist;

/// <summary>
/// A residual MLP in the functional style (sample flag <c>--model residual</c>): the output of <c>dense</c> skips
/// two layers and is added back before the classifier. Its picture, <c>Diagram</c>, is rendered in
/// <c>Samples/FashionMnist/residual-mlp.svg</c>.
/// </summary>
[Network]
[Input(28, 28)]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(128, Activation = Activation.Relu)]
[Dense(128)]
[Add("dense", "dense_2")]
[Activation(Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class FashionResidualMlp
{
}
