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
