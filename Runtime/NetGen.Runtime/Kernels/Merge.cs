using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>
/// Kernels of the Keras merge layers Add, Subtract, Multiply, Average, Maximum, Minimum and Concatenate
/// (LAYERS.md §10), for inputs of equal shape. A layer over k inputs is a chain of the two-input kernels.
/// </summary>
/// <remarks>
/// The element-wise kernels read element i of every input before writing element i of the output, so the output
/// may be the same memory as either input (in place). Average is <see cref="Add"/> followed by
/// <see cref="Scale"/> with 1/k; its backward is <see cref="Scale"/> of dy by 1/k.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Merge
{
    /// <summary><c>y = a + b</c> element-wise; <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Binary<AddOp>(a, b, y);

    /// <summary><c>y = a − b</c> element-wise; <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    public static void Subtract(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Binary<SubtractOp>(a, b, y);

    /// <summary><c>y = a ⊙ b</c> element-wise; <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    /// <remarks>Also the backward of Multiply: <c>dx_k = dy ⊙ Π_{j≠k} x_j</c> is a chain of these products.</remarks>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Binary<MultiplyOp>(a, b, y);

    /// <summary><c>y = max(a, b)</c> element-wise; <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    /// <remarks>The result is always one of the two inputs bit for bit, which <see cref="RouteToWinner"/> relies on.</remarks>
    public static void Maximum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Binary<MaximumOp>(a, b, y);

    /// <summary><c>y = min(a, b)</c> element-wise; <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    /// <remarks>The result is always one of the two inputs bit for bit, which <see cref="RouteToWinner"/> relies on.</remarks>
    public static void Minimum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Binary<MinimumOp>(a, b, y);

    /// <summary>
    /// Broadcasting of a merge input (Keras' merge layers broadcast inputs whose size is 1 on some axes): <c>y[o, r, i] =
    /// x[o, i]</c> for <c>o &lt; outer</c>, <c>r &lt; repeat</c>, <c>i &lt; inner</c>, where the repeated axes are one run of
    /// the output's axes (e.g. a <c>(1, 1, C)</c> input of an <c>(H, W, C)</c> Multiply: outer = batch, repeat = H·W,
    /// inner = C).
    /// </summary>
    public static void Broadcast(ReadOnlySpan<float> x, Span<float> y, int outer, int repeat, int inner)
    {
        CheckBroadcast(x.Length, y.Length, outer, repeat, inner, nameof(x), nameof(y));
        for (int o = 0; o < outer; o++)
        {
            var from = x.Slice(o * inner, inner);
            for (int r = 0; r < repeat; r++) from.CopyTo(y.Slice((o * repeat + r) * inner, inner));
        }
    }

    /// <summary>The backward of <see cref="Broadcast"/>: <c>dx[o, i] = Σ_r dy[o, r, i]</c> (summed in order of r).</summary>
    public static void SumRepeats(ReadOnlySpan<float> dy, Span<float> dx, int outer, int repeat, int inner)
    {
        CheckBroadcast(dx.Length, dy.Length, outer, repeat, inner, nameof(dx), nameof(dy));
        for (int o = 0; o < outer; o++)
        {
            var to = dx.Slice(o * inner, inner);
            dy.Slice(o * repeat * inner, inner).CopyTo(to);
            for (int r = 1; r < repeat; r++) Add(to, dy.Slice((o * repeat + r) * inner, inner), to);
        }
    }

    private static void CheckBroadcast(int smallLength, int fullLength, int outer, int repeat, int inner, string small, string full)
    {
        if (outer < 0 || repeat < 1 || inner < 1)
            throw new ArgumentOutOfRangeException(nameof(repeat), $"outer ≥ 0, repeat ≥ 1 and inner ≥ 1 (got {outer}, {repeat}, {inner}).");
        if (smallLength < (long)outer * inner) throw new ArgumentException($"{small} must hold outer·inner = {(long)outer * inner} floats, but has {smallLength}.", small);
        if (fullLength < (long)outer * repeat * inner) throw new ArgumentException($"{full} must hold outer·repeat·inner = {(long)outer * repeat * inner} floats, but has {fullLength}.", full);
    }

    /// <summary>An element-wise operation of two floats, as a vector and as a scalar (for the tail).</summary>
    private interface IBinaryOp
    {
        static abstract Vector<float> Apply(Vector<float> a, Vector<float> b);

        static abstract float Apply(float a, float b);
    }

    private readonly struct AddOp : IBinaryOp
    {
        public static Vector<float> Apply(Vector<float> a, Vector<float> b) => a + b;

        public static float Apply(float a, float b) => a + b;
    }

    private readonly struct SubtractOp : IBinaryOp
    {
        public static Vector<float> Apply(Vector<float> a, Vector<float> b) => a - b;

        public static float Apply(float a, float b) => a - b;
    }

    private readonly struct MultiplyOp : IBinaryOp
    {
        public static Vector<float> Apply(Vector<float> a, Vector<float> b) => a * b;

        public static float Apply(float a, float b) => a * b;
    }

    private readonly struct MaximumOp : IBinaryOp
    {
        public static Vector<float> Apply(Vector<float> a, Vector<float> b) => Vector.Max(a, b);

        public static float Apply(float a, float b) => MathF.Max(a, b);
    }

    private readonly struct MinimumOp : IBinaryOp
    {
        public static Vector<float> Apply(Vector<float> a, Vector<float> b) => Vector.Min(a, b);

        public static float Apply(float a, float b) => MathF.Min(a, b);
    }

    /// <summary>One SIMD loop for every two-input element-wise kernel (the operation is inlined per instantiation).</summary>
    private static void Binary<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
        where TOp : struct, IBinaryOp
    {
        int n = CheckBinary(a.Length, b.Length, y.Length);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                TOp.Apply(Vector.LoadUnsafe(ref ar, (nuint)i), Vector.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) y[i] = TOp.Apply(a[i], b[i]);
    }

    /// <summary><c>y = factor·x</c> element-wise; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <remarks>Average's final division (factor 1/k) and its backward.</remarks>
    public static void Scale(ReadOnlySpan<float> x, float factor, Span<float> y)
    {
        int n = CheckUnary(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var f = new Vector<float>(factor);
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                (f * Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) y[i] = factor * x[i];
    }

    /// <summary><c>y = −x</c> element-wise; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <remarks>The gradient of Subtract's second input.</remarks>
    public static void Negate(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckUnary(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                (-Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) y[i] = -x[i];
    }

    /// <summary>
    /// One step of the backward of Maximum or Minimum over k inputs: <c>dx[i] = x[i] == y[i] ? remaining[i] : 0</c>,
    /// then <c>remaining[i] = 0</c> where <c>x[i] == y[i]</c>.
    /// </summary>
    /// <remarks>
    /// Call it once per input, in input order, with the forward output <paramref name="y"/> and
    /// <paramref name="remaining"/> starting as a copy of dy. At a tie the <b>first</b> input equal to the output
    /// receives the whole gradient and later equal inputs receive 0 — TensorFlow's rule for Keras' maximum/minimum
    /// (PyTorch and JAX split the gradient evenly at ties instead; LAYERS.md §10). A gradient element whose output is
    /// NaN matches no input and is dropped. <paramref name="dx"/> is overwritten and must not overlap
    /// <paramref name="remaining"/>; it may be <paramref name="x"/>.
    /// </remarks>
    public static void RouteToWinner(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> remaining, Span<float> dx)
    {
        int n = x.Length;
        if (y.Length != n) ThrowLength(nameof(y), n, y.Length);
        if (remaining.Length != n) ThrowLength(nameof(remaining), n, remaining.Length);
        if (dx.Length != n) ThrowLength(nameof(dx), n, dx.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float rr = ref MemoryMarshal.GetReference(remaining);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<int> wins = Vector.Equals(Vector.LoadUnsafe(ref xr, (nuint)i), Vector.LoadUnsafe(ref yr, (nuint)i));
                Vector<float> r = Vector.LoadUnsafe(ref rr, (nuint)i);
                Vector.ConditionalSelect(wins, r, Vector<float>.Zero).StoreUnsafe(ref dr, (nuint)i);
                Vector.ConditionalSelect(wins, Vector<float>.Zero, r).StoreUnsafe(ref rr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float r = remaining[i];
            bool win = x[i] == y[i];
            dx[i] = win ? r : 0f;
            remaining[i] = win ? 0f : r;
        }
    }

    /// <summary>
    /// Writes <paramref name="x"/> (row-major <c>(outer, xBlock)</c>) into columns
    /// <c>[offset, offset + xBlock)</c> of <paramref name="y"/> (row-major <c>(outer, yBlock)</c>).
    /// </summary>
    /// <remarks>
    /// Concatenate along an axis: <c>outer</c> is the product of the sizes before the axis (batch included),
    /// <c>xBlock</c> (<c>yBlock</c>) the input's (output's) size along the axis times the product of the sizes after it,
    /// and <c>offset</c> the sum of the earlier inputs' blocks. Other columns of <paramref name="y"/> are left unchanged.
    /// </remarks>
    public static void ConcatenateInto(ReadOnlySpan<float> x, Span<float> y, int outer, int xBlock, int yBlock, int offset)
    {
        CheckBlocks(x.Length, y.Length, outer, xBlock, yBlock, offset, nameof(x), nameof(y));
        for (int r = 0; r < outer; r++)
            x.Slice(r * xBlock, xBlock).CopyTo(y.Slice(r * yBlock + offset, xBlock));
    }

    /// <summary>
    /// Backward of <see cref="ConcatenateInto"/>: <paramref name="dx"/> (<c>(outer, xBlock)</c>, overwritten) is columns
    /// <c>[offset, offset + xBlock)</c> of <paramref name="dy"/> (<c>(outer, yBlock)</c>).
    /// </summary>
    public static void SplitFrom(ReadOnlySpan<float> dy, Span<float> dx, int outer, int xBlock, int yBlock, int offset)
    {
        CheckBlocks(dx.Length, dy.Length, outer, xBlock, yBlock, offset, nameof(dx), nameof(dy));
        for (int r = 0; r < outer; r++)
            dy.Slice(r * yBlock + offset, xBlock).CopyTo(dx.Slice(r * xBlock, xBlock));
    }

    private static int CheckBinary(int aLength, int bLength, int yLength)
    {
        if (bLength != aLength) ThrowLength("b", aLength, bLength);
        if (yLength != aLength) ThrowLength("y", aLength, yLength);
        return aLength;
    }

    private static int CheckUnary(int xLength, int yLength)
    {
        if (yLength != xLength) ThrowLength("y", xLength, yLength);
        return xLength;
    }

    private static void CheckBlocks(int smallLength, int bigLength, int outer, int xBlock, int yBlock, int offset, string smallName, string bigName)
    {
        if (outer < 0) throw new ArgumentOutOfRangeException(nameof(outer), $"outer must be non-negative, but is {outer}.");
        if (xBlock < 0) throw new ArgumentOutOfRangeException(nameof(xBlock), $"xBlock must be non-negative, but is {xBlock}.");
        if (offset < 0 || (long)offset + xBlock > yBlock)
            throw new ArgumentOutOfRangeException(nameof(offset), $"offset + xBlock must lie in [0, yBlock = {yBlock}]; got offset {offset} with xBlock {xBlock}.");
        if (smallLength < (long)outer * xBlock)
            throw new ArgumentException($"{smallName} must hold {(long)outer * xBlock} floats (outer·xBlock), but has {smallLength}.", smallName);
        if (bigLength < (long)outer * yBlock)
            throw new ArgumentException($"{bigName} must hold {(long)outer * yBlock} floats (outer·yBlock), but has {bigLength}.", bigName);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(string name, int expected, int actual)
        => throw new ArgumentException($"{name} must hold {expected} floats (the length of the first input), but has {actual}.", name);
}
