using System;
using NetGen;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// A GRU written as a user cell (Keras' reset_after = true formula, LAYERS.md §8.4), 3 features, 4 units: the weights
/// kernel (3, 12), recurrent_kernel (4, 12) and bias (2, 12) in Keras' layout and gate order z, r, h, so a network using
/// it has the built-in GRU's parameter layout. Scalar loops over the batch; what the backward needs (z, r, ĥ and the
/// candidate's recurrent term) is cached per step.
/// </summary>
[CellWeight("kernel", 3, 12)]
[CellWeight("recurrent_kernel", 4, 12, Initializer = Initializer.Orthogonal)]
[CellWeight("bias", 2, 12, Initializer = Initializer.Zeros)]
public struct UserGruCell : IRecurrentCell
{
    public const int InputSize = 3;
    public const int StateSize = 4;
    public const int CacheSize = 4 * U;
    private const int U = 4, G = 3 * U, KernelAt = 0, RecurrentAt = InputSize * G, BiasAt = RecurrentAt + U * G;

    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> state, ReadOnlySpan<float> weights, Span<float> newState, Span<float> cache, int batchSize)
    {
        Span<float> zx = stackalloc float[G], zh = stackalloc float[G];
        for (int b = 0; b < batchSize; b++)
        {
            var xb = x.Slice(b * InputSize, InputSize);
            var hb = state.Slice(b * U, U);
            for (int j = 0; j < G; j++)
            {
                float ax = weights[BiasAt + j], ah = weights[BiasAt + G + j];
                for (int f = 0; f < InputSize; f++) ax += xb[f] * weights[KernelAt + f * G + j];
                for (int k = 0; k < U; k++) ah += hb[k] * weights[RecurrentAt + k * G + j];
                zx[j] = ax;
                zh[j] = ah;
            }
            var cb = cache.Slice(b * CacheSize, CacheSize);
            for (int j = 0; j < U; j++)
            {
                float z = Sigmoid(zx[j] + zh[j]);
                float r = Sigmoid(zx[U + j] + zh[U + j]);
                float hh = MathF.Tanh(zx[2 * U + j] + r * zh[2 * U + j]);
                newState[b * U + j] = z * hb[j] + (1 - z) * hh;
                cb[j] = z;
                cb[U + j] = r;
                cb[2 * U + j] = hh;
                cb[3 * U + j] = zh[2 * U + j];
            }
        }
    }

    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> state, ReadOnlySpan<float> weights, ReadOnlySpan<float> newState,
        ReadOnlySpan<float> cache, ReadOnlySpan<float> dNewState, Span<float> dx, Span<float> dState, Span<float> dWeights, int batchSize)
    {
        Span<float> ex = stackalloc float[G], eh = stackalloc float[G];
        for (int b = 0; b < batchSize; b++)
        {
            var xb = x.Slice(b * InputSize, InputSize);
            var hb = state.Slice(b * U, U);
            var cb = cache.Slice(b * CacheSize, CacheSize);
            var dn = dNewState.Slice(b * U, U);
            for (int j = 0; j < U; j++)
            {
                float z = cb[j], r = cb[U + j], hh = cb[2 * U + j], g = cb[3 * U + j];
                float dz = dn[j] * (hb[j] - hh);
                float da = dn[j] * (1 - z) * (1 - hh * hh);
                float dr = da * g;
                ex[j] = eh[j] = dz * z * (1 - z);
                ex[U + j] = eh[U + j] = dr * r * (1 - r);
                ex[2 * U + j] = da;
                eh[2 * U + j] = da * r;
            }
            for (int f = 0; f < InputSize; f++)
            {
                float s = 0;
                for (int j = 0; j < G; j++)
                {
                    s += weights[KernelAt + f * G + j] * ex[j];
                    dWeights[KernelAt + f * G + j] += xb[f] * ex[j];
                }
                dx[b * InputSize + f] = s;
            }
            for (int k = 0; k < U; k++)
            {
                float s = dn[k] * cb[k];
                for (int j = 0; j < G; j++)
                {
                    s += weights[RecurrentAt + k * G + j] * eh[j];
                    dWeights[RecurrentAt + k * G + j] += hb[k] * eh[j];
                }
                dState[b * U + k] = s;
            }
            for (int j = 0; j < G; j++)
            {
                dWeights[BiasAt + j] += ex[j];
                dWeights[BiasAt + G + j] += eh[j];
            }
        }
    }

    private static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));
}

/// <summary>The user GRU cell over 6 steps, last output: the built-in GruNet's architecture and parameter layout.</summary>
[Network]
[Input(6, 3)]
[RNN(typeof(UserGruCell), Name = "gru")]
[Dense(2)]
public partial class UserGruNet { }

/// <summary>The user GRU cell returning sequences, reading backwards, with its state read by name.</summary>
[Network]
[Input(6, 3)]
[RNN(typeof(UserGruCell), ReturnSequences = true, GoBackwards = true, ReturnState = true, Name = "gru")]
[Flatten]
[Dense(2, Name = "head")]
[Dense(2, Inputs = new[] { "gru:state" }, Name = "state_head")]
[Add("head", "state_head")]
public partial class UserGruSequenceNet { }

/// <summary>The built-in GRU in UserGruSequenceNet's arrangement (reset_after = true), for comparison.</summary>
[Network]
[Input(6, 3)]
[GRU(4, ReturnSequences = true, GoBackwards = true, ReturnState = true, Name = "gru")]
[Flatten]
[Dense(2, Name = "head")]
[Dense(2, Inputs = new[] { "gru:h" }, Name = "state_head")]
[Add("head", "state_head")]
public partial class BuiltInGruSequenceNet { }

/// <summary>The user GRU cell returning sequences into a built-in LSTM, for streaming: each Step advances both.</summary>
[Network]
[Input(6, 3)]
[RNN(typeof(UserGruCell), ReturnSequences = true, Name = "gru")]
[LSTM(3, Name = "lstm")]
[Dense(2)]
public partial class UserGruStackNet { }

/// <summary>A padding mask through the user GRU cell (returning sequences, so the mask goes on) into a built-in GRU.</summary>
[Network]
[Input(6, 3)]
[Masking]
[RNN(typeof(UserGruCell), ReturnSequences = true, Name = "gru")]
[GRU(4, Name = "gru2")]
[Dense(2)]
public partial class MaskedUserGruNet { }

/// <summary>MaskedUserGruNet with the built-in GRU in the cell's place.</summary>
[Network]
[Input(6, 3)]
[Masking]
[GRU(4, ReturnSequences = true, Name = "gru")]
[GRU(4, Name = "gru2")]
[Dense(2)]
public partial class MaskedBuiltInGruNet { }

/// <summary>The user GRU cell bidirectional (concat, sequences) behind a padding mask, averaged over the kept steps.</summary>
[Network]
[Input(6, 3)]
[Masking]
[RNN(typeof(UserGruCell), Bidirectional = BidirectionalMerge.Concat, ReturnSequences = true, Name = "gru")]
[GlobalAveragePooling1D]
[Dense(2)]
public partial class BiUserGruNet { }

/// <summary>BiUserGruNet with the built-in GRU.</summary>
[Network]
[Input(6, 3)]
[Masking]
[GRU(4, Bidirectional = BidirectionalMerge.Concat, ReturnSequences = true, Name = "gru")]
[GlobalAveragePooling1D]
[Dense(2)]
public partial class BiBuiltInGruNet { }

/// <summary>The user GRU cell bidirectional, summed, last output.</summary>
[Network]
[Input(6, 3)]
[RNN(typeof(UserGruCell), Bidirectional = BidirectionalMerge.Sum, Name = "gru")]
[Dense(2)]
public partial class BiSumUserGruNet { }

/// <summary>BiSumUserGruNet with the built-in GRU.</summary>
[Network]
[Input(6, 3)]
[GRU(4, Bidirectional = BidirectionalMerge.Sum, Name = "gru")]
[Dense(2)]
public partial class BiSumBuiltInGruNet { }

/// <summary>The user GRU cell with the directions kept apart (merge_mode None), reading the backward sequence and state ports.</summary>
[Network]
[Input(6, 3)]
[RNN(typeof(UserGruCell), Bidirectional = BidirectionalMerge.Separate, ReturnSequences = true, ReturnState = true, Name = "bi")]
[Flatten(Name = "f")]
[Flatten(Inputs = new[] { "bi:backward" }, Name = "b")]
[Concatenate("f", "b")]
[Dense(2, Name = "head")]
[Dense(2, Inputs = new[] { "bi:backward_state" }, Name = "state_head")]
[Add("head", "state_head")]
public partial class SeparateUserGruNet { }

/// <summary>SeparateUserGruNet with the built-in GRU (its state port is backward_h).</summary>
[Network]
[Input(6, 3)]
[GRU(4, Bidirectional = BidirectionalMerge.Separate, ReturnSequences = true, ReturnState = true, Name = "bi")]
[Flatten(Name = "f")]
[Flatten(Inputs = new[] { "bi:backward" }, Name = "b")]
[Concatenate("f", "b")]
[Dense(2, Name = "head")]
[Dense(2, Inputs = new[] { "bi:backward_h" }, Name = "state_head")]
[Add("head", "state_head")]
public partial class SeparateBuiltInGruNet { }

/// <summary>The user GRU cell with input dropout while training, seeded.</summary>
[Network]
[Input(6, 3)]
[RNN(typeof(UserGruCell), Dropout = 0.4, Seed = 7, Name = "gru")]
[Dense(2)]
public partial class DropoutUserGruNet { }

/// <summary>DropoutUserGruNet with the built-in GRU (the same mask stream: same name, position and seed).</summary>
[Network]
[Input(6, 3)]
[GRU(4, Dropout = 0.4, Seed = 7, Name = "gru")]
[Dense(2)]
public partial class DropoutBuiltInGruNet { }
