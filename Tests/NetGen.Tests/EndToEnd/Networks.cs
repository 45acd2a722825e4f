using NetGen;

namespace NetGen.Tests.EndToEnd;

// Networks declared in the test project itself: the generator runs on them at build time.

[Network]
[Input(5)]
[Dense(4, Activation = Activation.Tanh)]
[Dense(3, Activation = Activation.Softmax)]
public partial class TinySoftmaxNet { }

[Network]
[Input(2, 3)]
[Dense(4, Activation = Activation.Swish)]
[Flatten]
[Dense(2, Activation = Activation.Sigmoid)]
public partial class SequenceSigmoidNet { }

[Network]
[Input(6)]
[Reshape(2, 3)]
[Dense(3, Activation = Activation.Elu, UseBias = false)]
[Reshape(-1)]
[Dense(4)]
[Activation(Activation.Softmax)]
public partial class ReshapeActivationLayerNet { }

[Network]
[Input(8)]
[Dense(16, Activation = Activation.Relu)]
[Dropout(0.5)]
[Dense(4, Activation = Activation.Softmax)]
public partial class DropoutNet { }

[Network(InferenceBatchCapacity = 8)]
[Input(28, 28)]
[Flatten]
[Dense(32, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class SliceMlp { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Linear)]
[Dense(3)]
public partial class LinearNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Relu)]
[Dense(3)]
public partial class ReluNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Sigmoid)]
[Dense(3)]
public partial class SigmoidNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Tanh)]
[Dense(3)]
public partial class TanhNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Softmax)]
[Dense(3)]
public partial class SoftmaxNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.LeakyRelu)]
[Dense(3)]
public partial class LeakyReluNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Elu)]
[Dense(3)]
public partial class EluNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Selu)]
[Dense(3)]
public partial class SeluNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Swish)]
[Dense(3)]
public partial class SwishNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Softplus)]
[Dense(3)]
public partial class SoftplusNet { }

[Network]
[Input(4)]
[Dense(5, Activation = Activation.Gelu)]
[Dense(3)]
public partial class GeluNet { }
