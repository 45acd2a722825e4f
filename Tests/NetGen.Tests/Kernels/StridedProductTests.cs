using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The strided small products under MultiHeadAttention's per-head loops, against a double-precision triple loop over the
/// same strides: row-major and transposed A, B and C inside larger interleaved buffers, shapes around the vector width
/// (body, leftover rows, scalar columns), and elements outside C's block left untouched.
/// </summary>
public class StridedProductTests
{
    public static TheoryData<int, int, int, bool> Shapes() => new()
    {
        { 1, 1, 1, false }, { 3, 5, 7, true }, { 4, 16, 16, false }, { 16, 16, 16, true }, { 17, 16, 16, false },
        { 18, 9, 33, true }, { 5, 20, 8, false }, { 16, 16, 17, true }, { 7, 3, 4, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesDoubleReference(int m, int k, int n, bool transposeA)
    {
        // A block inside a buffer with row stride ars and column stride acs (swapped when A is read transposed).
        int pad = 3, lda = (transposeA ? m : k) + pad, ldb = n + 2, ldc = n + 5, aOff = 2, bOff = 1, cOff = 4;
        int ars = transposeA ? 1 : lda, acs = transposeA ? lda : 1;
        float[] a = TestUtil.Uniform(1 + m, aOff + (transposeA ? k : m) * lda);
        float[] b = TestUtil.Uniform(2 + n, bOff + k * ldb);
        float[] c = TestUtil.Uniform(3 + k, cOff + m * ldc);
        float[] before = (float[])c.Clone();
        const float alpha = 0.37f;
        StridedProduct.Run(a, aOff, ars, acs, b, bOff, ldb, c, cOff, ldc, m, k, n, alpha);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int at = cOff + i * ldc + j;
                if (j >= n)
                {
                    Assert.Equal(before[at], c[at]); // outside the block
                    continue;
                }
                double sum = 0, scale = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = (double)a[aOff + i * ars + p * acs] * b[bOff + p * ldb + j];
                    sum += term;
                    scale += Math.Abs(term);
                }
                // float products summed in float: a few ulps of the sum of magnitudes.
                TestUtil.Close(alpha * sum, c[at], 0, 4e-7 * k * Math.Abs(alpha) * scale + 1e-30, $"C[{i},{j}] ({m}x{k}x{n}{(transposeA ? ", Aᵀ" : "")})");
            }
        }
        Assert.Equal(before.AsSpan(0, cOff).ToArray(), c.AsSpan(0, cOff).ToArray());
    }

    [Fact]
    public void TransposeCopiesTheBlock()
    {
        float[] src = TestUtil.Uniform(9, 3 + 5 * 11);
        var dst = new float[5 * 7];
        StridedProduct.Transpose(src, 3, 11, 5, 7, dst);
        for (int r = 0; r < 5; r++)
            for (int e = 0; e < 7; e++)
                Assert.Equal(src[3 + r * 11 + e], dst[e * 5 + r]);
    }

    [Fact]
    public void StridesPastTheSpansThrow()
    {
        var a = new float[16];
        var b = new float[16];
        var c = new float[16];
        Assert.Throws<ArgumentOutOfRangeException>(() => StridedProduct.Run(a, 0, 4, 1, b, 0, 4, c, 0, 4, 5, 4, 4, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => StridedProduct.Run(a, 0, 4, 1, b, 1, 4, c, 0, 4, 4, 4, 4, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => StridedProduct.Run(a, 0, 4, 1, b, 0, 4, c, 0, 5, 4, 4, 4, 1f));
    }
}
