using System;
using System.Linq;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>Keras <c>attention_axes=(2,)</c> on (rows, cols, dim) inputs: attention along each row, the rows apart.</summary>
[Network]
[Input(3, 5, 4)]
[MultiHeadAttention(2, 3, AttentionAxes = new[] { 2 }, ReturnAttentionScores = true, Name = "mha")]
[Output("mha", "mha:scores")]
public partial class RowAttentionNet { }

/// <summary>The same layer on one row: the reference that the rows of <see cref="RowAttentionNet"/> must each match.</summary>
[Network]
[Input(5, 4)]
[MultiHeadAttention(2, 3, ReturnAttentionScores = true, Name = "mha")]
[Output("mha", "mha:scores")]
public partial class OneRowAttentionNet { }

/// <summary>Cross-attention over the last two of three position axes of a rank-5 input (batch included): the first axis apart.</summary>
[Network]
[Input(2, 3, 2, 4, Name = "q")]
[Input(2, 2, 2, 3, Name = "v")]
[MultiHeadAttention(2, 2, ValueDim = 3, AttentionAxes = new[] { -3, -2 }, Inputs = new[] { "q", "v" }, Name = "mha")]
[Flatten]
[Dense(3, Activation = Activation.Softmax)]
public partial class BlockCrossAttentionNet { }

/// <summary>
/// MultiHeadAttention with <c>attention_axes</c> naming the last axes before the features (issue 14): the axes before them
/// are batch-like, so the layer must equal the default layer run on each of their positions as a sample of its own (the
/// default is checked against PyTorch by the attention fixtures), with scores laid out as Keras' (other axes, heads,
/// query positions, key positions); gradients against finite differences.
/// </summary>
public class AttentionAxesTests
{
    [Fact]
    public void Each_row_attends_alone_like_the_default_layer_on_that_row()
    {
        var net = new RowAttentionNet(seed: 4);
        var reference = new OneRowAttentionNet(seed: 9);
        Assert.Equal(RowAttentionNet.ParameterCount, OneRowAttentionNet.ParameterCount);
        net.Parameters.CopyTo(reference.Parameters);
        Assert.Equal(new[] { 3 * 5 * 4, 3 * 2 * 5 * 5 }, RowAttentionNet.Outputs.Select(o => o.Length));

        const int batch = 2, rows = batch * 3;
        var x = GradientCheck.Random(batch * RowAttentionNet.InputLength, 5);
        var y = new float[batch * RowAttentionNet.OutputLength];
        net.Predict(x, y, batch);
        var expected = new float[rows * OneRowAttentionNet.OutputLength];
        reference.Predict(x, expected, rows);

        // Packed rows: [output (3, 5, 4) | scores (3, 2, 5, 5)] per sample; the reference's per row: [(5, 4) | (2, 5, 5)].
        for (int b = 0; b < batch; b++)
            for (int r = 0; r < 3; r++)
            {
                var row = expected.AsSpan((b * 3 + r) * OneRowAttentionNet.OutputLength, OneRowAttentionNet.OutputLength);
                var sample = y.AsSpan(b * RowAttentionNet.OutputLength, RowAttentionNet.OutputLength);
                AssertClose(row[..20], sample.Slice(r * 20, 20));
                AssertClose(row[20..], sample.Slice(60 + r * 50, 50));
            }
        Assert.Contains(y, v => Math.Abs(v) > 0.1f);
    }

    [Fact]
    public void Training_gradients_equal_the_default_layer_on_each_row()
    {
        var net = new RowAttentionNet(seed: 6);
        var reference = new OneRowAttentionNet(seed: 1);
        net.Parameters.CopyTo(reference.Parameters);
        const int batch = 2;
        var x = GradientCheck.Random(batch * RowAttentionNet.InputLength, 7);
        var target = GradientCheck.Random(batch * RowAttentionNet.OutputLength, 8, 0.5f);
        // The same target rows for the reference, one row per sample.
        var rowTarget = new float[batch * 3 * OneRowAttentionNet.OutputLength];
        for (int b = 0; b < batch; b++)
            for (int r = 0; r < 3; r++)
            {
                var sample = target.AsSpan(b * RowAttentionNet.OutputLength);
                var to = rowTarget.AsSpan((b * 3 + r) * OneRowAttentionNet.OutputLength);
                sample.Slice(r * 20, 20).CopyTo(to);
                sample.Slice(60 + r * 50, 50).CopyTo(to[20..]);
            }
        // Mean squared error averages over rows: 30 output rows and 60 score rows in both networks, so the losses are equal.
        float loss = net.ComputeGradients(x, target, batch, Loss.MeanSquaredError);
        float expectedLoss = reference.ComputeGradients(x, rowTarget, batch * 3, Loss.MeanSquaredError);
        Assert.Equal(expectedLoss, loss, 1e-5f);
        AssertClose(reference.Gradients, net.Gradients, 1e-5f);
        Assert.Contains(net.Gradients.ToArray(), v => Math.Abs(v) > 1e-3f);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}] {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void Row_attention_gradients_match_finite_differences()
        => GradientCheck.AssertMatches(new RowAttentionNet(seed: 2), GradientCheck.Random(2 * RowAttentionNet.InputLength, 3),
            GradientCheck.Random(2 * RowAttentionNet.OutputLength, 4, 0.5f), 2, Loss.MeanSquaredError);

    [Fact]
    public void Cross_attention_over_two_axes_matches_finite_differences()
    {
        var net = new BlockCrossAttentionNet(seed: 5);
        GradientCheck.AssertMatches(net, GradientCheck.Random(2 * BlockCrossAttentionNet.InputLength, 6), GradientCheck.Distributions(2, 3, 7), 2, Loss.CategoricalCrossentropy);
    }
}
