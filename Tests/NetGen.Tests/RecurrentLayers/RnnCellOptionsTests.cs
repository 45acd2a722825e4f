using System;
using System.Linq;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// Masks, input dropout and Bidirectional around a user's cell (EndToEnd/RnnCellNetworks.cs: a GRU written as a cell,
/// in Keras' layout): each network equals the same network with the built-in GRU, whose masks, dropout and merges have
/// PyTorch fixtures, on the same weights, forward, in the loss gradients and in the input gradient; and finite
/// differences through the masked and bidirectional time loops.
/// </summary>
public class RnnCellOptionsTests
{
    private const int Batch = 3, Steps = 6, Features = 3;

    private static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 2e-5 * Math.Abs(expected) + 5e-6, $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>
    /// Random sequences with padded steps (all features 0, Masking's default value): sample 0 ends with two padded steps,
    /// sample 1 starts with one and has one in the middle, sample 2 has none.
    /// </summary>
    private static float[] PaddedSequences()
    {
        var x = GradientCheck.Random(Batch * Steps * Features, 11);
        foreach (var (b, t) in new[] { (0, 4), (0, 5), (1, 0), (1, 3) })
            Array.Clear(x, (b * Steps + t) * Features, Features);
        return x;
    }

    private static INetwork Create(string name) => name switch
    {
        "MaskedUserGruNet" => new MaskedUserGruNet(1),
        "MaskedBuiltInGruNet" => new MaskedBuiltInGruNet(1),
        "BiUserGruNet" => new BiUserGruNet(1),
        "BiBuiltInGruNet" => new BiBuiltInGruNet(1),
        "BiSumUserGruNet" => new BiSumUserGruNet(1),
        "BiSumBuiltInGruNet" => new BiSumBuiltInGruNet(1),
        "SeparateUserGruNet" => new SeparateUserGruNet(1),
        "SeparateBuiltInGruNet" => new SeparateBuiltInGruNet(1),
        "DropoutUserGruNet" => new DropoutUserGruNet(1),
        "DropoutBuiltInGruNet" => new DropoutBuiltInGruNet(1),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("MaskedUserGruNet", "MaskedBuiltInGruNet")]
    [InlineData("BiUserGruNet", "BiBuiltInGruNet")]
    [InlineData("BiSumUserGruNet", "BiSumBuiltInGruNet")]
    [InlineData("SeparateUserGruNet", "SeparateBuiltInGruNet")]
    [InlineData("DropoutUserGruNet", "DropoutBuiltInGruNet")]
    public void MatchesTheBuiltInGru(string user, string builtIn)
    {
        INetwork mine = Create(user), theirs = Create(builtIn);
        // The same layout but for the layer's own name in Bidirectional's prefixes (forward_rnn/ against forward_gru/).
        Assert.Equal(theirs.ParameterLayout.Select(p => p.Shape.ToArray()), mine.ParameterLayout.Select(p => p.Shape.ToArray()));
        Assert.Equal(theirs.ParameterLayout.Select(p => p.Name.Replace("_gru/", "_rnn/")), mine.ParameterLayout.Select(p => p.Name));
        SameNetwork(mine, theirs, PaddedSequences(), Batch);
    }

    /// <summary>
    /// <paramref name="mine"/> and <paramref name="theirs"/> on the same random weights give the same outputs, loss, weight
    /// gradients and input gradients (training mode); the input gradient is not trivially zero. Two outputs per sample.
    /// </summary>
    internal static void SameNetwork(INetwork mine, INetwork theirs, float[] x, int batch)
    {
        var w = GradientCheck.Random(mine.ParameterCount, 5, 0.6f);
        w.CopyTo(mine.Parameters);
        w.CopyTo(theirs.Parameters);
        var y = GradientCheck.Random(batch * 2, 9);
        var a = new float[batch * 2];
        var b = new float[batch * 2];
        mine.Predict(x, a, batch);
        theirs.Predict(x, b, batch);
        for (int i = 0; i < a.Length; i++) Close(b[i], a[i], $"output[{i}]");
        var dxMine = new float[x.Length];
        var dxTheirs = new float[x.Length];
        Close(theirs.ComputeGradients(x, y, batch, Loss.MeanSquaredError, dxTheirs, training: true),
            mine.ComputeGradients(x, y, batch, Loss.MeanSquaredError, dxMine, training: true), "loss");
        for (int i = 0; i < mine.ParameterCount; i++) Close(theirs.Gradients[i], mine.Gradients[i], $"gradient[{i}] ({mine.ParameterLayout.First(p => p.Offset + p.Length > i).Name})");
        for (int i = 0; i < x.Length; i++) Close(dxTheirs[i], dxMine[i], $"dx[{i}]");
        Assert.Contains(dxMine, v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void APaddedStepChangesNothing()
    {
        var net = new MaskedUserGruNet(1);
        GradientCheck.Random(net.Parameters.Length, 5, 0.6f).CopyTo(net.Parameters);
        var x = PaddedSequences();
        var padded = new float[Batch * 2];
        net.Predict(x, padded, Batch);
        // Sample 1's middle padded step, moved to the end, gives the same last output: masked steps carry the state.
        var moved = (float[])x.Clone();
        Array.Copy(x, (1 * Steps + 4) * Features, moved, (1 * Steps + 3) * Features, 2 * Features);
        Array.Clear(moved, (1 * Steps + 5) * Features, Features);
        var y = new float[Batch * 2];
        net.Predict(moved, y, Batch);
        for (int i = 0; i < y.Length; i++) Close(padded[i], y[i], $"output[{i}]");
        // Control: without the mask's effect (a tiny value instead of 0) the output moves.
        var unmasked = (float[])x.Clone();
        unmasked[(1 * Steps + 3) * Features] = 1e-3f;
        net.Predict(unmasked, y, Batch);
        Assert.NotEqual(padded[2], y[2]);
    }

    [Fact]
    public void DropoutActsOnlyWhileTraining()
    {
        var net = new DropoutUserGruNet(1);
        GradientCheck.Random(net.Parameters.Length, 5, 0.6f).CopyTo(net.Parameters);
        var x = GradientCheck.Random(Batch * Steps * Features, 11);
        var y = GradientCheck.Random(Batch * 2, 9);
        var plain = new UserGruNet(1);
        net.Parameters.CopyTo(plain.Parameters);
        var dx = new float[x.Length];
        double inference = net.ComputeGradients(x, y, Batch, Loss.MeanSquaredError, dx, training: false);
        Close(plain.ComputeGradients(x, y, Batch, Loss.MeanSquaredError, dx, training: false), inference, "loss without dropout");
        double training = net.ComputeGradients(x, y, Batch, Loss.MeanSquaredError, dx, training: true);
        Assert.True(Math.Abs(training - inference) > 1e-4, $"dropout changed nothing: {training} against {inference}");
    }

    [Theory]
    [InlineData("MaskedUserGruNet")]
    [InlineData("BiUserGruNet")]
    [InlineData("BiSumUserGruNet")]
    [InlineData("SeparateUserGruNet")]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var net = Create(name);
        GradientCheck.Random(net.ParameterCount, 5, 0.6f).CopyTo(net.Parameters);
        var x = PaddedSequences();
        var y = GradientCheck.Random(Batch * 2, 9);
        double worst = GradientCheck.MaxError(net, x, y, Batch, Loss.MeanSquaredError);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}x the bound");
    }

    [Fact]
    public void BidirectionalCellsDoNotStream()
    {
        Assert.Null(typeof(BiUserGruNet).GetMethod("Step"));
        Assert.Null(typeof(BiSumUserGruNet).GetMethod("Step"));
    }
}
