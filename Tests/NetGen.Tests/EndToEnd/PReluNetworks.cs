using NetGen;

namespace NetGen.Tests.EndToEnd;

/// <summary>PReLU after a convolution (one slope per channel) and after a Dense layer (one slope per unit).</summary>
[Network]
[Input(6, 6, 2)]
[Conv2D(3, 2, Strides = 2)]
[PReLU(SharedAxes = new[] { 1, 2 })]
[Flatten]
[Dense(2)]
[PReLU]
[Activation(Activation.Softmax)]
public partial class PReluNet { }
