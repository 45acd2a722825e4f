using System;
using System.Linq;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// Finite differences against the generated backward pass (backpropagation through time over 6 steps) for every
/// recurrent test network, masked sequences included (GradientCheck: float32 network, central differences
/// accumulated in double, bound 3e-4 + 1e-3·|g|).
/// </summary>
public class RecurrentGradientTests
{
    private const int Batch = 3;

    /// <summary>Inputs with padded steps: sample 1 ends in two padded steps, sample 2 has one in the middle (value <paramref name="pad"/>).</summary>
    internal static float[] PaddedInput(int steps, int features, int seed, float pad)
    {
        var x = GradientCheck.Random(Batch * steps * features, seed);
        void Pad(int b, int t)
        {
            for (int f = 0; f < features; f++) x[(b * steps + t) * features + f] = pad;
        }
        Pad(1, steps - 1);
        Pad(1, steps - 2);
        Pad(2, 2);
        return x;
    }

    internal static float[] Tokens(int steps)
        => new float[] { 1, 2, 3, 4, 1, 2, /**/ 3, 1, 4, 0, 0, 0, /**/ 0, 0, 2, 2, 4, 3 }.Take(Batch * steps).ToArray();

    public static TheoryData<string> Networks() => new()
    {
        "SimpleRnnNet", "SimpleRnnSequenceNet", "LstmNet", "LstmSequenceNet", "LstmStateNet", "GruNet", "GruSequenceNet",
        "MaskedLstmNet", "MaskedGruNet", "MaskedSimpleRnnNet", "BiLstmNet", "BiGruSequenceNet", "BiSimpleRnnNet", "MaskedBiLstmNet",
    };

    internal static INetwork Create(string name, int seed = 3) => name switch
    {
        "SimpleRnnNet" => new SimpleRnnNet(seed),
        "SimpleRnnSequenceNet" => new SimpleRnnSequenceNet(seed),
        "LstmNet" => new LstmNet(seed),
        "LstmSequenceNet" => new LstmSequenceNet(seed),
        "LstmStateNet" => new LstmStateNet(seed),
        "GruNet" => new GruNet(seed),
        "GruSequenceNet" => new GruSequenceNet(seed),
        "MaskedLstmNet" => new MaskedLstmNet(seed),
        "MaskedGruNet" => new MaskedGruNet(seed),
        "MaskedSimpleRnnNet" => new MaskedSimpleRnnNet(seed),
        "DropoutLstmNet" => new DropoutLstmNet(seed),
        "BiLstmNet" => new BiLstmNet(seed),
        "BiGruSequenceNet" => new BiGruSequenceNet(seed),
        "BiSimpleRnnNet" => new BiSimpleRnnNet(seed),
        "MaskedBiLstmNet" => new MaskedBiLstmNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    internal static float[] Input(string name) => name switch
    {
        "MaskedGruNet" => Tokens(6),
        "MaskedSimpleRnnNet" => PaddedInput(6, 3, 11, -1f),
        _ => PaddedInput(6, 3, 11, 0f), // unmasked networks read the zero steps as data
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var net = Create(name);
        // Random, O(1) weights everywhere (orthogonal and zero biases are too special to catch a wrong term).
        var p = net.Parameters;
        var r = GradientCheck.Random(p.Length, 5, 0.6f);
        r.CopyTo(p);
        var x = Input(name);
        var y = GradientCheck.Random(Batch * 2, 9);
        // relu has a kink at 0 that a step of 1e-2 could straddle.
        float h = name == "SimpleRnnSequenceNet" ? 1e-3f : 1e-2f;
        double worst = GradientCheck.MaxError(net, x, y, Batch, Loss.MeanSquaredError, h);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}x the bound");
    }

    [Fact]
    public void NegativeControlAGradientOfANearbyNetworkFails()
    {
        // The analytic gradient of the same network with the recurrent kernel scaled by 1.05 must fail the bound
        // against this network's finite differences: the check can tell a small error in the recurrent path.
        var net = Create("LstmNet");
        var weights = GradientCheck.Random(net.Parameters.Length, 5, 0.6f);
        var x = Input("LstmNet");
        var y = GradientCheck.Random(Batch * 2, 9);
        var shifted = Create("LstmNet");
        var q = (float[])weights.Clone();
        var rk = LstmNet.ParameterLayout.Single(i => i.Name == "lstm/recurrent_kernel");
        for (int i = 0; i < rk.Length; i++) q[rk.Offset + i] *= 1.05f;
        q.CopyTo(shifted.Parameters);
        shifted.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
        var wrong = shifted.Gradients.ToArray();
        weights.CopyTo(net.Parameters);
        const float h = 1e-2f;
        double worst = 0;
        for (int i = 0; i < wrong.Length; i++)
        {
            float original = net.Parameters[i];
            net.Parameters[i] = original + h;
            double plus = net.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
            net.Parameters[i] = original - h;
            double minus = net.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
            net.Parameters[i] = original;
            double numeric = (plus - minus) / (2.0 * h);
            worst = Math.Max(worst, Math.Abs(numeric - wrong[i]) / (3e-4 + 1e-3 * Math.Abs(numeric)));
        }
        Assert.True(worst > 3, $"a 5% change of the recurrent kernel stayed within the bound ({worst:F2})");
        GradientCheck.AssertMatches(net, x, y, Batch, Loss.MeanSquaredError);
    }
}
