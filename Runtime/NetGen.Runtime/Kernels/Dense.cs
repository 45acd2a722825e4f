using System;

namespace NetGen.Kernels;

/// <summary>Dense layer kernels. Rows are every batch and leading position; the kernel is (in, units) row-major.</summary>
public static class Dense
{
    /// <summary><c>y[r, o] = Σ_i x[r, i]·kernel[i, o] + bias[o]</c>; an empty <paramref name="bias"/> means no bias.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int rows, int inFeatures, int units)
        => throw new NotImplementedException();

    /// <summary><c>dKernel = xᵀ·dy</c>, <c>dBias = Σ_rows dy</c> (overwritten; an empty <paramref name="dBias"/> is skipped).</summary>
    public static void BackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dKernel, Span<float> dBias, int rows, int inFeatures, int units)
        => throw new NotImplementedException();

    /// <summary><c>dx = dy·kernelᵀ</c> (overwritten).</summary>
    public static void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> kernel, Span<float> dx, int rows, int inFeatures, int units)
        => throw new NotImplementedException();
}
