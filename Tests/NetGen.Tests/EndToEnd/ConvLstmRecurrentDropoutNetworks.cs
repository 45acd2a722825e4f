using NetGen;

namespace NetGen.Tests.EndToEnd;

// ConvLSTM layers with RecurrentDropout (ConvLstmRecurrentDropoutTests): each has a fixed Seed, so a new instance repeats
// its first training call's masks (what the finite differences need).

/// <summary>ConvLSTM2D 3×3 same padding, last output, recurrent dropout only.</summary>
[Network]
[Input(4, 4, 4, 2)]
[ConvLSTM2D(3, 3, Padding = Padding.Same, RecurrentDropout = 0.4, Seed = 5)]
[Flatten]
[Dense(2)]
public partial class RecDropConvLstmNet { }

/// <summary>ConvLSTM2D 3×2 kernel, strides (2, 1), every step, backwards, no bias, with input dropout too.</summary>
[Network]
[Input(4, 5, 4, 2)]
[ConvLSTM2D(2, 3, 2, Padding = Padding.Same, StridesPerAxis = new[] { 2, 1 }, ReturnSequences = true, GoBackwards = true, UseBias = false,
    Dropout = 0.2, RecurrentDropout = 0.3, Seed = 5)]
[Flatten]
[Dense(2)]
public partial class RecDropConvLstmSequenceNet { }

/// <summary>The final states read by name (gradients into h and c) with recurrent dropout.</summary>
[Network]
[Input(4, 4, 4, 2)]
[ConvLSTM2D(2, 2, DilationRate = 2, ReturnState = true, RecurrentDropout = 0.3, Seed = 5, Name = "clstm")]
[Concatenate("clstm", "clstm:h", "clstm:c")]
[Flatten]
[Dense(2)]
public partial class RecDropConvLstmStateNet { }

/// <summary>Bidirectional ConvLSTM1D, every step concatenated: each direction draws its own masks.</summary>
[Network]
[Input(4, 6, 2)]
[ConvLSTM1D(2, 3, Padding = Padding.Same, ReturnSequences = true, Bidirectional = BidirectionalMerge.Concat, RecurrentDropout = 0.3, Seed = 5)]
[Flatten]
[Dense(2)]
public partial class RecDropConvLstm1DBiNet { }

/// <summary>ConvLSTM3D (2, 2, 2) valid, last output.</summary>
[Network]
[Input(4, 3, 3, 3, 1)]
[ConvLSTM3D(2, 2, RecurrentDropout = 0.5, Seed = 5)]
[Flatten]
[Dense(2)]
public partial class RecDropConvLstm3DNet { }

/// <summary>ConvLstmStreamNet with RecurrentDropout: the same weights, Predict and streaming; dropout acts only while training.</summary>
[Network(InferenceBatchCapacity = 4)]
[Input(6, 5, 5, 2)]
[ConvLSTM2D(3, 3, Padding = Padding.Same, RecurrentDropout = 0.5)]
[Flatten]
[Dense(2)]
public partial class RecDropConvLstmStreamNet { }
