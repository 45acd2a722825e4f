using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The recurrent kernels (<see cref="Recurrent"/>) against <see cref="RecurrentReference"/> (double) over odd sizes,
/// their BPTT gradients against central finite differences of that reference through 5–7 steps (masked sequences,
/// go_backwards, initial states and every upstream gradient included), streaming steps against the whole sequence,
/// zero allocation, argument errors, and the PyTorch fixtures of <c>Fixtures/recurrent/recurrent.json</c>.
/// </summary>
public class RecurrentTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public RecurrentTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    private static readonly RecurrentCase[] All =
    {
        new(RecurrentCell.SimpleRnn, 2, 5, 3, 4),
        new(RecurrentCell.SimpleRnn, 5, 7, 5, 3, RecurrentActivation.Relu, GoBackwards: true, Masked: true, InitialState: true),
        new(RecurrentCell.SimpleRnn, 5, 6, 1, 1, RecurrentActivation.Linear, UseBias: false, Masked: true, ZeroOutputForMask: true, InitialState: true),
        new(RecurrentCell.Lstm, 2, 5, 3, 4),
        new(RecurrentCell.Lstm, 5, 6, 4, 3, Masked: true, InitialState: true),
        new(RecurrentCell.Lstm, 5, 7, 2, 5, RecurrentActivation.Relu, RecurrentActivation.HardSigmoid, GoBackwards: true, Masked: true, ZeroOutputForMask: true, InitialState: true),
        new(RecurrentCell.Lstm, 1, 5, 6, 2, RecurrentActivation.Tanh, RecurrentActivation.HardSigmoidKeras2, UseBias: false),
        new(RecurrentCell.GruResetAfter, 2, 5, 3, 4),
        new(RecurrentCell.GruResetAfter, 5, 6, 4, 3, GoBackwards: true, Masked: true, InitialState: true),
        new(RecurrentCell.GruResetAfter, 5, 5, 2, 5, RecurrentActivation.Relu, RecurrentActivation.HardSigmoid, UseBias: false, Masked: true, ZeroOutputForMask: true),
        new(RecurrentCell.GruResetBefore, 2, 5, 3, 4),
        new(RecurrentCell.GruResetBefore, 5, 6, 4, 3, Masked: true, InitialState: true),
        new(RecurrentCell.GruResetBefore, 5, 7, 3, 2, RecurrentActivation.Relu, GoBackwards: true, UseBias: false, Masked: true, ZeroOutputForMask: true, InitialState: true),
        // Wider units: SIMD activations over whole vectors plus a tail.
        new(RecurrentCell.SimpleRnn, 2, 5, 3, 37),
        new(RecurrentCell.Lstm, 2, 5, 3, 19, Masked: true),
        new(RecurrentCell.GruResetAfter, 2, 5, 3, 17, InitialState: true),
        // Batch 1 with units a multiple of 32: the LSTM's GEMV path (RecurrentGemv.cs) on AVX-512, its cache read by BPTT.
        new(RecurrentCell.Lstm, 1, 5, 3, 32, InitialState: true),
        new(RecurrentCell.Lstm, 1, 6, 4, 64, UseBias: false, GoBackwards: true),
    };

    public static IEnumerable<object[]> CaseIndices() => Enumerable.Range(0, All.Length).Select(i => new object[] { i });

    /// <summary>Inputs and upstream gradients of one case, all exactly representable as float.</summary>
    private sealed class Data
    {
        public float[] X = Array.Empty<float>(), W = Array.Empty<float>(), U = Array.Empty<float>(), Bias = Array.Empty<float>();
        public float[] Mask = Array.Empty<float>(), H0 = Array.Empty<float>(), C0 = Array.Empty<float>();
        public float[] DOut = Array.Empty<float>(), DLast = Array.Empty<float>(), DH = Array.Empty<float>(), DC = Array.Empty<float>();
    }

    private sealed class Gradients
    {
        public float[] Dx = Array.Empty<float>(), DW = Array.Empty<float>(), DU = Array.Empty<float>(), DBias = Array.Empty<float>();
        public float[] DH0 = Array.Empty<float>(), DC0 = Array.Empty<float>();
    }

    /// <summary>Mask rows: all kept; first two and the fourth step masked; last two masked; every other step; all masked.</summary>
    private static float[] MakeMask(int batch, int steps)
    {
        var m = new float[batch * steps];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                bool keep = (b % 5) switch
                {
                    0 => true,
                    1 => t >= 2 && t != 3,
                    2 => t < steps - 2,
                    3 => t % 2 == 1,
                    _ => false,
                };
                m[b * steps + t] = keep ? 1f : 0f;
            }
        }
        return m;
    }

    private static Data Make(RecurrentCase c, int seed)
    {
        int B = c.Batch, T = c.Steps, F = c.Features, U = c.Units, G = c.Gates * U;
        return new Data
        {
            X = TestUtil.Uniform(seed, B * T * F),
            W = TestUtil.Uniform(seed + 1, F * G, -0.6, 0.6),
            U = TestUtil.Uniform(seed + 2, U * G, -0.6, 0.6),
            Bias = TestUtil.Uniform(seed + 3, c.BiasSize, -0.5, 0.5),
            Mask = c.Masked ? MakeMask(B, T) : Array.Empty<float>(),
            H0 = c.InitialState ? TestUtil.Uniform(seed + 4, B * U) : Array.Empty<float>(),
            C0 = c.InitialState && c.HasCell ? TestUtil.Uniform(seed + 5, B * U) : Array.Empty<float>(),
            DOut = TestUtil.Uniform(seed + 6, B * T * U),
            DLast = TestUtil.Uniform(seed + 7, B * U),
            DH = TestUtil.Uniform(seed + 8, B * U),
            DC = c.HasCell ? TestUtil.Uniform(seed + 9, B * U) : Array.Empty<float>(),
        };
    }

    private static int CacheSize(RecurrentCase c) => c.Cell switch
    {
        RecurrentCell.SimpleRnn => Recurrent.SimpleRnnCacheSize(c.Batch, c.Steps, c.Units),
        RecurrentCell.Lstm => Recurrent.LstmCacheSize(c.Batch, c.Steps, c.Units),
        _ => Recurrent.GruCacheSize(c.Batch, c.Steps, c.Units, c.Cell == RecurrentCell.GruResetAfter),
    };

    private static int ForwardScratch(RecurrentCase c) => c.Cell switch
    {
        RecurrentCell.SimpleRnn => Recurrent.SimpleRnnForwardScratchSize(c.Batch, c.Units),
        RecurrentCell.Lstm => Recurrent.LstmForwardScratchSize(c.Batch, c.Units),
        _ => Recurrent.GruForwardScratchSize(c.Batch, c.Units, c.Cell == RecurrentCell.GruResetAfter),
    };

    private static int BackwardScratch(RecurrentCase c) => c.Cell switch
    {
        RecurrentCell.SimpleRnn => Recurrent.SimpleRnnBackwardScratchSize(c.Batch, c.Steps, c.Units),
        RecurrentCell.Lstm => Recurrent.LstmBackwardScratchSize(c.Batch, c.Steps, c.Units),
        _ => Recurrent.GruBackwardScratchSize(c.Batch, c.Steps, c.Units, c.Cell == RecurrentCell.GruResetAfter),
    };

    /// <summary>Runs the forward kernel; buffers are sized exactly by the size functions (a kernel that needs more fails its length check).</summary>
    private static (float[] Outputs, float[] H, float[] C, float[] Cache) RunForward(RecurrentCase c, Data d)
    {
        int B = c.Batch, T = c.Steps, F = c.Features, U = c.Units;
        var outputs = new float[B * T * U];
        var h = new float[B * U];
        var cc = new float[c.HasCell ? B * U : 0];
        var cache = new float[CacheSize(c)];
        var scratch = new float[ForwardScratch(c)];
        switch (c.Cell)
        {
            case RecurrentCell.SimpleRnn:
                Recurrent.SimpleRnnForward(d.X, d.W, d.U, d.Bias, d.Mask, d.H0, outputs, h, cache, scratch, B, T, F, U, c.Activation, c.GoBackwards, c.ZeroOutputForMask);
                break;
            case RecurrentCell.Lstm:
                Recurrent.LstmForward(d.X, d.W, d.U, d.Bias, d.Mask, d.H0, d.C0, outputs, h, cc, cache, scratch, B, T, F, U,
                    c.Activation, c.RecurrentActivation, c.GoBackwards, c.ZeroOutputForMask);
                break;
            default:
                Recurrent.GruForward(d.X, d.W, d.U, d.Bias, d.Mask, d.H0, outputs, h, cache, scratch, B, T, F, U,
                    c.Activation, c.RecurrentActivation, c.Cell == RecurrentCell.GruResetAfter, c.GoBackwards, c.ZeroOutputForMask);
                break;
        }
        return (outputs, h, cc, cache);
    }

    private static Gradients RunBackward(RecurrentCase c, Data d, float[] outputs, float[] cache)
    {
        int B = c.Batch, T = c.Steps, F = c.Features, U = c.Units, G = c.Gates * U;
        var g = new Gradients
        {
            Dx = new float[B * T * F], DW = new float[F * G], DU = new float[U * G], DBias = new float[c.BiasSize],
            DH0 = new float[c.InitialState ? B * U : 0], DC0 = new float[c.InitialState && c.HasCell ? B * U : 0],
        };
        // Garbage in the outputs: the kernels must overwrite, not accumulate.
        foreach (float[] a in new[] { g.Dx, g.DW, g.DU, g.DBias, g.DH0, g.DC0 }) Array.Fill(a, 7f);
        var scratch = new float[BackwardScratch(c)];
        Array.Fill(scratch, float.NaN);
        switch (c.Cell)
        {
            case RecurrentCell.SimpleRnn:
                Recurrent.SimpleRnnBackward(d.X, d.W, d.U, d.Mask, d.H0, outputs, cache, d.DOut, d.DLast, d.DH,
                    g.Dx, g.DW, g.DU, g.DBias, g.DH0, scratch, B, T, F, U, c.Activation, c.GoBackwards, c.ZeroOutputForMask);
                break;
            case RecurrentCell.Lstm:
                Recurrent.LstmBackward(d.X, d.W, d.U, d.Mask, d.H0, d.C0, outputs, cache, d.DOut, d.DLast, d.DH, d.DC,
                    g.Dx, g.DW, g.DU, g.DBias, g.DH0, g.DC0, scratch, B, T, F, U, c.Activation, c.RecurrentActivation, c.GoBackwards, c.ZeroOutputForMask);
                break;
            default:
                Recurrent.GruBackward(d.X, d.W, d.U, d.Mask, d.H0, outputs, cache, d.DOut, d.DLast, d.DH,
                    g.Dx, g.DW, g.DU, g.DBias, g.DH0, scratch, B, T, F, U, c.Activation, c.RecurrentActivation,
                    c.Cell == RecurrentCell.GruResetAfter, c.GoBackwards, c.ZeroOutputForMask);
                break;
        }
        return g;
    }

    private static RecurrentReference.Result Reference(RecurrentCase c, double[][] p, double[] mask)
        => RecurrentReference.Forward(c, p[0], p[1], p[2], p[3], mask, p[4], p[5]);

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void ForwardMatchesDoubleReference(int index)
    {
        RecurrentCase c = All[index];
        Data d = Make(c, 100 + index);
        var (outputs, h, cc, _) = RunForward(c, d);
        double[][] p = { TestUtil.ToDouble(d.X), TestUtil.ToDouble(d.W), TestUtil.ToDouble(d.U), TestUtil.ToDouble(d.Bias), TestUtil.ToDouble(d.H0), TestUtil.ToDouble(d.C0) };
        RecurrentReference.Result r = Reference(c, p, TestUtil.ToDouble(d.Mask));
        TestUtil.AllClose(r.Outputs, outputs, 1e-5, 2e-6, $"{c} outputs");
        TestUtil.AllClose(r.FinalH, h, 1e-5, 2e-6, $"{c} final h");
        if (c.HasCell) TestUtil.AllClose(r.FinalC, cc, 1e-5, 2e-6, $"{c} final c");
        // The last output is the last step of the sequence.
        var last = new float[c.Batch * c.Units];
        Recurrent.LastOutput(outputs, last, c.Batch, c.Steps, c.Units);
        for (int b = 0; b < c.Batch; b++)
            for (int j = 0; j < c.Units; j++) Assert.Equal(outputs[(b * c.Steps + c.Steps - 1) * c.Units + j], last[b * c.Units + j]);
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void BackwardMatchesFiniteDifferences(int index)
    {
        RecurrentCase c = All[index];
        Data d = Make(c, 200 + index);
        var (outputs, _, _, cache) = RunForward(c, d);
        Gradients g = RunBackward(c, d, outputs, cache);
        double[] mask = TestUtil.ToDouble(d.Mask);
        double[] dOut = TestUtil.ToDouble(d.DOut), dLast = TestUtil.ToDouble(d.DLast), dH = TestUtil.ToDouble(d.DH), dC = TestUtil.ToDouble(d.DC);
        double[][] p = { TestUtil.ToDouble(d.X), TestUtil.ToDouble(d.W), TestUtil.ToDouble(d.U), TestUtil.ToDouble(d.Bias), TestUtil.ToDouble(d.H0), TestUtil.ToDouble(d.C0) };
        int T = c.Steps, U = c.Units;

        double Loss()
        {
            RecurrentReference.Result r = Reference(c, p, mask);
            double l = 0;
            for (int i = 0; i < r.Outputs.Length; i++) l += dOut[i] * r.Outputs[i];
            for (int b = 0; b < c.Batch; b++)
                for (int j = 0; j < U; j++) l += dLast[b * U + j] * r.Outputs[(b * T + T - 1) * U + j];
            for (int i = 0; i < r.FinalH.Length; i++) l += dH[i] * r.FinalH[i];
            for (int i = 0; i < dC.Length; i++) l += dC[i] * r.FinalC[i];
            return l;
        }

        string[] names = { "dx", "dKernel", "dRecurrentKernel", "dBias", "dInitialH", "dInitialC" };
        float[][] actual = { g.Dx, g.DW, g.DU, g.DBias, g.DH0, g.DC0 };
        for (int k = 0; k < p.Length; k++)
        {
            Assert.Equal(p[k].Length, actual[k].Length);
            for (int i = 0; i < p[k].Length; i++)
            {
                double fd = TestUtil.CentralDifference(_ => Loss(), p[k], i, 1e-5);
                TestUtil.Close(fd, actual[k][i], 1e-3, 5e-5, $"{c} {names[k]}[{i}]");
            }
        }
        if (c.Masked && c.Batch >= 5)
        {
            // A fully masked sample (row 4) never reads its inputs.
            for (int i = 4 * T * c.Features; i < 5 * T * c.Features; i++) Assert.Equal(0f, g.Dx[i]);
        }
    }

    /// <summary>
    /// The LSTM's batch-1 GEMV path (units a multiple of 32, tanh/sigmoid; RecurrentGemv.cs) with masked steps: each sample
    /// of a five-sample masked case run alone matches the double reference for that sample, and the cache it leaves
    /// (gate activations at kept steps, the bare projection at masked ones) gives BPTT's dx, dBias and initial-state
    /// gradients to finite differences. Each sample is run twice with different weights in between, so the packed
    /// weights the path keeps between calls are checked to follow the weights given.
    /// </summary>
    [Theory]
    [InlineData(32, false)]
    [InlineData(64, true)]
    public void LstmBatchOneMatchesReferenceWithMasks(int units, bool goBackwards)
    {
        var c5 = new RecurrentCase(RecurrentCell.Lstm, 5, 6, 4, units, GoBackwards: goBackwards, ZeroOutputForMask: goBackwards, Masked: true, InitialState: true);
        var c = c5 with { Batch = 1 };
        Data all = Make(c5, 300 + units);
        Data other = Make(c5, 400 + units);
        int T = c.Steps, F = c.Features, U = units;
        for (int b = 0; b < c5.Batch; b++)
        {
            var d = new Data
            {
                X = all.X.AsSpan(b * T * F, T * F).ToArray(), W = all.W, U = all.U, Bias = all.Bias,
                Mask = all.Mask.AsSpan(b * T, T).ToArray(), H0 = all.H0.AsSpan(b * U, U).ToArray(), C0 = all.C0.AsSpan(b * U, U).ToArray(),
                DOut = all.DOut.AsSpan(b * T * U, T * U).ToArray(), DLast = all.DLast.AsSpan(b * U, U).ToArray(),
                DH = all.DH.AsSpan(b * U, U).ToArray(), DC = all.DC.AsSpan(b * U, U).ToArray(),
            };
            var changed = new Data { X = d.X, W = other.W, U = other.U, Bias = other.Bias, Mask = d.Mask, H0 = d.H0, C0 = d.C0 };
            double[] mask = TestUtil.ToDouble(d.Mask);
            for (int pass = 0; pass < 2; pass++)
            {
                Data run = pass == 0 ? d : changed;
                var (outputs, h, cc, cache) = RunForward(c, run);
                double[][] p = { TestUtil.ToDouble(run.X), TestUtil.ToDouble(run.W), TestUtil.ToDouble(run.U), TestUtil.ToDouble(run.Bias), TestUtil.ToDouble(run.H0), TestUtil.ToDouble(run.C0) };
                RecurrentReference.Result r = Reference(c, p, mask);
                TestUtil.AllClose(r.Outputs, outputs, 1e-5, 2e-6, $"{c} sample {b} pass {pass} outputs");
                TestUtil.AllClose(r.FinalH, h, 1e-5, 2e-6, $"{c} sample {b} pass {pass} final h");
                TestUtil.AllClose(r.FinalC, cc, 1e-5, 2e-6, $"{c} sample {b} pass {pass} final c");
                if (pass == 1) continue;
                Gradients g = RunBackward(c, d, outputs, cache);
                double[] dOut = TestUtil.ToDouble(d.DOut), dLast = TestUtil.ToDouble(d.DLast), dH = TestUtil.ToDouble(d.DH), dC = TestUtil.ToDouble(d.DC);
                double Loss()
                {
                    RecurrentReference.Result q = Reference(c, p, mask);
                    double l = 0;
                    for (int i = 0; i < q.Outputs.Length; i++) l += dOut[i] * q.Outputs[i];
                    for (int j = 0; j < U; j++) l += dLast[j] * q.Outputs[(T - 1) * U + j] + dH[j] * q.FinalH[j] + dC[j] * q.FinalC[j];
                    return l;
                }
                string[] names = { "dx", "dKernel", "dRecurrentKernel", "dBias", "dInitialH", "dInitialC" };
                float[][] actual = { g.Dx, g.DW, g.DU, g.DBias, g.DH0, g.DC0 };
                foreach (int k in new[] { 0, 3, 4, 5 })
                    for (int i = 0; i < p[k].Length; i++)
                        TestUtil.Close(TestUtil.CentralDifference(_ => Loss(), p[k], i, 1e-5), actual[k][i], 1e-3, 5e-5, $"{c} sample {b} {names[k]}[{i}]");
            }
        }
    }

    /// <summary>
    /// An empty cache (Predict: no backward pass follows) gives the same outputs and final states bit for bit as a full
    /// one, on each of the LSTM's paths: batch 1 with 32 units (GEMV), batch 3 (all steps projected first) and batch 7
    /// (each step projected), masked, with initial states, forwards and backwards.
    /// </summary>
    [Theory]
    [InlineData(1, 32, false)]
    [InlineData(1, 64, true)]
    [InlineData(3, 32, false)]
    [InlineData(7, 32, true)]
    [InlineData(7, 5, false)]
    public void LstmWithoutCacheEqualsWithCache(int batch, int units, bool goBackwards)
    {
        var c = new RecurrentCase(RecurrentCell.Lstm, batch, 6, 4, units, GoBackwards: goBackwards, Masked: true, InitialState: true);
        Data d = Make(c, 500 + batch);
        var (outputs, h, cc, _) = RunForward(c, d);
        int B = c.Batch, T = c.Steps, U = c.Units;
        float[] o2 = new float[B * T * U], h2 = new float[B * U], c2 = new float[B * U];
        Recurrent.LstmForward(d.X, d.W, d.U, d.Bias, d.Mask, d.H0, d.C0, o2, h2, c2, default, new float[ForwardScratch(c)], B, T, c.Features, U,
            c.Activation, c.RecurrentActivation, c.GoBackwards, c.ZeroOutputForMask);
        Assert.Equal(outputs, o2);
        Assert.Equal(h, h2);
        Assert.Equal(cc, c2);
    }

    /// <summary>
    /// The batch-1 GEMV path keeps the packed weights of its last call per thread and proves them fresh by comparing them
    /// with the weights given where it first reads them (the input kernel before the projection, the recurrent kernel
    /// during the first computed step). One weight at a time is written in place (the same arrays, as a write through
    /// <c>Parameters</c> does) — first, last and middle of the input kernel, first and last row and the last block of the
    /// recurrent kernel — and the call that follows must equal, bit for bit, the same call on a new thread
    /// (which has packed nothing yet) and differ from the call before the write; writing the weight back must give the first
    /// outputs again. The masked case skips the first step it visits, so the recurrent kernel is checked at a later one.
    /// </summary>
    [Theory]
    [InlineData(32, false, false)]
    [InlineData(64, true, true)]
    [InlineData(64, false, true)]
    public void LstmBatchOneFollowsInPlaceWeightWrites(int units, bool goBackwards, bool masked)
    {
        var c = new RecurrentCase(RecurrentCell.Lstm, 1, 6, 4, units, GoBackwards: goBackwards, Masked: masked, InitialState: true);
        Data d = Make(c, 600 + units);
        // Masked: the first step visited either way (t = 0 forwards, t = 5 backwards) is skipped.
        if (masked) d.Mask = new float[] { 0, 1, 1, 0, 1, 0 };
        int F = c.Features, U = units, G = 4 * U;
        var first = RunForward(c, d);
        var writes = new (string Name, float[] Array, int Index, float Value)[]
        {
            ("kernel[0]", d.W, 0, d.W[0] + 0.5f),
            ("kernel[last]", d.W, F * G - 1, d.W[F * G - 1] - 0.5f),
            ("kernel[middle]", d.W, (F / 2) * G + 3 * U + 17, 0.75f),
            ("recurrent_kernel[0]", d.U, 0, d.U[0] + 0.5f),
            ("recurrent_kernel[last]", d.U, U * G - 1, d.U[U * G - 1] - 0.5f),
            ("recurrent_kernel[last block]", d.U, (U - 2) * G + 2 * U + U - 20, 1.5f),
            ("recurrent_kernel[row 1, gate f]", d.U, G + U + 5, -1f),
        };
        foreach (var (name, array, index, value) in writes)
        {
            float old = array[index];
            array[index] = value;
            var written = RunForward(c, d);
            var fresh = OnNewThread(() => RunForward(c, d));
            Assert.True(first.Outputs.AsSpan().SequenceEqual(written.Outputs) == false, $"{name}: the write changes nothing, so it tests nothing");
            Assert.Equal(fresh.Outputs, written.Outputs);
            Assert.Equal(fresh.H, written.H);
            Assert.Equal(fresh.C, written.C);
            Assert.Equal(fresh.Cache, written.Cache);
            array[index] = old;
            var back = RunForward(c, d);
            Assert.Equal(first.Outputs, back.Outputs);
            Assert.Equal(first.C, back.C);
        }
    }

    private static T OnNewThread<T>(Func<T> f)
    {
        T result = default!;
        Exception? error = null;
        var thread = new System.Threading.Thread(() =>
        {
            try { result = f(); }
            catch (Exception e) { error = e; }
        });
        thread.Start();
        thread.Join();
        if (error != null) throw new InvalidOperationException("on the new thread", error);
        return result;
    }

    /// <summary>
    /// Stepping through a sequence gives the sequence kernel's outputs and final states to within 4e-6 (values are O(1)):
    /// both run the same per-step code, and the only difference is the input projection's GEMM, whose one-row and six-row
    /// micro-kernels sum k in different orders (Gemm.cs), so a row can differ in its last bit depending on the row count;
    /// the recurrence (here random ±0.6 weights, up to 128 units) carries such a bit through the later steps.
    /// </summary>
    [Theory]
    [InlineData(RecurrentCell.SimpleRnn, 1, 7, 5, 128)]
    [InlineData(RecurrentCell.Lstm, 1, 28, 28, 128)]
    [InlineData(RecurrentCell.Lstm, 7, 9, 28, 32)]
    [InlineData(RecurrentCell.GruResetAfter, 7, 6, 5, 128)]
    [InlineData(RecurrentCell.GruResetBefore, 1, 6, 5, 64)]
    [InlineData(RecurrentCell.SimpleRnn, 3, 5, 3, 7)]
    [InlineData(RecurrentCell.Lstm, 2, 6, 5, 3)]
    [InlineData(RecurrentCell.GruResetAfter, 3, 5, 4, 5)]
    [InlineData(RecurrentCell.GruResetBefore, 2, 7, 3, 6)]
    public void StreamingStepsMatchTheSequence(RecurrentCell cell, int batch, int steps, int features, int units)
        => StepVersusSequence(new RecurrentCase(cell, batch, steps, features, units, InitialState: true), 4e-6);

    /// <summary>Feeds the sequence one step at a time through the step kernels and compares every output and the final states.</summary>
    private static void StepVersusSequence(RecurrentCase c, double tolerance)
    {
        Data d = Make(c, 300 + c.Units);
        var (outputs, hSeq, cSeq, _) = RunForward(c, d);
        int B = c.Batch, T = c.Steps, F = c.Features, U = c.Units;
        var h = (float[])d.H0.Clone();
        var cc = c.HasCell ? (float[])d.C0.Clone() : Array.Empty<float>();
        var xt = new float[B * F];
        int scratchSize = c.Cell switch
        {
            RecurrentCell.SimpleRnn => Recurrent.SimpleRnnStepScratchSize(B, U),
            RecurrentCell.Lstm => Recurrent.LstmStepScratchSize(B, U),
            _ => Recurrent.GruStepScratchSize(B, U, c.Cell == RecurrentCell.GruResetAfter),
        };
        var scratch = new float[scratchSize];
        double worst = 0;
        for (int t = 0; t < T; t++)
        {
            for (int b = 0; b < B; b++) Array.Copy(d.X, (b * T + t) * F, xt, b * F, F);
            switch (c.Cell)
            {
                case RecurrentCell.SimpleRnn: Recurrent.SimpleRnnStep(xt, d.W, d.U, d.Bias, h, scratch, B, F, U, c.Activation); break;
                case RecurrentCell.Lstm: Recurrent.LstmStep(xt, d.W, d.U, d.Bias, h, cc, scratch, B, F, U, c.Activation, c.RecurrentActivation); break;
                default: Recurrent.GruStep(xt, d.W, d.U, d.Bias, h, scratch, B, F, U, c.Activation, c.RecurrentActivation, c.Cell == RecurrentCell.GruResetAfter); break;
            }
            for (int b = 0; b < B; b++)
                for (int j = 0; j < U; j++) worst = Math.Max(worst, Math.Abs(h[b * U + j] - outputs[(b * T + t) * U + j]));
        }
        for (int i = 0; i < B * U; i++) worst = Math.Max(worst, Math.Abs(h[i] - hSeq[i]));
        for (int i = 0; i < cc.Length; i++) worst = Math.Max(worst, Math.Abs(cc[i] - cSeq[i]));
        Assert.True(worst <= tolerance, $"{c}: step and sequence differ by up to {worst:E3} (allowed {tolerance:E1})");
    }

    /// <summary>
    /// With kernel = I, recurrent kernel = 0 and no bias, a SimpleRNN step is the activation itself: the SIMD tanh and
    /// sigmoid against double precision over tiny, moderate, large and extreme arguments (vector body and scalar tail).
    /// </summary>
    [Theory]
    [InlineData(RecurrentActivation.Tanh)]
    [InlineData(RecurrentActivation.Sigmoid)]
    public void SimdActivationsMatchDoublePrecision(RecurrentActivation activation)
    {
        var values = new List<float> { 0f, -0f, 1e-30f, -1e-8f, 1e-4f, -0.01f, 0.0624f, -0.0626f, 0.0625f, 0.3f, 0.3499f, -0.35f, 0.3501f, 0.5f, -0.7f, 1f, -2.5f, 5f, -9f, 15f, -20f, 44f, -88f, 100f, -1e4f };
        var r = new Random(5);
        for (int i = 0; i < 200; i++) values.Add((float)((r.NextDouble() * 2 - 1) * Math.Pow(10, r.Next(-6, 2))));
        int n = values.Count;
        var kernel = new float[n * n];
        for (int i = 0; i < n; i++) kernel[i * n + i] = 1;
        var h = new float[n];
        Recurrent.SimpleRnnStep(values.ToArray(), kernel, new float[n * n], default, h, new float[Recurrent.SimpleRnnStepScratchSize(1, n)], 1, n, n, activation);
        for (int i = 0; i < n; i++)
        {
            double x = values[i];
            double expected = activation == RecurrentActivation.Tanh ? Math.Tanh(x) : 1 / (1 + Math.Exp(-x));
            TestUtil.Close(expected, h[i], 6e-7, 1e-37, $"{activation}({x:R})");
        }
    }

    [Fact]
    public void MaskedStepsCarryStateAndRepeatTheOutput()
    {
        // One unit, linear, W = 1, U = 0, no bias: h_t = x_t; masked steps keep h and repeat the previous output.
        var c = new RecurrentCase(RecurrentCell.SimpleRnn, 1, 5, 1, 1, RecurrentActivation.Linear, UseBias: false, Masked: true, InitialState: true);
        float[] x = { 1, 2, 3, 4, 5 }, mask = { 0, 1, 0, 1, 0 }, w = { 1 }, u = { 0 }, h0 = { 9 };
        var outputs = new float[5];
        var h = new float[1];
        Recurrent.SimpleRnnForward(x, w, u, default, mask, h0, outputs, h, new float[5], new float[1], 1, 5, 1, 1, c.Activation, false, false);
        Assert.Equal(new float[] { 0, 2, 2, 4, 4 }, outputs);
        Assert.Equal(4f, h[0]);
        Recurrent.SimpleRnnForward(x, w, u, default, mask, h0, outputs, h, new float[5], new float[1], 1, 5, 1, 1, c.Activation, false, true);
        Assert.Equal(new float[] { 0, 2, 0, 4, 0 }, outputs);
        // go_backwards reads x[4] first (masked), then x[3]...; outputs stay in processing order.
        Recurrent.SimpleRnnForward(x, w, u, default, mask, h0, outputs, h, new float[5], new float[1], 1, 5, 1, 1, c.Activation, true, false);
        Assert.Equal(new float[] { 0, 4, 4, 2, 2 }, outputs);
        Assert.Equal(2f, h[0]);
        // All masked: the state stays the initial state and every output is zero.
        Recurrent.SimpleRnnForward(x, w, u, default, new float[5], h0, outputs, h, new float[5], new float[1], 1, 5, 1, 1, c.Activation, false, false);
        Assert.Equal(new float[5], outputs);
        Assert.Equal(9f, h[0]);
    }

    [Fact]
    public void BadArgumentsNameTheArgumentAndTheSize()
    {
        var e = Assert.Throws<ArgumentException>(() => Recurrent.LstmForward(new float[2 * 3 * 4], new float[4 * 16], new float[4 * 16], default, default, default, default,
            new float[2 * 3 * 4], new float[8], new float[8], new float[Recurrent.LstmCacheSize(2, 3, 4) - 1], new float[Recurrent.LstmForwardScratchSize(2, 4)],
            2, 3, 4, 4, RecurrentActivation.Tanh, RecurrentActivation.Sigmoid, false, false));
        Assert.Equal("cache", e.ParamName);
        Assert.Contains(Recurrent.LstmCacheSize(2, 3, 4).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        e = Assert.Throws<ArgumentException>(() => Recurrent.GruStep(new float[3], new float[3 * 6], new float[2 * 6], new float[6], new float[2], new float[100], 1, 3, 2,
            RecurrentActivation.Tanh, RecurrentActivation.Sigmoid, true));
        Assert.Equal("bias", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Recurrent.SimpleRnnStep(new float[3], new float[3], new float[1], default, new float[1], new float[2], 1, 3, 0, RecurrentActivation.Tanh));
    }

    [Fact]
    public void KernelsDoNotAllocate()
    {
        var cases = new[]
        {
            new RecurrentCase(RecurrentCell.SimpleRnn, 3, 4, 5, 6, Masked: true, InitialState: true),
            new RecurrentCase(RecurrentCell.Lstm, 3, 4, 5, 6, Masked: true, InitialState: true),
            new RecurrentCase(RecurrentCell.Lstm, 1, 4, 5, 32, InitialState: true), // the batch-1 GEMV path: packs once, then reuses
            new RecurrentCase(RecurrentCell.GruResetAfter, 3, 4, 5, 6, Masked: true, InitialState: true),
            new RecurrentCase(RecurrentCell.GruResetBefore, 3, 4, 5, 6, Masked: true, InitialState: true),
        };
        foreach (RecurrentCase c in cases)
        {
            Data d = Make(c, 7);
            int B = c.Batch, T = c.Steps, F = c.Features, U = c.Units, G = c.Gates * U;
            float[] outputs = new float[B * T * U], h = new float[B * U], cc = new float[B * U], cache = new float[CacheSize(c)];
            float[] fs = new float[ForwardScratch(c)], bs = new float[BackwardScratch(c)], ss = new float[8 * B * U + 3 * U * U + 3 * B * U];
            float[] dx = new float[B * T * F], dw = new float[F * G], du = new float[U * G], db = new float[c.BiasSize], dh0 = new float[B * U], dc0 = new float[B * U];
            float[] xt = new float[B * F];
            bool after = c.Cell == RecurrentCell.GruResetAfter;

            void Run()
            {
                switch (c.Cell)
                {
                    case RecurrentCell.SimpleRnn:
                        Recurrent.SimpleRnnForward(d.X, d.W, d.U, d.Bias, d.Mask, d.H0, outputs, h, cache, fs, B, T, F, U, c.Activation, false, false);
                        Recurrent.SimpleRnnBackward(d.X, d.W, d.U, d.Mask, d.H0, outputs, cache, d.DOut, d.DLast, d.DH, dx, dw, du, db, dh0, bs, B, T, F, U, c.Activation, false, false);
                        Recurrent.SimpleRnnStep(xt, d.W, d.U, d.Bias, h, ss, B, F, U, c.Activation);
                        break;
                    case RecurrentCell.Lstm:
                        Recurrent.LstmForward(d.X, d.W, d.U, d.Bias, d.Mask, d.H0, d.C0, outputs, h, cc, cache, fs, B, T, F, U, c.Activation, c.RecurrentActivation, false, false);
                        Recurrent.LstmBackward(d.X, d.W, d.U, d.Mask, d.H0, d.C0, outputs, cache, d.DOut, d.DLast, d.DH, d.DC, dx, dw, du, db, dh0, dc0, bs, B, T, F, U,
                            c.Activation, c.RecurrentActivation, false, false);
                        Recurrent.LstmStep(xt, d.W, d.U, d.Bias, h, cc, ss, B, F, U, c.Activation, c.RecurrentActivation);
                        break;
                    default:
                        Recurrent.GruForward(d.X, d.W, d.U, d.Bias, d.Mask, d.H0, outputs, h, cache, fs, B, T, F, U, c.Activation, c.RecurrentActivation, after, false, false);
                        Recurrent.GruBackward(d.X, d.W, d.U, d.Mask, d.H0, outputs, cache, d.DOut, d.DLast, d.DH, dx, dw, du, db, dh0, bs, B, T, F, U,
                            c.Activation, c.RecurrentActivation, after, false, false);
                        Recurrent.GruStep(xt, d.W, d.U, d.Bias, h, ss, B, F, U, c.Activation, c.RecurrentActivation, after);
                        break;
                }
            }

            Run();
            long before = GC.GetAllocatedBytesForCurrentThread();
            Run();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void OrthogonalMatchesKerasConstructionAndIsOrthonormal()
    {
        foreach ((int rows, int cols) in new[] { (5, 3), (3, 5), (4, 4), (7, 28) })
        {
            var w = new float[rows * cols];
            Orthogonal.Fill(w, rows, cols, 1.5, new Rng(11));
            int n = Math.Min(rows, cols);
            // Wᵀ·W = gain²·I (rows ≥ cols) or W·Wᵀ = gain²·I (rows < cols).
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double dot = 0;
                    if (rows >= cols) for (int r = 0; r < rows; r++) dot += (double)w[r * cols + i] * w[r * cols + j];
                    else for (int k = 0; k < cols; k++) dot += (double)w[i * cols + k] * w[j * cols + k];
                    Assert.True(Math.Abs(dot - (i == j ? 2.25 : 0)) < 1e-5, $"({rows}, {cols}) gram[{i},{j}] = {dot}");
                }
            }
        }
    }

    // ------------------------------------------------------------------ PyTorch fixtures

    private static JsonElement LoadFixture()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "recurrent", "recurrent.json");
        Assert.True(File.Exists(path), $"Missing fixture {path}; regenerate with tools/reference/make_recurrent_fixtures.py");
        using FileStream stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    private static float[] Floats(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out JsonElement a) || a.ValueKind == JsonValueKind.Null) return Array.Empty<float>();
        var v = new float[a.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in a.EnumerateArray()) v[i++] = (float)item.GetDouble();
        return v;
    }

    public static IEnumerable<object[]> FixtureNames()
    {
        foreach (JsonProperty p in LoadFixture().GetProperty("cases").EnumerateObject()) yield return new object[] { p.Name };
    }

    [Fact]
    public void FixtureHasEveryRequiredCase()
    {
        string[] required =
        {
            "simple_rnn", "simple_rnn_relu_backwards", "lstm", "lstm_masked_init", "lstm_backwards_nobias", "gru", "gru_masked_init_backwards",
            "gru_reset_before", "gru_reset_before_masked", "gru_nobias", "simple_rnn_masked_zero_output", "lstm_relu_hard_sigmoid_masked",
        };
        var names = FixtureNames().Select(n => (string)n[0]).ToHashSet();
        foreach (string name in required) Assert.Contains(name, names);
    }

    [Fact]
    public void OrthogonalMatchesPyTorchQrWithSignCorrection()
    {
        foreach (JsonElement e in LoadFixture().GetProperty("orthogonal").EnumerateArray())
        {
            int rows = e.GetProperty("rows").GetInt32(), cols = e.GetProperty("cols").GetInt32();
            double[] normal = e.GetProperty("normal").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            float[] expected = Floats(e, "expected");
            var w = new float[rows * cols];
            Orthogonal.FromNormal(normal, rows, cols, e.GetProperty("gain").GetDouble(), w);
            Compare(expected, w, 1e-5, 1e-6, $"orthogonal ({rows}, {cols})", "weights");
        }
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void MatchesPyTorchFixture(string name)
    {
        JsonElement e = LoadFixture().GetProperty("cases").GetProperty(name);
        var cell = e.GetProperty("cell").GetString() switch
        {
            "simple_rnn" => RecurrentCell.SimpleRnn,
            "lstm" => RecurrentCell.Lstm,
            "gru" => RecurrentCell.GruResetAfter,
            "gru_reset_before" => RecurrentCell.GruResetBefore,
            var s => throw new InvalidOperationException(s),
        };
        static RecurrentActivation Act(string s) => s switch
        {
            "tanh" => RecurrentActivation.Tanh,
            "sigmoid" => RecurrentActivation.Sigmoid,
            "relu" => RecurrentActivation.Relu,
            "hard_sigmoid" => RecurrentActivation.HardSigmoid,
            "linear" => RecurrentActivation.Linear,
            _ => throw new InvalidOperationException(s),
        };
        var d = new Data
        {
            X = Floats(e, "x"), W = Floats(e, "kernel"), U = Floats(e, "recurrent_kernel"), Bias = Floats(e, "bias"), Mask = Floats(e, "mask"),
            H0 = Floats(e, "initial_h"), C0 = Floats(e, "initial_c"), DOut = Floats(e, "d_outputs"), DH = Floats(e, "d_final_h"), DC = Floats(e, "d_final_c"),
        };
        var c = new RecurrentCase(cell, e.GetProperty("batch").GetInt32(), e.GetProperty("steps").GetInt32(), e.GetProperty("features").GetInt32(),
            e.GetProperty("units").GetInt32(), Act(e.GetProperty("activation").GetString()!), Act(e.GetProperty("recurrent_activation").GetString()!),
            UseBias: d.Bias.Length > 0, GoBackwards: e.GetProperty("go_backwards").GetBoolean(), ZeroOutputForMask: e.GetProperty("zero_output_for_mask").GetBoolean(),
            Masked: d.Mask.Length > 0, InitialState: d.H0.Length > 0);
        var (outputs, h, cc, cache) = RunForward(c, d);
        const double rel = 1e-5, abs = 2e-6;
        Compare(Floats(e, "outputs"), outputs, rel, abs, name, "outputs");
        Compare(Floats(e, "final_h"), h, rel, abs, name, "final_h");
        if (c.HasCell) Compare(Floats(e, "final_c"), cc, rel, abs, name, "final_c");
        Gradients g = RunBackward(c, d, outputs, cache);
        Compare(Floats(e, "dx"), g.Dx, rel, abs, name, "dx");
        Compare(Floats(e, "d_kernel"), g.DW, rel, abs, name, "d_kernel");
        Compare(Floats(e, "d_recurrent_kernel"), g.DU, rel, abs, name, "d_recurrent_kernel");
        Compare(Floats(e, "d_bias"), g.DBias, rel, abs, name, "d_bias");
        Compare(Floats(e, "d_initial_h"), g.DH0, rel, abs, name, "d_initial_h");
        Compare(Floats(e, "d_initial_c"), g.DC0, rel, abs, name, "d_initial_c");
    }

    private void Compare(float[] expected, float[] actual, double rel, double abs, string name, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
            TestUtil.Close(expected[i], actual[i], rel, abs, $"{name} {what}[{i}]");
        }
        _output.WriteLine($"{name} {what}: max |difference| {worst:E2} over {expected.Length} values");
    }
}
