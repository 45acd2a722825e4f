using System;
using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>Dense layer kernels. Rows are every batch and leading position; the kernel is (in, units) row-major.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Dense
{
    /// <summary><c>y[r, o] = Σ_i x[r, i]·kernel[i, o] + bias[o]</c>; an empty <paramref name="bias"/> means no bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int rows, int inFeatures, int units)
    {
        if (bias.IsEmpty)
        {
            Gemm.MatMul(x, kernel, y, rows, inFeatures, units);
            return;
        }
        ForwardEpilogue(x, kernel, bias, y, rows, inFeatures, units, relu: false);
    }

    /// <summary>
    /// <see cref="Forward"/>, then ReLU when <paramref name="relu"/>: the bias and ReLU are applied inside the matrix product
    /// as each register tile is stored (<see cref="Gemm.MatMulBias"/>), so y is written once. Equal bit for bit to
    /// <see cref="Forward"/> followed by <see cref="Activations.Relu"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForwardEpilogue(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int rows, int inFeatures, int units, bool relu)
    {
        if (!bias.IsEmpty && bias.Length < units) throw new ArgumentException($"bias must hold {units} floats (units), but has {bias.Length}.", nameof(bias));
        if (rows < 0 || units < 0 || y.Length < (long)rows * units)
            throw new ArgumentException($"y must hold {(long)rows * units} floats (rows·units), but has {y.Length}.", nameof(y));
        // Every output starts from the bias, then x·K accumulates on top of it (in the store of the first k panel).
        Gemm.MatMulBias(x, kernel, bias.IsEmpty ? default : bias.Slice(0, units), y, rows, inFeatures, units, relu);
    }

    /// <summary><c>dKernel = xᵀ·dy</c>, <c>dBias = Σ_rows dy</c> (overwritten; an empty <paramref name="dBias"/> is skipped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dKernel, Span<float> dBias, int rows, int inFeatures, int units)
    {
        // dK (in × units) = xᵀ (in × rows) · dy (rows × units).
        Gemm.MatMulTransposeA(x, dy, dKernel, inFeatures, rows, units);
        if (dBias.IsEmpty) return;
        if (dBias.Length < units) throw new ArgumentException($"dBias must hold {units} floats (units), but has {dBias.Length}.", nameof(dBias));
        Span<float> db = dBias.Slice(0, units);
        db.Clear();
        ref float dbRef = ref MemoryMarshal.GetReference(db);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = dy.Slice(r * units, units);
            ref float rowRef = ref MemoryMarshal.GetReference(row);
            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; j + Vector<float>.Count <= units; j += Vector<float>.Count)
                    (Vector.LoadUnsafe(ref dbRef, (nuint)j) + Vector.LoadUnsafe(ref rowRef, (nuint)j)).StoreUnsafe(ref dbRef, (nuint)j);
            }
            for (; j < units; j++) db[j] += row[j];
        }
    }

    /// <summary><c>dx = dy·kernelᵀ</c> (overwritten).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> kernel, Span<float> dx, int rows, int inFeatures, int units)
        // dx (rows × in) = dy (rows × units) · K(in × units)ᵀ.
        => Gemm.MatMulTransposeB(dy, kernel, dx, rows, units, inFeatures);
}
