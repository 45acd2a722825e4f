using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>
/// One SIMD width as a type parameter: kernels are written once against these operations and instantiated
/// for <see cref="W512"/> (AVX-512), <see cref="W256"/> (AVX2) and <see cref="W128"/> (SSE on portable x64,
/// AdvSimd on ARM64). Each instantiation is a separate specialised method (the width structs are value types),
/// so every call below inlines to one instruction.
/// </summary>
/// <remarks>
/// <see cref="MulAdd"/> is <c>a·b + c</c> fused where the hardware fuses (FMA3 on x64 with AVX2 or
/// AVX-512, AdvSimd on ARM64) and a multiply then an add where it does not (x86-64-v1/v2, where a software
/// fused multiply-add would be far slower). Which path runs is decided by the runtime's
/// <c>VectorNNN.IsHardwareAccelerated</c>: under the JIT that follows the CPU (and the <c>DOTNET_EnableAVX512=0</c> /
/// <c>DOTNET_EnableAVX=0</c> switches, which the kernel tests use to run every width on one machine); under
/// NativeAOT it is fixed at compile time by <c>IlcInstructionSet</c>.
/// </remarks>
internal interface IVectorWidth<TV> where TV : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>True when the register file is large enough (32 registers: AVX-512) for the kernels' wider register tiles.</summary>
    static abstract bool Wide { get; }

    static abstract TV Load(ref float p, nint offset);

    static abstract void Store(TV v, ref float p, nint offset);

    static abstract TV Splat(float x);

    static abstract TV MulAdd(TV a, TV b, TV c);

    static abstract TV Add(TV a, TV b);

    static abstract TV Sub(TV a, TV b);

    static abstract TV Mul(TV a, TV b);

    /// <summary>
    /// The larger of <paramref name="a"/> and <paramref name="b"/>; NaN when either is NaN. For two zeros of opposite signs
    /// either zero may come back (x64 without AVX-512 has no single instruction for IEEE 754's <c>maximum</c>: the
    /// portable build's <c>Vector128.Max</c> is thirteen instructions, here two to four).
    /// </summary>
    static abstract TV Max(TV a, TV b);

    /// <summary><c>x &gt; 0 ? x : 0</c> with NaN propagated, exactly as <see cref="Activations.Relu"/>.</summary>
    static abstract TV Relu(TV x);

    /// <summary>The largest of four (a 2×2 pooling window); NaN when any is NaN, as <see cref="Max"/> nested.</summary>
    static abstract TV Max4(TV a, TV b, TV c, TV d);
}

/// <summary>Widths the kernels choose from, widest accelerated first.</summary>
internal static class VectorWidth
{
    /// <summary>The widest accelerated path: 512, 256, 128, or 1 when no SIMD is accelerated.</summary>
    public static int Widest =>
        Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated ? 256
        : Vector128.IsHardwareAccelerated ? 128
        : 1;

    /// <summary>
    /// True when <see cref="IVectorWidth{TV}.MulAdd"/> is one fused instruction (FMA3 on x64, AdvSimd on ARM64); false on
    /// x64 without FMA (the portable NativeAOT build), where it is a multiply and an add, so algorithms that trade
    /// multiply-adds for plain additions pay more there.
    /// </summary>
    public static bool FusedMultiplyAdd => Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>
    /// True when <see cref="IVectorWidth{TV}.Splat"/> of a float in memory costs a shuffle besides the load: x64 without AVX
    /// (the portable NativeAOT build: <c>movss</c> then <c>shufps</c>), where <c>vbroadcastss</c> does not exist. AVX's
    /// broadcast and ARM64's <c>ld1r</c> are plain loads.
    /// </summary>
    public static bool SplatIsShuffle => Sse.IsSupported && !Avx.IsSupported;
}

/// <summary>512-bit vectors (AVX-512): 16 floats, 32 registers.</summary>
internal struct W512 : IVectorWidth<Vector512<float>>
{
    public static int Count => 16;

    public static bool Wide => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float p, nint offset) => Vector512.LoadUnsafe(ref Unsafe.Add(ref p, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> v, ref float p, nint offset) => v.StoreUnsafe(ref Unsafe.Add(ref p, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Splat(float x) => Vector512.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sub(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Relu(Vector512<float> x)
        => x & (Vector512.GreaterThan(x, Vector512<float>.Zero) | ~Vector512.Equals(x, x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d) => Max(Max(a, b), Max(c, d));
}

/// <summary>256-bit vectors (AVX2): 8 floats, 16 registers.</summary>
internal struct W256 : IVectorWidth<Vector256<float>>
{
    public static int Count => 8;

    public static bool Wide => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float p, nint offset) => Vector256.LoadUnsafe(ref Unsafe.Add(ref p, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> v, ref float p, nint offset) => v.StoreUnsafe(ref Unsafe.Add(ref p, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Splat(float x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sub(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b)
        // maxps (x64: b when either is NaN) or fmax (ARM64: NaN-propagating); a NaN a is or-ed in (still a NaN).
        => Vector256.MaxNative(a, b) | Vector256.AndNot(a, Vector256.Equals(a, a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Relu(Vector256<float> x)
        => x & (Vector256.GreaterThan(x, Vector256<float>.Zero) | ~Vector256.Equals(x, x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d) => Max(Max(a, b), Max(c, d));
}

/// <summary>128-bit vectors (SSE on any x64, AdvSimd on ARM64): 4 floats, 16 registers assumed.</summary>
internal struct W128 : IVectorWidth<Vector128<float>>
{
    public static int Count => 4;

    public static bool Wide => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float p, nint offset) => Vector128.LoadUnsafe(ref Unsafe.Add(ref p, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> v, ref float p, nint offset) => v.StoreUnsafe(ref Unsafe.Add(ref p, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Splat(float x) => Vector128.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sub(Vector128<float> a, Vector128<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Mul(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b)
        // maxps (x64: b when either is NaN) or fmax (ARM64: NaN-propagating); a NaN a is or-ed in (still a NaN).
        => Vector128.MaxNative(a, b) | Vector128.AndNot(a, Vector128.Equals(a, a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Relu(Vector128<float> x)
    {
        // x64: maxps(0, x) returns its second operand x when x is NaN or a zero of either sign, and adding +0 turns −0 into
        // +0 (and leaves every other value as it is): two instructions instead of the generic form's four.
        if (Sse.IsSupported) return Sse.Add(Sse.Max(Vector128<float>.Zero, x), Vector128<float>.Zero);
        // ARM64's fmax propagates NaN and orders −0 below +0.
        if (AdvSimd.IsSupported) return AdvSimd.Max(x, Vector128<float>.Zero);
        return x & (Vector128.GreaterThan(x, Vector128<float>.Zero) | ~Vector128.Equals(x, x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
    {
        // Three maxps and one NaN test for all four (two cmpunordps) instead of Max's NaN fix-up after each maxps: half the
        // instructions of the nested form, on the portable build's pooled epilogues. ARM64's fmax propagates NaN itself.
        if (Sse.IsSupported)
            return Sse.Max(Sse.Max(a, b), Sse.Max(c, d)) | (Sse.CompareUnordered(a, b) | Sse.CompareUnordered(c, d));
        if (AdvSimd.IsSupported) return AdvSimd.Max(AdvSimd.Max(a, b), AdvSimd.Max(c, d));
        return Max(Max(a, b), Max(c, d));
    }
}

/// <summary>
/// One float as a "vector" of one lane: the channel tails of kernels written against <see cref="IVectorWidth{TV}"/> run
/// the same generic code with this width instead of a hand-written scalar copy.
/// </summary>
internal struct W1 : IVectorWidth<float>
{
    public static int Count => 1;

    public static bool Wide => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float p, nint offset) => Unsafe.Add(ref p, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float v, ref float p, nint offset) => Unsafe.Add(ref p, offset) = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Splat(float x) => x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MulAdd(float a, float b, float c) => a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sub(float a, float b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Mul(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => a > b || float.IsNaN(a) ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float x) => MathF.Max(x, 0f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max4(float a, float b, float c, float d) => Max(Max(a, b), Max(c, d));
}
