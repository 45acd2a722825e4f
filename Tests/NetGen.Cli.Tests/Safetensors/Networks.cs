using NetGen;

namespace NetGen.Cli.Tests.Safetensors;

/// <summary>Samples/FashionMnist's CNN, declared by hand: the PyTorch SampleCnn of make_import_fixtures.py loads into it.</summary>
[Network]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class HandCnn { }

/// <summary>The same CNN with another Dense width: a shape mismatch for every load.</summary>
[Network]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Conv2D(64, 3, Activation = Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(100, Activation = Activation.Relu)]
[Dense(10, Activation = Activation.Softmax)]
public partial class WrongCnn { }

/// <summary>make_import_fixtures.py's BatchNormNet, declared by hand (PyTorch's BatchNorm eps 1e-5 and 1e-3).</summary>
[Network]
[Input(14, 14, 1)]
[Conv2D(8, 3, Padding = Padding.Same)]
[BatchNormalization(Epsilon = 1e-5)]
[Activation(Activation.Relu)]
[MaxPooling2D]
[Flatten]
[Dense(32)]
[BatchNormalization(Epsilon = 1e-3)]
[Activation(Activation.Relu)]
[Dropout(0.3)]
[Dense(10)]
public partial class HandBatchNormNet { }
