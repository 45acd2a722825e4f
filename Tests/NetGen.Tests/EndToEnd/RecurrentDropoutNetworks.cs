using NetGen;

namespace NetGen.Tests.EndToEnd;

// Recurrent layers with RecurrentDropout (RecurrentDropoutTests): each has a fixed Seed, so a new instance repeats its
// first training call's masks (what the finite differences need).

[Network]
[Input(6, 3)]
[SimpleRNN(4, RecurrentDropout = 0.5, Seed = 5)]
[Dense(2)]
public partial class RecDropSimpleRnnNet { }

[Network]
[Input(6, 3)]
[LSTM(4, RecurrentDropout = 0.3, Dropout = 0.2, Seed = 5)]
[Dense(2)]
public partial class RecDropLstmNet { }

[Network]
[Input(6, 3)]
[GRU(4, RecurrentDropout = 0.3, ReturnSequences = true, Seed = 5)]
[Flatten]
[Dense(2)]
public partial class RecDropGruNet { }

[Network]
[Input(6, 3)]
[GRU(4, RecurrentDropout = 0.4, Dropout = 0.25, ResetAfter = false, GoBackwards = true, Seed = 5)]
[Dense(2)]
public partial class RecDropGruResetBeforeNet { }

/// <summary>State ports (gradients into h and c) and a padding mask with recurrent dropout.</summary>
[Network]
[Input(6, 3)]
[Masking]
[LSTM(4, ReturnState = true, RecurrentDropout = 0.3, Seed = 5, Name = "lstm")]
[Concatenate("lstm", "lstm:h", "lstm:c")]
[Dense(2)]
public partial class RecDropLstmStateNet { }

/// <summary>Bidirectional: each direction draws its own masks.</summary>
[Network]
[Input(6, 3)]
[LSTM(3, Bidirectional = BidirectionalMerge.Concat, ReturnSequences = true, RecurrentDropout = 0.3, Seed = 5)]
[Flatten]
[Dense(2)]
public partial class RecDropBiLstmNet { }

/// <summary>Streams like LstmNet: recurrent dropout acts only while training.</summary>
[Network]
[Input(6, 3)]
[LSTM(4, RecurrentDropout = 0.5)]
[Dense(2)]
public partial class RecDropStreamNet { }
