using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Kernels;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// <c>RecurrentDropout</c> (Keras' recurrent_dropout, Keras 3.8+ per-gate masks): the RecurrentDropout kernels with all
/// masks one against the Recurrent kernels (the same layer without dropout), PyTorch float64 fixtures with fixed masks,
/// finite differences through the generated training path with fixed masks (a fixed Seed repeats them in a new
/// instance), the masks' rate and scale, inference and streaming unaffected.
/// </summary>
public class RecurrentDropoutTests
{
    private const int Batch = 3;

    public static TheoryData<string> Networks() => new()
    {
        "RecDropSimpleRnnNet", "RecDropLstmNet", "RecDropGruNet", "RecDropGruResetBeforeNet", "RecDropLstmStateNet", "RecDropBiLstmNet",
    };

    private static INetwork Create(string name, int seed = 3) => name switch
    {
        "RecDropSimpleRnnNet" => new RecDropSimpleRnnNet(seed),
        "RecDropLstmNet" => new RecDropLstmNet(seed),
        "RecDropGruNet" => new RecDropGruNet(seed),
        "RecDropGruResetBeforeNet" => new RecDropGruResetBeforeNet(seed),
        "RecDropLstmStateNet" => new RecDropLstmStateNet(seed),
        "RecDropBiLstmNet" => new RecDropBiLstmNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    /// <summary>
    /// Central differences (h = 1e-2, accumulated in double) of the training loss against ComputeGradients, with the masks
    /// held fixed: every evaluation runs on a new instance, whose fixed Seed draws the same masks (bound 3e-4 + 1e-3·|g|,
    /// as GradientCheck).
    /// </summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientsMatchFiniteDifferencesWithFixedMasks(string name)
    {
        var weights = GradientCheck.Random(Create(name).Parameters.Length, 5, 0.6f);
        var x = RecurrentGradientTests.PaddedInput(6, 3, 11, 0f);
        var y = GradientCheck.Random(Batch * 2, 9);
        double Loss(float[] p)
        {
            var net = Create(name);
            p.CopyTo(net.Parameters);
            return net.ComputeGradients(x, y, Batch, NetGen.Loss.MeanSquaredError);
        }
        var first = Create(name);
        weights.CopyTo(first.Parameters);
        first.ComputeGradients(x, y, Batch, NetGen.Loss.MeanSquaredError);
        var analytic = first.Gradients.ToArray();
        // The masks act: the training output differs from Predict's.
        var predicted = new float[Batch * 2];
        first.Predict(x, predicted, Batch);
        Assert.NotEqual(predicted, first.TrainingOutput.ToArray());
        const float h = 1e-2f;
        double worst = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            var p = (float[])weights.Clone();
            p[i] = weights[i] + h;
            double plus = Loss(p);
            p[i] = weights[i] - h;
            double minus = Loss(p);
            double numeric = (plus - minus) / (2.0 * h);
            worst = Math.Max(worst, Math.Abs(numeric - analytic[i]) / (3e-4 + 1e-3 * Math.Abs(numeric)));
        }
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}x the bound");
    }

    [Fact]
    public void PredictIgnoresRecurrentDropout()
    {
        var dropped = new RecDropLstmStateNet(3);
        var plain = new LstmStateNet(3);
        Assert.Equal(plain.Parameters.Length, dropped.Parameters.Length);
        GradientCheck.Random(plain.Parameters.Length, 5, 0.6f).CopyTo(plain.Parameters);
        plain.Parameters.CopyTo(dropped.Parameters);
        var x = RecurrentGradientTests.PaddedInput(6, 3, 11, 0.5f);
        var a = new float[Batch * 2];
        var b = new float[Batch * 2];
        plain.Predict(x, a, Batch);
        dropped.Predict(x, b, Batch);
        Assert.Equal(a, b);
        // Gradients in inference mode (training: false) are those of the layer without dropout, bit for bit.
        var y = GradientCheck.Random(Batch * 2, 9);
        plain.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
        ((INetwork)dropped).ComputeGradients(x, y, Batch, Loss.MeanSquaredError, Span<float>.Empty, training: false);
        Assert.Equal(plain.Gradients.ToArray(), dropped.Gradients.ToArray());
    }

    [Fact]
    public void StreamingIgnoresRecurrentDropout()
    {
        var net = new RecDropStreamNet(2);
        GradientCheck.Random(net.Parameters.Length, 4, 0.6f).CopyTo(net.Parameters);
        var x = GradientCheck.Random(2 * 6 * 3, 21);
        var expected = new float[2 * 2];
        net.Predict(x, expected, 2);
        net.ResetState();
        var y = new float[2 * 2];
        for (int t = 0; t < 6; t++)
        {
            var step = new float[2 * 3];
            for (int b = 0; b < 2; b++) Array.Copy(x, (b * 6 + t) * 3, step, b * 3, 3);
            net.Step(step, y, 2);
        }
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(expected[i] - y[i]) <= 2e-5 + 2e-5 * Math.Abs(expected[i]), $"output[{i}]: {expected[i]} vs {y[i]}");
    }

    [Fact]
    public void MasksDropAtTheirRateAndScaleTheRest()
    {
        const int batch = 50, features = 7, units = 9, gates = 4;
        var masks = new float[RecurrentDropout.MaskSize(batch, features, units, gates)];
        RecurrentDropout.DrawMasks(masks, batch, features, units, gates, 0.2f, 0.4f, new Rng(17));
        int inputs = gates * batch * features;
        var input = masks.Take(inputs).ToArray();
        var recurrent = masks.Skip(inputs).ToArray();
        Assert.All(input, m => Assert.True(m == 0f || m == 1f / 0.8f, $"{m}"));
        Assert.All(recurrent, m => Assert.True(m == 0f || m == 1f / 0.6f, $"{m}"));
        // Binomial counts: within 4.5 standard deviations of n·rate.
        void Rate(float[] m, double rate)
        {
            double expected = m.Length * rate, sigma = Math.Sqrt(m.Length * rate * (1 - rate));
            int zeros = m.Count(v => v == 0f);
            Assert.InRange(zeros, expected - 4.5 * sigma, expected + 4.5 * sigma);
        }
        Rate(input, 0.2);
        Rate(recurrent, 0.4);
        // Per gate block a mask of its own: the four recurrent blocks are not copies of each other.
        int block = batch * units;
        Assert.NotEqual(recurrent.Take(block).ToArray(), recurrent.Skip(block).Take(block).ToArray());
        // A zero input rate gives ones, and draws nothing: the recurrent masks are then the same as drawing them alone.
        var ones = new float[masks.Length];
        RecurrentDropout.DrawMasks(ones, batch, features, units, gates, 0f, 0.4f, new Rng(17));
        Assert.All(ones.Take(inputs), m => Assert.Equal(1f, m));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentDropout.DrawMasks(masks, batch, features, units, gates, 0f, 1f, new Rng(1)));
    }

    /// <summary>
    /// With every mask one, the dropout kernels compute the layer without dropout: against the Recurrent kernels (GEMM
    /// order differs: float rounding), forward and backward, with a padding mask, go_backwards, zero outputs for masked
    /// steps, and upstream gradients on every output and on the final states.
    /// </summary>
    [Theory]
    [InlineData(1, false, false)]
    [InlineData(4, false, true)]
    [InlineData(3, true, false)]
    [InlineData(3, false, true)]
    public void OnesMasksGiveTheLayerWithoutDropout(int gates, bool resetAfter, bool goBackwards)
    {
        const int batch = 3, steps = 5, features = 4, units = 3;
        int gu = gates * units;
        var x = GradientCheck.Random(batch * steps * features, 1);
        var kernel = GradientCheck.Random(features * gu, 2, 0.6f);
        var rk = GradientCheck.Random(units * gu, 3, 0.6f);
        var bias = GradientCheck.Random(gates == 3 && resetAfter ? 2 * gu : gu, 4, 0.5f);
        var mask = new float[batch * steps];
        Array.Fill(mask, 1f);
        mask[1 * steps + 4] = 0f;
        mask[2 * steps + 1] = 0f;
        var masks = new float[RecurrentDropout.MaskSize(batch, features, units, gates)];
        RecurrentDropout.DrawMasks(masks, batch, features, units, gates, 0f, 0f, new Rng(1));
        var act = RecurrentActivation.Tanh;
        var rec = RecurrentActivation.Sigmoid;
        bool zero = goBackwards;
        var dOut = GradientCheck.Random(batch * steps * units, 5);
        var dH = GradientCheck.Random(batch * units, 6);
        var dC = GradientCheck.Random(batch * units, 7);

        var outA = new float[batch * steps * units];
        var hA = new float[batch * units];
        var cA = new float[batch * units];
        var dxA = new float[x.Length];
        var dkA = new float[kernel.Length];
        var drA = new float[rk.Length];
        var dbA = new float[bias.Length];
        var cache = new float[RecurrentDropout.CacheSize(batch, steps, units, gates)];
        RecurrentDropout.Forward(x, kernel, rk, bias, mask, masks, outA, hA, cA, cache, new float[RecurrentDropout.ForwardScratchSize(units, gates)],
            batch, steps, features, units, gates, act, rec, resetAfter, goBackwards, zero);
        RecurrentDropout.Backward(x, kernel, rk, mask, masks, cache, dOut, default, dH, gates == 4 ? dC : default, dxA, dkA, drA, dbA,
            new float[RecurrentDropout.BackwardScratchSize(batch, units, gates)], batch, steps, features, units, gates, act, rec, resetAfter, goBackwards, zero);

        var outB = new float[outA.Length];
        var hB = new float[hA.Length];
        var cB = new float[cA.Length];
        var dxB = new float[x.Length];
        var dkB = new float[kernel.Length];
        var drB = new float[rk.Length];
        var dbB = new float[bias.Length];
        switch (gates)
        {
            case 1:
            {
                var c1 = new float[Recurrent.SimpleRnnCacheSize(batch, steps, units)];
                Recurrent.SimpleRnnForward(x, kernel, rk, bias, mask, default, outB, hB, c1, new float[Recurrent.SimpleRnnForwardScratchSize(batch, units)],
                    batch, steps, features, units, act, goBackwards, zero);
                Recurrent.SimpleRnnBackward(x, kernel, rk, mask, default, outB, c1, dOut, default, dH, dxB, dkB, drB, dbB, default,
                    new float[Recurrent.SimpleRnnBackwardScratchSize(batch, steps, units)], batch, steps, features, units, act, goBackwards, zero);
                break;
            }
            case 4:
            {
                var c4 = new float[Recurrent.LstmCacheSize(batch, steps, units)];
                Recurrent.LstmForward(x, kernel, rk, bias, mask, default, default, outB, hB, cB, c4, new float[Recurrent.LstmForwardScratchSize(batch, units)],
                    batch, steps, features, units, act, rec, goBackwards, zero);
                Recurrent.LstmBackward(x, kernel, rk, mask, default, default, outB, c4, dOut, default, dH, dC, dxB, dkB, drB, dbB, default, default,
                    new float[Recurrent.LstmBackwardScratchSize(batch, steps, units)], batch, steps, features, units, act, rec, goBackwards, zero);
                break;
            }
            default:
            {
                var c3 = new float[Recurrent.GruCacheSize(batch, steps, units, resetAfter)];
                Recurrent.GruForward(x, kernel, rk, bias, mask, default, outB, hB, c3, new float[Recurrent.GruForwardScratchSize(batch, units, resetAfter)],
                    batch, steps, features, units, act, rec, resetAfter, goBackwards, zero);
                Recurrent.GruBackward(x, kernel, rk, mask, default, outB, c3, dOut, default, dH, dxB, dkB, drB, dbB, default,
                    new float[Recurrent.GruBackwardScratchSize(batch, steps, units, resetAfter)], batch, steps, features, units, act, rec, resetAfter, goBackwards, zero);
                break;
            }
        }
        void Same(float[] a, float[] b, string what)
        {
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5f + 1e-5f * Math.Abs(b[i]), $"{what}[{i}]: dropout kernel {a[i]:R}, Recurrent {b[i]:R}");
        }
        Same(outA, outB, "outputs");
        Same(hA, hB, "final h");
        if (gates == 4) Same(cA, cB, "final c");
        Same(dxA, dxB, "dx");
        Same(dkA, dkB, "dKernel");
        Same(drA, drB, "dRecurrentKernel");
        Same(dbA, dbB, "dBias");
    }

    private sealed record KernelFixture(int Gates, bool ResetAfter, bool GoBackwards, bool ZeroOutputForMask, int Batch, int Steps, int Features, int Units,
        float[] X, float[] Kernel, float[] RecurrentKernel, float[] Bias, float[] Mask, float[] Masks, float[] DOutputs, float[] DFinalH, float[] DFinalC,
        double[] Outputs, double[] FinalH, double[] FinalC, double[] Dx, double[] DKernel, double[] DRecurrentKernel, double[] DBias);

    public static TheoryData<string> KernelFixtures() => new() { "simple_rnn", "lstm", "lstm_zero_output", "gru", "gru_reset_before" };

    /// <summary>
    /// The kernels with masks drawn by tools/reference/make_recurrent_dropout_fixtures.py against PyTorch float64 written
    /// from Keras' cell equations with per-gate masks: outputs, final states and the gradients of
    /// sum(outputs·dOutputs) + sum(h·dH) (+ sum(c·dC)); 2e-5 relative with a floor of 5e-6 (float32 over five steps).
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelFixtures))]
    public void KernelsMatchPyTorch(string name)
    {
        var f = JsonSerializer.Deserialize<KernelFixture>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "recurrent-dropout", name + ".json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        int b = f.Batch, u = f.Units, g = f.Gates;
        var outputs = new float[b * f.Steps * u];
        var h = new float[b * u];
        var c = new float[b * u];
        var cache = new float[RecurrentDropout.CacheSize(b, f.Steps, u, g)];
        var act = RecurrentActivation.Tanh;
        var rec = RecurrentActivation.Sigmoid;
        RecurrentDropout.Forward(f.X, f.Kernel, f.RecurrentKernel, f.Bias, f.Mask, f.Masks, outputs, h, c, cache, new float[RecurrentDropout.ForwardScratchSize(u, g)],
            b, f.Steps, f.Features, u, g, act, rec, f.ResetAfter, f.GoBackwards, f.ZeroOutputForMask);
        var dx = new float[f.X.Length];
        var dk = new float[f.Kernel.Length];
        var dr = new float[f.RecurrentKernel.Length];
        var db = new float[f.Bias.Length];
        RecurrentDropout.Backward(f.X, f.Kernel, f.RecurrentKernel, f.Mask, f.Masks, cache, f.DOutputs, default, f.DFinalH, f.DFinalC, dx, dk, dr, db,
            new float[RecurrentDropout.BackwardScratchSize(b, u, g)], b, f.Steps, f.Features, u, g, act, rec, f.ResetAfter, f.GoBackwards, f.ZeroOutputForMask);
        void Close(double[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-5 * Math.Abs(expected[i]) + 5e-6, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
        Close(f.Outputs, outputs, "outputs");
        Close(f.FinalH, h, "final h");
        if (g == 4) Close(f.FinalC, c, "final c");
        Close(f.Dx, dx, "dx");
        Close(f.DKernel, dk, "dKernel");
        Close(f.DRecurrentKernel, dr, "dRecurrentKernel");
        Close(f.DBias, db, "dBias");
    }
}
