using NetGen;

namespace NetGen.Tests.EndToEnd;

// TimeDistributed test networks (TimeDistributedTests, fixtures from tools/reference/make_time_distributed_fixtures.py).

[Network]
[Input(5, 2, 3)]
[Dense(4, Activation = Activation.Tanh, TimeDistributed = true)]
[Flatten(TimeDistributed = true)]
[Dense(2, TimeDistributed = true)]
public partial class TdDenseNet { }

[Network]
[Input(3, 6, 6, 2)]
[Conv2D(3, 3, Activation = Activation.Tanh, TimeDistributed = true)]
[AveragePooling2D(2, TimeDistributed = true)]
[Flatten]
[Dense(2)]
public partial class TdConvNet { }

/// <summary>A video classifier: a convolution over every frame, then an LSTM over the frames' features.</summary>
[Network]
[Input(4, 7, 7, 2)]
[Conv2D(3, 3, Activation = Activation.Tanh, TimeDistributed = true)]
[MaxPooling2D(2, TimeDistributed = true)]
[Flatten(TimeDistributed = true)]
[LSTM(4)]
[Dense(2)]
public partial class TdVideoNet { }

/// <summary>An LSTM over each step's own sequence (input (3, 5, 2): three sequences of five), then a GRU across them.</summary>
[Network]
[Input(3, 5, 2)]
[LSTM(4, TimeDistributed = true)]
[GRU(3)]
[Dense(2)]
public partial class TdLstmNet { }

/// <summary>Dropout per step (training mode differs from inference).</summary>
[Network]
[Input(4, 6)]
[Dense(5, TimeDistributed = true)]
[Dropout(0.5, TimeDistributed = true, Seed = 7)]
[Dense(2, TimeDistributed = true)]
public partial class TdDropoutNet { }
