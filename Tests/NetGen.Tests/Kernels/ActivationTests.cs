using System;
using System.Collections.Generic;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

public class ActivationTests
{
    public delegate void ForwardKernel(ReadOnlySpan<float> x, Span<float> y);
    public delegate void BackwardKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    private const double Alpha = 1.6732632423543772, Lambda = 1.0507009873554805;

    /// <summary>log(1 + e) for e ≥ 0, by its series where 1 + e would round away most of e's digits.</summary>
    private static double Log1p(double e) => e < 1e-4 ? e * (1 - e * (1.0 / 2 - e * (1.0 / 3 - e / 4))) : Math.Log(1 + e);

    private static double Sig(double x) => 1 / (1 + Math.Exp(-x));
    private static double Phi(double x) => 0.5 * Activations.Erfc(-x / Math.Sqrt(2)); // tested against known values below

    /// <summary>Double-precision references written from the formulas of LAYERS.md §3.</summary>
    internal sealed record Act(string Name, ForwardKernel Forward, BackwardKernel Backward, Func<double, double> F, Func<double, double> D);

    internal static readonly Act[] All =
    {
        new("relu", Activations.Relu, Activations.ReluBackward, x => Math.Max(x, 0), x => x > 0 ? 1 : 0),
        new("sigmoid", Activations.Sigmoid, Activations.SigmoidBackward, Sig, x => Sig(x) * (1 - Sig(x))),
        new("tanh", Activations.Tanh, Activations.TanhBackward, Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x)),
        new("leaky_relu", Activations.LeakyRelu, Activations.LeakyReluBackward, x => x > 0 ? x : 0.2 * x, x => x > 0 ? 1 : 0.2),
        new("elu", Activations.Elu, Activations.EluBackward, x => x >= 0 ? x : Math.Exp(x) - 1, x => x >= 0 ? 1 : Math.Exp(x)),
        new("selu", Activations.Selu, Activations.SeluBackward, x => x >= 0 ? Lambda * x : Lambda * Alpha * (Math.Exp(x) - 1), x => x >= 0 ? Lambda : Lambda * Alpha * Math.Exp(x)),
        new("swish", Activations.Swish, Activations.SwishBackward, x => x * Sig(x), x => Sig(x) * (1 + x * (1 - Sig(x)))),
        new("softplus", Activations.Softplus, Activations.SoftplusBackward, x => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x))), Sig),
        new("gelu", Activations.Gelu, Activations.GeluBackward, x => x * Phi(x), x => Phi(x) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI)),
        new("silu", Activations.Silu, Activations.SiluBackward, x => x * Sig(x), x => Sig(x) * (1 + x * (1 - Sig(x)))),
        new("exponential", Activations.Exponential, Activations.ExponentialBackward, Math.Exp, Math.Exp),
        new("hard_sigmoid", Activations.HardSigmoid, Activations.HardSigmoidBackward, HardSig, x => x > -3 && x < 3 ? 1.0 / 6 : 0),
        new("hard_silu", Activations.HardSilu, Activations.HardSiluBackward, x => x * HardSig(x), x => x >= 3 ? 1 : x > -3 ? (2 * x + 3) / 6 : 0),
        new("softsign", Activations.Softsign, Activations.SoftsignBackward, x => x / (1 + Math.Abs(x)), x => 1 / ((1 + Math.Abs(x)) * (1 + Math.Abs(x)))),
        new("relu6", Activations.Relu6, Activations.Relu6Backward, x => Math.Min(Math.Max(x, 0), 6), x => x > 0 && x < 6 ? 1 : 0),
        // mish = x·tanh(softplus(x)); f' = tanh(sp) + x·sech²(sp)·σ(x) (the product and chain rules).
        new("mish", Activations.Mish, Activations.MishBackward, x => x * Math.Tanh(Softplus(x)),
            x => Math.Tanh(Softplus(x)) + x * (1 - Math.Tanh(Softplus(x)) * Math.Tanh(Softplus(x))) * Sig(x)),
        // 0.5·x·(1 + tanh u) written as x·σ(2u) (equal; avoids 1 + tanh u cancelling in the reference for x ≪ 0).
        new("gelu_tanh", Activations.GeluTanh, Activations.GeluTanhBackward, x => x * Sig(2 * GeluU(x)),
            x => 0.5 * (1 + Math.Tanh(GeluU(x))) + 0.5 * x * (1 - Math.Tanh(GeluU(x)) * Math.Tanh(GeluU(x))) * Math.Sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x)),
    };

    private static double HardSig(double x) => Math.Min(Math.Max(x + 3, 0), 6) / 6;

    private static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    private static double GeluU(double x) => Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);

    public static IEnumerable<object[]> Names()
    {
        foreach (Act a in All) yield return new object[] { a.Name };
    }

    private static Act Get(string name) => Array.Find(All, a => a.Name == name)!;

    /// <summary>Inputs spanning both signs and several magnitudes; no exact kinks (0), plus odd lengths for vector tails.</summary>
    private static float[] Inputs(int seed, int count)
    {
        float[] x = TestUtil.Uniform(seed, count, -6, 6);
        for (int i = 0; i < x.Length; i++)
        {
            if (i % 7 == 3) x[i] *= 1e-3f;   // near zero
            if (i % 11 == 5) x[i] *= 5f;     // large magnitude (up to ±30)
            if (x[i] == 0f) x[i] = 0.25f;
        }
        return x;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardMatchesDoubleReference(string name)
    {
        Act act = Get(name);
        foreach (int n in new[] { 0, 1, 7, 16, 33, 101 })
        {
            float[] x = Inputs(n + 1, n);
            var y = new float[n];
            act.Forward(x, y);
            for (int i = 0; i < n; i++)
                // float inputs are exact; the result is within a few float ulps (2^-24 ≈ 6e-8 relative) of the true value.
                TestUtil.Close(act.F(x[i]), y[i], 4e-7, 1e-30, $"{name}({x[i]})");
            // In place gives the same.
            var inPlace = (float[])x.Clone();
            act.Forward(inPlace, inPlace);
            Assert.Equal(y, inPlace);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ReferenceDerivativeMatchesCentralDifferences(string name)
    {
        Act act = Get(name);
        foreach (float xf in Inputs(99, 60))
        {
            double x = xf, h = 1e-5 * Math.Max(1, Math.Abs(x));
            double fd = (act.F(x + h) - act.F(x - h)) / (2 * h);
            // Truncation error h²·|f'''|/6 ≤ 1e-10 here; rounding error ≈ 1e-16·|f|/h ≤ 1e-10.
            TestUtil.Close(fd, act.D(x), 1e-7, 1e-8, $"{name}'({x})");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void BackwardMatchesReferenceDerivativeAndRunsInPlace(string name)
    {
        Act act = Get(name);
        foreach (int n in new[] { 0, 1, 9, 16, 37 })
        {
            float[] x = Inputs(n + 7, n);
            float[] dy = TestUtil.Uniform(n + 8, n, -2, 2);
            var y = new float[n];
            act.Forward(x, y);
            var dx = new float[n];
            act.Backward(x, y, dy, dx);
            for (int i = 0; i < n; i++)
                // The kernel may use its float output y (e.g. y(1−y)); cancellation in 1 − y² costs up to
                // ~|y|²·2^-23 absolute relative to the derivative, so allow 1e-6·|dy| absolute besides 1e-6 relative.
                TestUtil.Close(dy[i] * act.D(x[i]), dx[i], 1e-6, 1e-6 * Math.Abs(dy[i]), $"{name}'({x[i]})·{dy[i]}");
            var dyInPlace = (float[])dy.Clone();
            act.Backward(x, y, dyInPlace, dyInPlace);
            Assert.Equal(dx, dyInPlace);
        }
    }

    [Fact]
    public void ReluDerivativeAtZeroIsZero()
    {
        float[] x = { 0f, -0f, 1f }, y = new float[3], dy = { 5f, 5f, 5f }, dx = new float[3];
        Activations.Relu(x, y);
        Activations.ReluBackward(x, y, dy, dx);
        Assert.Equal(new float[] { 0f, 0f, 5f }, dx);
    }

    [Fact]
    public void ExtremeInputsStayFinite()
    {
        float[] x = { -1000f, -100f, -30f, 30f, 100f, 1000f };
        var y = new float[x.Length];
        var dx = new float[x.Length];
        float[] dy = { 1, 1, 1, 1, 1, 1 };
        foreach (Act act in All)
        {
            if (act.Name == "exponential") continue; // e^x overflows to +∞ above 88.72, as in Keras
            act.Forward(x, y);
            act.Backward(x, y, dy, dx);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(float.IsFinite(y[i]), $"{act.Name}({x[i]}) = {y[i]}");
                Assert.True(float.IsFinite(dx[i]), $"{act.Name}'({x[i]}) = {dx[i]}");
            }
        }
        Activations.Sigmoid(x, y);
        Assert.Equal(0f, y[0]);
        Assert.Equal(1f, y[5]);
        Activations.Softplus(x, y);
        Assert.Equal(1000f, y[5]);
        Assert.Equal(0f, y[0]);
        Activations.Softplus(new float[] { -40f }, y.AsSpan(0, 1));
        TestUtil.Close(Math.Exp(-40.0), y[0], 1e-6, 0, "softplus(-40) keeps its tiny value");
    }

    // LAYERS.md §20 E9: x = −2, −0.5, 0, 0.5, 2 (7 decimals).
    [Theory]
    [InlineData("sigmoid", 0.1192029, 0.3775407, 0.5, 0.6224593, 0.8807971)]
    [InlineData("tanh", -0.9640276, -0.4621172, 0, 0.4621172, 0.9640276)]
    [InlineData("elu", -0.8646647, -0.3934693, 0, 0.5, 2)]
    [InlineData("selu", -1.5201665, -0.6917582, 0, 0.5253505, 2.1014020)]
    [InlineData("softplus", 0.1269280, 0.4740770, 0.6931472, 0.9740770, 2.1269280)]
    [InlineData("swish", -0.2384058, -0.1887703, 0, 0.3112297, 1.7615942)]
    [InlineData("gelu", -0.0455003, -0.1542688, 0, 0.3457312, 1.9544997)]
    [InlineData("leaky_relu", -0.4, -0.1, 0, 0.5, 2)]
    [InlineData("relu", 0, 0, 0, 0.5, 2)]
    public void WorkedExampleE9(string name, double m2, double m05, double z, double p05, double p2)
    {
        float[] x = { -2f, -0.5f, 0f, 0.5f, 2f };
        var y = new float[5];
        Get(name).Forward(x, y);
        double[] expected = { m2, m05, z, p05, p2 };
        // Table values are rounded to 7 decimals (±5e-8); float results add a few ulps.
        for (int i = 0; i < 5; i++) TestUtil.Close(expected[i], y[i], 0, 1e-6, $"{name}({x[i]})");
    }

    [Fact]
    public void SoftmaxWorkedExampleAndLargeLogits()
    {
        var y = new float[3];
        Activations.Softmax(new float[] { 1, 2, 3 }, y, 3);
        TestUtil.AllClose(new[] { 0.0900306, 0.2447285, 0.6652410 }, y, 0, 1e-6, "softmax([1,2,3])");
        Activations.Softmax(new float[] { 1001, 1002, 1003 }, y, 3);
        TestUtil.AllClose(new[] { 0.0900306, 0.2447285, 0.6652410 }, y, 0, 1e-6, "softmax shifted by 1000");
    }

    private static double[] SoftmaxRef(double[] x, int cols)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length; r += cols)
        {
            double max = double.NegativeInfinity, s = 0;
            for (int j = 0; j < cols; j++) max = Math.Max(max, x[r + j]);
            for (int j = 0; j < cols; j++) s += Math.Exp(x[r + j] - max);
            for (int j = 0; j < cols; j++) y[r + j] = Math.Exp(x[r + j] - max) / s;
        }
        return y;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 10)]
    [InlineData(4, 17)]
    [InlineData(2, 64)]
    public void SoftmaxForwardAndBackwardMatchReferenceAndFiniteDifferences(int rows, int cols)
    {
        float[] x = TestUtil.Uniform(rows * 31 + cols, rows * cols, -5, 5);
        float[] w = TestUtil.Uniform(rows * 37 + cols, rows * cols, -1, 1); // dy
        var y = new float[x.Length];
        Activations.Softmax(x, y, cols);
        double[] yRef = SoftmaxRef(TestUtil.ToDouble(x), cols);
        TestUtil.AllClose(yRef, y, 1e-6, 1e-9, "softmax");

        var dx = new float[x.Length];
        Activations.SoftmaxBackward(x, y, w, dx, cols);
        // The gradient of L(x) = Σ w ⊙ softmax(x) is dx; check against central differences of the double reference.
        double[] xd = TestUtil.ToDouble(x);
        double L(double[] v)
        {
            double[] s = SoftmaxRef(v, cols);
            double sum = 0;
            for (int i = 0; i < s.Length; i++) sum += w[i] * s[i];
            return sum;
        }
        for (int i = 0; i < x.Length; i++)
            TestUtil.Close(TestUtil.CentralDifference(L, xd, i, 1e-6), dx[i], 1e-5, 1e-7, $"softmax dx[{i}]");

        var inPlace = (float[])w.Clone();
        Activations.SoftmaxBackward(x, y, inPlace, inPlace, cols);
        Assert.Equal(dx, inPlace);
        var xInPlace = (float[])x.Clone();
        Activations.Softmax(xInPlace, xInPlace, cols);
        Assert.Equal(y, xInPlace);
    }

    // Reference values from a correctly rounded erf (Python's math.erf).
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1e-5, 1.1283791670579e-05)]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.25, 0.2763263901682369)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(0.75, 0.7111556336535151)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(1.25, 0.9229001282564582)]
    [InlineData(1.5, 0.9661051464753108)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(2.4, 0.999311486103355)]
    [InlineData(2.5, 0.999593047982555)]
    [InlineData(2.6, 0.9997639655834707)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(3.5, 0.9999992569016276)]
    [InlineData(4.0, 0.9999999845827421)]
    [InlineData(5.0, 0.9999999999984626)]
    [InlineData(6.0, 1.0)]
    [InlineData(-0.3, -0.3286267594591274)]
    [InlineData(-1.7, -0.9837904585907745)]
    [InlineData(-2.7, -0.9998656672600594)]
    public void ErfMatchesKnownValues(double x, double expected)
    {
        double actual = Activations.Erf(x);
        TestUtil.Close(expected, actual, 0, 1e-7, $"erf({x})");
        // The implementation is in fact accurate to ~1e-12; keep it that way.
        TestUtil.Close(expected, actual, 0, 1e-12, $"erf({x}) (tight)");
        Assert.Equal(-actual, Activations.Erf(-x));
    }

    [Theory]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(2.0, 0.004677734981047265)]
    [InlineData(2.6, 0.00023603441652934908)]
    [InlineData(3.0, 2.2090496998585438e-05)]
    [InlineData(4.0, 1.541725790028002e-08)]
    [InlineData(5.0, 1.5374597944280351e-12)]
    [InlineData(6.0, 2.1519736712498916e-17)]
    [InlineData(-1.7, 1.9837904585907746)]
    public void ErfcHasRelativeAccuracyInTheTail(double x, double expected)
        => TestUtil.Close(expected, Activations.Erfc(x), 1e-12, 0, $"erfc({x})");

    [Fact]
    public void ErfEdgeValues()
    {
        Assert.Equal(1.0, Activations.Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, Activations.Erf(double.NegativeInfinity));
        Assert.True(double.IsNaN(Activations.Erf(double.NaN)));
        // Continuity across the switch between the series and the continued fraction.
        TestUtil.Close(Activations.Erf(2.5), Activations.Erf(2.5000000001), 0, 1e-10, "erf continuity at 2.5");
    }

    /// <summary>
    /// Exact GELU on a dense grid across the whole float range where it is nonzero, so every vector width's body and
    /// tail see the far-left tail (|y| down to ~1e-38, where a wrong erfc loses its relative accuracy first), the
    /// switch at 0 and the right side. Reference: x·Φ(x) with Φ from the double continued-fraction/series erfc,
    /// itself checked against known values in ErfMatchesKnownValues/ErfcHasRelativeAccuracyInTheTail.
    /// </summary>
    [Fact]
    public void GeluKeepsRelativeAccuracyOverTheWholeRange()
    {
        const int n = 4001;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -13f + 23f * i / (n - 1); // [−13, 10]; gelu(−13) ≈ −8e-38 is still a normal float
        var y = new float[n];
        Activations.Gelu(x, y);
        float[] dy = TestUtil.Uniform(5, n, -2, 2);
        var dx = new float[n];
        Activations.GeluBackward(x, y, dy, dx);
        for (int i = 0; i < n; i++)
        {
            double v = x[i];
            double phi = 0.5 * Activations.Erfc(-v / Math.Sqrt(2));
            TestUtil.Close(v * phi, y[i], 1e-6, 1e-40, $"gelu({v})");
            double d = phi + v * Math.Exp(-v * v / 2) / Math.Sqrt(2 * Math.PI);
            // Near f's minimum (x ≈ −0.75) Φ and x·φ cancel; erfc's 1.2e-7 relative error there is ≤ 3e-8 absolute.
            TestUtil.Close(dy[i] * d, dx[i], 1e-6, 1e-7 * Math.Abs(dy[i]), $"gelu'({v})·{dy[i]}");
        }
    }

    [Fact]
    public void GeluLimitsAndNaN()
    {
        // Enough elements for the vector body and the scalar tail to both see each special value.
        float[] special = { float.PositiveInfinity, float.NegativeInfinity, float.NaN, -40f, 40f, -1e30f, 1e30f };
        foreach (int n in new[] { 7, 64 + 7 })
        {
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = special[i % special.Length];
            var y = new float[n];
            var dx = new float[n];
            var dy = new float[n];
            Array.Fill(dy, 1f);
            Activations.Gelu(x, y);
            Activations.GeluBackward(x, y, dy, dx);
            for (int i = 0; i < n; i++)
            {
                float v = x[i];
                if (float.IsNaN(v))
                {
                    Assert.True(float.IsNaN(y[i]) && float.IsNaN(dx[i]), $"gelu(NaN) at {i}: {y[i]}, {dx[i]}");
                }
                else if (v > 0)
                {
                    Assert.Equal(v, y[i]);        // Φ = 1 to float precision: +∞ → +∞, 40 → 40
                    Assert.Equal(1f, dx[i]);
                }
                else
                {
                    Assert.Equal(-0f, y[i]);      // Φ underflows: −0, not NaN at −∞
                    Assert.True(float.IsNegative(y[i]), $"gelu({v}) should be −0");
                    Assert.Equal(0f, dx[i]);
                }
            }
        }
    }
}
