using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

public class LossTests
{
    private const double Eps = 1e-7;

    // ---- Double-precision references written from LAYERS.md §14 (mean over rows of a per-row value).

    private static double MseRef(double[] p, float[] y, int rows, int cols)
    {
        double t = 0;
        for (int i = 0; i < rows * cols; i++) t += (p[i] - y[i]) * (p[i] - y[i]);
        return t / cols / rows;
    }

    private static double CceRef(double[] p, float[] y, int rows, int cols)
    {
        double t = 0;
        for (int r = 0; r < rows; r++)
        {
            double s = 0;
            for (int j = 0; j < cols; j++) s += p[r * cols + j];
            for (int j = 0; j < cols; j++) t -= y[r * cols + j] * Math.Log(Math.Clamp(p[r * cols + j] / s, Eps, 1 - Eps));
        }
        return t / rows;
    }

    private static float[] OneHot(float[] labels, int cols)
    {
        var y = new float[labels.Length * cols];
        for (int r = 0; r < labels.Length; r++) y[r * cols + (int)labels[r]] = 1f;
        return y;
    }

    private static double BceRef(double[] p, float[] y, int rows, int cols)
    {
        double t = 0;
        for (int i = 0; i < rows * cols; i++)
        {
            double c = Math.Clamp(p[i], Eps, 1 - Eps);
            t -= y[i] * Math.Log(c) + (1 - y[i]) * Math.Log(1 - c);
        }
        return t / cols / rows;
    }

    private static double SoftmaxCceRef(double[] z, float[] y, int rows, int cols)
    {
        double t = 0;
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity, s = 0;
            for (int j = 0; j < cols; j++) max = Math.Max(max, z[r * cols + j]);
            for (int j = 0; j < cols; j++) s += Math.Exp(z[r * cols + j] - max);
            double lse = max + Math.Log(s);
            for (int j = 0; j < cols; j++) t += y[r * cols + j] * (lse - z[r * cols + j]);
        }
        return t / rows;
    }

    private static double SigmoidBceRef(double[] z, float[] y, int rows, int cols)
    {
        double t = 0;
        for (int i = 0; i < rows * cols; i++) t += Math.Max(z[i], 0) - z[i] * y[i] + Math.Log(1 + Math.Exp(-Math.Abs(z[i])));
        return t / cols / rows;
    }

    private static float[] Softmax(float[] z, int cols)
    {
        var p = new float[z.Length];
        Activations.Softmax(z, p, cols);
        return p;
    }

    private static float[] Sigmoid(float[] z)
    {
        var p = new float[z.Length];
        Activations.Sigmoid(z, p);
        return p;
    }

    /// <summary>
    /// Checks value against the double reference and every gradient entry against a central difference of it.
    /// The kernel sums in double and rounds once: value within 1e-6 relative. FD with step h has truncation error
    /// O(h²) and rounding error ~1e-16/h; the float gradient adds 6e-8 relative; hence 1e-5 relative plus an
    /// absolute floor of 1e-6 of the largest gradient entry.
    /// </summary>
    private static void CheckValueAndGradient(Func<double[], double> reference, float[] input, float value, float[] grad, double h, string what)
    {
        double[] x = TestUtil.ToDouble(input);
        TestUtil.Close(reference(x), value, 1e-6, 1e-9, $"{what} value");
        var fd = new double[x.Length];
        double scale = 0;
        for (int i = 0; i < x.Length; i++)
        {
            fd[i] = TestUtil.CentralDifference(reference, x, i, h);
            scale = Math.Max(scale, Math.Abs(fd[i]));
        }
        for (int i = 0; i < x.Length; i++) TestUtil.Close(fd[i], grad[i], 1e-5, 1e-6 * scale, $"{what} grad");
    }

    private static float[] Probabilities(int seed, int rows, int cols, bool normalised)
    {
        float[] p = TestUtil.Uniform(seed, rows * cols, 0.05, 1);
        if (normalised)
        {
            for (int r = 0; r < rows; r++)
            {
                float s = 0;
                for (int j = 0; j < cols; j++) s += p[r * cols + j];
                for (int j = 0; j < cols; j++) p[r * cols + j] /= s;
            }
        }
        return p;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 4)]
    [InlineData(5, 10)]
    public void MeanSquaredError(int rows, int cols)
    {
        float[] p = TestUtil.Uniform(rows + 10 * cols, rows * cols, -2, 2);
        float[] y = TestUtil.Uniform(rows + 10 * cols + 1, rows * cols, -2, 2);
        var g = new float[p.Length];
        float v = Losses.MeanSquaredError(p, y, g, rows, cols);
        CheckValueAndGradient(x => MseRef(x, y, rows, cols), p, v, g, 1e-6, "mse");
        Assert.Equal(v, Losses.Compute(Loss.MeanSquaredError, p, y, Span<float>.Empty, rows, cols));
    }

    [Theory]
    [InlineData(1, 2, true)]
    [InlineData(4, 3, false)] // rows that do not sum to 1: the renormalisation path of the gradient matters
    [InlineData(6, 10, true)]
    [InlineData(3, 7, false)]
    public void CategoricalCrossentropyFromProbabilities(int rows, int cols, bool normalised)
    {
        float[] p = Probabilities(rows * 3 + cols, rows, cols, normalised);
        // Soft targets with a row sum ≠ 1 exercise every term of the gradient.
        float[] y = TestUtil.Uniform(rows * 5 + cols, rows * cols, 0, 1);
        var g = new float[p.Length];
        float v = Losses.CategoricalCrossentropy(p, y, g, rows, cols);
        CheckValueAndGradient(x => CceRef(x, y, rows, cols), p, v, g, 1e-7, "cce");
        Assert.Equal(v, Losses.Compute(Loss.CategoricalCrossentropy, p, y, Span<float>.Empty, rows, cols));
    }

    [Fact]
    public void CategoricalCrossentropyClippedEntries()
    {
        // Row 0: the true class has p = 0 → clipped at 1e-7 (E10: 16.1180957); nothing unclipped carries target
        // mass, so the gradient is zero everywhere (also through the renormalisation).
        // Row 1: a zero probability on a class with target 0: the loss still depends on it through Σp.
        float[] p = { 0f, 0.5f, 0.5f, 0f, 0.4f, 0.6f };
        float[] y = { 1f, 0f, 0f, 0f, 1f, 0f };
        var g = new float[6];
        float v = Losses.CategoricalCrossentropy(p, y, g, 2, 3);
        TestUtil.Close((16.1180957 - Math.Log(0.4)) / 2, v, 1e-6, 0, "clipped cce");
        Assert.Equal(new float[] { 0f, 0f, 0f }, g[..3]);
        // Row 1 gradient: −y/p + Σ_U y / S with S = 1 → [1, 1 − 1/0.4, 1] / rows.
        TestUtil.AllClose(new[] { 0.5, (1 - 2.5) / 2, 0.5 }, g.AsSpan(3), 1e-6, 0, "row 1 gradient");
        // Central differences with a step small enough that p0 = ±1e-9 stays clipped.
        CheckValueAndGradient(x => CceRef(x, y, 2, 3), p, v, g, 1e-9, "clipped cce");

        float single = Losses.CategoricalCrossentropy(new float[] { 0f, 1f }, new float[] { 1f, 0f }, Span<float>.Empty, 1, 2);
        TestUtil.Close(16.1180957, single, 1e-7, 0, "E10 p = 0");
        float allZero = Losses.CategoricalCrossentropy(new float[] { 0f, 0f }, new float[] { 1f, 0f }, g.AsSpan(0, 2), 1, 2);
        Assert.True(float.IsFinite(allZero));
        TestUtil.Close(16.1180957, allZero, 1e-7, 0, "all-zero row");
        Assert.Equal(0f, g[0]);
        Assert.Equal(0f, g[1]);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(5, 4)]
    [InlineData(7, 10)]
    public void SparseCategoricalCrossentropyFromProbabilities(int rows, int cols)
    {
        float[] p = Probabilities(rows + 77 * cols, rows, cols, normalised: rows % 2 == 1);
        var labels = new float[rows];
        for (int r = 0; r < rows; r++) labels[r] = (r * 7 + 3) % cols;
        var g = new float[p.Length];
        float v = Losses.SparseCategoricalCrossentropy(p, labels, g, rows, cols);
        float[] oneHot = OneHot(labels, cols);
        CheckValueAndGradient(x => CceRef(x, oneHot, rows, cols), p, v, g, 1e-7, "sparse cce");
        // Same numbers as the dense form with one-hot targets.
        var gDense = new float[p.Length];
        TestUtil.Close(Losses.CategoricalCrossentropy(p, oneHot, gDense, rows, cols), v, 1e-6, 0, "sparse = dense");
        TestUtil.AllClose(TestUtil.ToDouble(gDense), g, 1e-6, 1e-9, "sparse grad = dense grad");
        Assert.Equal(v, Losses.Compute(Loss.SparseCategoricalCrossentropy, p, labels, Span<float>.Empty, rows, cols));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(4, 2)]
    public void BinaryCrossentropyFromProbabilities(int rows, int cols)
    {
        float[] p = TestUtil.Uniform(rows * 13 + cols, rows * cols, 0.02, 0.98);
        float[] y = TestUtil.Uniform(rows * 17 + cols, rows * cols, 0, 1);
        var g = new float[p.Length];
        float v = Losses.BinaryCrossentropy(p, y, g, rows, cols);
        CheckValueAndGradient(x => BceRef(x, y, rows, cols), p, v, g, 1e-7, "bce");
        Assert.Equal(v, Losses.Compute(Loss.BinaryCrossentropy, p, y, Span<float>.Empty, rows, cols));
    }

    [Fact]
    public void BinaryCrossentropyClipsSaturatedProbabilities()
    {
        float[] p = { 0f, 1f, 1f, 0f };
        float[] y = { 1f, 0f, 1f, 0f };
        var g = new float[4];
        float v = Losses.BinaryCrossentropy(p, y, g, 1, 4);
        Assert.True(float.IsFinite(v));
        // Two maximal terms −log(1e-7) and two minimal terms −log(1 − 1e-7), averaged over 4.
        TestUtil.Close((2 * 16.1180957 - 2 * Math.Log(1 - 1e-7)) / 4, v, 1e-6, 0, "saturated bce");
        Assert.Equal(new float[4], g);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 4)]
    [InlineData(8, 10)]
    public void SoftmaxCategoricalCrossentropyFromLogits(int rows, int cols)
    {
        float[] z = TestUtil.Uniform(rows * 19 + cols, rows * cols, -4, 4);
        float[] y = TestUtil.Uniform(rows * 23 + cols, rows * cols, 0, 1); // soft targets, Σy ≠ 1
        float[] p = Softmax(z, cols);
        var g = new float[z.Length];
        float v = Losses.SoftmaxCategoricalCrossentropy(z, p, y, g, rows, cols);
        CheckValueAndGradient(x => SoftmaxCceRef(x, y, rows, cols), z, v, g, 1e-6, "softmax cce");
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(6, 10)]
    public void SoftmaxSparseCategoricalCrossentropyFromLogits(int rows, int cols)
    {
        float[] z = TestUtil.Uniform(rows * 29 + cols, rows * cols, -4, 4);
        var labels = new float[rows];
        for (int r = 0; r < rows; r++) labels[r] = (r * 5 + 1) % cols;
        float[] p = Softmax(z, cols);
        var g = new float[z.Length];
        float v = Losses.SoftmaxSparseCategoricalCrossentropy(z, p, labels, g, rows, cols);
        float[] oneHot = OneHot(labels, cols);
        CheckValueAndGradient(x => SoftmaxCceRef(x, oneHot, rows, cols), z, v, g, 1e-6, "softmax sparse cce");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 3)]
    public void SigmoidBinaryCrossentropyFromLogits(int rows, int cols)
    {
        float[] z = TestUtil.Uniform(rows * 31 + cols, rows * cols, -6, 6);
        float[] y = TestUtil.Uniform(rows * 37 + cols, rows * cols, 0, 1);
        float[] p = Sigmoid(z);
        var g = new float[z.Length];
        float v = Losses.SigmoidBinaryCrossentropy(z, p, y, g, rows, cols);
        CheckValueAndGradient(x => SigmoidBceRef(x, y, rows, cols), z, v, g, 1e-6, "sigmoid bce");
    }

    [Fact]
    public void FusedFormsAreStableForHugeLogits()
    {
        float[] z = { 1000f, -1000f, 0f };
        float[] p = Softmax(z, 3);
        var g = new float[3];
        float v = Losses.SoftmaxCategoricalCrossentropy(z, p, new float[] { 0f, 1f, 0f }, g, 1, 3);
        Assert.Equal(2000f, v);
        Assert.Equal(new float[] { 1f, -1f, 0f }, g);
        v = Losses.SoftmaxSparseCategoricalCrossentropy(z, p, new float[] { 2f }, g, 1, 3);
        Assert.Equal(1000f, v);
        float[] s = Sigmoid(z);
        v = Losses.SigmoidBinaryCrossentropy(z, s, new float[] { 0f, 1f, 1f }, g, 1, 3);
        TestUtil.Close((1000 + 1000 + Math.Log(2)) / 3, v, 1e-6, 0, "sigmoid bce huge");
        Assert.True(float.IsFinite(g[0]) && float.IsFinite(g[1]));
    }

    [Fact]
    public void WorkedExamplesE10()
    {
        float[] z = { 1, 2, 3 };
        float[] p = Softmax(z, 3);
        TestUtil.Close(0.4076059644, Losses.SoftmaxCategoricalCrossentropy(z, p, new float[] { 0, 0, 1 }, Span<float>.Empty, 1, 3), 0, 1e-6, "CCE logits");
        TestUtil.Close(0.4076059644, Losses.SoftmaxSparseCategoricalCrossentropy(z, p, new float[] { 2 }, Span<float>.Empty, 1, 3), 0, 1e-6, "sparse CCE logits");
        TestUtil.Close(0.4076059644, Losses.CategoricalCrossentropy(p, new float[] { 0, 0, 1 }, Span<float>.Empty, 1, 3), 0, 1e-6, "CCE probs");
        TestUtil.Close(16.1180957, Losses.CategoricalCrossentropy(new float[] { 0.3f, 0.7f, 0f }, new float[] { 0, 0, 1 }, Span<float>.Empty, 1, 3), 0, 1e-6, "CCE p = 0");
        TestUtil.Close(0.1642520, Losses.BinaryCrossentropy(new float[] { 0.9f, 0.2f }, new float[] { 1, 0 }, Span<float>.Empty, 1, 2), 0, 1e-6, "BCE");
        TestUtil.Close(0.1053605, Losses.BinaryCrossentropy(new float[] { 0.9f }, new float[] { 1 }, Span<float>.Empty, 1, 1), 0, 1e-6, "BCE element 0");
        TestUtil.Close(0.2231436, Losses.BinaryCrossentropy(new float[] { 0.2f }, new float[] { 0 }, Span<float>.Empty, 1, 1), 0, 1e-6, "BCE element 1");
        TestUtil.Close(0.1269280, Losses.SigmoidBinaryCrossentropy(new float[] { 2 }, Sigmoid(new float[] { 2 }), new float[] { 1 }, Span<float>.Empty, 1, 1), 0, 1e-6, "BCE logits z=2");
        TestUtil.Close(0.3132617, Losses.SigmoidBinaryCrossentropy(new float[] { -1 }, Sigmoid(new float[] { -1 }), new float[] { 0 }, Span<float>.Empty, 1, 1), 0, 1e-6, "BCE logits z=-1");
        TestUtil.Close(3.4166667, Losses.MeanSquaredError(new float[] { 0.5f, 1, 3 }, new float[3], Span<float>.Empty, 1, 3), 0, 1e-6, "MSE");
    }

    [Theory]
    [InlineData(2.5f)]
    [InlineData(-1f)]
    [InlineData(4f)]
    [InlineData(float.NaN)]
    public void SparseLabelOutOfRangeThrowsNamingRowAndValueWithoutWriting(float bad)
    {
        float[] p = Probabilities(1, 3, 4, true);
        float[] labels = { 0f, 3f, bad };
        var g = new float[12];
        Array.Fill(g, 42f);
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SparseCategoricalCrossentropy(p, labels, g, 3, 4));
        Assert.Contains("row 2", e1.Message);
        Assert.Contains(bad.ToString(System.Globalization.CultureInfo.InvariantCulture), e1.Message);
        Assert.All(g, v => Assert.Equal(42f, v));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SoftmaxSparseCategoricalCrossentropy(p, p, labels, g, 3, 4));
        Assert.Contains("row 2", e2.Message);
        Assert.All(g, v => Assert.Equal(42f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.Compute(Loss.SparseCategoricalCrossentropy, p, labels, g, 3, 4));
        Assert.All(g, v => Assert.Equal(42f, v));
    }

    [Fact]
    public void EmptyGradientIsNotWrittenAndZeroRowsGiveZero()
    {
        float[] p = { 0.2f, 0.8f };
        Assert.True(Losses.CategoricalCrossentropy(p, new float[] { 0, 1 }, Span<float>.Empty, 1, 2) > 0);
        Assert.Equal(0f, Losses.MeanSquaredError(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty, 0, 3));
        Assert.Equal(0f, Losses.SoftmaxSparseCategoricalCrossentropy(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty, 0, 3));
    }
}
