using NetGen;

namespace NetGen.Tests.EndToEnd;

// Bidirectional layers with separate outputs (Keras merge_mode=None) and state outputs (BidirectionalTests, fixtures from
// tools/reference/make_bidirectional_fixtures.py).

/// <summary>The layer's own output is the forward direction's; "bi:backward" the backward's, in input time order.</summary>
[Network]
[Input(6, 3)]
[LSTM(4, Bidirectional = BidirectionalMerge.Separate, ReturnSequences = true, Name = "bi")]
[Concatenate("bi", "bi:backward")]
[Flatten]
[Dense(2)]
public partial class BiLstmSeparateNet { }

/// <summary>Last outputs of both directions and both final states, read as ports only.</summary>
[Network]
[Input(6, 3)]
[GRU(4, Bidirectional = BidirectionalMerge.Separate, ReturnState = true, Name = "bi")]
[Concatenate("bi:forward", "bi:backward", "bi:backward_h", "bi:forward_h")]
[Dense(2)]
public partial class BiGruSeparateStateNet { }

/// <summary>A merged output and the four final states (Keras: forward h, c, then backward h, c).</summary>
[Network]
[Input(6, 3)]
[LSTM(4, Bidirectional = BidirectionalMerge.Concat, ReturnState = true, Name = "bi")]
[Concatenate("bi", "bi:forward_h", "bi:forward_c", "bi:backward_h", "bi:backward_c")]
[Dense(2)]
public partial class BiLstmStateNet { }

/// <summary>GoBackwards on a separate bidirectional layer: the forward copy reads backwards, the backward copy forwards.</summary>
[Network]
[Input(6, 3)]
[SimpleRNN(4, Bidirectional = BidirectionalMerge.Separate, ReturnSequences = true, GoBackwards = true, Name = "bi")]
[Concatenate("bi:forward", "bi:backward")]
[Flatten]
[Dense(2)]
public partial class BiSimpleRnnSeparateNet { }
