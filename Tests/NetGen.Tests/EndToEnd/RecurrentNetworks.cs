using NetGen;

namespace NetGen.Tests.EndToEnd;

// Recurrent test networks: each recurrent layer reads (steps = 6, features = 3) and feeds a Dense(2) head, so the
// PyTorch fixtures (tools/reference/make_recurrent_network_fixtures.py) and the finite differences see every weight.

/// <summary>SimpleRNN, last output.</summary>
[Network]
[Input(6, 3)]
[SimpleRNN(4)]
[Dense(2)]
public partial class SimpleRnnNet { }

/// <summary>SimpleRNN returning sequences, read backwards, relu.</summary>
[Network]
[Input(6, 3)]
[SimpleRNN(4, ReturnSequences = true, GoBackwards = true, Activation = RecurrentActivation.Relu)]
[Flatten]
[Dense(2)]
public partial class SimpleRnnSequenceNet { }

/// <summary>LSTM, last output.</summary>
[Network]
[Input(6, 3)]
[LSTM(4)]
[Dense(2)]
public partial class LstmNet { }

/// <summary>LSTM of 32 units: at batch 1 on AVX-512, the GEMV path that keeps its packed weights between calls (RecurrentGemv.cs).</summary>
[Network]
[Input(6, 3)]
[LSTM(32)]
[Dense(2)]
public partial class LstmGemvNet { }

/// <summary>Five stacked LSTMs of 32 units: more layers than the GEMV path keeps packed copies of per thread.</summary>
[Network]
[Input(6, 3)]
[LSTM(32, ReturnSequences = true)]
[LSTM(32, ReturnSequences = true)]
[LSTM(32, ReturnSequences = true)]
[LSTM(32, ReturnSequences = true)]
[LSTM(32)]
[Dense(2)]
public partial class StackedLstmGemvNet { }

/// <summary>LSTM returning sequences and reading backwards, no bias.</summary>
[Network]
[Input(6, 3)]
[LSTM(4, ReturnSequences = true, GoBackwards = true, UseBias = false)]
[Flatten]
[Dense(2)]
public partial class LstmSequenceNet { }

/// <summary>LSTM with its states read by name: Dense over concat(last output, h, c).</summary>
[Network]
[Input(6, 3)]
[LSTM(4, ReturnState = true, Name = "lstm")]
[Concatenate("lstm", "lstm:h", "lstm:c")]
[Dense(2)]
public partial class LstmStateNet { }

/// <summary>GRU (Keras 3 default reset_after = true), last output.</summary>
[Network]
[Input(6, 3)]
[GRU(4)]
[Dense(2)]
public partial class GruNet { }

/// <summary>GRU with reset_after = false, returning sequences, reading backwards, with its state port.</summary>
[Network]
[Input(6, 3)]
[GRU(4, ResetAfter = false, ReturnSequences = true, GoBackwards = true, ReturnState = true, Name = "gru")]
[Flatten]
[Dense(2, Name = "head")]
[Dense(2, Inputs = new[] { "gru:h" }, Name = "state_head")]
[Add("head", "state_head")]
public partial class GruSequenceNet { }

/// <summary>Masking feeding an LSTM that returns sequences, then a masked average: padded steps (all features 0) are skipped.</summary>
[Network]
[Input(6, 3)]
[Masking]
[LSTM(4, ReturnSequences = true)]
[GlobalAveragePooling1D]
[Dense(2)]
public partial class MaskedLstmNet { }

/// <summary>Embedding(MaskZero) feeding a GRU: token 0 is padding.</summary>
[Network]
[Input(6, TokenIds = true)]
[Embedding(5, 3, MaskZero = true)]
[GRU(4)]
[Dense(2)]
public partial class MaskedGruNet { }

/// <summary>Masking feeding a SimpleRNN (last output).</summary>
[Network]
[Input(6, 3)]
[Masking(MaskValue = -1)]
[SimpleRNN(4)]
[Dense(2)]
public partial class MaskedSimpleRnnNet { }

/// <summary>LSTM with input dropout (training only).</summary>
[Network]
[Input(6, 3)]
[LSTM(4, Dropout = 0.25, Seed = 3)]
[Dense(2)]
public partial class DropoutLstmNet { }

/// <summary>Two stacked recurrent layers returning sequences (streams: each step's output is that step's row).</summary>
[Network(InferenceBatchCapacity = 4)]
[Input(6, 3)]
[LSTM(5, ReturnSequences = true)]
[GRU(4, ReturnSequences = true, ResetAfter = false)]
public partial class StackedSequenceNet { }

/// <summary>A stacked LSTM/SimpleRNN with a softmax head after the last step (streams).</summary>
[Network]
[Input(6, 3)]
[SimpleRNN(5, ReturnSequences = true)]
[LSTM(4)]
[Dense(3, Activation = Activation.Softmax)]
public partial class StackedHeadNet { }

/// <summary>Bidirectional LSTM (concat), last outputs.</summary>
[Network]
[Input(6, 3)]
[LSTM(4, Bidirectional = BidirectionalMerge.Concat)]
[Dense(2)]
public partial class BiLstmNet { }

/// <summary>Bidirectional GRU (sum) returning sequences.</summary>
[Network]
[Input(6, 3)]
[GRU(4, Bidirectional = BidirectionalMerge.Sum, ReturnSequences = true)]
[Flatten]
[Dense(2)]
public partial class BiGruSequenceNet { }

/// <summary>Bidirectional SimpleRNN (mul), last outputs.</summary>
[Network]
[Input(6, 3)]
[SimpleRNN(4, Bidirectional = BidirectionalMerge.Mul)]
[Dense(2)]
public partial class BiSimpleRnnNet { }

/// <summary>Masking, a bidirectional LSTM (ave) returning sequences, a masked average.</summary>
[Network]
[Input(6, 3)]
[Masking]
[LSTM(4, Bidirectional = BidirectionalMerge.Ave, ReturnSequences = true)]
[GlobalAveragePooling1D]
[Dense(2)]
public partial class MaskedBiLstmNet { }

/// <summary>A per-frame front end (a TimeDistributed Conv2D + pooling + Flatten, then a TimeDistributed Dense) before a GRU: streams frame by frame.</summary>
[Network(InferenceBatchCapacity = 4)]
[Input(6, 5, 5, 2)]
[Conv2D(3, 3, Activation = Activation.Relu, TimeDistributed = true)]
[MaxPooling2D(2, TimeDistributed = true)]
[Flatten(TimeDistributed = true)]
[Dense(4, Activation = Activation.Tanh, TimeDistributed = true)]
[GRU(5)]
[Dense(2, Activation = Activation.Softmax)]
public partial class FrameStreamNet { }
