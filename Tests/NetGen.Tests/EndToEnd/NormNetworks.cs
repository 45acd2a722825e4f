using NetGen;

namespace NetGen.Tests.EndToEnd;

// Networks for the normalization, noise and embedding layers.

[Network]
[Input(3, 4)]
[Dense(5, Activation = Activation.Tanh)]
[BatchNormalization]
[LayerNormalization(Epsilon = 1e-5)]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class NormalizedNet { }

[Network]
[Input(3, 5, 2)]
[BatchNormalization(Axis = 1)]
[Dense(3, Activation = Activation.Tanh)]
[BatchNormalization(Axis = -2, Scale = false)]
[Flatten]
[Dense(2)]
public partial class BatchNormAxisNet { }

[Network]
[Input(4, 6)]
[GroupNormalization(3)]
[Dense(4, Activation = Activation.Swish)]
[BatchNormalization(Center = false, Momentum = 0.9)]
[Flatten]
[Dense(2)]
public partial class GroupNormNet { }

[Network]
[Input(6)]
[GaussianNoise(0.3)]
[Dense(8, Activation = Activation.Selu)]
[AlphaDropout(0.2)]
[GaussianDropout(0.3)]
[Dense(3, Activation = Activation.Softmax)]
public partial class NoisyNet { }

/// <summary>A text-style classifier: token ids → embedding → mean over the sequence → class.</summary>
[Network]
[Input(8, TokenIds = true)]
[Embedding(20, 6)]
[GlobalAveragePooling1D]
[Dense(2, Activation = Activation.Softmax)]
public partial class TokenClassifier { }

/// <summary>The same classifier with id 0 as padding: the average skips padded steps.</summary>
[Network]
[Input(8, TokenIds = true)]
[Embedding(20, 6, MaskZero = true)]
[Dense(5, Activation = Activation.Tanh)]
[GlobalAveragePooling1D]
[Dense(2, Activation = Activation.Softmax)]
public partial class MaskedTokenClassifier { }

[Network]
[Input(4, 5, 2)]
[LayerNormalization(Axis = 1)]
[Dense(3, Activation = Activation.Tanh)]
[Flatten]
[Dense(2)]
public partial class LayerNormAxisNet { }

