using NetGen;

namespace FashionMnist;

/// <summary>
/// Each image as a sequence: 28 time steps (rows) of 28 features (pixels), read by an LSTM(128) whose last output feeds
/// the classifier (issue 13's sample; PyTorch peer: Benchmarks/peers/fashion_torch.py --model lstm).
/// </summary>
[Network]
[Input(28, 28)]
[LSTM(128)]
[Dense(10, Activation = Activation.Softmax)]
public partial class FashionLstm
{
}
