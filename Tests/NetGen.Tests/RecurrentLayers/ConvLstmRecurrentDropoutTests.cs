using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NetGen.Kernels;
using NetGen.Tests.EndToEnd;
using NetGen.Tests.Generator;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// <c>RecurrentDropout</c> on ConvLSTM1D/2D/3D (Keras 3.5+ ConvLSTMCell's recurrent_dropout: four masks of the state's shape
/// per sample, one per gate, drawn once per call): the dropout kernels against PyTorch float64 fixtures with fixed masks
/// (tools/reference/make_convlstm_fixtures.py), all-ones masks against the plain kernels, finite differences through the
/// generated training path with fixed masks (a fixed Seed repeats them in a new instance), the masks' rate, scale and
/// independence, and Predict, inference-mode gradients and streaming unaffected.
/// </summary>
public class ConvLstmRecurrentDropoutTests
{
    private const int Batch = 3;

    public static TheoryData<string> Networks() => new()
    {
        "RecDropConvLstmNet", "RecDropConvLstmSequenceNet", "RecDropConvLstmStateNet", "RecDropConvLstm1DBiNet", "RecDropConvLstm3DNet",
    };

    private static INetwork Create(string name, int seed = 3) => name switch
    {
        "RecDropConvLstmNet" => new RecDropConvLstmNet(seed),
        "RecDropConvLstmSequenceNet" => new RecDropConvLstmSequenceNet(seed),
        "RecDropConvLstmStateNet" => new RecDropConvLstmStateNet(seed),
        "RecDropConvLstm1DBiNet" => new RecDropConvLstm1DBiNet(seed),
        "RecDropConvLstm3DNet" => new RecDropConvLstm3DNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    /// <summary>
    /// Central differences (h = 1e-2, accumulated in double) of the training loss against ComputeGradients, for every weight
    /// and every third input value, with the masks held fixed: every evaluation runs on a new instance, whose fixed Seed
    /// draws the same masks (bound 3e-4 + 1e-3·|g|, as GradientCheck).
    /// </summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientsMatchFiniteDifferencesWithFixedMasks(string name)
    {
        var weights = GradientCheck.Random(Create(name).Parameters.Length, 5, 0.5f);
        var x = GradientCheck.Random(Batch * Create(name).InputLength, 11);
        var y = GradientCheck.Random(Batch * 2, 9);
        double Loss(float[] p, float[] input)
        {
            var net = Create(name);
            p.CopyTo(net.Parameters);
            return net.ComputeGradients(input, y, Batch, NetGen.Loss.MeanSquaredError);
        }
        var first = Create(name);
        weights.CopyTo(first.Parameters);
        var dx = new float[x.Length];
        first.ComputeGradients(x, y, Batch, NetGen.Loss.MeanSquaredError, dx, training: true);
        var analytic = first.Gradients.ToArray();
        // The masks act: the training output differs from Predict's.
        var predicted = new float[Batch * 2];
        first.Predict(x, predicted, Batch);
        Assert.NotEqual(predicted, first.TrainingOutput.ToArray());
        const float h = 1e-2f;
        double worst = 0;
        string where = "";
        void Compare(double plus, double minus, double g, string what)
        {
            double numeric = (plus - minus) / (2.0 * h);
            double error = Math.Abs(numeric - g) / (3e-4 + 1e-3 * Math.Abs(numeric));
            if (error > worst) (worst, where) = (error, what);
        }
        for (int i = 0; i < weights.Length; i++)
        {
            var p = (float[])weights.Clone();
            p[i] = weights[i] + h;
            double plus = Loss(p, x);
            p[i] = weights[i] - h;
            Compare(plus, Loss(p, x), analytic[i], $"weight {i}");
        }
        for (int i = 0; i < x.Length; i += 3)
        {
            var q = (float[])x.Clone();
            q[i] = x[i] + h;
            double plus = Loss(weights, q);
            q[i] = x[i] - h;
            Compare(plus, Loss(weights, q), dx[i], $"input {i}");
        }
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}x the bound ({where})");
        Assert.Contains(dx, v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void NegativeControlTheGradientWithoutTheMasksFails()
    {
        // The same weights through the layer without recurrent dropout give gradients the masked loss's finite differences
        // must reject: the check sees the masks.
        var plain = new ConvLstmStreamNet(3);
        var weights = GradientCheck.Random(plain.Parameters.Length, 5, 0.5f);
        var x = GradientCheck.Random(Batch * ConvLstmStreamNet.InputLength, 11);
        var y = GradientCheck.Random(Batch * 2, 9);
        weights.CopyTo(plain.Parameters);
        plain.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
        var wrong = plain.Gradients.ToArray();
        var rk = RecDropConvLstmStreamNet.ParameterLayout.Single(p => p.Name == "conv_lstm2d/recurrent_kernel");
        const float h = 1e-2f;
        double worst = 0;
        // A fixed stream: the attribute has no Seed here, so equal network seeds give equal masks.
        for (int i = rk.Offset; i < rk.Offset + rk.Length; i += 7)
        {
            var p = (float[])weights.Clone();
            p[i] = weights[i] + h;
            var a = new RecDropConvLstmStreamNet(3);
            p.CopyTo(a.Parameters);
            double plus = a.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
            p[i] = weights[i] - h;
            var b = new RecDropConvLstmStreamNet(3);
            p.CopyTo(b.Parameters);
            double minus = b.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
            double numeric = (plus - minus) / (2.0 * h);
            worst = Math.Max(worst, Math.Abs(numeric - wrong[i]) / (3e-4 + 1e-3 * Math.Abs(numeric)));
        }
        Assert.True(worst > 3, $"the gradient without masks stayed within the bound of the masked loss ({worst:F2})");
    }

    [Fact]
    public void PredictAndInferenceGradientsIgnoreRecurrentDropout()
    {
        var dropped = new RecDropConvLstmStreamNet(3);
        var plain = new ConvLstmStreamNet(3);
        Assert.Equal(plain.Parameters.Length, dropped.Parameters.Length);
        GradientCheck.Random(plain.Parameters.Length, 5, 0.6f).CopyTo(plain.Parameters);
        plain.Parameters.CopyTo(dropped.Parameters);
        var x = GradientCheck.Random(Batch * ConvLstmStreamNet.InputLength, 11);
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
        // Training does drop: its loss differs from the plain layer's.
        float plainLoss = plain.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
        float droppedLoss = dropped.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
        Assert.NotEqual(plainLoss, droppedLoss);
    }

    [Fact]
    public void StreamingIgnoresRecurrentDropout()
    {
        var net = new RecDropConvLstmStreamNet(2);
        GradientCheck.Random(net.Parameters.Length, 4, 0.6f).CopyTo(net.Parameters);
        const int batch = 2, steps = 6, frame = 5 * 5 * 2;
        var x = GradientCheck.Random(batch * RecDropConvLstmStreamNet.InputLength, 21);
        var expected = new float[batch * 2];
        net.Predict(x, expected, batch);
        net.ResetState();
        var y = new float[batch * 2];
        for (int t = 0; t < steps; t++)
        {
            var step = new float[batch * frame];
            for (int b = 0; b < batch; b++) Array.Copy(x, (b * steps + t) * frame, step, b * frame, frame);
            net.Step(step, y, batch);
        }
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(expected[i] - y[i]) <= 2e-5 + 2e-5 * Math.Abs(expected[i]), $"output[{i}]: {expected[i]} vs {y[i]}");
    }

    /// <summary>Every sample draws its own masks and every call new ones; a new instance with the same Seed repeats them.</summary>
    [Fact]
    public void MasksDifferPerSampleAndPerCallAndFollowTheSeed()
    {
        const int batch = 4;
        var net = new RecDropConvLstmNet(2);
        GradientCheck.Random(net.Parameters.Length, 4, 0.6f).CopyTo(net.Parameters);
        var one = GradientCheck.Random(RecDropConvLstmNet.InputLength, 21);
        var x = Enumerable.Repeat(one, batch).SelectMany(v => v).ToArray(); // the same sample four times
        var y = new float[batch * 2];
        var predicted = new float[batch * 2];
        net.Predict(x, predicted, batch);
        // Predict gives the copies the same output (to float rounding: a GEMM may sum rows of the batch in another order)...
        static double Gap(float[] v, int a, int b) => Math.Max(Math.Abs(v[2 * a] - v[2 * b]), Math.Abs(v[2 * a + 1] - v[2 * b + 1]));
        for (int b = 1; b < batch; b++) Assert.True(Gap(predicted, 0, b) <= 1e-5, $"Predict: sample {b} differs from sample 0 by {Gap(predicted, 0, b)}");
        // ...training does not: each copy drew its own masks.
        net.ComputeGradients(x, y, batch, Loss.MeanSquaredError);
        var first = net.TrainingOutput.ToArray();
        for (int a = 0; a < batch; a++)
            for (int b = a + 1; b < batch; b++)
                Assert.True(Gap(first, a, b) > 1e-3, $"training: samples {a} and {b} differ by only {Gap(first, a, b)}");
        net.ComputeGradients(x, y, batch, Loss.MeanSquaredError);
        Assert.NotEqual(first, net.TrainingOutput.ToArray());
        var again = new RecDropConvLstmNet(2);
        net.Parameters.CopyTo(again.Parameters);
        again.ComputeGradients(x, y, batch, Loss.MeanSquaredError);
        Assert.Equal(first, again.TrainingOutput.ToArray());
    }

    /// <summary>Inverted dropout: zeros at the rate, kept values 1/(1 − rate), so the masks' mean stays 1; blocks differ.</summary>
    [Fact]
    public void MasksDropAtTheirRateAndKeepTheMean()
    {
        const int batch = 40, positions = 9, filters = 5;
        const float rate = 0.3f;
        var masks = new float[ConvLstm.RecurrentMaskSize(batch, positions, filters)];
        Assert.Equal(4 * batch * positions * filters, masks.Length);
        ConvLstm.DrawRecurrentMasks(masks, batch, positions, filters, rate, new Rng(17));
        float kept = 1f / (1f - rate);
        Assert.All(masks, m => Assert.True(m == 0f || m == kept, $"{m}"));
        // Binomial count of zeros and the mean, each within 4.5 standard deviations.
        int n = masks.Length;
        double zeros = masks.Count(v => v == 0f), sigma = Math.Sqrt(n * rate * (1 - rate));
        Assert.InRange(zeros, n * rate - 4.5 * sigma, n * rate + 4.5 * sigma);
        double mean = masks.Average(v => (double)v), meanSigma = Math.Sqrt(rate / (1.0 - rate) / n);
        Assert.InRange(mean, 1 - 4.5 * meanSigma, 1 + 4.5 * meanSigma);
        // Per sample and per gate a mask of its own: no block of (positions, filters) repeats another.
        int block = positions * filters;
        var blocks = Enumerable.Range(0, 4 * batch).Select(i => string.Join(",", masks.Skip(i * block).Take(block))).ToList();
        Assert.Equal(blocks.Count, blocks.Distinct().Count());
        // The same stream repeats them.
        var again = new float[masks.Length];
        ConvLstm.DrawRecurrentMasks(again, batch, positions, filters, rate, new Rng(17));
        Assert.Equal(masks, again);
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvLstm.DrawRecurrentMasks(masks, batch, positions, filters, 1f, new Rng(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConvLstm.DrawRecurrentMasks(masks, batch, positions, filters, 0f, new Rng(1)));
        var e = Assert.Throws<ArgumentException>(() => ConvLstm.DrawRecurrentMasks(masks.AsSpan(1), batch, positions, filters, rate, new Rng(1)));
        Assert.Equal("masks", e.ParamName);
    }

    private sealed record KernelFixture(int Batch, int Steps, bool GoBackwards, double Rate, int[] Input, int[] Recurrent,
        float[] X, float[] Kernel, float[] RecurrentKernel, float[] Bias, float[] Masks, float[] DOutputs, float[] DFinalH, float[] DFinalC,
        double[] Outputs, double[] FinalH, double[] FinalC, double[] Dx, double[] DKernel, double[] DRecurrentKernel, double[] DBias);

    private static WindowGeometry Geometry(int[] v) => new(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
        v[14], v[15], v[16], v[17], v[18], v[19]);

    public static TheoryData<string> KernelFixtures() => new() { "dropout_2d", "dropout_1d_backwards", "dropout_3d", "dropout_pointwise" };

    /// <summary>
    /// The dropout kernels with masks drawn by tools/reference/make_convlstm_fixtures.py against PyTorch float64 (the cell
    /// written from conv1d/2d/3d with gate q reading conv(h ⊙ m_q)): outputs, final states and the gradients of
    /// sum(outputs·dOutputs) + sum(h·dH) + sum(c·dC); 2e-5 relative with a floor of 5e-6 (float32 over five steps).
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelFixtures))]
    public void KernelsMatchPyTorch(string name)
    {
        var f = JsonSerializer.Deserialize<KernelFixture>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "convlstm", name + ".json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var input = Geometry(f.Input);
        var recurrent = Geometry(f.Recurrent);
        int b = f.Batch, steps = f.Steps, p = recurrent.OutPositions, filters = recurrent.InChannels, bpf = b * p * filters;
        Assert.Contains(f.Masks, m => m == 0f); // the masks drop something
        var outputs = new float[steps * bpf];
        var h = new float[bpf];
        var c = new float[bpf];
        var cache = new float[ConvLstm.CacheSize(b, steps, p, filters)];
        var workspace = new float[ConvLstm.DropoutWorkspaceLength(input, recurrent)];
        var act = RecurrentActivation.Tanh;
        var rec = RecurrentActivation.Sigmoid;
        ConvLstm.DropoutForward(input, recurrent, f.X, f.Kernel, f.RecurrentKernel, f.Bias, f.Masks, outputs, h, c, cache,
            new float[ConvLstm.DropoutForwardScratchSize(b, p, filters)], workspace, b, steps, act, rec, f.GoBackwards);
        var dx = new float[f.X.Length];
        var dk = new float[f.Kernel.Length];
        var dr = new float[f.RecurrentKernel.Length];
        var db = new float[f.Bias.Length];
        ConvLstm.DropoutBackward(input, recurrent, f.X, f.Kernel, f.RecurrentKernel, f.Masks, outputs, cache, f.DOutputs, default, f.DFinalH, f.DFinalC,
            dx, dk, dr, db, new float[ConvLstm.DropoutBackwardScratchSize(b, steps, p, filters)], workspace, b, steps, act, rec, f.GoBackwards);
        void Close(double[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-5 * Math.Abs(expected[i]) + 5e-6, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
        Close(f.Outputs, outputs, "outputs");
        Close(f.FinalH, h, "final h");
        Close(f.FinalC, c, "final c");
        Close(f.Dx, dx, "dx");
        Close(f.DKernel, dk, "dKernel");
        Close(f.DRecurrentKernel, dr, "dRecurrentKernel");
        Close(f.DBias, db, "dBias");
    }

    /// <summary>
    /// With every mask one the dropout kernels compute the plain layer: against ConvLstm.Forward/Backward (the recurrent
    /// convolution runs gate by gate, so sums may round differently), every output and gradient, both directions of time.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnesMasksGiveThePlainKernels(bool goBackwards)
    {
        // 5×4×2 input, 3×3 same padding: a 5×4 state of 3 filters.
        var input = new WindowGeometry(1, 5, 4, 2, 1, 5, 4, 12, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1);
        var recurrent = new WindowGeometry(1, 5, 4, 3, 1, 5, 4, 12, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1);
        const int batch = 2, steps = 4, p = 20, f = 3, bpf = batch * p * f;
        var x = GradientCheck.Random(batch * steps * 40, 1);
        var kernel = GradientCheck.Random(9 * 2 * 12, 2, 0.6f);
        var rk = GradientCheck.Random(9 * 3 * 12, 3, 0.6f);
        var bias = GradientCheck.Random(12, 4, 0.5f);
        var ones = Enumerable.Repeat(1f, ConvLstm.RecurrentMaskSize(batch, p, f)).ToArray();
        var dOut = GradientCheck.Random(steps * bpf, 5);
        var dH = GradientCheck.Random(bpf, 6);
        var dC = GradientCheck.Random(bpf, 7);
        var act = RecurrentActivation.Tanh;
        var rec = RecurrentActivation.Sigmoid;
        var ws = new float[ConvLstm.DropoutWorkspaceLength(input, recurrent)];

        var (outA, hA, cA, dxA, dkA, drA, dbA) = (new float[steps * bpf], new float[bpf], new float[bpf], new float[x.Length], new float[kernel.Length], new float[rk.Length], new float[12]);
        var cacheA = new float[ConvLstm.CacheSize(batch, steps, p, f)];
        ConvLstm.DropoutForward(input, recurrent, x, kernel, rk, bias, ones, outA, hA, cA, cacheA, new float[ConvLstm.DropoutForwardScratchSize(batch, p, f)], ws,
            batch, steps, act, rec, goBackwards);
        ConvLstm.DropoutBackward(input, recurrent, x, kernel, rk, ones, outA, cacheA, dOut, default, dH, dC, dxA, dkA, drA, dbA,
            new float[ConvLstm.DropoutBackwardScratchSize(batch, steps, p, f)], ws, batch, steps, act, rec, goBackwards);

        var (outB, hB, cB, dxB, dkB, drB, dbB) = (new float[steps * bpf], new float[bpf], new float[bpf], new float[x.Length], new float[kernel.Length], new float[rk.Length], new float[12]);
        var cacheB = new float[ConvLstm.CacheSize(batch, steps, p, f)];
        ConvLstm.Forward(input, recurrent, x, kernel, rk, bias, outB, hB, cB, cacheB, new float[ConvLstm.ForwardScratchSize(batch, p, f)], ws,
            batch, steps, act, rec, goBackwards);
        ConvLstm.Backward(input, recurrent, x, kernel, rk, outB, cacheB, dOut, default, dH, dC, dxB, dkB, drB, dbB,
            new float[ConvLstm.BackwardScratchSize(batch, steps, p, f)], ws, batch, steps, act, rec, goBackwards);
        void Same(float[] a, float[] b, string what)
        {
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5f + 1e-5f * Math.Abs(b[i]), $"{what}[{i}]: dropout kernel {a[i]:R}, plain {b[i]:R}");
        }
        Same(outA, outB, "outputs");
        Same(hA, hB, "final h");
        Same(cA, cB, "final c");
        Same(dxA, dxB, "dx");
        Same(dkA, dkB, "dKernel");
        Same(drA, drB, "dRecurrentKernel");
        Same(dbA, dbB, "dBias");
    }

    [Fact]
    public void KernelsRefuseBuffersOfTheWrongSize()
    {
        var input = new WindowGeometry(1, 4, 4, 2, 1, 2, 2, 12, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0);
        var recurrent = new WindowGeometry(1, 2, 2, 3, 1, 2, 2, 12, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1);
        const int steps = 2, batch = 1;
        var x = new float[steps * 32];
        var kernel = new float[9 * 2 * 12];
        var rk = new float[9 * 3 * 12];
        var masks = new float[ConvLstm.RecurrentMaskSize(batch, 4, 3)];
        var outputs = new float[steps * 12];
        var h = new float[12];
        var c = new float[12];
        var cache = new float[ConvLstm.CacheSize(batch, steps, 4, 3)];
        var scratch = new float[ConvLstm.DropoutForwardScratchSize(batch, 4, 3)];
        var ws = new float[ConvLstm.DropoutWorkspaceLength(input, recurrent)];
        var act = RecurrentActivation.Tanh;
        var rec = RecurrentActivation.Sigmoid;
        var e = Assert.Throws<ArgumentException>(() => ConvLstm.DropoutForward(input, recurrent, x, kernel, rk, default, masks.AsSpan(1), outputs, h, c, cache, scratch, ws,
            batch, steps, act, rec, false));
        Assert.Equal("recurrentMasks", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ConvLstm.DropoutForward(input, recurrent, x, kernel, rk, default, masks, outputs, h, c, cache,
            new float[ConvLstm.ForwardScratchSize(batch, 4, 3)], ws, batch, steps, act, rec, false));
        Assert.Equal("scratch", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ConvLstm.DropoutForward(input, recurrent, x, kernel, rk, default, masks, outputs, h, c, cache, scratch,
            new float[Convolution.WorkspaceLength(recurrent)], batch, steps, act, rec, false));
        Assert.Equal("workspace", e.ParamName);
        ConvLstm.DropoutForward(input, recurrent, x, kernel, rk, default, masks, outputs, h, c, cache, scratch, ws, batch, steps, act, rec, false);
        var bs = new float[ConvLstm.DropoutBackwardScratchSize(batch, steps, 4, 3)];
        e = Assert.Throws<ArgumentException>(() => ConvLstm.DropoutBackward(input, recurrent, x, kernel, rk, masks, outputs, cache, outputs, default, default, default,
            default, new float[kernel.Length], new float[rk.Length], default, new float[ConvLstm.BackwardScratchSize(batch, steps, 4, 3)], ws, batch, steps, act, rec, false));
        Assert.Equal("scratch", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ConvLstm.DropoutBackward(input, recurrent, x, kernel, rk, masks.AsSpan(0, 47), outputs, cache, outputs, default, default, default,
            default, new float[kernel.Length], new float[rk.Length], default, bs, ws, batch, steps, act, rec, false));
        Assert.Equal("recurrentMasks", e.ParamName);
    }

    /// <summary>A padding mask passed on to a ConvLSTM is dropped there with NG0028 (README: ConvLSTM does not use masks).</summary>
    [Fact]
    public void APaddingMaskReachingAConvLstmIsDroppedWithAWarning()
    {
        const string marked = """
            using NetGen;
            [Network, Input(5, 12)]
            [Masking]
            [Reshape(2, 2, 3, TimeDistributed = true)]
            [[|ConvLSTM2D(2, 1)|]]
            public partial class MaskedFrames { }
            """;
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        var result = GeneratorHarness.Run(marked.Replace("[|", "").Replace("|]", ""));
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("NG0028", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal(TextSpan.FromBounds(start, end), d.Location.SourceSpan);
        Assert.Contains("ConvLSTM2D 'conv_lstm2d'", d.GetMessage());
        Assert.Single(result.Sources);
    }

    [Fact]
    public void RateOutOfRangeIsReportedOnTheArgument()
    {
        const string marked = """
            using NetGen;
            [Network, Input(5, 4, 4, 2)]
            [ConvLSTM2D(2, 3, RecurrentDropout = [|1.5|])]
            public partial class BadRecurrentRate { }
            """;
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        var result = GeneratorHarness.Run(marked.Replace("[|", "").Replace("|]", ""));
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("NG0005", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(TextSpan.FromBounds(start, end), d.Location.SourceSpan);
        Assert.Contains("RecurrentDropout", d.GetMessage());
        Assert.Empty(result.Sources);
    }
}
