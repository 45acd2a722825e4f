using NetGen;

namespace NetGen.Tests.EndToEnd;

/// <summary>Keras' activation layers with parameters, Softmax over a middle axis, and the tanh form of GELU.</summary>
[Network]
[Input(3, 4)]
[Dense(5)]
[ReLU(MaxValue = 1.5, NegativeSlope = 0.1, Threshold = 0.2)]
[Softmax(Axis = 1)]
[Flatten]
[Dense(6)]
[LeakyReLU]
[Dense(4)]
[ELU(Alpha = 0.5)]
[Dense(3, Activation = Activation.GeluTanh)]
public partial class ActivationLayersNet { }

/// <summary>The activations added with issue 14, fused into a convolution's and Dense layers' epilogues.</summary>
[Network]
[Input(5, 2)]
[Conv1D(3, 2, Activation = Activation.Mish)]
[Flatten]
[Dense(6, Activation = Activation.HardSilu)]
[Dense(6, Activation = Activation.Softsign)]
[Dense(6, Activation = Activation.Relu6)]
[Dense(6, Activation = Activation.HardSigmoid)]
[Dense(5, Activation = Activation.Silu)]
[Dense(4, Activation = Activation.Exponential)]
[Dense(3, Activation = Activation.LogSoftmax)]
public partial class NewActivationsNet { }

/// <summary>The weight-less layers with the parameters of an Activation member (they reuse its kernels) and the
/// same functions as separate Activation layers; LogSoftmax and Softmax over the first and last axes.</summary>
[Network]
[Input(4, 3)]
[Dense(3)]
[ReLU]
[Dense(3)]
[ReLU(MaxValue = 6)]
[Dense(3)]
[LeakyReLU(NegativeSlope = 0.2)]
[Dense(3)]
[ELU]
[Softmax(Axis = -2)]
[Dense(3)]
[Activation(Activation.Mish)]
[Activation(Activation.LogSoftmax)]
[Softmax]
public partial class ActivationDefaultsNet { }
