using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// e^x over SIMD lanes for the attention softmax and the recurrent kernels' activations, written out because
/// <c>Vector.Exp</c> was measured at about 1.8 ns per float on this project's machine (most of an LSTM's time at batch
/// 256) and inlines poorly: x = n·ln 2 + r with n = round(x·log₂e) and r from a two-part ln 2 (Cody–Waite, n·ln2_hi exact),
/// e^r by its Taylor polynomial to r⁷ (|r| ≤ ln2/2: truncation below 6e-9 relative), times 2^n built in the exponent
/// bits in two halves so that subnormal results round once. x is clamped to [−104, 88.75] first: below, the result
/// rounds to exactly 0 (so a masked score of −∞ weighs exactly 0); above, it is +∞. NaN stays NaN.
/// </summary>
internal static class VectorExp
{
    /// <summary>e^x on 512-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-104f)), Vector512.Create(88.75f));
        Vector512<float> n = Vector512.Round(x * Vector512.Create(1.44269504f));
        Vector512<float> r = x - n * Vector512.Create(0.693359375f);
        r += n * Vector512.Create(2.12194440e-4f);
        Vector512<float> p = Vector512.Create(1f / 5040f);
        p = p * r + Vector512.Create(1f / 720f);
        p = p * r + Vector512.Create(1f / 120f);
        p = p * r + Vector512.Create(1f / 24f);
        p = p * r + Vector512.Create(1f / 6f);
        p = p * r + Vector512.Create(0.5f);
        p = p * r + Vector512<float>.One;
        p = p * r + Vector512<float>.One;
        Vector512<int> ni = Vector512.ConvertToInt32(n);
        Vector512<int> half = Vector512.ShiftRightArithmetic(ni, 1);
        var bias = Vector512.Create(127);
        Vector512<float> s1 = Vector512.ShiftLeft(half + bias, 23).AsSingle();
        Vector512<float> s2 = Vector512.ShiftLeft(ni - half + bias, 23).AsSingle();
        return p * s1 * s2;
    }

    /// <summary>e^x on <see cref="Vector{T}"/> lanes (the same constants and order of operations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        x = Vector.Min(Vector.Max(x, new Vector<float>(-104f)), new Vector<float>(88.75f));
        Vector<float> n = Vector.Round(x * new Vector<float>(1.44269504f));
        Vector<float> r = x - n * new Vector<float>(0.693359375f);
        r += n * new Vector<float>(2.12194440e-4f);
        Vector<float> p = new Vector<float>(1f / 5040f);
        p = p * r + new Vector<float>(1f / 720f);
        p = p * r + new Vector<float>(1f / 120f);
        p = p * r + new Vector<float>(1f / 24f);
        p = p * r + new Vector<float>(1f / 6f);
        p = p * r + new Vector<float>(0.5f);
        p = p * r + Vector<float>.One;
        p = p * r + Vector<float>.One;
        Vector<int> ni = Vector.ConvertToInt32(n);
        Vector<int> half = Vector.ShiftRightArithmetic(ni, 1);
        var bias = new Vector<int>(127);
        Vector<float> s1 = Vector.AsVectorSingle(Vector.ShiftLeft(half + bias, 23));
        Vector<float> s2 = Vector.AsVectorSingle(Vector.ShiftLeft(ni - half + bias, 23));
        return p * s1 * s2;
    }
}
