using NetGen;

namespace FashionMnist;

/// <summary>The small CNN of the convolution issue: two conv/pool stages, then two dense layers.</summary>
[Network]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class FashionCnn
{
}
