using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>
/// The vector machinery of <see cref="Activations"/>: element-wise functions written once as an operation over
/// <see cref="Vector{T}"/> of double (and the same formula for a scalar double, used for the tail), applied to float
/// spans by widening each float vector into two double vectors, evaluating, and narrowing back, so every result is
/// rounded to float once, as the scalar double code did. <see cref="Vector.Exp(Vector{double})"/> and
/// <see cref="Vector.Log(Vector{double})"/> are the BCL's vectorized transcendental functions (the ones
/// System.Numerics.Tensors' TensorPrimitives uses), so no package is needed.
/// </summary>
public static partial class Activations
{
    /// <summary>An element-wise function <c>f</c> (and, for the backward pass, <c>f'</c>) over doubles.</summary>
    private interface IDoubleFunction
    {
        static abstract Vector<double> Value(Vector<double> x);

        static abstract double Value(double x);

        static abstract Vector<double> Derivative(Vector<double> x);

        static abstract double Derivative(double x);
    }

    private static bool UseVectors => Vector.IsHardwareAccelerated && Vector<double>.IsSupported && Vector<float>.Count >= 4;

    /// <summary><c>y = f(x)</c>, evaluated in double and rounded once; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TFunction>(ReadOnlySpan<float> x, Span<float> y) where TFunction : IDoubleFunction
    {
        int n = CheckSame(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (UseVectors)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref xr, (nuint)i), out Vector<double> lo, out Vector<double> hi);
                Vector.Narrow(TFunction.Value(lo), TFunction.Value(hi)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++) y[i] = (float)TFunction.Value((double)x[i]);
    }

    /// <summary><c>dx = dy · f'(x)</c>, evaluated in double and rounded once; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MapBackward<TFunction>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) where TFunction : IDoubleFunction
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (UseVectors)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref xr, (nuint)i), out Vector<double> xlo, out Vector<double> xhi);
                Vector.Widen(Vector.LoadUnsafe(ref gr, (nuint)i), out Vector<double> glo, out Vector<double> ghi);
                Vector.Narrow(glo * TFunction.Derivative(xlo), ghi * TFunction.Derivative(xhi)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++) dx[i] = (float)(dy[i] * TFunction.Derivative((double)x[i]));
    }

    private static readonly Vector<double> s_one = Vector<double>.One;
    private static Vector<double> Splat(double v) => new(v);

    /// <summary>σ(x) without overflow: <c>1/(1 + e^−|x|)</c> or <c>e^−|x|/(1 + e^−|x|)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> SigmoidVector(Vector<double> v)
    {
        Vector<double> e = Vector.Exp(-Vector.Abs(v));
        Vector<double> d = s_one + e;
        return Vector.ConditionalSelect(Vector.GreaterThanOrEqual(v, Vector<double>.Zero), s_one / d, e / d);
    }

    /// <summary><c>e^x − 1</c> keeping its relative accuracy near 0 (series below 1e-5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ExpM1Vector(Vector<double> v)
    {
        Vector<double> series = v * (s_one + Splat(0.5) * v * (s_one + v / Splat(3.0)));
        return Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(v), Splat(1e-5)), series, Vector.Exp(v) - s_one);
    }

    /// <summary>Keeps <paramref name="value"/> where <paramref name="factor"/> is nonzero; 0 where it underflowed (x·0 with x = ±∞ would be NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ZeroWhereZero(Vector<double> factor, Vector<double> value)
        => Vector.ConditionalSelect(Vector.Equals(factor, Vector<double>.Zero), Vector<double>.Zero, value);

    private readonly struct SigmoidFunction : IDoubleFunction
    {
        public static Vector<double> Value(Vector<double> x) => SigmoidVector(x);
        public static double Value(double x) => SigmoidOfDouble(x);
        public static Vector<double> Derivative(Vector<double> x) { var s = SigmoidVector(x); return s * (s_one - s); }
        public static double Derivative(double x) { double s = SigmoidOfDouble(x); return s * (1 - s); }
    }

    private readonly struct TanhFunction : IDoubleFunction
    {
        // tanh|x| = (1 − e)/(1 + e), e = e^(−2|x|): in double the cancellation costs at most 1e-12 relative for
        // |x| ≥ 1e-4; below, tanh x = x to 4e-9 relative.
        public static Vector<double> Value(Vector<double> x)
        {
            Vector<double> a = Vector.Abs(x);
            Vector<double> e = Vector.Exp(Splat(-2.0) * a);
            Vector<double> t = Vector.ConditionalSelect(Vector.LessThan(a, Splat(1e-4)), a, (s_one - e) / (s_one + e));
            return Vector.ConditionalSelect(Vector.LessThan(x, Vector<double>.Zero), -t, t);
        }

        public static double Value(double x) => Math.Tanh(x);
        public static Vector<double> Derivative(Vector<double> x) { var t = Value(x); return s_one - t * t; }
        public static double Derivative(double x) { double t = Math.Tanh(x); return 1 - t * t; }
    }

    private readonly struct SwishFunction : IDoubleFunction
    {
        public static Vector<double> Value(Vector<double> x) { var s = SigmoidVector(x); return ZeroWhereZero(s, x * s); }
        public static double Value(double x) { double s = SigmoidOfDouble(x); return s == 0 ? 0 : x * s; }
        public static Vector<double> Derivative(Vector<double> x) { var s = SigmoidVector(x); return s * (s_one + x * (s_one - s)); }
        public static double Derivative(double x) { double s = SigmoidOfDouble(x); return s * (1 + x * (1 - s)); }
    }

    private readonly struct SoftplusFunction : IDoubleFunction
    {
        // max(x, 0) + log(1 + e^−|x|), log1p by its series where 1 + e would drop e's digits.
        public static Vector<double> Value(Vector<double> x)
        {
            Vector<double> e = Vector.Exp(-Vector.Abs(x));
            Vector<double> series = e * (s_one - e * (Splat(0.5) - e / Splat(3.0)));
            Vector<double> log1p = Vector.ConditionalSelect(Vector.LessThan(e, Splat(1e-5)), series, Vector.Log(s_one + e));
            Vector<double> positive = Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<double>.Zero), x, Vector<double>.Zero);
            return positive + log1p;
        }

        public static double Value(double x) => SoftplusOf(x);
        public static Vector<double> Derivative(Vector<double> x) => SigmoidVector(x);
        public static double Derivative(double x) => SigmoidOfDouble(x);
    }

    private readonly struct EluFunction : IDoubleFunction
    {
        public static Vector<double> Value(Vector<double> x) => Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<double>.Zero), x, ExpM1Vector(x));
        public static double Value(double x) => x >= 0 ? x : ExpM1(x);
        public static Vector<double> Derivative(Vector<double> x) => Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<double>.Zero), s_one, Vector.Exp(x));
        public static double Derivative(double x) => x >= 0 ? 1 : Math.Exp(x);
    }

    private readonly struct SeluFunction : IDoubleFunction
    {
        public static Vector<double> Value(Vector<double> x)
            => Splat(SeluLambda) * Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<double>.Zero), x, Splat(SeluAlpha) * ExpM1Vector(x));
        public static double Value(double x) => x >= 0 ? SeluLambda * x : SeluLambda * SeluAlpha * ExpM1(x);
        public static Vector<double> Derivative(Vector<double> x)
            => Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<double>.Zero), Splat(SeluLambda), Splat(SeluLambda * SeluAlpha) * Vector.Exp(x));
        public static double Derivative(double x) => x >= 0 ? SeluLambda : SeluLambda * SeluAlpha * Math.Exp(x);
    }

    private readonly struct MishFunction : IDoubleFunction
    {
        // t = tanh(softplus x) = m/(m + 2), m = e^x(e^x + 2); 1 above x = 20 (to double precision).
        public static Vector<double> Value(Vector<double> x)
        {
            Vector<double> e = Vector.Exp(Vector.Min(x, Splat(20.0)));
            Vector<double> m = e * (e + Splat(2.0));
            Vector<double> t = Vector.ConditionalSelect(Vector.GreaterThan(x, Splat(20.0)), s_one, m / (m + Splat(2.0)));
            return ZeroWhereZero(t, x * t);
        }

        public static double Value(double x)
        {
            double t = x > 20 ? 1 : MishFactor(x);
            return t == 0 ? 0 : x * t;
        }

        // f' = t + x·(4m + 4)/(m + 2)²·σ(x), σ(x) = e/(1 + e).
        public static Vector<double> Derivative(Vector<double> x)
        {
            Vector<double> e = Vector.Exp(Vector.Min(x, Splat(20.0)));
            Vector<double> m = e * (e + Splat(2.0));
            Vector<double> m2 = m + Splat(2.0);
            Vector<double> d = m / m2 + ZeroWhereZero(e, x * (Splat(4.0) * m + Splat(4.0)) / (m2 * m2) * (e / (s_one + e)));
            return Vector.ConditionalSelect(Vector.GreaterThan(x, Splat(20.0)), s_one, d);
        }

        public static double Derivative(double x)
        {
            if (x > 20) return 1;
            double e = Math.Exp(x);
            if (e == 0) return 0;
            double m = e * (e + 2), t = m / (m + 2);
            return t + x * (4 * m + 4) / ((m + 2) * (m + 2)) * (e / (1 + e));
        }
    }

    private readonly struct GeluTanhFunction : IDoubleFunction
    {
        // 0.5·x·(1 + tanh u) = x·σ(2u), u = √(2/π)(x + 0.044715x³).
        private static Vector<double> Sigma(Vector<double> x) => SigmoidVector(Splat(2 * SqrtTwoOverPi) * (x + Splat(GeluCubic) * x * x * x));

        public static Vector<double> Value(Vector<double> x) { var s = Sigma(x); return ZeroWhereZero(s, x * s); }

        public static double Value(double x)
        {
            double s = SigmoidOfDouble(2 * GeluTanhArgument(x));
            return s == 0 ? 0 : x * s;
        }

        // f' = s + 2x·s(1 − s)·c(1 + 3·0.044715x²), s = σ(2u).
        public static Vector<double> Derivative(Vector<double> x)
        {
            Vector<double> s = Sigma(x);
            Vector<double> bell = s * (s_one - s);
            return s + ZeroWhereZero(bell, Splat(2 * SqrtTwoOverPi) * x * bell * (s_one + Splat(3 * GeluCubic) * x * x));
        }

        public static double Derivative(double x)
        {
            double s = SigmoidOfDouble(2 * GeluTanhArgument(x));
            double bell = s * (1 - s);
            return bell == 0 ? s : s + 2 * x * bell * SqrtTwoOverPi * (1 + 3 * GeluCubic * x * x);
        }
    }

    /// <summary>One softmax row of at least one vector: vector maximum, <see cref="Vector.Exp(Vector{float})"/>, a double sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        int cols = x.Length, w = Vector<float>.Count, j = 0;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        var vmax = new Vector<float>(float.NegativeInfinity);
        for (; j + w <= cols; j += w) vmax = Vector.Max(vmax, Vector.LoadUnsafe(ref xs, (nuint)j));
        float max = float.NegativeInfinity;
        for (int k = 0; k < w; k++) max = Math.Max(max, vmax[k]);
        for (; j < cols; j++) max = Math.Max(max, x[j]);
        // A NaN the vector maximum skipped still makes its exponential, the sum and so the whole row NaN.
        var shift = new Vector<float>(max);
        Vector<double> sumLo = Vector<double>.Zero, sumHi = Vector<double>.Zero;
        for (j = 0; j + w <= cols; j += w)
        {
            Vector<float> e = Vector.Exp(Vector.LoadUnsafe(ref xs, (nuint)j) - shift);
            e.StoreUnsafe(ref ys, (nuint)j);
            Vector.Widen(e, out Vector<double> lo, out Vector<double> hi);
            sumLo += lo;
            sumHi += hi;
        }
        double sum = Vector.Sum(sumLo + sumHi);
        for (; j < cols; j++)
        {
            float e = MathF.Exp(x[j] - max);
            y[j] = e;
            sum += e;
        }
        float inv = (float)(1.0 / sum);
        var vinv = new Vector<float>(inv);
        for (j = 0; j + w <= cols; j += w) (Vector.LoadUnsafe(ref ys, (nuint)j) * vinv).StoreUnsafe(ref ys, (nuint)j);
        for (; j < cols; j++) y[j] *= inv;
    }

    /// <summary>One softmax row's backward, <c>dx = y ⊙ (dy − Σ dy ⊙ y)</c>, with the dot product summed in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxRowBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int cols = y.Length, w = Vector<float>.Count, j = 0;
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float gs = ref MemoryMarshal.GetReference(dy);
        ref float ds = ref MemoryMarshal.GetReference(dx);
        Vector<double> accLo = Vector<double>.Zero, accHi = Vector<double>.Zero;
        for (; j + w <= cols; j += w)
        {
            Vector.Widen(Vector.LoadUnsafe(ref ys, (nuint)j), out Vector<double> ylo, out Vector<double> yhi);
            Vector.Widen(Vector.LoadUnsafe(ref gs, (nuint)j), out Vector<double> glo, out Vector<double> ghi);
            accLo += ylo * glo;
            accHi += yhi * ghi;
        }
        double dot = Vector.Sum(accLo + accHi);
        for (; j < cols; j++) dot += (double)dy[j] * y[j];
        float d = (float)dot;
        var vd = new Vector<float>(d);
        for (j = 0; j + w <= cols; j += w)
            (Vector.LoadUnsafe(ref ys, (nuint)j) * (Vector.LoadUnsafe(ref gs, (nuint)j) - vd)).StoreUnsafe(ref ds, (nuint)j);
        for (; j < cols; j++) dx[j] = y[j] * (dy[j] - d);
    }

    /// <summary><c>m = max(m, row)</c> element-wise (a NaN skipped here still makes its fibre NaN through its exponential).</summary>
    private static void MaxInto(ReadOnlySpan<float> row, Span<float> m)
    {
        int w = row.Length, j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref float rr = ref MemoryMarshal.GetReference(row);
            ref float mr = ref MemoryMarshal.GetReference(m);
            for (; j + Vector<float>.Count <= w; j += Vector<float>.Count)
                Vector.Max(Vector.LoadUnsafe(ref mr, (nuint)j), Vector.LoadUnsafe(ref rr, (nuint)j)).StoreUnsafe(ref mr, (nuint)j);
        }
        for (; j < w; j++) m[j] = Math.Max(m[j], row[j]);
    }

    /// <summary><c>out = e^(row − m)</c> and <c>s += out</c>, element-wise; <paramref name="output"/> may be <paramref name="row"/>.</summary>
    private static void ExpShiftedAccumulate(ReadOnlySpan<float> row, ReadOnlySpan<float> m, Span<float> output, Span<float> s)
    {
        int w = row.Length, j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref float rr = ref MemoryMarshal.GetReference(row);
            ref float mr = ref MemoryMarshal.GetReference(m);
            ref float outr = ref MemoryMarshal.GetReference(output);
            ref float sr = ref MemoryMarshal.GetReference(s);
            for (; j + Vector<float>.Count <= w; j += Vector<float>.Count)
            {
                Vector<float> e = Vector.Exp(Vector.LoadUnsafe(ref rr, (nuint)j) - Vector.LoadUnsafe(ref mr, (nuint)j));
                e.StoreUnsafe(ref outr, (nuint)j);
                (Vector.LoadUnsafe(ref sr, (nuint)j) + e).StoreUnsafe(ref sr, (nuint)j);
            }
        }
        for (; j < w; j++)
        {
            float e = MathF.Exp(row[j] - m[j]);
            output[j] = e;
            s[j] += e;
        }
    }

    /// <summary><c>row *= s</c> element-wise.</summary>
    private static void MultiplyInto(Span<float> row, ReadOnlySpan<float> s)
    {
        int w = row.Length, j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref float rr = ref MemoryMarshal.GetReference(row);
            ref float sr = ref MemoryMarshal.GetReference(s);
            for (; j + Vector<float>.Count <= w; j += Vector<float>.Count)
                (Vector.LoadUnsafe(ref rr, (nuint)j) * Vector.LoadUnsafe(ref sr, (nuint)j)).StoreUnsafe(ref rr, (nuint)j);
        }
        for (; j < w; j++) row[j] *= s[j];
    }

    /// <summary>Clamps to [<paramref name="lo"/>, <paramref name="hi"/>] keeping NaN (no reliance on how Min/Max treat NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ClampKeepNaN(Vector<float> v, Vector<float> lo, Vector<float> hi)
    {
        Vector<float> upper = Vector.ConditionalSelect(Vector.LessThan(v, hi), v, hi);
        Vector<float> below = Vector.ConditionalSelect(Vector.Equals(v, v), lo, v);
        return Vector.ConditionalSelect(Vector.GreaterThan(v, lo), upper, below);
    }
}
