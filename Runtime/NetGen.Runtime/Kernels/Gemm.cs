using System;

namespace NetGen.Kernels;

/// <summary>Single-precision matrix products on row-major, contiguous spans.</summary>
public static class Gemm
{
    /// <summary><c>C[m×n] = A[m×k]·B[k×n]</c> (or <c>+=</c> when <paramref name="accumulate"/>).</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
        => throw new NotImplementedException();

    /// <summary><c>C[m×n] = A[m×k]·B[n×k]ᵀ</c> (or <c>+=</c>).</summary>
    public static void MatMulTransposeB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
        => throw new NotImplementedException();

    /// <summary><c>C[m×n] = A[k×m]ᵀ·B[k×n]</c> (or <c>+=</c>).</summary>
    public static void MatMulTransposeA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false)
        => throw new NotImplementedException();
}
