using System;
using System.Collections.Generic;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The element-wise merge kernels against double-precision references, the Maximum/Minimum gradient routing (finite
/// differences and ties), and Concatenate/Split (index reference and the adjoint identity).
/// </summary>
/// <remarks>
/// Sum, difference, product and scaling of two floats computed in double and rounded once to float give exactly the
/// correctly rounded float result (double has more than 2·24 + 2 significand bits), so those comparisons are exact.
/// </remarks>
public class MergeKernelTests
{
    public static readonly int[] Sizes = { 0, 1, 3, 7, 17, 33, 100 };

    public static IEnumerable<object[]> SizeData()
    {
        foreach (int n in Sizes) yield return new object[] { n };
    }

    private delegate void Binary(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y);

    private static readonly (string Name, Binary Kernel, Func<double, double, double> Reference)[] Binaries =
    {
        ("Add", Merge.Add, (a, b) => a + b),
        ("Subtract", Merge.Subtract, (a, b) => a - b),
        ("Multiply", Merge.Multiply, (a, b) => a * b),
        ("Maximum", Merge.Maximum, Math.Max),
        ("Minimum", Merge.Minimum, Math.Min),
    };

    [Theory]
    [MemberData(nameof(SizeData))]
    public void BinaryKernelsMatchDoubleReferenceExactly(int n)
    {
        float[] a = TestUtil.Uniform(10 + n, n, -3, 3), b = TestUtil.Uniform(20 + n, n, -3, 3);
        foreach (var (name, kernel, reference) in Binaries)
        {
            var y = new float[n];
            kernel(a, b, y);
            for (int i = 0; i < n; i++) Assert.True((float)reference(a[i], b[i]) == y[i], $"{name}[{i}] of {n}: expected {(float)reference(a[i], b[i]):R}, got {y[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(SizeData))]
    public void BinaryKernelsRunInPlaceOnEitherInput(int n)
    {
        float[] a = TestUtil.Uniform(30 + n, n, -3, 3), b = TestUtil.Uniform(40 + n, n, -3, 3);
        foreach (var (name, kernel, _) in Binaries)
        {
            var expected = new float[n];
            kernel(a, b, expected);
            float[] overA = (float[])a.Clone(), overB = (float[])b.Clone();
            kernel(overA, b, overA);
            kernel(a, overB, overB);
            Assert.True(expected.AsSpan().SequenceEqual(overA), $"{name} with y = a, n = {n}");
            Assert.True(expected.AsSpan().SequenceEqual(overB), $"{name} with y = b, n = {n}");
        }
    }

    [Theory]
    [MemberData(nameof(SizeData))]
    public void ScaleAndNegateMatchReferenceAndRunInPlace(int n)
    {
        float[] x = TestUtil.Uniform(50 + n, n, -3, 3);
        const float factor = 1f / 3f;
        var y = new float[n];
        Merge.Scale(x, factor, y);
        for (int i = 0; i < n; i++) Assert.True((float)((double)factor * x[i]) == y[i], $"Scale[{i}]");
        float[] inPlace = (float[])x.Clone();
        Merge.Scale(inPlace, factor, inPlace);
        Assert.True(y.AsSpan().SequenceEqual(inPlace));

        Merge.Negate(x, y);
        for (int i = 0; i < n; i++) Assert.True(-x[i] == y[i], $"Negate[{i}]");
        inPlace = (float[])x.Clone();
        Merge.Negate(inPlace, inPlace);
        Assert.True(y.AsSpan().SequenceEqual(inPlace));
    }

    [Fact]
    public void LengthMismatchNamesTheArgument()
    {
        var four = new float[4];
        var three = new float[3];
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Merge.Add(four, three, four)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Merge.Maximum(four, four, three)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Merge.Scale(four, 2f, three)).ParamName);
        Assert.Equal("remaining", Assert.Throws<ArgumentException>(() => Merge.RouteToWinner(four, four, three, four)).ParamName);
        Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => Merge.ConcatenateInto(four, four, 1, 4, 4, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Merge.ConcatenateInto(four, three, 1, 2, 4, 0)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => Merge.SplitFrom(four, three, 2, 2, 2, 0)).ParamName);
    }

    /// <summary>Gradient of <c>Σ dy·max(x0, x1, x2)</c> (or min) by central differences of the double reference; inputs have no ties.</summary>
    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 17)]
    [InlineData(false, 33)]
    [InlineData(false, 100)]
    public void RouteToWinnerIsTheGradientOfMaximumAndMinimum(bool maximum, int n)
    {
        // x_k[i] = base[i] + 0.25·rank_k[i] with a random ranking of the three inputs per element: no ties, and
        // every input wins somewhere.
        float[] baseline = TestUtil.Uniform(60 + n, n);
        float[][] xs = { new float[n], new float[n], new float[n] };
        var random = new Random(61 + n);
        int[][] rankings = { new[] { 0, 1, 2 }, new[] { 0, 2, 1 }, new[] { 1, 0, 2 }, new[] { 1, 2, 0 }, new[] { 2, 0, 1 }, new[] { 2, 1, 0 } };
        for (int i = 0; i < n; i++)
        {
            int[] rank = rankings[random.Next(rankings.Length)];
            for (int k = 0; k < 3; k++) xs[k][i] = baseline[i] + 0.25f * rank[k];
        }
        float[] dy = TestUtil.Uniform(63 + n, n);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 3; k++)
                for (int j = k + 1; j < 3; j++)
                    Assert.True(Math.Abs(xs[k][i] - xs[j][i]) > 1e-3, "test inputs must not tie");

        var y = new float[n];
        Binary kernel = maximum ? Merge.Maximum : Merge.Minimum;
        kernel(xs[0], xs[1], y);
        kernel(y, xs[2], y);
        float[] remaining = (float[])dy.Clone();
        var dx = new float[3][];
        for (int k = 0; k < 3; k++)
        {
            dx[k] = new float[n];
            Merge.RouteToWinner(xs[k], y, remaining, dx[k]);
        }
        Assert.All(remaining, r => Assert.Equal(0f, r));

        for (int k = 0; k < 3; k++)
        {
            double[][] d = Array.ConvertAll(xs, v => TestUtil.ToDouble(v));
            int which = k;
            double F(double[] v)
            {
                d[which] = v;
                double sum = 0;
                for (int i = 0; i < n; i++)
                {
                    double m = maximum ? Math.Max(Math.Max(d[0][i], d[1][i]), d[2][i]) : Math.Min(Math.Min(d[0][i], d[1][i]), d[2][i]);
                    sum += dy[i] * m;
                }
                return sum;
            }
            double[] point = TestUtil.ToDouble(xs[k]);
            for (int i = 0; i < n; i++)
                TestUtil.Close(TestUtil.CentralDifference(F, point, i, 1e-4), dx[k][i], 1e-6, 1e-7, $"d{(maximum ? "max" : "min")}/dx{k}[{i}]");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TiesSendTheWholeGradientToTheFirstInput(bool maximum)
    {
        const int n = 19; // a SIMD part and a scalar tail
        float[] a = TestUtil.Uniform(70, n), b = TestUtil.Uniform(71, n), c = TestUtil.Uniform(72, n);
        float[] dy = TestUtil.Uniform(73, n, 0.5, 2);
        var tie = new bool[n];
        for (int i = 0; i < n; i += 3)
        {
            b[i] = a[i];
            c[i] = maximum ? a[i] - 1f : a[i] + 1f; // the tie a = b decides the output
            tie[i] = true;
        }
        // Index 4 and the last index: all three inputs tie.
        b[4] = c[4] = a[4];
        b[n - 1] = c[n - 1] = a[n - 1];
        Binary kernel = maximum ? Merge.Maximum : Merge.Minimum;
        var y = new float[n];
        kernel(a, b, y);
        kernel(y, c, y);

        float[] remaining = (float[])dy.Clone();
        float[] da = new float[n], db = new float[n], dc = new float[n];
        Merge.RouteToWinner(a, y, remaining, da);
        Merge.RouteToWinner(b, y, remaining, db);
        Merge.RouteToWinner(c, y, remaining, dc);
        for (int i = 0; i < n; i++)
        {
            if (a[i] == y[i])
            {
                Assert.Equal(dy[i], da[i]);
                Assert.Equal(0f, db[i]);
                Assert.Equal(0f, dc[i]);
            }
            else
            {
                Assert.Equal(0f, da[i]);
                Assert.Equal(dy[i], db[i] + dc[i]);
                Assert.True(db[i] == 0f || dc[i] == 0f, $"gradient split at {i}");
            }
            Assert.Equal(0f, remaining[i]);
        }
        // Every tie is won by a and b together (and c at the triple ties), and only a is paid.
        for (int i = 0; i < n; i++)
        {
            if (!tie[i] && i != 4) continue;
            Assert.Equal(a[i], y[i]);
            Assert.Equal(b[i], y[i]);
            Assert.Equal(dy[i], da[i]);
        }
        Assert.Equal(c[4], y[4]);
        Assert.Equal(c[n - 1], y[n - 1]);
    }

    [Fact]
    public void RouteToWinnerAllowsDxOverX()
    {
        float[] x = { 1, 5, 3, 7, 2, 2, 9, 0, 4, 4, 1 };
        float[] y = { 1, 6, 3, 7, 3, 2, 9, 1, 4, 5, 1 };
        float[] dy = TestUtil.Uniform(80, x.Length, 1, 2);
        float[] remaining = (float[])dy.Clone();
        Merge.RouteToWinner(x, y, remaining, x);
        for (int i = 0; i < x.Length; i++)
        {
            bool win = i is 0 or 2 or 3 or 5 or 6 or 8 or 10;
            Assert.Equal(win ? dy[i] : 0f, x[i]);
            Assert.Equal(win ? 0f : dy[i], remaining[i]);
        }
    }

    public static IEnumerable<object[]> ConcatShapes()
    {
        // outer and the three inputs' blocks along the axis
        yield return new object[] { 1, new[] { 3, 7, 17 } };
        yield return new object[] { 4, new[] { 32, 32, 1 } };
        yield return new object[] { 5, new[] { 0, 33, 3 } };
        yield return new object[] { 0, new[] { 2, 3, 4 } };
    }

    [Theory]
    [MemberData(nameof(ConcatShapes))]
    public void ConcatenateMatchesReferenceAndSplitIsItsAdjoint(int outer, int[] blocks)
    {
        int yBlock = blocks[0] + blocks[1] + blocks[2];
        var xs = new float[3][];
        for (int k = 0; k < 3; k++) xs[k] = TestUtil.Uniform(90 + k, outer * blocks[k]);
        var y = new float[outer * yBlock];
        y.AsSpan().Fill(float.NaN);
        int offset = 0;
        for (int k = 0; k < 3; k++)
        {
            Merge.ConcatenateInto(xs[k], y, outer, blocks[k], yBlock, offset);
            offset += blocks[k];
        }
        // Reference: output column c of row r belongs to input k at column c − (blocks before k).
        for (int r = 0; r < outer; r++)
            for (int c = 0; c < yBlock; c++)
            {
                int k = 0, col = c;
                while (col >= blocks[k]) col -= blocks[k++];
                Assert.Equal(xs[k][r * blocks[k] + col], y[r * yBlock + c]);
            }

        // Adjoint identity <dy, J x> = Σ_k <J_kᵀ dy, x_k> with the split gradients, and the split of y returns x.
        float[] dy = TestUtil.Uniform(99, outer * yBlock);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < y.Length; i++) lhs += (double)dy[i] * y[i];
        offset = 0;
        for (int k = 0; k < 3; k++)
        {
            var dx = new float[outer * blocks[k]];
            dx.AsSpan().Fill(float.NaN); // overwritten
            Merge.SplitFrom(dy, dx, outer, blocks[k], yBlock, offset);
            for (int i = 0; i < dx.Length; i++) rhs += (double)dx[i] * xs[k][i];
            var back = new float[dx.Length];
            Merge.SplitFrom(y, back, outer, blocks[k], yBlock, offset);
            Assert.True(back.AsSpan().SequenceEqual(xs[k]), $"split of input {k}");
            offset += blocks[k];
        }
        TestUtil.Close(lhs, rhs, 1e-12, 1e-12, "adjoint identity");
    }
}
