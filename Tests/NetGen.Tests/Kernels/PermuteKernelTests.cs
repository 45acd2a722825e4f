using System;
using System.Collections.Generic;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="Permute"/> against a multi-index reference (output axis j is input axis dims[j]) and its backward by
/// the adjoint identity; <see cref="RepeatVector"/> against its definition and its backward the same way.
/// </summary>
public class PermuteKernelTests
{
    public static IEnumerable<object[]> Cases()
    {
        yield return new object[] { 3, new[] { 7 }, new[] { 0 } };
        yield return new object[] { 2, new[] { 3, 17 }, new[] { 1, 0 } };
        yield return new object[] { 1, new[] { 33, 1 }, new[] { 1, 0 } };
        yield return new object[] { 4, new[] { 2, 3, 4 }, new[] { 2, 0, 1 } };   // Keras Permute((3, 1, 2))
        yield return new object[] { 2, new[] { 2, 3, 4 }, new[] { 0, 2, 1 } };
        yield return new object[] { 2, new[] { 3, 7, 5 }, new[] { 1, 0, 2 } };   // last axis stays: row copies
        yield return new object[] { 1, new[] { 3, 7, 5 }, new[] { 0, 1, 2 } };   // identity
        yield return new object[] { 2, new[] { 2, 3, 1, 5 }, new[] { 3, 1, 0, 2 } };
        yield return new object[] { 1, new[] { 2, 3, 2, 3, 2 }, new[] { 4, 2, 0, 3, 1 } };
        yield return new object[] { 1, new[] { 2, 1, 2, 1, 2, 1, 2, 3 }, new[] { 7, 0, 6, 1, 5, 2, 4, 3 } };
        yield return new object[] { 3, new[] { 4, 0, 2 }, new[] { 2, 1, 0 } };  // an empty axis
        yield return new object[] { 0, new[] { 2, 3 }, new[] { 1, 0 } };
    }

    /// <summary>y[s, i_dims[0], …] = x[s, i_0, …] by explicit multi-indices.</summary>
    private static double[] Reference(double[] x, int n, int[] shape, int[] dims)
    {
        int r = shape.Length, size = 1;
        foreach (int s in shape) size *= s;
        var outShape = new int[r];
        for (int j = 0; j < r; j++) outShape[j] = shape[dims[j]];
        var y = new double[n * size];
        var index = new int[r];
        for (int s = 0; s < n; s++)
            for (int flat = 0; flat < size; flat++)
            {
                int rest = flat;
                for (int a = r - 1; a >= 0; a--) { index[a] = rest % shape[a]; rest /= shape[a]; }
                int o = 0;
                for (int j = 0; j < r; j++) o = o * outShape[j] + index[dims[j]];
                y[s * size + o] = x[s * size + flat];
            }
        return y;
    }

    private static int Size(int[] shape)
    {
        int size = 1;
        foreach (int s in shape) size *= s;
        return size;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesMultiIndexReference(int n, int[] shape, int[] dims)
    {
        float[] x = TestUtil.Uniform(1 + shape.Length, n * Size(shape));
        var y = new float[x.Length];
        y.AsSpan().Fill(float.NaN);
        Permute.Forward(x, y, n, shape, dims);
        TestUtil.AllClose(Reference(TestUtil.ToDouble(x), n, shape, dims), y, 0, 0, "permute");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardIsTheAdjointAndTheInverse(int n, int[] shape, int[] dims)
    {
        float[] x = TestUtil.Uniform(2 + shape.Length, n * Size(shape)), dy = TestUtil.Uniform(3 + shape.Length, x.Length);
        var y = new float[x.Length];
        Permute.Forward(x, y, n, shape, dims);
        var dx = new float[x.Length];
        dx.AsSpan().Fill(float.NaN); // overwritten
        Permute.Backward(dy, dx, n, shape, dims);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < x.Length; i++)
        {
            lhs += (double)dy[i] * y[i];
            rhs += (double)dx[i] * x[i];
        }
        TestUtil.Close(lhs, rhs, 1e-12, 1e-12, "<dy, P x> = <Pᵀ dy, x>");
        var back = new float[x.Length];
        Permute.Backward(y, back, n, shape, dims);
        Assert.True(back.AsSpan().SequenceEqual(x), "Backward(Forward(x)) = x");
    }

    [Fact]
    public void KerasDocsShape()
    {
        // Permute((2, 1)) maps (T, F) → (F, T): y[f, t] = x[t, f].
        float[] x = { 1, 2, 3, 4, 5, 6 }; // (T = 2, F = 3)
        var y = new float[6];
        Permute.Forward(x, y, 1, new[] { 2, 3 }, new[] { 1, 0 });
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, y);
    }

    [Fact]
    public void BadDimsNameTheArgument()
    {
        var x = new float[24];
        Assert.Equal("dims", Assert.Throws<ArgumentException>(() => Permute.Forward(x, x, 1, new[] { 2, 3, 4 }, new[] { 0, 0, 1 })).ParamName);
        Assert.Equal("dims", Assert.Throws<ArgumentException>(() => Permute.Forward(x, x, 1, new[] { 2, 3, 4 }, new[] { 1, 2, 3 })).ParamName);
        Assert.Equal("dims", Assert.Throws<ArgumentException>(() => Permute.Forward(x, x, 1, new[] { 2, 3, 4 }, new[] { 1, 0 })).ParamName);
        Assert.Equal("inShape", Assert.Throws<ArgumentException>(() => Permute.Forward(x, x, 1, new int[9], new int[9])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Permute.Forward(x, new float[23], 1, new[] { 2, 3, 4 }, new[] { 2, 1, 0 })).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => Permute.Backward(x, new float[23], 1, new[] { 2, 3, 4 }, new[] { 2, 1, 0 })).ParamName);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 3)]
    [InlineData(2, 17, 4)]
    [InlineData(2, 33, 2)]
    [InlineData(1, 100, 7)]
    [InlineData(2, 0, 3)]
    [InlineData(2, 7, 0)]
    public void RepeatVectorForwardAndAdjointBackward(int n, int features, int repeats)
    {
        float[] x = TestUtil.Uniform(4 + features, n * features), dy = TestUtil.Uniform(5 + features, n * repeats * features);
        var y = new float[dy.Length];
        y.AsSpan().Fill(float.NaN);
        RepeatVector.Forward(x, y, n, features, repeats);
        for (int s = 0; s < n; s++)
            for (int t = 0; t < repeats; t++)
                for (int f = 0; f < features; f++)
                    Assert.Equal(x[s * features + f], y[(s * repeats + t) * features + f]);

        var dx = new float[x.Length];
        dx.AsSpan().Fill(float.NaN); // overwritten
        RepeatVector.Backward(dy, dx, n, features, repeats);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < y.Length; i++) lhs += (double)dy[i] * y[i];
        for (int i = 0; i < x.Length; i++) rhs += (double)dx[i] * x[i];
        TestUtil.Close(lhs, rhs, 1e-6, 1e-6, "<dy, R x> = <Rᵀ dy, x>");
        // And element-wise: the sum over repeats, in double.
        for (int s = 0; s < n; s++)
            for (int f = 0; f < features; f++)
            {
                double sum = 0;
                for (int t = 0; t < repeats; t++) sum += dy[(s * repeats + t) * features + f];
                TestUtil.Close(sum, dx[s * features + f], 1e-6, 1e-7, $"dx[{s},{f}]");
            }
    }

    [Fact]
    public void RepeatVectorBadSizesNameTheArgument()
    {
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => RepeatVector.Forward(new float[6], new float[17], 2, 3, 3)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => RepeatVector.Backward(new float[18], new float[5], 2, 3, 3)).ParamName);
    }
}
