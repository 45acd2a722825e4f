using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="Attention"/>: Keras Attention (dot, concat), AdditiveAttention and the MultiHeadAttention core against a
/// scalar double reference written from LAYERS.md §13, gradients against central finite differences of that reference
/// (masks, causal, fully masked rows, dropout mask, scores gradient), no allocation, and the PyTorch fixtures of
/// <c>Fixtures/attention/attention.json</c> (a whole MultiHeadAttention layer composed from Dense and the core).
/// </summary>
public class AttentionTests
{
    private readonly ITestOutputHelper _output;

    public AttentionTests(ITestOutputHelper output) => _output = output;

    public sealed record LuongCase(AttentionScore Score, int Batch, int Tq, int Tv, int Dim, int ValueDim,
        bool UseScale = false, bool Causal = false, bool Masks = false, bool Dropout = false, bool ScoresGradient = false)
    {
        public override string ToString() => $"{Score} b{Batch} q{Tq} v{Tv} d{Dim} dv{ValueDim}{(UseScale ? " scale" : "")}{(Causal ? " causal" : "")}{(Masks ? " masks" : "")}{(Dropout ? " dropout" : "")}";
    }

    private static readonly LuongCase[] Luong =
    {
        new(AttentionScore.Dot, 2, 3, 5, 4, 3),
        new(AttentionScore.Dot, 3, 4, 5, 3, 2, UseScale: true, Causal: true, Masks: true, Dropout: true, ScoresGradient: true),
        new(AttentionScore.Concat, 2, 3, 4, 5, 3, UseScale: true, Masks: true, ScoresGradient: true),
        new(AttentionScore.Concat, 3, 5, 3, 2, 4, Causal: true),
        new(AttentionScore.Additive, 3, 4, 3, 5, 2, UseScale: true, Causal: true, Masks: true, Dropout: true),
        new(AttentionScore.Additive, 2, 3, 5, 3, 3),
    };

    public static IEnumerable<object[]> LuongIndices() => Enumerable.Range(0, Luong.Length).Select(i => new object[] { i });

    private sealed class LuongData
    {
        public float[] Q = Array.Empty<float>(), K = Array.Empty<float>(), V = Array.Empty<float>(), Scale = Array.Empty<float>(), Cw = Array.Empty<float>();
        public float[] QMask = Array.Empty<float>(), VMask = Array.Empty<float>(), Drop = Array.Empty<float>(), DOut = Array.Empty<float>(), DScores = Array.Empty<float>();
    }

    private static LuongData MakeLuong(LuongCase c, int seed)
    {
        int B = c.Batch;
        var d = new LuongData
        {
            Q = TestUtil.Uniform(seed, B * c.Tq * c.Dim),
            K = TestUtil.Uniform(seed + 1, B * c.Tv * c.Dim),
            V = TestUtil.Uniform(seed + 2, B * c.Tv * c.ValueDim),
            Scale = c.UseScale ? TestUtil.Uniform(seed + 3, c.Score == AttentionScore.Additive ? c.Dim : 1, 0.5, 1.5) : Array.Empty<float>(),
            Cw = c.Score == AttentionScore.Concat ? TestUtil.Uniform(seed + 4, 1, 0.5, 1.5) : Array.Empty<float>(),
            DOut = TestUtil.Uniform(seed + 5, B * c.Tq * c.ValueDim),
            DScores = c.ScoresGradient ? TestUtil.Uniform(seed + 6, B * c.Tq * c.Tv) : Array.Empty<float>(),
        };
        if (c.Masks)
        {
            // Sample 0: the first key and the last query masked (with causal, query row 0 then has no key);
            // sample 1: every key masked (every row falls back to Keras' uniform weights).
            d.QMask = Enumerable.Repeat(1f, B * c.Tq).ToArray();
            d.VMask = Enumerable.Repeat(1f, B * c.Tv).ToArray();
            d.VMask[0] = 0;
            d.QMask[c.Tq - 1] = 0;
            for (int j = 0; j < c.Tv; j++) d.VMask[c.Tv + j] = 0;
        }
        if (c.Dropout)
        {
            var r = new Random(seed + 7);
            d.Drop = Enumerable.Range(0, B * c.Tq * c.Tv).Select(_ => r.NextDouble() < 0.25 ? 0f : 1f / 0.75f).ToArray();
        }
        return d;
    }

    /// <summary>Keras Attention / AdditiveAttention in double: returns (output, scores after dropout).</summary>
    private static (double[] Out, double[] Scores) LuongReference(LuongCase c, double[] q, double[] k, double[] v, double[] scale, double[] cw,
        double[] qMask, double[] vMask, double[] drop)
    {
        int B = c.Batch, Tq = c.Tq, Tv = c.Tv, D = c.Dim, Dv = c.ValueDim;
        var outp = new double[B * Tq * Dv];
        var scores = new double[B * Tq * Tv];
        for (int b = 0; b < B; b++)
        {
            for (int i = 0; i < Tq; i++)
            {
                var s = new double[Tv];
                var allowed = new bool[Tv];
                for (int j = 0; j < Tv; j++)
                {
                    double acc = 0;
                    for (int e = 0; e < D; e++)
                    {
                        double qe = q[(b * Tq + i) * D + e], ke = k[(b * Tv + j) * D + e];
                        acc += c.Score switch
                        {
                            AttentionScore.Dot => qe * ke,
                            AttentionScore.Concat => Math.Tanh((scale.Length > 0 ? scale[0] : 1) * (qe + ke)),
                            _ => (scale.Length > 0 ? scale[e] : 1) * Math.Tanh(qe + ke),
                        };
                    }
                    if (c.Score == AttentionScore.Dot && scale.Length > 0) acc *= scale[0];
                    if (c.Score == AttentionScore.Concat) acc *= cw[0];
                    s[j] = acc;
                    allowed[j] = (vMask.Length == 0 || vMask[b * Tv + j] != 0) && (!c.Causal || j <= i);
                }
                var w = new double[Tv];
                if (!allowed.Any(a => a))
                {
                    for (int j = 0; j < Tv; j++) w[j] = 1.0 / Tv;
                }
                else
                {
                    double max = Enumerable.Range(0, Tv).Where(j => allowed[j]).Max(j => s[j]);
                    double sum = 0;
                    for (int j = 0; j < Tv; j++) sum += w[j] = allowed[j] ? Math.Exp(s[j] - max) : 0;
                    for (int j = 0; j < Tv; j++) w[j] /= sum;
                }
                for (int j = 0; j < Tv; j++)
                {
                    if (drop.Length > 0) w[j] *= drop[(b * Tq + i) * Tv + j];
                    scores[(b * Tq + i) * Tv + j] = w[j];
                }
                bool keepQuery = qMask.Length == 0 || qMask[b * Tq + i] != 0;
                for (int e = 0; e < Dv; e++)
                {
                    double acc = 0;
                    for (int j = 0; j < Tv; j++) acc += w[j] * v[(b * Tv + j) * Dv + e];
                    outp[(b * Tq + i) * Dv + e] = keepQuery ? acc : 0;
                }
            }
        }
        return (outp, scores);
    }

    [Theory]
    [MemberData(nameof(LuongIndices))]
    public void LuongAndAdditiveMatchReferenceAndFiniteDifferences(int index)
    {
        LuongCase c = Luong[index];
        LuongData d = MakeLuong(c, 10 + 10 * index);
        int B = c.Batch, qv = c.Tq * c.Tv;
        var output = new float[B * c.Tq * c.ValueDim];
        var probabilities = new float[B * qv];
        var scores = new float[B * qv];
        Attention.Forward(c.Score, d.Q, d.K, d.V, d.Scale, d.Cw, d.QMask, d.VMask, c.Causal, d.Drop, output, probabilities, scores,
            new float[Attention.ForwardScratchSize(c.Tq, c.Tv)], B, c.Tq, c.Tv, c.Dim, c.ValueDim);
        double[][] p = { TestUtil.ToDouble(d.Q), TestUtil.ToDouble(d.K), TestUtil.ToDouble(d.V), TestUtil.ToDouble(d.Scale), TestUtil.ToDouble(d.Cw) };
        double[] qm = TestUtil.ToDouble(d.QMask), vm = TestUtil.ToDouble(d.VMask), dr = TestUtil.ToDouble(d.Drop);
        var (refOut, refScores) = LuongReference(c, p[0], p[1], p[2], p[3], p[4], qm, vm, dr);
        TestUtil.AllClose(refOut, output, 1e-5, 2e-6, $"{c} output");
        TestUtil.AllClose(refScores, scores, 1e-5, 2e-6, $"{c} scores");

        var dq = new float[d.Q.Length];
        var dk = new float[d.K.Length];
        var dv = new float[d.V.Length];
        var dScale = new float[d.Scale.Length];
        var dCw = new float[d.Cw.Length];
        foreach (float[] a in new[] { dq, dk, dv, dScale, dCw }) Array.Fill(a, 5f);
        var scratch = new float[Attention.BackwardScratchSize(c.Tq, c.Tv, c.Dim, c.ValueDim)];
        Array.Fill(scratch, float.NaN);
        Attention.Backward(c.Score, d.Q, d.K, d.V, d.Scale, d.Cw, d.QMask, d.VMask, c.Causal, d.Drop, probabilities, d.DOut, d.DScores,
            dq, dk, dv, dScale, dCw, scratch, B, c.Tq, c.Tv, c.Dim, c.ValueDim);
        double[] dOut = TestUtil.ToDouble(d.DOut), dSc = TestUtil.ToDouble(d.DScores);

        double Loss()
        {
            var (o, s) = LuongReference(c, p[0], p[1], p[2], p[3], p[4], qm, vm, dr);
            double l = 0;
            for (int i = 0; i < o.Length; i++) l += dOut[i] * o[i];
            for (int i = 0; i < dSc.Length; i++) l += dSc[i] * s[i];
            return l;
        }

        string[] names = { "dQuery", "dKey", "dValue", "dScale", "dConcatScoreWeight" };
        float[][] actual = { dq, dk, dv, dScale, dCw };
        for (int k = 0; k < p.Length; k++)
            for (int i = 0; i < p[k].Length; i++)
                TestUtil.Close(TestUtil.CentralDifference(_ => Loss(), p[k], i, 1e-5), actual[k][i], 1e-3, 5e-5, $"{c} {names[k]}[{i}]");
    }

    [Fact]
    public void FullyMaskedRowsFollowKeras()
    {
        // Attention: no allowed key → uniform weights 1/Tv (Keras' scores − 1e9 round to one float32 value).
        float[] q = { 1, 2 }, k = { 1, 0, 0, 1, 3, 3 }, v = { 1, 10, 100 };
        var output = new float[1];
        var probabilities = new float[3];
        Attention.Forward(AttentionScore.Dot, q, k, v, default, default, default, new float[] { 0, 0, 0 }, false, default, output, probabilities, default,
            new float[3], 1, 1, 3, 2, 1);
        Assert.Equal(new[] { 1f / 3, 1f / 3, 1f / 3 }, probabilities);
        Assert.Equal(37f, output[0], 5);
        // MultiHeadAttention: no allowed key → all weights 0 and a zero core output (the output projection adds its bias).
        var mhaOut = new float[1];
        var mhaP = new float[3];
        Attention.MultiHeadForward(q, k, v, default, default, new float[] { 0, 0, 0 }, default, false, default, mhaOut, mhaP,
            new float[Attention.MultiHeadForwardScratchSize(1, 3, 2, 1)], 1, 1, 3, 1, 2, 1);
        Assert.Equal(new float[3], mhaP);
        Assert.Equal(0f, mhaOut[0]);
        // One allowed key → all the weight on it.
        Attention.MultiHeadForward(q, k, v, default, default, new float[] { 0, 1, 0 }, default, false, default, mhaOut, mhaP,
            new float[Attention.MultiHeadForwardScratchSize(1, 3, 2, 1)], 1, 1, 3, 1, 2, 1);
        Assert.Equal(new float[] { 0, 1, 0 }, mhaP);
        Assert.Equal(10f, mhaOut[0]);
    }

    [Fact]
    public void SoftmaxIsStableForLargeScores()
    {
        // Scores near ±1e4 overflow a naive exp; the row maximum is subtracted first.
        float[] q = { 100 }, k = { 100, -100, 99.99f }, v = { 1, 2, 3 };
        var output = new float[1];
        var p = new float[3];
        Attention.Forward(AttentionScore.Dot, q, k, v, default, default, default, default, false, default, output, p, default, new float[3], 1, 1, 3, 1, 1);
        Assert.All(p, x => Assert.True(float.IsFinite(x)));
        Assert.Equal(1.0, p.Sum(x => (double)x), 6);
        Assert.Equal(1 / (1 + Math.Exp(-1.0)), p[0], 5);
    }

    // ------------------------------------------------------------------ MultiHeadAttention core

    public sealed record MhaCase(int Batch, int T, int S, int Heads, int KeyDim, int ValueDim, bool Causal = false, bool Masks = false, bool Dropout = false, bool ScoresGradient = false)
    {
        public override string ToString() => $"mha b{Batch} t{T} s{S} n{Heads} dk{KeyDim} dv{ValueDim}{(Causal ? " causal" : "")}{(Masks ? " masks" : "")}{(Dropout ? " dropout" : "")}";
    }

    private static readonly MhaCase[] Mha =
    {
        new(2, 3, 5, 2, 3, 4),
        new(3, 4, 4, 3, 2, 3, Causal: true, Masks: true, Dropout: true, ScoresGradient: true),
        new(2, 5, 3, 1, 5, 2, Masks: true),
        // The Transformer sample's head size (16 keys, key_dim 16) and odd neighbours: the strided per-head products' vector
        // body (four rows at a time), their leftover rows and their scalar columns past the last full vector, at every width.
        new(2, 17, 16, 2, 16, 9),
        new(2, 18, 16, 3, 16, 20, Causal: true, Masks: true, Dropout: true, ScoresGradient: true),
        // The 512-bit path's own product for the weights times V (values a multiple of 16): the benchmark's heads with a
        // leftover row, and fewer keys than a vector with two vectors of values.
        new(2, 17, 16, 4, 16, 16),
        new(2, 16, 12, 2, 16, 32, Causal: true, Masks: true, Dropout: true, ScoresGradient: true),
    };

    public static IEnumerable<object[]> MhaIndices() => Enumerable.Range(0, Mha.Length).Select(i => new object[] { i });

    private static double[] MhaReference(MhaCase c, double[] q, double[] k, double[] v, double[] am, double[] qm, double[] vm, double[] km, double[] drop, out double[] probs)
    {
        int B = c.Batch, T = c.T, S = c.S, N = c.Heads, dk = c.KeyDim, dv = c.ValueDim;
        var o = new double[B * T * N * dv];
        probs = new double[B * N * T * S];
        for (int b = 0; b < B; b++)
            for (int n = 0; n < N; n++)
                for (int i = 0; i < T; i++)
                {
                    var s = new double[S];
                    var ok = new bool[S];
                    for (int j = 0; j < S; j++)
                    {
                        double acc = 0;
                        for (int e = 0; e < dk; e++) acc += q[((b * T + i) * N + n) * dk + e] / Math.Sqrt(dk) * k[((b * S + j) * N + n) * dk + e];
                        s[j] = acc;
                        ok[j] = (!c.Causal || j <= i) && (am.Length == 0 || am[(b * T + i) * S + j] != 0) && (qm.Length == 0 || qm[b * T + i] != 0)
                                && (vm.Length == 0 || vm[b * S + j] != 0) && (km.Length == 0 || km[b * S + j] != 0);
                    }
                    var w = new double[S];
                    if (ok.Any(x => x))
                    {
                        double max = Enumerable.Range(0, S).Where(j => ok[j]).Max(j => s[j]);
                        double sum = 0;
                        for (int j = 0; j < S; j++) sum += w[j] = ok[j] ? Math.Exp(s[j] - max) : 0;
                        for (int j = 0; j < S; j++) w[j] /= sum;
                    }
                    for (int j = 0; j < S; j++) probs[((b * N + n) * T + i) * S + j] = w[j];
                    for (int e = 0; e < dv; e++)
                    {
                        double acc = 0;
                        for (int j = 0; j < S; j++) acc += w[j] * (drop.Length > 0 ? drop[((b * N + n) * T + i) * S + j] : 1) * v[((b * S + j) * N + n) * dv + e];
                        o[((b * T + i) * N + n) * dv + e] = acc;
                    }
                }
        return o;
    }

    [Theory]
    [MemberData(nameof(MhaIndices))]
    public void MultiHeadCoreMatchesReferenceAndFiniteDifferences(int index)
    {
        MhaCase c = Mha[index];
        int B = c.Batch, T = c.T, S = c.S, N = c.Heads;
        int seed = 500 + 10 * index;
        float[] q = TestUtil.Uniform(seed, B * T * N * c.KeyDim, -1.5, 1.5), k = TestUtil.Uniform(seed + 1, B * S * N * c.KeyDim, -1.5, 1.5);
        float[] v = TestUtil.Uniform(seed + 2, B * S * N * c.ValueDim), dOut = TestUtil.Uniform(seed + 3, B * T * N * c.ValueDim);
        float[] dScores = c.ScoresGradient ? TestUtil.Uniform(seed + 4, B * N * T * S) : Array.Empty<float>();
        float[] am = Array.Empty<float>(), qm = Array.Empty<float>(), vm = Array.Empty<float>(), km = Array.Empty<float>(), drop = Array.Empty<float>();
        if (c.Masks)
        {
            var r = new Random(seed + 5);
            am = Enumerable.Range(0, B * T * S).Select(_ => r.NextDouble() < 0.2 ? 0f : 1f).ToArray();
            qm = Enumerable.Repeat(1f, B * T).ToArray();
            vm = Enumerable.Repeat(1f, B * S).ToArray();
            km = Enumerable.Repeat(1f, B * S).ToArray();
            qm[1] = 0;                                   // a masked query: its rows have no allowed key
            vm[S - 1] = 0;
            km[S + 0] = 0;
            for (int j = 0; j < S; j++) am[(1 * T + 2) * S + j] = 0;   // sample 1, query 2: fully masked by attention_mask
        }
        if (c.Dropout)
        {
            var r = new Random(seed + 6);
            drop = Enumerable.Range(0, B * N * T * S).Select(_ => r.NextDouble() < 0.2 ? 0f : 1.25f).ToArray();
        }
        var output = new float[B * T * N * c.ValueDim];
        var probabilities = new float[B * N * T * S];
        Attention.MultiHeadForward(q, k, v, am, qm, vm, km, c.Causal, drop, output, probabilities,
            new float[Attention.MultiHeadForwardScratchSize(T, S, c.KeyDim, c.ValueDim)], B, T, S, N, c.KeyDim, c.ValueDim);
        double[][] p = { TestUtil.ToDouble(q), TestUtil.ToDouble(k), TestUtil.ToDouble(v) };
        double[] dam = TestUtil.ToDouble(am), dqm = TestUtil.ToDouble(qm), dvm = TestUtil.ToDouble(vm), dkm = TestUtil.ToDouble(km), ddr = TestUtil.ToDouble(drop);
        double[] refOut = MhaReference(c, p[0], p[1], p[2], dam, dqm, dvm, dkm, ddr, out double[] refProbs);
        TestUtil.AllClose(refOut, output, 1e-5, 2e-6, $"{c} output");
        TestUtil.AllClose(refProbs, probabilities, 1e-5, 2e-6, $"{c} probabilities");

        var dq = new float[q.Length];
        var dk = new float[k.Length];
        var dv = new float[v.Length];
        var scratch = new float[Attention.MultiHeadBackwardScratchSize(T, S, c.KeyDim, c.ValueDim)];
        Array.Fill(scratch, float.NaN);
        Attention.MultiHeadBackward(q, k, v, am, qm, vm, km, c.Causal, drop, probabilities, dOut, dScores, dq, dk, dv, scratch, B, T, S, N, c.KeyDim, c.ValueDim);
        double[] gOut = TestUtil.ToDouble(dOut), gSc = TestUtil.ToDouble(dScores);

        double Loss()
        {
            double[] o = MhaReference(c, p[0], p[1], p[2], dam, dqm, dvm, dkm, ddr, out double[] pr);
            double l = 0;
            for (int i = 0; i < o.Length; i++) l += gOut[i] * o[i];
            for (int i = 0; i < gSc.Length; i++) l += gSc[i] * pr[i];
            return l;
        }

        string[] names = { "dQuery", "dKey", "dValue" };
        float[][] actual = { dq, dk, dv };
        for (int a = 0; a < p.Length; a++)
            for (int i = 0; i < p[a].Length; i++)
                TestUtil.Close(TestUtil.CentralDifference(_ => Loss(), p[a], i, 1e-5), actual[a][i], 1e-3, 5e-5, $"{c} {names[a]}[{i}]");
    }

    [Fact]
    public void KernelsDoNotAllocate()
    {
        const int B = 2, Tq = 3, Tv = 4, D = 5, Dv = 3, N = 2;
        float[] q = TestUtil.Uniform(1, B * Tq * N * D), k = TestUtil.Uniform(2, B * Tv * N * D), v = TestUtil.Uniform(3, B * Tv * N * Dv);
        float[] o = new float[B * Tq * N * Dv], pr = new float[B * N * Tq * Tv], sc = new float[B * Tq * Tv], dO = TestUtil.Uniform(4, B * Tq * N * Dv);
        float[] dq = new float[q.Length], dk = new float[k.Length], dv = new float[v.Length], ds = new float[D], dc = new float[1];
        float[] scale = TestUtil.Uniform(5, D, 0.5, 1.5), cw = { 1.2f }, vm = { 1, 0, 1, 1, 1, 1, 1, 0 }, qm = { 1, 1, 0, 1, 1, 1 };
        float[] fs = new float[Math.Max(Math.Max(Attention.MultiHeadForwardScratchSize(Tq, Tv, D, Dv), Attention.MultiHeadBackwardScratchSize(Tq, Tv, D, Dv)), Attention.BackwardScratchSize(Tq, Tv, D, Dv))];
        AttentionScore[] modes = { AttentionScore.Dot, AttentionScore.Concat, AttentionScore.Additive };

        void Run()
        {
            foreach (AttentionScore s in modes)
            {
                ReadOnlySpan<float> sc1 = s == AttentionScore.Additive ? scale : scale.AsSpan(0, 1);
                Attention.Forward(s, q, k, v, sc1, cw, qm, vm, true, default, o, pr, sc, fs, B, Tq, Tv, D, Dv);
                Attention.Backward(s, q, k, v, sc1, cw, qm, vm, true, default, pr, dO, sc, dq, dk, dv, ds, dc, fs, B, Tq, Tv, D, Dv);
            }
            Attention.MultiHeadForward(q, k, v, default, qm, vm, vm, true, default, o, pr, fs, B, Tq, Tv, N, D, Dv);
            Attention.MultiHeadBackward(q, k, v, default, qm, vm, vm, true, default, pr, dO, default, dq, dk, dv, fs, B, Tq, Tv, N, D, Dv);
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void BadArgumentsNameTheArgumentAndTheSize()
    {
        var e = Assert.Throws<ArgumentException>(() => Attention.Forward(AttentionScore.Additive, new float[6], new float[6], new float[6], new float[2], default,
            default, default, false, default, new float[6], new float[4], default, new float[4], 1, 2, 2, 3, 3));
        Assert.Equal("scale", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Attention.MultiHeadForward(new float[12], new float[12], new float[12], default, default, default, default, false, default,
            new float[12], new float[8], new float[3], 1, 2, 2, 2, 3, 3));
        Assert.Equal("scratch", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Attention.MultiHeadForward(default, default, default, default, default, default, default, false, default,
            default, default, default, 1, 2, 2, 0, 3, 3));
    }

    // ------------------------------------------------------------------ PyTorch fixtures

    private static JsonElement LoadFixture()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "attention", "attention.json");
        Assert.True(File.Exists(path), $"Missing fixture {path}; regenerate with tools/reference/make_attention_fixtures.py");
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

    public static IEnumerable<object[]> FixtureNames(string group)
    {
        foreach (JsonProperty p in LoadFixture().GetProperty(group).EnumerateObject()) yield return new object[] { p.Name };
    }

    [Fact]
    public void FixtureHasEveryRequiredCase()
    {
        var luong = FixtureNames("attention").Select(n => (string)n[0]).ToHashSet();
        foreach (string name in new[] { "dot", "dot_scale_causal_masks", "concat_scale_masks", "concat", "additive_scale_masks", "additive_no_scale" })
            Assert.Contains(name, luong);
        var mha = FixtureNames("multi_head").Select(n => (string)n[0]).ToHashSet();
        foreach (string name in new[] { "torch_self", "torch_cross_kdim_vdim_padding", "torch_causal_padding", "keras_fully_masked_rows" })
            Assert.Contains(name, mha);
    }

    [Theory]
    [MemberData(nameof(FixtureNames), "attention")]
    public void AttentionMatchesPyTorchFixture(string name)
    {
        JsonElement e = LoadFixture().GetProperty("attention").GetProperty(name);
        AttentionScore score = e.GetProperty("score").GetString() switch
        {
            "dot" => AttentionScore.Dot,
            "concat" => AttentionScore.Concat,
            _ => AttentionScore.Additive,
        };
        int B = e.GetProperty("batch").GetInt32(), Tq = e.GetProperty("tq").GetInt32(), Tv = e.GetProperty("tv").GetInt32();
        int D = e.GetProperty("dim").GetInt32(), Dv = e.GetProperty("value_dim").GetInt32();
        bool causal = e.GetProperty("causal").GetBoolean();
        float[] q = Floats(e, "query"), k = Floats(e, "key"), v = Floats(e, "value"), scale = Floats(e, "scale"), cw = Floats(e, "concat_score_weight");
        float[] qm = Floats(e, "query_mask"), vm = Floats(e, "value_mask"), dOut = Floats(e, "d_output"), dScores = Floats(e, "d_scores");
        var output = new float[B * Tq * Dv];
        var pr = new float[B * Tq * Tv];
        var scores = new float[B * Tq * Tv];
        Attention.Forward(score, q, k, v, scale, cw, qm, vm, causal, default, output, pr, scores, new float[Attention.ForwardScratchSize(Tq, Tv)], B, Tq, Tv, D, Dv);
        Compare(Floats(e, "output"), output, name, "output");
        Compare(Floats(e, "scores"), scores, name, "scores");
        float[] dq = new float[q.Length], dk = new float[k.Length], dv = new float[v.Length], ds = new float[scale.Length], dc = new float[cw.Length];
        Attention.Backward(score, q, k, v, scale, cw, qm, vm, causal, default, pr, dOut, dScores, dq, dk, dv, ds, dc,
            new float[Attention.BackwardScratchSize(Tq, Tv, D, Dv)], B, Tq, Tv, D, Dv);
        Compare(Floats(e, "d_query"), dq, name, "d_query");
        Compare(Floats(e, "d_key"), dk, name, "d_key");
        Compare(Floats(e, "d_value"), dv, name, "d_value");
        Compare(Floats(e, "d_scale"), ds, name, "d_scale");
        Compare(Floats(e, "d_concat_score_weight"), dc, name, "d_concat_score_weight");
    }

    /// <summary>A whole Keras MultiHeadAttention layer: the projections (Keras kernels viewed as 2-D), the core, the output projection; forward and every gradient.</summary>
    [Theory]
    [MemberData(nameof(FixtureNames), "multi_head")]
    public void MultiHeadAttentionLayerMatchesPyTorchFixture(string name)
    {
        JsonElement e = LoadFixture().GetProperty("multi_head").GetProperty(name);
        int B = e.GetProperty("batch").GetInt32(), T = e.GetProperty("t").GetInt32(), S = e.GetProperty("s").GetInt32(), N = e.GetProperty("heads").GetInt32();
        int dk = e.GetProperty("key_dim").GetInt32(), dvh = e.GetProperty("value_dim").GetInt32();
        int Dq = e.GetProperty("query_features").GetInt32(), Dkin = e.GetProperty("key_features").GetInt32(), Dvin = e.GetProperty("value_features").GetInt32();
        int E = e.GetProperty("output_features").GetInt32();
        bool causal = e.GetProperty("causal").GetBoolean();
        float[] xq = Floats(e, "query"), xk = Floats(e, "key"), xv = Floats(e, "value");
        float[] wq = Floats(e, "query/kernel"), bq = Floats(e, "query/bias"), wk = Floats(e, "key/kernel"), bk = Floats(e, "key/bias");
        float[] wv = Floats(e, "value/kernel"), bv = Floats(e, "value/bias"), wo = Floats(e, "attention_output/kernel"), bo = Floats(e, "attention_output/bias");
        float[] qm = Floats(e, "query_mask"), vm = Floats(e, "value_mask"), dOut = Floats(e, "d_output");
        float[] q = new float[B * T * N * dk], k = new float[B * S * N * dk], v = new float[B * S * N * dvh], core = new float[B * T * N * dvh], y = new float[B * T * E];
        var pr = new float[B * N * T * S];
        Attention.MultiHeadProjection(xq, wq, bq, q, B * T, Dq, N * dk);
        Attention.MultiHeadProjection(xk, wk, bk, k, B * S, Dkin, N * dk);
        Attention.MultiHeadProjection(xv, wv, bv, v, B * S, Dvin, N * dvh);
        Attention.MultiHeadForward(q, k, v, default, qm, vm, default, causal, default, core, pr, new float[Attention.MultiHeadForwardScratchSize(T, S, dk, dvh)], B, T, S, N, dk, dvh);
        Attention.MultiHeadProjection(core, wo, bo, y, B * T, N * dvh, E);
        Compare(Floats(e, "output"), y, name, "output");
        Compare(Floats(e, "scores"), pr, name, "scores");

        float[] dCore = new float[core.Length], dq = new float[q.Length], dk2 = new float[k.Length], dv2 = new float[v.Length];
        float[] dWo = new float[wo.Length], dBo = new float[bo.Length], dWq = new float[wq.Length], dBq = new float[bq.Length];
        float[] dWk = new float[wk.Length], dBk = new float[bk.Length], dWv = new float[wv.Length], dBv = new float[bv.Length];
        float[] dxq = new float[xq.Length], dxk = new float[xk.Length], dxv = new float[xv.Length];
        Dense.BackwardWeights(core, dOut, dWo, dBo, B * T, N * dvh, E);
        Dense.BackwardInput(dOut, wo, dCore, B * T, N * dvh, E);
        Attention.MultiHeadBackward(q, k, v, default, qm, vm, default, causal, default, pr, dCore, default, dq, dk2, dv2,
            new float[Attention.MultiHeadBackwardScratchSize(T, S, dk, dvh)], B, T, S, N, dk, dvh);
        Dense.BackwardWeights(xq, dq, dWq, dBq, B * T, Dq, N * dk);
        Dense.BackwardInput(dq, wq, dxq, B * T, Dq, N * dk);
        Dense.BackwardWeights(xk, dk2, dWk, dBk, B * S, Dkin, N * dk);
        Dense.BackwardInput(dk2, wk, dxk, B * S, Dkin, N * dk);
        Dense.BackwardWeights(xv, dv2, dWv, dBv, B * S, Dvin, N * dvh);
        Dense.BackwardInput(dv2, wv, dxv, B * S, Dvin, N * dvh);
        Compare(Floats(e, "d_query"), dxq, name, "d_query");
        Compare(Floats(e, "d_key"), dxk, name, "d_key");
        Compare(Floats(e, "d_value"), dxv, name, "d_value");
        Compare(Floats(e, "d_query/kernel"), dWq, name, "d_query/kernel");
        Compare(Floats(e, "d_query/bias"), dBq, name, "d_query/bias");
        Compare(Floats(e, "d_key/kernel"), dWk, name, "d_key/kernel");
        Compare(Floats(e, "d_key/bias"), dBk, name, "d_key/bias");
        Compare(Floats(e, "d_value/kernel"), dWv, name, "d_value/kernel");
        Compare(Floats(e, "d_value/bias"), dBv, name, "d_value/bias");
        Compare(Floats(e, "d_attention_output/kernel"), dWo, name, "d_attention_output/kernel");
        Compare(Floats(e, "d_attention_output/bias"), dBo, name, "d_attention_output/bias");
    }

    /// <summary>
    /// <see cref="Attention.MultiHeadProjection"/> against a double-precision product: 1-9 rows (the 4-row tiles and the
    /// leftover rows), units a multiple of 16 (64-column tiles, 16-column tiles, both) and not (the Dense fallback), with
    /// and without bias; every output written, nothing past it.
    /// </summary>
    [Theory]
    [InlineData(1, 64, 64, true)]
    [InlineData(4, 64, 64, true)]
    [InlineData(9, 64, 64, false)]
    [InlineData(7, 5, 16, true)]
    [InlineData(6, 33, 48, true)]
    [InlineData(5, 17, 80, false)]
    [InlineData(8, 64, 192, true)]
    [InlineData(3, 8, 10, true)]
    public void ProjectionMatchesDoubleReference(int rows, int inFeatures, int units, bool bias)
    {
        float[] x = TestUtil.Uniform(700 + rows, rows * inFeatures), w = TestUtil.Uniform(701 + units, inFeatures * units);
        float[] b = bias ? TestUtil.Uniform(702, units) : Array.Empty<float>();
        var y = new float[rows * units + 3];
        Array.Fill(y, float.NaN);
        Attention.MultiHeadProjection(x, w, b, y, rows, inFeatures, units);
        var expected = new double[rows * units];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < units; j++)
            {
                double acc = bias ? b[j] : 0;
                for (int p = 0; p < inFeatures; p++) acc += (double)x[i * inFeatures + p] * w[p * units + j];
                expected[i * units + j] = acc;
            }
        TestUtil.AllClose(expected, y.AsSpan(0, rows * units).ToArray(), 1e-5, 2e-6, $"rows {rows} in {inFeatures} units {units}");
        Assert.All(y.AsSpan(rows * units).ToArray(), v => Assert.True(float.IsNaN(v)));
        var e = Assert.Throws<ArgumentException>(() => Attention.MultiHeadProjection(x, w, b, new float[rows * units - 1], rows, inFeatures, units));
        Assert.Contains("y", e.ParamName);
    }

    private void Compare(float[] expected, float[] actual, string name, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
            TestUtil.Close(expected[i], actual[i], 1e-5, 2e-6, $"{name} {what}[{i}]");
        }
        _output.WriteLine($"{name} {what}: max |difference| {worst:E2} over {expected.Length} values");
    }
}
