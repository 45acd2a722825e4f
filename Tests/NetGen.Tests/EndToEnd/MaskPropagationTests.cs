using System;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// A padding mask through a Transformer block (AttentionNetworks.cs, MaskedTransformerBlockNet): attention's output
/// carries the query's mask, the residual Add and Concatenate pass a mask all their inputs share, and the average pools
/// only the real tokens, as Keras computes it (LAYERS.md §10, §13).
/// </summary>
public class MaskPropagationTests
{
    private static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-5 + 1e-5 * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");

    // Two padded sequences and their real tokens: the block has no position information, so padding anywhere is the
    // same as the shorter sequence.
    private static readonly float[] Padded = { 3, 5, 0, 2, 0, 0, 0, 1, 4, 0, 8, 0 };
    private static readonly float[] Real = { 3, 5, 2, 1, 4, 8 };

    [Fact]
    public void PaddedTokensChangeNothing()
    {
        var masked = new MaskedTransformerBlockNet(1);
        var plain = new UnmaskedTransformerBlockNet(1);
        Assert.Equal(masked.Parameters.Length, plain.Parameters.Length);
        GradientCheck.Random(masked.Parameters.Length, 3, 0.8f).CopyTo(masked.Parameters);
        masked.Parameters.CopyTo(plain.Parameters);
        var expected = new float[4];
        var actual = new float[4];
        plain.Predict(Real, expected, 2);
        masked.Predict(Padded, actual, 2);
        for (int i = 0; i < 4; i++) Close(expected[i], actual[i], $"output[{i}]");
        // The padding token's embedding row does not matter either.
        var layout = MaskedTransformerBlockNet.ParameterLayout;
        var emb = layout[0];
        Assert.Equal("emb/embeddings", emb.Name);
        for (int j = 0; j < 4; j++) masked.Parameters[emb.Offset + j] += 0.5f;
        var moved = new float[4];
        masked.Predict(Padded, moved, 2);
        for (int i = 0; i < 4; i++) Close(actual[i], moved[i], $"output[{i}] after changing the padding row");
        // Control: a real token's row does.
        masked.Parameters[emb.Offset + 4 * 3] += 0.5f;
        masked.Predict(Padded, moved, 2);
        Assert.True(Math.Abs(moved[0] - actual[0]) > 1e-4, "changing token 3's embedding changed nothing");
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var net = new MaskedTransformerBlockNet(1);
        GradientCheck.Random(net.Parameters.Length, 3, 0.8f).CopyTo(net.Parameters);
        GradientCheck.AssertMatches(net, Padded, GradientCheck.Random(4, 9), 2, Loss.MeanSquaredError);
    }
}
