using NetGen;

namespace NetGen.Tests.EndToEnd;

// ConvLSTM2D test networks: five steps of small images feeding a Dense(2) head, so the PyTorch fixtures
// (tools/reference/make_convlstm_fixtures.py) and the finite differences see every weight.

/// <summary>ConvLSTM2D 3×3 valid, last output.</summary>
[Network]
[Input(5, 5, 5, 2)]
[ConvLSTM2D(3, 3)]
[Flatten]
[Dense(2)]
public partial class ConvLstmNet { }

/// <summary>ConvLSTM2D 3×2 kernel, same padding, strides (2, 1), returning sequences, reading backwards, no bias.</summary>
[Network]
[Input(5, 6, 5, 2)]
[ConvLSTM2D(2, 3, 2, Padding = Padding.Same, StridesPerAxis = new[] { 2, 1 }, ReturnSequences = true, GoBackwards = true, UseBias = false)]
[Flatten]
[Dense(2)]
public partial class ConvLstmSequenceNet { }

/// <summary>ConvLSTM2D 2×2 with dilation 2 and its states read by name: Dense over concat(last output, h, c).</summary>
[Network]
[Input(5, 5, 5, 2)]
[ConvLSTM2D(3, 2, DilationRate = 2, ReturnState = true, Name = "clstm")]
[Concatenate("clstm", "clstm:h", "clstm:c")]
[Flatten]
[Dense(2)]
public partial class ConvLstmStateNet { }

/// <summary>ConvLSTM2D with a 1×1 kernel (both convolutions are plain matrix products), returning sequences.</summary>
[Network]
[Input(5, 3, 3, 2)]
[ConvLSTM2D(3, 1, ReturnSequences = true)]
[Flatten]
[Dense(2)]
public partial class ConvLstmPointwiseNet { }

/// <summary>ConvLSTM2D with input dropout (training only), for the training-mode path.</summary>
[Network]
[Input(5, 4, 4, 2)]
[ConvLSTM2D(2, 3, Padding = Padding.Same, Dropout = 0.25, Seed = 3)]
[Flatten]
[Dense(2)]
public partial class ConvLstmDropoutNet { }

/// <summary>ConvLSTM1D (steps, rows, channels): kernel 3, same padding with stride 2, every step returned.</summary>
[Network]
[Input(5, 7, 2)]
[ConvLSTM1D(3, 3, Padding = Padding.Same, Strides = 2, ReturnSequences = true)]
[Flatten]
[Dense(2)]
public partial class ConvLstm1DNet { }

/// <summary>ConvLSTM3D (steps, depth, rows, cols, channels): a (2, 2, 3) kernel dilated along rows, read backwards, last output.</summary>
[Network]
[Input(5, 3, 4, 4, 2)]
[ConvLSTM3D(2, 2, 2, 3, DilationPerAxis = new[] { 1, 2, 1 }, GoBackwards = true)]
[Flatten]
[Dense(2)]
public partial class ConvLstm3DNet { }

// Streaming (ConvLstmStreamingTests): networks whose ConvLSTM layers advance one frame per Step call.

/// <summary>ConvLSTM2D 3×3 same padding, last output, then a Dense head: Step takes one 5×5×2 frame.</summary>
[Network(InferenceBatchCapacity = 4)]
[Input(6, 5, 5, 2)]
[ConvLSTM2D(3, 3, Padding = Padding.Same)]
[Flatten]
[Dense(2)]
public partial class ConvLstmStreamNet { }

/// <summary>Two ConvLSTM1D layers (the first returning sequences, stride 2), the second's every step returned.</summary>
[Network(InferenceBatchCapacity = 4)]
[Input(6, 7, 2)]
[ConvLSTM1D(3, 3, Padding = Padding.Same, Strides = 2, ReturnSequences = true)]
[ConvLSTM1D(2, 2, ReturnSequences = true, UseBias = false)]
public partial class ConvLstm1DStreamNet { }

/// <summary>A per-frame Conv2D front end (TimeDistributed) before a ConvLSTM2D and a Dense head.</summary>
[Network(InferenceBatchCapacity = 4)]
[Input(6, 6, 6, 2)]
[Conv2D(3, 3, Activation = Activation.Relu, TimeDistributed = true)]
[ConvLSTM2D(2, 2, DilationRate = 2, Padding = Padding.Same)]
[Flatten]
[Dense(2)]
public partial class ConvLstmFrameStreamNet { }

/// <summary>ConvLSTM3D over (steps, depth, rows, cols, channels), valid (2, 2, 2): streams one volume per Step.</summary>
[Network(InferenceBatchCapacity = 4)]
[Input(6, 3, 4, 4, 2)]
[ConvLSTM3D(2, 2)]
[Flatten]
[Dense(2)]
public partial class ConvLstm3DStreamNet { }

// Bidirectional ConvLSTM (ConvLstmBidirectionalTests; fixtures from tools/reference/make_convlstm_fixtures.py).

/// <summary>Bidirectional ConvLSTM2D, every step, concatenated on the filters axis: (5, 5, 4, 4).</summary>
[Network]
[Input(5, 5, 4, 2)]
[ConvLSTM2D(2, 3, Padding = Padding.Same, ReturnSequences = true, Bidirectional = BidirectionalMerge.Concat)]
[Flatten]
[Dense(2)]
public partial class ConvLstmBiConcatNet { }

/// <summary>Bidirectional ConvLSTM2D without bias, last outputs multiplied.</summary>
[Network]
[Input(5, 5, 5, 2)]
[ConvLSTM2D(3, 2, UseBias = false, Bidirectional = BidirectionalMerge.Mul)]
[Flatten]
[Dense(2)]
public partial class ConvLstmBiMulNet { }

/// <summary>Bidirectional ConvLSTM1D over a layer that reads backwards (so its copy reads forwards), every step averaged.</summary>
[Network]
[Input(5, 7, 2)]
[ConvLSTM1D(2, 3, Strides = 2, ReturnSequences = true, GoBackwards = true, Bidirectional = BidirectionalMerge.Ave)]
[Flatten]
[Dense(2)]
public partial class ConvLstm1DBiAveNet { }

/// <summary>Bidirectional ConvLSTM3D, last outputs summed.</summary>
[Network]
[Input(5, 3, 3, 3, 1)]
[ConvLSTM3D(2, 2, Bidirectional = BidirectionalMerge.Sum)]
[Flatten]
[Dense(2)]
public partial class ConvLstm3DBiSumNet { }

/// <summary>Bidirectional ConvLSTM2D with the directions separate and the states read: forward output, backward output, backward h, forward c.</summary>
[Network]
[Input(5, 5, 5, 2)]
[ConvLSTM2D(2, 3, Padding = Padding.Same, Bidirectional = BidirectionalMerge.Separate, ReturnState = true, Name = "bi")]
[Concatenate("bi", "bi:backward", "bi:backward_h", "bi:forward_c")]
[Flatten]
[Dense(2)]
public partial class ConvLstmBiSeparateNet { }
