using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>
/// Keras <c>Dot(axes, normalize)</c> on two inputs: a batched contraction over one axis of each (LAYERS.md §10).
/// </summary>
/// <remarks>
/// Per sample, <c>x0</c> is row-major <c>(p0, k, q0)</c> and <c>x1</c> is <c>(p1, k, q1)</c>, where k is the size of the
/// contracted axis and p, q are the products of the sizes before and after it. The output per sample is
/// <c>(p0, q0, p1, q1)</c> with <c>y[a, b, c, d] = Σ_j x0[a, j, b]·x1[c, j, d]</c>: Keras' output order (the first
/// shape without its axis, then the second without its axis). With <c>normalize = true</c> both inputs first go
/// through <see cref="Normalize"/> along their contracted axis.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Dot
{
    /// <summary>
    /// Keras 3's <c>backend.epsilon()</c> (1e-7): the lower bound on the norm in <see cref="Normalize"/>.
    /// </summary>
    public const float Epsilon = 1e-7f;

    /// <summary><c>y[s, a, b, c, d] = Σ_j x0[s, a, j, b]·x1[s, c, j, d]</c> for each of the <paramref name="n"/> samples.</summary>
    public static void Forward(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, Span<float> y, int n, int p0, int k, int q0, int p1, int q1)
    {
        Check(x0.Length, x1.Length, y.Length, n, p0, k, q0, p1, q1, nameof(y));
        int s0 = p0 * k * q0, s1 = p1 * k * q1, sy = p0 * q0 * p1 * q1;
        if (k == 0)
        {
            y.Slice(0, n * sy).Clear(); // an empty sum
            return;
        }
        for (int s = 0; s < n; s++)
        {
            ReadOnlySpan<float> a0 = x0.Slice(s * s0, s0), a1 = x1.Slice(s * s1, s1);
            Span<float> ys = y.Slice(s * sy, sy);
            for (int a = 0; a < p0; a++)
            for (int b = 0; b < q0; b++)
            {
                ReadOnlySpan<float> u = a0.Slice(a * k * q0 + b); // u[j·q0] = x0[a, j, b]
                for (int c = 0; c < p1; c++)
                {
                    ReadOnlySpan<float> v = a1.Slice(c * k * q1, k * q1); // (k, q1)
                    int at = ((a * q0 + b) * p1 + c) * q1;
                    if (q1 == 1)
                    {
                        ys[at] = q0 == 1 ? DotProduct(u.Slice(0, k), v) : StridedDot(u, q0, v, k);
                    }
                    else
                    {
                        Span<float> row = ys.Slice(at, q1);
                        row.Clear();
                        for (int j = 0; j < k; j++) Axpy(u[j * q0], v.Slice(j * q1, q1), row);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Gradients of <see cref="Forward"/>: <c>dx0[a, j, b] = Σ_{c,d} dy[a, b, c, d]·x1[c, j, d]</c> and
    /// <c>dx1[c, j, d] = Σ_{a,b} dy[a, b, c, d]·x0[a, j, b]</c> per sample.
    /// </summary>
    /// <remarks>Both are overwritten; an empty <paramref name="dx0"/> or <paramref name="dx1"/> is not computed.</remarks>
    public static void Backward(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> dy, Span<float> dx0, Span<float> dx1, int n, int p0, int k, int q0, int p1, int q1)
    {
        Check(x0.Length, x1.Length, dy.Length, n, p0, k, q0, p1, q1, nameof(dy));
        int s0 = p0 * k * q0, s1 = p1 * k * q1, sy = p0 * q0 * p1 * q1;
        bool need0 = !dx0.IsEmpty, need1 = !dx1.IsEmpty;
        if (need0 && dx0.Length < (long)n * s0)
            throw new ArgumentException($"dx0 must hold {(long)n * s0} floats (n·p0·k·q0), but has {dx0.Length}.", nameof(dx0));
        if (need1 && dx1.Length < (long)n * s1)
            throw new ArgumentException($"dx1 must hold {(long)n * s1} floats (n·p1·k·q1), but has {dx1.Length}.", nameof(dx1));
        if (need0) dx0.Slice(0, n * s0).Clear();
        if (need1) dx1.Slice(0, n * s1).Clear();
        for (int s = 0; s < n; s++)
        {
            ReadOnlySpan<float> a0 = x0.Slice(s * s0, s0), a1 = x1.Slice(s * s1, s1), g = dy.Slice(s * sy, sy);
            Span<float> d0 = need0 ? dx0.Slice(s * s0, s0) : default;
            Span<float> d1 = need1 ? dx1.Slice(s * s1, s1) : default;
            for (int a = 0; a < p0; a++)
            for (int b = 0; b < q0; b++)
            {
                int u0 = a * k * q0 + b; // x0[a, j, b] and dx0[a, j, b] sit at u0 + j·q0
                for (int c = 0; c < p1; c++)
                {
                    int v0 = c * k * q1; // x1[c, j, :] and dx1[c, j, :] start at v0 + j·q1
                    int at = ((a * q0 + b) * p1 + c) * q1;
                    if (q1 == 1)
                    {
                        float gv = g[at];
                        if (q0 == 1)
                        {
                            // Both fibres are contiguous: dx0[a, :, b] += gv·x1[c, :], dx1[c, :] += gv·x0[a, :, b].
                            if (need0) Axpy(gv, a1.Slice(v0, k), d0.Slice(u0, k));
                            if (need1) Axpy(gv, a0.Slice(u0, k), d1.Slice(v0, k));
                        }
                        else
                        {
                            for (int j = 0; j < k; j++)
                            {
                                if (need0) d0[u0 + j * q0] += gv * a1[v0 + j];
                                if (need1) d1[v0 + j] += gv * a0[u0 + j * q0];
                            }
                        }
                    }
                    else
                    {
                        ReadOnlySpan<float> gRow = g.Slice(at, q1);
                        for (int j = 0; j < k; j++)
                        {
                            if (need0) d0[u0 + j * q0] += DotProduct(gRow, a1.Slice(v0 + j * q1, q1));
                            if (need1) Axpy(a0[u0 + j * q0], gRow, d1.Slice(v0 + j * q1, q1));
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// L2-normalises every fibre along the middle axis of the row-major <c>(rows, k, q)</c> tensor <paramref name="x"/>:
    /// <c>xn[r, j, t] = x[r, j, t]·min(1/‖x[r, :, t]‖, 1/ε)</c> with ε = <see cref="Epsilon"/>.
    /// </summary>
    /// <remarks>
    /// This is Keras 3's <c>ops.normalize(x, axis, order=2)</c> used by <c>Dot(normalize=True)</c>:
    /// <c>x·min(rsqrt(Σx²), 1/ε)</c> with ε = <c>backend.epsilon()</c> = 1e-7, the same value as
    /// <c>x / max(‖x‖, ε) = x / sqrt(max(Σx², ε²))</c> (and as PyTorch's <c>F.normalize(eps=1e-7)</c>). A zero fibre
    /// stays zero. <paramref name="xn"/> may be <paramref name="x"/>.
    /// </remarks>
    public static void Normalize(ReadOnlySpan<float> x, Span<float> xn, int rows, int k, int q)
    {
        int total = CheckFibres(x.Length, rows, k, q, nameof(x));
        if (xn.Length < total) throw new ArgumentException($"xn must hold {total} floats (rows·k·q), but has {xn.Length}.", nameof(xn));
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * k * q, k * q);
            Span<float> yr = xn.Slice(r * k * q, k * q);
            if (q == 1)
            {
                float inv = InverseNorm(DotProduct(xr, xr));
                ScaleInto(xr, inv, yr);
                continue;
            }
            int t = 0;
            if (Vector.IsHardwareAccelerated)
            {
                // Vector<float>.Count fibres at once: they are adjacent columns of the (k, q) block.
                ref float xRef = ref MemoryMarshal.GetReference(xr);
                ref float yRef = ref MemoryMarshal.GetReference(yr);
                var limit = new Vector<float>(1f / Epsilon);
                for (; t + Vector<float>.Count <= q; t += Vector<float>.Count)
                {
                    Vector<float> sum = Vector<float>.Zero;
                    for (int j = 0; j < k; j++)
                    {
                        Vector<float> v = Vector.LoadUnsafe(ref xRef, (nuint)(j * q + t));
                        sum += v * v;
                    }
                    Vector<float> inv = Vector.Min(Vector<float>.One / Vector.SquareRoot(sum), limit);
                    for (int j = 0; j < k; j++)
                        (Vector.LoadUnsafe(ref xRef, (nuint)(j * q + t)) * inv).StoreUnsafe(ref yRef, (nuint)(j * q + t));
                }
            }
            for (; t < q; t++)
            {
                float sum = 0f;
                for (int j = 0; j < k; j++) sum += xr[j * q + t] * xr[j * q + t];
                float inv = InverseNorm(sum);
                for (int j = 0; j < k; j++) yr[j * q + t] = xr[j * q + t] * inv;
            }
        }
    }

    /// <summary>
    /// Backward of <see cref="Normalize"/>: <paramref name="dx"/> (overwritten) from the gradient
    /// <paramref name="dxn"/> with respect to <paramref name="xn"/> = Normalize(<paramref name="x"/>).
    /// </summary>
    /// <remarks>
    /// Per fibre with ‖x‖ &gt; ε: <c>dx = (dxn − xn·⟨xn, dxn⟩)/‖x‖</c>. Where the norm is clipped (‖x‖ ≤ ε) the scale
    /// 1/ε is a constant, so <c>dx = dxn/ε</c> (Keras' minimum passes no gradient to the clipped branch; PyTorch's
    /// clamp agrees). <paramref name="dx"/> may be <paramref name="dxn"/>.
    /// </remarks>
    public static void NormalizeBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> xn, ReadOnlySpan<float> dxn, Span<float> dx, int rows, int k, int q)
    {
        int total = CheckFibres(x.Length, rows, k, q, nameof(x));
        if (xn.Length < total) throw new ArgumentException($"xn must hold {total} floats (rows·k·q), but has {xn.Length}.", nameof(xn));
        if (dxn.Length < total) throw new ArgumentException($"dxn must hold {total} floats (rows·k·q), but has {dxn.Length}.", nameof(dxn));
        if (dx.Length < total) throw new ArgumentException($"dx must hold {total} floats (rows·k·q), but has {dx.Length}.", nameof(dx));
        for (int r = 0; r < rows; r++)
        {
            int o = r * k * q;
            ReadOnlySpan<float> xr = x.Slice(o, k * q), nr = xn.Slice(o, k * q), gr = dxn.Slice(o, k * q);
            Span<float> dr = dx.Slice(o, k * q);
            if (q == 1)
            {
                float sum = DotProduct(xr, xr);
                if (sum > Epsilon * Epsilon)
                {
                    float inv = 1f / MathF.Sqrt(sum);
                    float proj = DotProduct(nr, gr);
                    ProjectOut(gr, nr, proj, inv, dr);
                }
                else
                {
                    ScaleInto(gr, 1f / Epsilon, dr);
                }
                continue;
            }
            // Column by column; each fibre is strided by q. Sums in float, as in the forward.
            for (int t = 0; t < q; t++)
            {
                float sum = 0f, proj = 0f;
                for (int j = 0; j < k; j++)
                {
                    int i = j * q + t;
                    sum += xr[i] * xr[i];
                    proj += nr[i] * gr[i];
                }
                if (sum > Epsilon * Epsilon)
                {
                    float inv = 1f / MathF.Sqrt(sum);
                    for (int j = 0; j < k; j++)
                    {
                        int i = j * q + t;
                        dr[i] = (gr[i] - nr[i] * proj) * inv;
                    }
                }
                else
                {
                    for (int j = 0; j < k; j++) dr[j * q + t] = gr[j * q + t] / Epsilon;
                }
            }
        }
    }

    private static float InverseNorm(float sumOfSquares)
        => sumOfSquares > Epsilon * Epsilon ? 1f / MathF.Sqrt(sumOfSquares) : 1f / Epsilon;

    /// <summary>Σ a[i]·b[i] over the length of <paramref name="a"/> (b at least as long).</summary>
    private static float DotProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            Vector<float> acc = Vector<float>.Zero;
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                acc += Vector.LoadUnsafe(ref ar, (nuint)i) * Vector.LoadUnsafe(ref br, (nuint)i);
            sum = Vector.Sum(acc);
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>Σ_j u[j·stride]·v[j] for j &lt; k.</summary>
    private static float StridedDot(ReadOnlySpan<float> u, int stride, ReadOnlySpan<float> v, int k)
    {
        float sum = 0f;
        for (int j = 0; j < k; j++) sum += u[j * stride] * v[j];
        return sum;
    }

    /// <summary><c>y += alpha·x</c> over the length of <paramref name="y"/>.</summary>
    private static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = y.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var a = new Vector<float>(alpha);
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref yr, (nuint)i) + a * Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) y[i] += alpha * x[i];
    }

    /// <summary><c>y = factor·x</c> over the length of <paramref name="x"/>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    private static void ScaleInto(ReadOnlySpan<float> x, float factor, Span<float> y)
    {
        int n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var f = new Vector<float>(factor);
            for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref xr, (nuint)i) * f).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) y[i] = x[i] * factor;
    }

    /// <summary><c>d = (g − n·proj)·inv</c> element-wise over the length of <paramref name="g"/>; <paramref name="d"/> may be <paramref name="g"/>.</summary>
    private static void ProjectOut(ReadOnlySpan<float> g, ReadOnlySpan<float> n, float proj, float inv, Span<float> d)
    {
        int len = g.Length;
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float nr = ref MemoryMarshal.GetReference(n);
        ref float dr = ref MemoryMarshal.GetReference(d);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var p = new Vector<float>(proj);
            var s = new Vector<float>(inv);
            for (; i + Vector<float>.Count <= len; i += Vector<float>.Count)
                ((Vector.LoadUnsafe(ref gr, (nuint)i) - Vector.LoadUnsafe(ref nr, (nuint)i) * p) * s).StoreUnsafe(ref dr, (nuint)i);
        }
        for (; i < len; i++) d[i] = (g[i] - n[i] * proj) * inv;
    }

    private static void Check(int x0Length, int x1Length, int yLength, int n, int p0, int k, int q0, int p1, int q1, string yName)
    {
        if (n < 0 || p0 < 0 || k < 0 || q0 < 0 || p1 < 0 || q1 < 0)
            throw new ArgumentOutOfRangeException(nameof(n), $"Dot sizes must be non-negative; got n={n}, p0={p0}, k={k}, q0={q0}, p1={p1}, q1={q1}.");
        long s0 = (long)n * p0 * k * q0, s1 = (long)n * p1 * k * q1, sy = (long)n * p0 * q0 * p1 * q1;
        if (x0Length < s0) throw new ArgumentException($"x0 must hold {s0} floats (n·p0·k·q0), but has {x0Length}.", "x0");
        if (x1Length < s1) throw new ArgumentException($"x1 must hold {s1} floats (n·p1·k·q1), but has {x1Length}.", "x1");
        if (yLength < sy) throw new ArgumentException($"{yName} must hold {sy} floats (n·p0·q0·p1·q1), but has {yLength}.", yName);
    }

    private static int CheckFibres(int xLength, int rows, int k, int q, string xName)
    {
        if (rows < 0 || k < 0 || q < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"Normalize sizes must be non-negative; got rows={rows}, k={k}, q={q}.");
        long total = (long)rows * k * q;
        if (xLength < total) throw new ArgumentException($"{xName} must hold {total} floats (rows·k·q), but has {xLength}.", xName);
        return (int)total;
    }
}
