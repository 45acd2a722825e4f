using System;
using System.Collections.Generic;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="Dot"/> against a double-precision reference of <c>y[a,b,c,d] = Σ_j x0[a,j,b]·x1[c,j,d]</c>, its backward
/// and the L2 normalisation's backward by central differences of the double reference.
/// </summary>
public class DotKernelTests
{
    // Float accumulation over up to 100 products of values in [−1, 1]: errors stay near 1e-6, a wrong index moves
    // results by O(1).
    private const double Rel = 1e-5, Abs = 1e-5;

    public static IEnumerable<object[]> Shapes()
    {
        foreach (int k in MergeKernelTests.Sizes)
        {
            yield return new object[] { 2, 1, k, 1, 1, 1 };   // (n)·(n), axes 1: contiguous dot products
            yield return new object[] { 1, 3, k, 1, 5, 1 };   // (T, d)·(S, d), axes 2
            yield return new object[] { 2, 1, k, 4, 1, 6 };   // (T, d)·(T, e), axes 1
            yield return new object[] { 1, 2, k, 3, 1, 1 };   // strided first input, q1 = 1
        }
        yield return new object[] { 1, 2, 5, 3, 2, 17 };
        yield return new object[] { 3, 1, 5, 33, 1, 7 };
        yield return new object[] { 1, 1, 3, 9, 2, 100 };
        yield return new object[] { 0, 2, 3, 4, 5, 6 };
    }

    internal static double[] Reference(double[] x0, double[] x1, int n, int p0, int k, int q0, int p1, int q1)
    {
        var y = new double[n * p0 * q0 * p1 * q1];
        for (int s = 0; s < n; s++)
            for (int a = 0; a < p0; a++)
                for (int b = 0; b < q0; b++)
                    for (int c = 0; c < p1; c++)
                        for (int d = 0; d < q1; d++)
                        {
                            double sum = 0;
                            for (int j = 0; j < k; j++)
                                sum += x0[((s * p0 + a) * k + j) * q0 + b] * x1[((s * p1 + c) * k + j) * q1 + d];
                            y[(((s * p0 + a) * q0 + b) * p1 + c) * q1 + d] = sum;
                        }
        return y;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesDoubleReference(int n, int p0, int k, int q0, int p1, int q1)
    {
        float[] x0 = TestUtil.Uniform(1 + k, n * p0 * k * q0), x1 = TestUtil.Uniform(2 + k, n * p1 * k * q1);
        var y = new float[n * p0 * q0 * p1 * q1];
        y.AsSpan().Fill(float.NaN);
        Dot.Forward(x0, x1, y, n, p0, k, q0, p1, q1);
        TestUtil.AllClose(Reference(TestUtil.ToDouble(x0), TestUtil.ToDouble(x1), n, p0, k, q0, p1, q1), y, Rel, Abs, $"dot ({n},{p0},{k},{q0},{p1},{q1})");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardMatchesFiniteDifferences(int n, int p0, int k, int q0, int p1, int q1)
    {
        float[] x0 = TestUtil.Uniform(3 + k, n * p0 * k * q0), x1 = TestUtil.Uniform(4 + k, n * p1 * k * q1);
        float[] dy = TestUtil.Uniform(5 + k, n * p0 * q0 * p1 * q1);
        float[] dx0 = new float[x0.Length], dx1 = new float[x1.Length];
        dx0.AsSpan().Fill(float.NaN); // overwritten
        dx1.AsSpan().Fill(float.NaN);
        Dot.Backward(x0, x1, dy, dx0, dx1, n, p0, k, q0, p1, q1);

        double[] d0 = TestUtil.ToDouble(x0), d1 = TestUtil.ToDouble(x1);
        double Loss(double[] a, double[] b)
        {
            double[] y = Reference(a, b, n, p0, k, q0, p1, q1);
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += dy[i] * y[i];
            return sum;
        }
        // The loss is bilinear, so central differences are exact up to rounding.
        for (int i = 0; i < d0.Length; i++)
            TestUtil.Close(TestUtil.CentralDifference(v => Loss(v, d1), d0, i, 0.5), dx0[i], Rel, Abs, $"dx0[{i}]");
        for (int i = 0; i < d1.Length; i++)
            TestUtil.Close(TestUtil.CentralDifference(v => Loss(d0, v), d1, i, 0.5), dx1[i], Rel, Abs, $"dx1[{i}]");

        // An empty gradient span is skipped and leaves the other one unchanged.
        var only1 = new float[x1.Length];
        Dot.Backward(x0, x1, dy, Span<float>.Empty, only1, n, p0, k, q0, p1, q1);
        Assert.True(only1.AsSpan().SequenceEqual(dx1));
        var only0 = new float[x0.Length];
        Dot.Backward(x0, x1, dy, only0, Span<float>.Empty, n, p0, k, q0, p1, q1);
        Assert.True(only0.AsSpan().SequenceEqual(dx0));
    }

    [Fact]
    public void KerasDocsExample()
    {
        // x = arange(10).reshape(1, 5, 2), y = arange(10, 20).reshape(1, 2, 5), Dot(axes=(1, 2)) → [[260, 360], [320, 445]].
        // Second input with its axis 2 contracted: (p1, k, q1) = (2, 5, 1); first input axis 1: (p0, k, q0) = (1, 5, 2).
        var x = new float[10];
        var z = new float[10];
        for (int i = 0; i < 10; i++) { x[i] = i; z[i] = 10 + i; }
        var y = new float[4];
        Dot.Forward(x, z, y, 1, 1, 5, 2, 2, 1);
        Assert.Equal(new float[] { 260, 360, 320, 445 }, y);
    }

    internal static double[] NormalizeReference(double[] x, int rows, int k, int q)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < q; t++)
            {
                double sum = 0;
                for (int j = 0; j < k; j++) sum += x[(r * k + j) * q + t] * x[(r * k + j) * q + t];
                double denominator = Math.Max(Math.Sqrt(sum), 1e-7);
                for (int j = 0; j < k; j++) y[(r * k + j) * q + t] = x[(r * k + j) * q + t] / denominator;
            }
        return y;
    }

    public static IEnumerable<object[]> FibreShapes()
    {
        foreach (int k in MergeKernelTests.Sizes)
        {
            yield return new object[] { 3, k, 1 };
            yield return new object[] { 2, k, 7 };
        }
        foreach (int q in new[] { 2, 8, 9, 17, 33 }) yield return new object[] { 2, 5, q };
    }

    [Theory]
    [MemberData(nameof(FibreShapes))]
    public void NormalizeMatchesReferenceAndRunsInPlace(int rows, int k, int q)
    {
        float[] x = TestUtil.Uniform(6 + k * q, rows * k * q, -2, 2);
        var xn = new float[x.Length];
        Dot.Normalize(x, xn, rows, k, q);
        TestUtil.AllClose(NormalizeReference(TestUtil.ToDouble(x), rows, k, q), xn, 1e-6, 1e-7, $"normalize ({rows},{k},{q})");
        float[] inPlace = (float[])x.Clone();
        Dot.Normalize(inPlace, inPlace, rows, k, q);
        Assert.True(xn.AsSpan().SequenceEqual(inPlace));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void NormalizeClipsTinyFibresAtEpsilon(int q)
    {
        // Fibre 0 is zero, fibre 1 has norm 5e-8 < ε = 1e-7 (divided by ε instead), the rest are ordinary.
        const int k = 3;
        var x = new float[k * q];
        for (int j = 0; j < k; j++)
            for (int t = 1; t < q; t++) x[j * q + t] = 0.1f * (j + 1) * t;
        if (q > 1) { x[1] = 3e-8f; x[q + 1] = 4e-8f; x[2 * q + 1] = 0; }
        else { x[0] = 3e-8f; x[1] = 4e-8f; x[2] = 0; }
        var xn = new float[x.Length];
        Dot.Normalize(x, xn, 1, k, q);
        TestUtil.AllClose(NormalizeReference(TestUtil.ToDouble(x), 1, k, q), xn, 1e-6, 1e-7, "normalize tiny");
        if (q > 1)
        {
            Assert.Equal(0f, xn[0]);
            TestUtil.Close(0.3, xn[1], 1e-6, 0, "3e-8 / ε");
        }
        else TestUtil.Close(0.3, xn[0], 1e-6, 0, "3e-8 / ε");

        // Backward of a clipped fibre: the scale 1/ε is a constant.
        float[] g = TestUtil.Uniform(7, x.Length);
        var dx = new float[x.Length];
        Dot.NormalizeBackward(x, xn, g, dx, 1, k, q);
        int fibre = q > 1 ? 1 : 0;
        for (int j = 0; j < k; j++) TestUtil.Close(g[j * q + fibre] / 1e-7, dx[j * q + fibre], 1e-6, 0, $"clipped dx[{j}]");
        if (q > 1) for (int j = 0; j < k; j++) TestUtil.Close(g[j * q] / 1e-7, dx[j * q], 1e-6, 0, $"zero-fibre dx[{j}]");
    }

    [Theory]
    [MemberData(nameof(FibreShapes))]
    public void NormalizeBackwardMatchesFiniteDifferences(int rows, int k, int q)
    {
        float[] x = TestUtil.Uniform(8 + k * q, rows * k * q, -2, 2);
        float[] g = TestUtil.Uniform(9 + k * q, x.Length);
        var xn = new float[x.Length];
        Dot.Normalize(x, xn, rows, k, q);
        var dx = new float[x.Length];
        dx.AsSpan().Fill(float.NaN);
        Dot.NormalizeBackward(x, xn, g, dx, rows, k, q);
        double Loss(double[] v)
        {
            double[] n = NormalizeReference(v, rows, k, q);
            double sum = 0;
            for (int i = 0; i < n.Length; i++) sum += g[i] * n[i];
            return sum;
        }
        double[] point = TestUtil.ToDouble(x);
        for (int i = 0; i < point.Length; i++)
            TestUtil.Close(TestUtil.CentralDifference(Loss, point, i, 1e-5), dx[i], 1e-4, 1e-5, $"normalize dx[{i}] ({rows},{k},{q})");

        // dx may overwrite dxn.
        float[] overG = (float[])g.Clone();
        Dot.NormalizeBackward(x, xn, overG, overG, rows, k, q);
        Assert.True(dx.AsSpan().SequenceEqual(overG));
    }

    /// <summary>Dot(normalize=True) as the generator will chain it: normalise, contract, then both backwards.</summary>
    [Theory]
    [InlineData(2, 1, 17, 1, 1, 1)]
    [InlineData(2, 3, 4, 1, 5, 1)]
    [InlineData(1, 1, 3, 4, 1, 6)]
    public void NormalizedDotBackwardMatchesFiniteDifferences(int n, int p0, int k, int q0, int p1, int q1)
    {
        float[] x0 = TestUtil.Uniform(11, n * p0 * k * q0), x1 = TestUtil.Uniform(12, n * p1 * k * q1);
        float[] dy = TestUtil.Uniform(13, n * p0 * q0 * p1 * q1);
        float[] n0 = new float[x0.Length], n1 = new float[x1.Length], y = new float[dy.Length];
        Dot.Normalize(x0, n0, n * p0, k, q0);
        Dot.Normalize(x1, n1, n * p1, k, q1);
        Dot.Forward(n0, n1, y, n, p0, k, q0, p1, q1);
        float[] dn0 = new float[x0.Length], dn1 = new float[x1.Length];
        Dot.Backward(n0, n1, dy, dn0, dn1, n, p0, k, q0, p1, q1);
        Dot.NormalizeBackward(x0, n0, dn0, dn0, n * p0, k, q0);
        Dot.NormalizeBackward(x1, n1, dn1, dn1, n * p1, k, q1);

        double[] d0 = TestUtil.ToDouble(x0), d1 = TestUtil.ToDouble(x1);
        double[] cosine = Reference(NormalizeReference(d0, n * p0, k, q0), NormalizeReference(d1, n * p1, k, q1), n, p0, k, q0, p1, q1);
        TestUtil.AllClose(cosine, y, 1e-5, 1e-6, "cosine");
        double Loss(double[] a, double[] b)
        {
            double[] v = Reference(NormalizeReference(a, n * p0, k, q0), NormalizeReference(b, n * p1, k, q1), n, p0, k, q0, p1, q1);
            double sum = 0;
            for (int i = 0; i < v.Length; i++) sum += dy[i] * v[i];
            return sum;
        }
        for (int i = 0; i < d0.Length; i++)
            TestUtil.Close(TestUtil.CentralDifference(v => Loss(v, d1), d0, i, 1e-5), dn0[i], 1e-4, 1e-5, $"dx0[{i}]");
        for (int i = 0; i < d1.Length; i++)
            TestUtil.Close(TestUtil.CentralDifference(v => Loss(d0, v), d1, i, 1e-5), dn1[i], 1e-4, 1e-5, $"dx1[{i}]");
    }

    [Fact]
    public void BadSizesNameTheArgument()
    {
        var six = new float[6];
        Assert.Equal("x1", Assert.Throws<ArgumentException>(() => Dot.Forward(six, new float[5], six, 1, 2, 3, 1, 2, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Dot.Forward(six, six, new float[3], 1, 2, 3, 1, 2, 1)).ParamName);
        Assert.Equal("dx1", Assert.Throws<ArgumentException>(() => Dot.Backward(six, six, six, six, new float[2], 1, 2, 3, 1, 2, 1)).ParamName);
        Assert.Equal("xn", Assert.Throws<ArgumentException>(() => Dot.Normalize(six, new float[5], 2, 3, 1)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dot.Forward(six, six, six, 1, -1, 3, 1, 2, 1));
    }
}
