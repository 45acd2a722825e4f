using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>Activation functions and their derivatives (Keras 3 formulas and defaults).</summary>
/// <remarks>
/// Element-wise loops read element i before writing element i, so every forward may run in place
/// (<c>y</c> the same memory as <c>x</c>) and every backward may write <c>dx</c> over <c>dy</c>. Backward
/// passes use the output <c>y</c> where the derivative is a function of it (sigmoid, tanh, elu, exponential) and the
/// input <c>x</c> otherwise. The transcendental functions (sigmoid, tanh, swish/silu, softplus, elu, selu, mish,
/// gelu, exact and tanh form) run on vectors of double widened from the float input and are rounded to float once (see
/// ActivationVectors.cs); log-softmax is a scalar double loop; the piecewise-linear ones (relu,
/// relu6, hard_sigmoid, hard_silu, softsign, leaky_relu) run on float vectors. Every result is within a few float ulps
/// (1e-6 relative) of the double reference, the tests' tolerance. NaN inputs give NaN outputs everywhere.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static partial class Activations
{
    private const float LeakySlope = 0.2f;
    private const double SeluAlpha = 1.6732632423543772;
    private const double SeluLambda = 1.0507009873554805;
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary>Relu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckSame(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> v = Vector.LoadUnsafe(ref xr, (nuint)i);
                // NaN propagates (no reliance on how Vector.Max treats NaN).
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, Vector.ConditionalSelect(Vector.Equals(v, v), Vector<float>.Zero, v)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++) y[i] = MathF.Max(x[i], 0f); // NaN propagates, as in the vector loop
    }

    /// <summary>Relu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    /// <remarks>f'(0) = 0, as in TensorFlow, JAX and PyTorch.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<int> positive = Vector.GreaterThan(Vector.LoadUnsafe(ref xr, (nuint)i), Vector<float>.Zero);
                Vector.ConditionalSelect(positive, Vector.LoadUnsafe(ref gr, (nuint)i), Vector<float>.Zero).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++) dx[i] = x[i] > 0f ? dy[i] : 0f;
    }

    /// <summary>Sigmoid: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        Map<SigmoidFunction>(x, y);
    }

    /// <summary>Sigmoid backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    /// <remarks>Uses <c>f' = y(1 − y)</c>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> s = Vector.LoadUnsafe(ref yr, (nuint)i);
                (Vector.LoadUnsafe(ref gr, (nuint)i) * (s * (Vector<float>.One - s))).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float s = y[i];
            dx[i] = dy[i] * (s * (1f - s));
        }
    }

    /// <summary>Tanh: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        Map<TanhFunction>(x, y);
    }

    /// <summary>Tanh backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    /// <remarks>Uses <c>f' = 1 − y²</c>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> s = Vector.LoadUnsafe(ref yr, (nuint)i);
                (Vector.LoadUnsafe(ref gr, (nuint)i) * (Vector<float>.One - s * s)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float s = y[i];
            dx[i] = dy[i] * (1f - s * s);
        }
    }

    /// <summary>LeakyRelu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    /// <remarks>Keras' <c>leaky_relu</c> activation: negative slope 0.2.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckSame(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var slope = new Vector<float>(LeakySlope);
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> v = Vector.LoadUnsafe(ref xr, (nuint)i);
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, v * slope).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++) y[i] = x[i] > 0f ? x[i] : LeakySlope * x[i];
    }

    /// <summary>LeakyRelu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        for (int i = 0; i < n; i++) dx[i] = x[i] > 0f ? dy[i] : LeakySlope * dy[i];
    }

    /// <summary>Elu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    /// <remarks>α = 1: <c>x</c> for x ≥ 0, else <c>e^x − 1</c>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Elu(ReadOnlySpan<float> x, Span<float> y)
    {
        Map<EluFunction>(x, y);
    }

    /// <summary>Elu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    /// <remarks>f' = 1 for x ≥ 0, else <c>e^x = y + 1</c>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        for (int i = 0; i < n; i++) dx[i] = x[i] >= 0f ? dy[i] : dy[i] * (y[i] + 1f);
    }

    /// <summary>Selu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    /// <remarks><c>λ·x</c> for x ≥ 0, else <c>λ·α·(e^x − 1)</c>; α = 1.6732632423543772, λ = 1.0507009873554805.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Selu(ReadOnlySpan<float> x, Span<float> y)
    {
        Map<SeluFunction>(x, y);
    }

    /// <summary>Selu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    /// <remarks>f' = λ for x ≥ 0, else <c>λ·α·e^x</c> (computed from x in double).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        MapBackward<SeluFunction>(x, y, dy, dx);
    }

    /// <summary>Swish: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    /// <remarks><c>x·σ(x)</c> (SiLU).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Swish(ReadOnlySpan<float> x, Span<float> y)
    {
        Map<SwishFunction>(x, y);
    }

    /// <summary>Swish backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    /// <remarks>f' = <c>σ(x)·(1 + x·(1 − σ(x)))</c>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SwishBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        MapBackward<SwishFunction>(x, y, dy, dx);
    }

    /// <summary>Softplus: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    /// <remarks>Computed as <c>max(x, 0) + log(1 + e^−|x|)</c>, which never overflows.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softplus(ReadOnlySpan<float> x, Span<float> y)
    {
        Map<SoftplusFunction>(x, y);
    }

    /// <summary>Softplus backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    /// <remarks>f' = σ(x).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftplusBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        MapBackward<SoftplusFunction>(x, y, dy, dx);
    }

    /// <summary>Gelu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    /// <remarks>
    /// Exact form <c>0.5·x·(1 + erf(x/√2))</c> (Keras' <c>gelu</c> activation default), evaluated as <c>x·Φ(x)</c> with
    /// Φ(x) = ½·erfc(|x|/√2) for x &lt; 0 and 1 − ½·erfc(|x|/√2) otherwise, erfc from a Chebyshev fit of relative error
    /// below 1.2e-7 over the whole half-line (see <see cref="GeluFunction"/>), on double vectors rounded to float once,
    /// so the tiny tail for x ≪ 0 keeps its relative accuracy. +∞ gives +∞, −∞ gives −0, NaN gives NaN.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        Map<GeluFunction>(x, y);
    }

    /// <summary>Gelu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    /// <remarks>
    /// f' = <c>Φ(x) + x·φ(x)</c>, φ the standard normal density; its limits at ±∞ (1 and 0) where φ underflows. Φ(x) is
    /// read back from the forward's output as <c>y/x</c> (in double: the float rounding of y, 6e-8 relative, is all it
    /// adds to the forward's own error) wherever that quotient is exact to float precision, i.e. every element of the
    /// vector has −10 ≤ x ≤ 1e30 and |x| ≥ 1e-30, so that y is a normal float; otherwise (NaN, ±∞, the far left tail,
    /// zero and subnormal x) Φ is evaluated again. So <paramref name="y"/> must be what <see cref="Gelu"/> wrote for
    /// <paramref name="x"/>; this saves the erfc evaluation and one of the two exponentials per element.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (UseVectors)
        {
            Vector<float> low = new(-10f), high = new(1e30f), tiny = new(1e-30f);
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> xf = Vector.LoadUnsafe(ref xr, (nuint)i);
                Vector<float> ax = Vector.Abs(xf);
                Vector.Widen(xf, out Vector<double> xlo, out Vector<double> xhi);
                Vector.Widen(Vector.LoadUnsafe(ref gr, (nuint)i), out Vector<double> glo, out Vector<double> ghi);
                // NaN fails every comparison and takes the full evaluation.
                if (Vector.GreaterThanOrEqualAll(xf, low) && Vector.LessThanOrEqualAll(ax, high) && Vector.GreaterThanOrEqualAll(ax, tiny))
                {
                    Vector.Widen(Vector.LoadUnsafe(ref yr, (nuint)i), out Vector<double> ylo, out Vector<double> yhi);
                    Vector.Narrow(glo * GeluDerivativeFromOutput(xlo, ylo), ghi * GeluDerivativeFromOutput(xhi, yhi)).StoreUnsafe(ref dr, (nuint)i);
                }
                else
                {
                    Vector.Narrow(glo * GeluFunction.Derivative(xlo), ghi * GeluFunction.Derivative(xhi)).StoreUnsafe(ref dr, (nuint)i);
                }
            }
        }
        for (; i < n; i++) dx[i] = (float)(dy[i] * GeluFunction.Derivative((double)x[i]));
    }

    /// <summary>Φ(x) + x·φ(x) with Φ = y/x (see <see cref="GeluBackward"/> for where that holds); φ underflows to 0 for large |x|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> GeluDerivativeFromOutput(Vector<double> x, Vector<double> y)
        => y / x + x * (Splat(InvSqrt2Pi) * Vector.Exp(Splat(-0.5) * x * x));

    /// <summary>
    /// Exact GELU on doubles. erfc z for z ≥ 0 is <c>t·exp(−z² + P(t))</c>, <c>t = 1/(1 + z/2)</c>, P the degree-9
    /// polynomial below: the Chebyshev-fitted form of W. H. Press et al., Numerical Recipes (2nd ed., §6.2), whose
    /// stated relative error is below 1.2e-7 everywhere (checked here against a double erfc on z ∈ [0, 26] in steps
    /// of 0.001: at most 1.07e-7). Being relative in erfc, the error stays relative in Φ(x) = ½·erfc(|x|/√2) for x &lt; 0;
    /// for x ≥ 0, 1 − ½·erfc adds at most 1.2e-7·½·erfc ≤ 6e-8 to a value ≥ ½.
    /// </summary>
    private readonly struct GeluFunction : IDoubleFunction
    {
        private const double P0 = -1.26551223, P1 = 1.00002368, P2 = 0.37409196, P3 = 0.09678418, P4 = -0.18628806;
        private const double P5 = 0.27886807, P6 = -1.13520398, P7 = 1.48851587, P8 = -0.82215223, P9 = 0.17087277;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<double> Poly(Vector<double> t)
        {
            Vector<double> p = Splat(P9);
            p = p * t + Splat(P8);
            p = p * t + Splat(P7);
            p = p * t + Splat(P6);
            p = p * t + Splat(P5);
            p = p * t + Splat(P4);
            p = p * t + Splat(P3);
            p = p * t + Splat(P2);
            p = p * t + Splat(P1);
            return p * t + Splat(P0);
        }

        private static double Poly(double t)
            => P0 + t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * (P5 + t * (P6 + t * (P7 + t * (P8 + t * P9))))))));

        /// <summary>Φ(x) from ½·erfc(|x|/√2) (the lower tail) and its reflection; NaN stays NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<double> Cdf(Vector<double> x)
        {
            Vector<double> z = Vector.Abs(x) * Splat(InvSqrt2);
            Vector<double> t = s_one / (s_one + Splat(0.5) * z);
            Vector<double> lower = Splat(0.5) * t * Vector.Exp(Poly(t) - z * z); // Φ(−|x|); t → 0, exp → 0 at |x| = ∞
            return Vector.ConditionalSelect(Vector.LessThan(x, Vector<double>.Zero), lower, s_one - lower);
        }

        private static double Cdf(double x)
        {
            double z = Math.Abs(x) * InvSqrt2, t = 1 / (1 + 0.5 * z);
            double lower = 0.5 * t * Math.Exp(Poly(t) - z * z);
            return x < 0 ? lower : 1 - lower;
        }

        // Φ underflows to 0 far left: the product is −0 there (and −∞·0 would be NaN).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> Value(Vector<double> x)
        {
            Vector<double> c = Cdf(x);
            return Vector.ConditionalSelect(Vector.Equals(c, Vector<double>.Zero), Splat(-0.0), x * c);
        }

        public static double Value(double x)
        {
            double c = Cdf(x);
            return c == 0 ? -0.0 : x * c;
        }

        // f' = Φ(x) + x·φ(x); where φ underflows (|x| > 38.6, ±∞) the second term is 0 (and ∞·0 would be NaN).
        public static Vector<double> Derivative(Vector<double> x)
        {
            Vector<double> pdf = Splat(InvSqrt2Pi) * Vector.Exp(Splat(-0.5) * x * x);
            Vector<double> c = Cdf(x);
            return Vector.ConditionalSelect(Vector.Equals(pdf, Vector<double>.Zero), c, c + x * pdf);
        }

        public static double Derivative(double x)
        {
            double pdf = InvSqrt2Pi * Math.Exp(-0.5 * x * x);
            double c = Cdf(x);
            return pdf == 0 ? c : c + x * pdf;
        }
    }

    /// <summary>Softmax over each row of <paramref name="cols"/> elements; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <remarks>The row maximum is subtracted before exponentiating, so large logits cannot overflow.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int cols)
    {
        int n = CheckSame(x.Length, y.Length);
        if (n == 0) return;
        CheckRows(n, cols);
        for (int r = 0; r < n; r += cols)
        {
            ReadOnlySpan<float> xr = x.Slice(r, cols);
            Span<float> yr = y.Slice(r, cols);
            if (UseVectors && cols >= Vector<float>.Count)
            {
                SoftmaxRow(xr, yr);
                continue;
            }
            float max = float.NegativeInfinity;
            for (int j = 0; j < cols; j++) max = Math.Max(max, xr[j]);
            double sum = 0;
            for (int j = 0; j < cols; j++)
            {
                float e = MathF.Exp(xr[j] - max);
                yr[j] = e;
                sum += e;
            }
            float inv = (float)(1.0 / sum);
            for (int j = 0; j < cols; j++) yr[j] *= inv;
        }
    }

    /// <summary>Softmax backward per row: <c>dx = y ⊙ (dy - Σ dy ⊙ y)</c>; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int cols)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        if (n == 0) return;
        CheckRows(n, cols);
        for (int r = 0; r < n; r += cols)
        {
            ReadOnlySpan<float> yr = y.Slice(r, cols);
            ReadOnlySpan<float> gr = dy.Slice(r, cols);
            Span<float> dr = dx.Slice(r, cols);
            if (UseVectors && cols >= Vector<float>.Count)
            {
                SoftmaxRowBackward(yr, gr, dr);
                continue;
            }
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += (double)gr[j] * yr[j];
            float d = (float)dot;
            for (int j = 0; j < cols; j++) dr[j] = yr[j] * (gr[j] - d);
        }
    }

    /// <summary>Silu: Keras' name for <see cref="Swish"/> (<c>x·σ(x)</c>); the same kernel.</summary>
    public static void Silu(ReadOnlySpan<float> x, Span<float> y) => Swish(x, y);

    /// <summary>Silu backward: <see cref="SwishBackward"/>.</summary>
    public static void SiluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => SwishBackward(x, y, dy, dx);

    /// <summary>Exponential: <c>y = e^x</c> element-wise (overflows to +∞ above x ≈ 88.72, as Keras); <paramref name="y"/> may be <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Exponential(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckSame(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                Vector.Exp(Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) y[i] = MathF.Exp(x[i]);
    }

    /// <summary>Exponential backward: <c>dx = dy·y</c>; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ExponentialBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> s = Vector.LoadUnsafe(ref yr, (nuint)i);
                (Vector.LoadUnsafe(ref gr, (nuint)i) * (s)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float s = y[i];
            dx[i] = dy[i] * (s);
        }
    }

    /// <summary>HardSigmoid (Keras 3): <c>relu6(x + 3)/6</c> = <c>clip(x/6 + 0.5, 0, 1)</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <remarks>Keras 2 and tfjs used <c>clip(0.2·x + 0.5, 0, 1)</c>; NetGen follows Keras 3 (and PyTorch's <c>Hardsigmoid</c>).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HardSigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckSame(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> v = Vector.LoadUnsafe(ref xr, (nuint)i);
                (ClampKeepNaN(v + new Vector<float>(3f), Vector<float>.Zero, new Vector<float>(6f)) * new Vector<float>(1f / 6f)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++) y[i] = HardSigmoidOf(x[i]);
    }

    /// <summary>HardSigmoid backward: <c>f' = 1/6</c> on (−3, 3), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HardSigmoidBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        for (int i = 0; i < n; i++)
        {
            float v = x[i];
            dx[i] = v > -3f && v < 3f ? dy[i] * (1f / 6f) : !float.IsNaN(v) ? 0f : float.NaN;
        }
    }

    /// <summary>HardSilu (Keras alias <c>hard_swish</c>): <c>x·hard_sigmoid(x)</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HardSilu(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckSame(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> v = Vector.LoadUnsafe(ref xr, (nuint)i);
                Vector<float> h = ClampKeepNaN(v + new Vector<float>(3f), Vector<float>.Zero, new Vector<float>(6f)) * new Vector<float>(1f / 6f);
                // x·0 would turn −∞ into NaN: at or below −3 the product is exactly 0.
                Vector.ConditionalSelect(Vector.LessThanOrEqual(v, new Vector<float>(-3f)), Vector<float>.Zero, v * h).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = x[i];
            y[i] = v <= -3f ? 0f : v * HardSigmoidOf(v);
        }
    }

    /// <summary>HardSilu backward: <c>f' = (2x + 3)/6</c> on (−3, 3), 1 above, 0 below.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HardSiluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        for (int i = 0; i < n; i++)
        {
            float v = x[i];
            float d = v >= 3f ? 1f : v > -3f ? (2f * v + 3f) * (1f / 6f) : !float.IsNaN(v) ? 0f : float.NaN;
            dx[i] = dy[i] * d;
        }
    }

    /// <summary>Softsign: <c>x/(1 + |x|)</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <remarks>±∞ give the limits ±1 (Keras' formula gives NaN there).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softsign(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckSame(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> v = Vector.LoadUnsafe(ref xr, (nuint)i);
                Vector<float> a = Vector.Abs(v);
                Vector<float> limit = Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), Vector<float>.One, -Vector<float>.One);
                Vector.ConditionalSelect(Vector.Equals(a, new Vector<float>(float.PositiveInfinity)), limit, v / (Vector<float>.One + a)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = x[i];
            y[i] = float.IsInfinity(v) ? MathF.Sign(v) : v / (1f + MathF.Abs(v));
        }
    }

    /// <summary>Softsign backward: <c>f' = 1/(1 + |x|)²</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftsignBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        for (int i = 0; i < n; i++)
        {
            float a = 1f + MathF.Abs(x[i]);
            dx[i] = dy[i] / (a * a);
        }
    }

    /// <summary>Relu6: <c>min(max(x, 0), 6)</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu6(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckSame(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            {
                Vector<float> v = Vector.LoadUnsafe(ref xr, (nuint)i);
                ClampKeepNaN(v, Vector<float>.Zero, new Vector<float>(6f)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = x[i];
            y[i] = v > 0f ? (v < 6f ? v : 6f) : !float.IsNaN(v) ? 0f : v;
        }
    }

    /// <summary>Relu6 backward: <c>f' = 1</c> on (0, 6), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu6Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        for (int i = 0; i < n; i++)
        {
            float v = x[i];
            dx[i] = v > 0f && v < 6f ? dy[i] : 0f;
        }
    }

    /// <summary>Mish: <c>x·tanh(softplus(x))</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <remarks>
    /// Uses <c>tanh(log(1 + e^x)) = n/(n + 2)</c> with <c>n = e^x·(e^x + 2)</c>, which keeps full relative accuracy for
    /// negative x (no 1 − 1 cancellation); above x = 20 the factor is 1 to double precision. Evaluated in double.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Mish(ReadOnlySpan<float> x, Span<float> y)
    {
        Map<MishFunction>(x, y);
    }

    /// <summary>Mish backward: <c>f' = t + x·(1 − t²)·σ(x)</c>, <c>t = tanh(softplus(x))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MishBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        MapBackward<MishFunction>(x, y, dy, dx);
    }

    /// <summary>GeluTanh: GELU's tanh approximation (Keras <c>gelu(x, approximate=True)</c>), <c>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>.</summary>
    /// <remarks>Evaluated in double as <c>x·σ(2u)</c> (<c>1 + tanh u = 2σ(2u)</c>), which keeps the negative tail's relative accuracy.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GeluTanh(ReadOnlySpan<float> x, Span<float> y)
    {
        Map<GeluTanhFunction>(x, y);
    }

    /// <summary>GeluTanh backward: <c>f' = 0.5(1 + t) + 0.5·x·(1 − t²)·c·(1 + 3·0.044715·x²)</c>, t = tanh(c·(x + 0.044715·x³)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GeluTanhBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        MapBackward<GeluTanhFunction>(x, y, dy, dx);
    }

    /// <summary>LogSoftmax over each row of <paramref name="cols"/> elements: <c>x − max − log Σ e^(x − max)</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y, int cols)
    {
        int n = CheckSame(x.Length, y.Length);
        if (n == 0) return;
        CheckRows(n, cols);
        for (int r = 0; r < n; r += cols)
        {
            ReadOnlySpan<float> xr = x.Slice(r, cols);
            Span<float> yr = y.Slice(r, cols);
            float max = float.NegativeInfinity;
            bool nan = false;
            for (int j = 0; j < cols; j++)
            {
                max = Math.Max(max, xr[j]);
                nan |= float.IsNaN(xr[j]);
            }
            if (nan || float.IsInfinity(max))
            {
                // NaN anywhere makes the row NaN; +∞ logits (or all −∞) have no finite log-probability: NaN, as Keras.
                for (int j = 0; j < cols; j++) yr[j] = float.NaN;
                continue;
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.Exp((double)xr[j] - max);
            double shift = max + Math.Log(sum);
            for (int j = 0; j < cols; j++) yr[j] = (float)(xr[j] - shift);
        }
    }

    /// <summary>LogSoftmax backward per row: <c>dx = dy − e^y·Σ dy</c>; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmaxBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int cols)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        if (n == 0) return;
        CheckRows(n, cols);
        for (int r = 0; r < n; r += cols)
        {
            ReadOnlySpan<float> yr = y.Slice(r, cols);
            ReadOnlySpan<float> gr = dy.Slice(r, cols);
            Span<float> dr = dx.Slice(r, cols);
            double total = 0;
            for (int j = 0; j < cols; j++) total += gr[j];
            for (int j = 0; j < cols; j++) dr[j] = (float)(gr[j] - Math.Exp(yr[j]) * total);
        }
    }

    /// <summary>
    /// Keras' <c>ReLU</c> layer: <c>min(x, maxValue)</c> for <c>x &gt; threshold</c>, else <c>negativeSlope·(x − threshold)</c>
    /// (<paramref name="maxValue"/> +∞ for none); <paramref name="y"/> may be <paramref name="x"/>. NaN propagates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluWith(ReadOnlySpan<float> x, Span<float> y, float negativeSlope, float maxValue, float threshold)
    {
        int n = CheckSame(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            float v = x[i];
            // A zero slope gives exactly 0 below the threshold, also for −∞ (where 0·−∞ would be NaN).
            y[i] = v > threshold ? (v < maxValue ? v : maxValue) : v <= threshold ? (negativeSlope == 0f ? 0f : negativeSlope * (v - threshold)) : v;
        }
    }

    /// <summary>Backward of <see cref="ReluWith"/>: <c>f' = 1</c> on (threshold, maxValue), 0 at or above maxValue, negativeSlope at or below the threshold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluWithBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float negativeSlope, float maxValue, float threshold)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        for (int i = 0; i < n; i++)
        {
            float v = x[i];
            dx[i] = v > threshold ? (v < maxValue ? dy[i] : 0f) : negativeSlope * dy[i];
        }
    }

    /// <summary>Keras' <c>LeakyReLU</c> layer: <c>x</c> for x &gt; 0, else <c>negativeSlope·x</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReluWith(ReadOnlySpan<float> x, Span<float> y, float negativeSlope)
    {
        int n = CheckSame(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            float v = x[i];
            y[i] = v > 0f ? v : negativeSlope == 0f && !float.IsNaN(v) ? 0f : negativeSlope * v;
        }
    }

    /// <summary>Backward of <see cref="LeakyReluWith"/>: 1 for x &gt; 0, else negativeSlope.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReluWithBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float negativeSlope)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        for (int i = 0; i < n; i++) dx[i] = x[i] > 0f ? dy[i] : negativeSlope * dy[i];
    }

    /// <summary>Keras' <c>ELU</c> layer: <c>x</c> for x &gt; 0, else <c>alpha·(e^x − 1)</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EluWith(ReadOnlySpan<float> x, Span<float> y, float alpha)
    {
        int n = CheckSame(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            float v = x[i];
            y[i] = v > 0f ? v : (float)(alpha * ExpM1(v));
        }
    }

    /// <summary>Backward of <see cref="EluWith"/>: 1 for x &gt; 0, else <c>alpha·e^x</c> (from x, in double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EluWithBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float alpha)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        for (int i = 0; i < n; i++)
        {
            float v = x[i];
            dx[i] = v > 0f ? dy[i] : (float)(dy[i] * (alpha * Math.Exp(v)));
        }
    }

    /// <summary>Inner positions handled per pass of <see cref="SoftmaxAxis"/> (its running maxima and sums live on the stack).</summary>
    private const int AxisChunk = 256;

    /// <summary>
    /// Softmax along a middle axis: <paramref name="x"/> is (<paramref name="outer"/>, <paramref name="length"/>,
    /// <paramref name="inner"/>) row-major and each of the <c>outer·inner</c> fibres along the middle axis is normalised;
    /// <paramref name="y"/> may be <paramref name="x"/>. The fibre's maximum is subtracted first (no overflow).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxAxis(ReadOnlySpan<float> x, Span<float> y, int outer, int length, int inner)
    {
        int n = CheckSame(x.Length, y.Length);
        CheckAxis(n, outer, length, inner);
        if (inner == 1)
        {
            if (n > 0) Softmax(x, y, length);
            return;
        }
        Span<float> max = stackalloc float[AxisChunk];
        Span<float> sum = stackalloc float[AxisChunk];
        for (int o = 0; o < outer; o++)
        {
            int baseOffset = o * length * inner;
            for (int c0 = 0; c0 < inner; c0 += AxisChunk)
            {
                int w = Math.Min(AxisChunk, inner - c0);
                Span<float> m = max.Slice(0, w), s = sum.Slice(0, w);
                m.Fill(float.NegativeInfinity);
                s.Clear();
                for (int k = 0; k < length; k++) MaxInto(x.Slice(baseOffset + k * inner + c0, w), m);
                for (int k = 0; k < length; k++)
                {
                    int at = baseOffset + k * inner + c0;
                    ExpShiftedAccumulate(x.Slice(at, w), m, y.Slice(at, w), s);
                }
                for (int j = 0; j < w; j++) s[j] = 1f / s[j];
                for (int k = 0; k < length; k++) MultiplyInto(y.Slice(baseOffset + k * inner + c0, w), s);
            }
        }
    }

    /// <summary>Backward of <see cref="SoftmaxAxis"/>: <c>dx = y ⊙ (dy − Σ dy ⊙ y)</c> along the middle axis; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxAxisBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int outer, int length, int inner)
    {
        int n = CheckBackward(x.Length, y.Length, dy.Length, dx.Length);
        CheckAxis(n, outer, length, inner);
        if (inner == 1)
        {
            if (n > 0) SoftmaxBackward(x, y, dy, dx, length);
            return;
        }
        Span<float> dot = stackalloc float[AxisChunk];
        for (int o = 0; o < outer; o++)
        {
            int baseOffset = o * length * inner;
            for (int c0 = 0; c0 < inner; c0 += AxisChunk)
            {
                int w = Math.Min(AxisChunk, inner - c0);
                Span<float> d = dot.Slice(0, w);
                d.Clear();
                for (int k = 0; k < length; k++)
                {
                    int at = baseOffset + k * inner + c0;
                    ReadOnlySpan<float> yr = y.Slice(at, w), gr = dy.Slice(at, w);
                    for (int j = 0; j < w; j++) d[j] += gr[j] * yr[j];
                }
                for (int k = 0; k < length; k++)
                {
                    int at = baseOffset + k * inner + c0;
                    ReadOnlySpan<float> yr = y.Slice(at, w), gr = dy.Slice(at, w);
                    Span<float> dr = dx.Slice(at, w);
                    for (int j = 0; j < w; j++) dr[j] = yr[j] * (gr[j] - d[j]);
                }
            }
        }
    }

    private static void CheckAxis(int n, int outer, int length, int inner)
    {
        if (outer < 0 || length <= 0 || inner <= 0 || (long)outer * length * inner != n)
            throw new ArgumentException($"SoftmaxAxis needs outer × length × inner = {n} elements with positive length and inner; got {outer} × {length} × {inner}.", nameof(length));
    }

    /// <summary>The error function, accurate to about 1e-7 absolute (there is no Math.Erf in .NET).</summary>
    /// <remarks>
    /// For |x| ≤ 2.5 the everywhere-positive series <c>erf x = (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1))</c>
    /// (no cancellation); beyond, <c>1 − erfc |x|</c> from the continued fraction of <see cref="Erfc"/>.
    /// Both parts are accurate to far better than 1e-12 absolute.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        double r;
        if (ax <= 2.5)
        {
            double x2 = ax * ax;
            double term = ax, sum = ax;
            for (int k = 1; k < 200; k++)
            {
                term *= 2.0 * x2 / (2 * k + 1);
                sum += term;
                if (term < 1e-17 * sum) break;
            }
            r = 1.1283791670955126 * Math.Exp(-x2) * sum; // 2/√π
        }
        else
        {
            r = 1.0 - ErfcLarge(ax);
        }
        return x < 0 ? -r : r;
    }

    /// <summary>The complementary error function <c>1 − erf x</c>, with full relative accuracy in its tail (x &gt; 2.5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2.0 - Erfc(-x);
        return x <= 2.5 ? 1.0 - Erf(x) : ErfcLarge(x);
    }

    /// <summary>
    /// erfc for x &gt; 2.5 from the continued fraction <c>erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))</c>,
    /// evaluated bottom-up from 60 levels (converged to ~1e-15 relative at x = 2.5, faster beyond).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ErfcLarge(double x)
    {
        if (x > 27.0) return 0.0; // e^(−x²) underflows
        double f = x;
        for (int k = 60; k >= 1; k--) f = x + 0.5 * k / f;
        return Math.Exp(-x * x) * 0.56418958354775628 / f; // 1/√π
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SigmoidOf(float v)
    {
        // Each branch exponentiates a non-positive number, so nothing overflows.
        if (v >= 0f) return 1f / (1f + MathF.Exp(-v));
        float e = MathF.Exp(v);
        return e / (1f + e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HardSigmoidOf(float v)
    {
        float r = v + 3f;
        return (r > 0f ? (r < 6f ? r : 6f) : !float.IsNaN(r) ? 0f : r) * (1f / 6f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double SigmoidOfDouble(double v)
    {
        if (v >= 0) return 1 / (1 + Math.Exp(-v));
        double e = Math.Exp(v);
        return e / (1 + e);
    }

    /// <summary>tanh(softplus(x)) for x ≤ 20, as n/(n + 2), n = e^x(e^x + 2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double MishFactor(double v)
    {
        double e = Math.Exp(v), m = e * (e + 2);
        return m / (m + 2);
    }

    private const double SqrtTwoOverPi = 0.79788456080286535588;
    private const double GeluCubic = 0.044715;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double GeluTanhArgument(double v) => SqrtTwoOverPi * (v + GeluCubic * v * v * v);

    private static double ExpM1(double v) => Math.Abs(v) < 1e-5 ? v * (1.0 + 0.5 * v * (1.0 + v / 3.0)) : Math.Exp(v) - 1.0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SoftplusOf(double v)
    {
        double e = Math.Exp(-Math.Abs(v));
        double log1p = e < 1e-5 ? e * (1.0 - e * (0.5 - e / 3.0)) : Math.Log(1.0 + e);
        return Math.Max(v, 0.0) + log1p;
    }

    internal static double SoftplusDouble(double v) => SoftplusOf(v);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CheckSame(int xLength, int yLength)
    {
        if (xLength != yLength) ThrowLength("y", xLength, yLength);
        return xLength;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CheckBackward(int xLength, int yLength, int dyLength, int dxLength)
    {
        if (yLength != xLength) ThrowLength("y", xLength, yLength);
        if (dyLength != xLength) ThrowLength("dy", xLength, dyLength);
        if (dxLength != xLength) ThrowLength("dx", xLength, dxLength);
        return xLength;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckRows(int length, int cols)
    {
        if (cols <= 0 || length % cols != 0)
            throw new ArgumentException($"Softmax needs a positive row length dividing the span length; got cols={cols} for {length} elements.", nameof(cols));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(string name, int expected, int actual)
        => throw new ArgumentException($"{name} must hold {expected} floats (the length of x), but has {actual}.", name);
}
