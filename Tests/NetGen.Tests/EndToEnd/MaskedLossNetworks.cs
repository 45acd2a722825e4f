namespace NetGen.Tests.EndToEnd;

// Padded sequence tagging: the padding mask of Embedding(MaskZero) or Masking reaches the output, so the losses,
// accuracy and metrics skip the padded steps (LAYERS.md §14.1.3). The unmasked networks hold the same layers over the
// real steps only (the weights do not depend on the number of steps), which is what the masked ones must equal.

/// <summary>Tags each of 6 token steps (token 0 = padding) with one of 3 classes.</summary>
[Network]
[Input(6, TokenIds = true)]
[Embedding(5, 3, MaskZero = true)]
[LSTM(4, ReturnSequences = true)]
[Dense(3, Activation = Activation.Softmax)]
public partial class MaskedTaggerNet { }

/// <summary><see cref="MaskedTaggerNet"/> without a mask over 4 steps.</summary>
[Network]
[Input(4, TokenIds = true)]
[Embedding(5, 3)]
[LSTM(4, ReturnSequences = true)]
[Dense(3, Activation = Activation.Softmax)]
public partial class TaggerFourStepsNet { }

/// <summary><see cref="MaskedTaggerNet"/> without a mask over 6 steps.</summary>
[Network]
[Input(6, TokenIds = true)]
[Embedding(5, 3)]
[LSTM(4, ReturnSequences = true)]
[Dense(3, Activation = Activation.Softmax)]
public partial class TaggerSixStepsNet { }

/// <summary>A regression per step of 5 feature steps; an all-zero step is padding (Masking).</summary>
[Network]
[Input(5, 2)]
[Masking]
[GRU(3, ReturnSequences = true)]
[Dense(2)]
public partial class MaskedStepRegressionNet { }

/// <summary><see cref="MaskedStepRegressionNet"/> without a mask over 3 steps.</summary>
[Network]
[Input(3, 2)]
[GRU(3, ReturnSequences = true)]
[Dense(2)]
public partial class StepRegressionThreeNet { }

/// <summary><see cref="MaskedStepRegressionNet"/> without a mask over 5 steps.</summary>
[Network]
[Input(5, 2)]
[GRU(3, ReturnSequences = true)]
[Dense(2)]
public partial class StepRegressionFiveNet { }
