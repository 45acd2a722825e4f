using NetGen;

namespace NetGen.Tests.EndToEnd;

// A network with non-trainable state whose weights are baked in by the real compiler: the file is an
// AdditionalFiles item of this project (NetGen.Tests.csproj), written by tools/reference/make_baked_fixture.py.

[Network]
[Input(3, 4)]
[Dense(5, Activation = Activation.Tanh)]
[BatchNormalization]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
[Weights("Fixtures/baked/baked-norm-net.weights.txt")]
public partial class BakedNormNet { }

// A convolutional network, whose constructor also sizes the kernels' workspace: the baked constructor must do that
// too. ConvTemplateNet has the same layers (so the same weight signature) without [Weights]; it wrote the fixture.

[Network]
[Input(6, 6, 1)]
[Conv2D(2, 3, Activation = Activation.Relu)]
[Flatten]
[Dense(3)]
public partial class ConvTemplateNet { }

[Network]
[Input(6, 6, 1)]
[Conv2D(2, 3, Activation = Activation.Relu)]
[Flatten]
[Dense(3)]
[Weights("Fixtures/baked/baked-conv-net.weights.txt")]
public partial class BakedConvNet { }
