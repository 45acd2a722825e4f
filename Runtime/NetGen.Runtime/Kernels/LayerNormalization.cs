using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>Keras LayerNormalization over the last axis: each row of <c>features</c> is normalised on its own.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class LayerNormalization
{
    /// <summary>
    /// <c>y = γ·(x − μ_row)/sqrt(σ²_row + ε) + β</c> (biased variance); saves each row's mean and inverse standard
    /// deviation unless the spans are empty. y may be x.
    /// </summary>
    /// <remarks>
    /// The statistics and <c>(x − μ)/σ</c> are computed in double (on vectors of double widened from the float rows
    /// when SIMD is available), rounded to float once, then scaled and shifted in float.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> rowMean, Span<float> rowInvStd, int rows, int features, float epsilon)
    {
        int w = Vector<float>.Count;
        bool vectors = UseVectors && features >= w;
        if (vectors)
        {
            // One bounds check for the whole batch; the loops below use unchecked references.
            if ((long)rows * features > x.Length) throw new ArgumentException($"x must hold {(long)rows * features} floats (rows·features).", nameof(x));
            if ((long)rows * features > y.Length) throw new ArgumentException($"y must hold {(long)rows * features} floats (rows·features).", nameof(y));
            if (!gamma.IsEmpty && gamma.Length < features) throw new ArgumentException($"gamma must hold {features} floats.", nameof(gamma));
            if (!beta.IsEmpty && beta.Length < features) throw new ArgumentException($"beta must hold {features} floats.", nameof(beta));
        }
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * features, features);
            var (mean, inv) = Statistics(xr, epsilon);
            if (!rowMean.IsEmpty)
            {
                rowMean[r] = (float)mean;
                rowInvStd[r] = (float)inv;
            }
            var yr = y.Slice(r * features, features);
            int f = 0;
            if (vectors)
            {
                ref float xs = ref MemoryMarshal.GetReference(xr);
                ref float ys = ref MemoryMarshal.GetReference(yr);
                ref float gs = ref MemoryMarshal.GetReference(gamma);
                ref float bs = ref MemoryMarshal.GetReference(beta);
                Vector<double> m = new(mean), s = new(inv);
                for (; f + w <= features; f += w)
                {
                    Vector.Widen(Vector.LoadUnsafe(ref xs, (nuint)f), out Vector<double> lo, out Vector<double> hi);
                    Vector<float> v = Vector.Narrow((lo - m) * s, (hi - m) * s);
                    if (!gamma.IsEmpty) v *= Vector.LoadUnsafe(ref gs, (nuint)f);
                    if (!beta.IsEmpty) v += Vector.LoadUnsafe(ref bs, (nuint)f);
                    v.StoreUnsafe(ref ys, (nuint)f);
                }
            }
            for (; f < features; f++)
            {
                float v = (float)((xr[f] - mean) * inv);
                if (!gamma.IsEmpty) v *= gamma[f];
                if (!beta.IsEmpty) v += beta[f];
                yr[f] = v;
            }
        }
    }

    /// <summary>
    /// LayerNormalization over an axis that is not the last: data laid out <c>(outer, features, inner)</c>; each of the
    /// <c>outer·inner</c> lines along the axis is normalised on its own (statistics saved per line, outer-major).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> lineMean, Span<float> lineInvStd, int outer, int features, int inner, float epsilon)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * features * inner + i;
                double sum = 0, squares = 0;
                for (int f = 0; f < features; f++) sum += x[start + f * inner];
                double mean = sum / features;
                for (int f = 0; f < features; f++) squares += (x[start + f * inner] - mean) * (x[start + f * inner] - mean);
                double inv = 1 / Math.Sqrt(squares / features + epsilon);
                if (!lineMean.IsEmpty)
                {
                    lineMean[o * inner + i] = (float)mean;
                    lineInvStd[o * inner + i] = (float)inv;
                }
                for (int f = 0; f < features; f++)
                {
                    int k = start + f * inner;
                    float v = (float)((x[k] - mean) * inv);
                    if (!gamma.IsEmpty) v *= gamma[f];
                    if (!beta.IsEmpty) v += beta[f];
                    y[k] = v;
                }
            }
    }

    /// <summary>Backward of the <c>(outer, features, inner)</c> form. dx may be dy.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> lineMean, ReadOnlySpan<float> lineInvStd,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int outer, int features, int inner)
    {
        if (!dGamma.IsEmpty) dGamma.Slice(0, features).Clear();
        if (!dBeta.IsEmpty) dBeta.Slice(0, features).Clear();
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * features * inner + i;
                double mean = lineMean[o * inner + i], inv = lineInvStd[o * inner + i];
                double sumG = 0, sumGXhat = 0;
                for (int f = 0; f < features; f++)
                {
                    int k = start + f * inner;
                    double xhat = (x[k] - mean) * inv;
                    double g = dy[k] * (gamma.IsEmpty ? 1 : gamma[f]);
                    sumG += g;
                    sumGXhat += g * xhat;
                    if (!dGamma.IsEmpty) dGamma[f] += (float)(dy[k] * xhat);
                    if (!dBeta.IsEmpty) dBeta[f] += dy[k];
                }
                double meanG = sumG / features, meanGXhat = sumGXhat / features;
                for (int f = 0; f < features; f++)
                {
                    int k = start + f * inner;
                    double xhat = (x[k] - mean) * inv;
                    double g = dy[k] * (gamma.IsEmpty ? 1 : gamma[f]);
                    dx[k] = (float)(inv * (g - meanG - xhat * meanGXhat));
                }
            }
    }

    /// <summary>Backward per row (the BatchNormalization formula over the row's features); dγ, dβ summed over rows. dx may be dy.</summary>
    /// <remarks>The row sums and dx are computed in double (vectors of double when SIMD is available), dγ and dβ summed in float.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> rowMean, ReadOnlySpan<float> rowInvStd,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int rows, int features)
    {
        if (!dGamma.IsEmpty) dGamma.Slice(0, features).Clear();
        if (!dBeta.IsEmpty) dBeta.Slice(0, features).Clear();
        int w = Vector<float>.Count;
        if (UseVectors && features >= w)
        {
            long total = (long)rows * features;
            if (total > x.Length) throw new ArgumentException($"x must hold {total} floats (rows·features).", nameof(x));
            if (total > dy.Length) throw new ArgumentException($"dy must hold {total} floats (rows·features).", nameof(dy));
            if (total > dx.Length) throw new ArgumentException($"dx must hold {total} floats (rows·features).", nameof(dx));
            if (rowMean.Length < rows || rowInvStd.Length < rows) throw new ArgumentException($"rowMean and rowInvStd must hold {rows} floats.", nameof(rowMean));
            if (!gamma.IsEmpty && gamma.Length < features) throw new ArgumentException($"gamma must hold {features} floats.", nameof(gamma));
            BackwardVectors(x, gamma, rowMean, rowInvStd, dy, dGamma, dBeta, dx, rows, features);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            int o = r * features;
            double mean = rowMean[r], inv = rowInvStd[r];
            double sumG = 0, sumGXhat = 0;
            for (int f = 0; f < features; f++)
            {
                double xhat = (x[o + f] - mean) * inv;
                double g = dy[o + f] * (gamma.IsEmpty ? 1 : gamma[f]);
                sumG += g;
                sumGXhat += g * xhat;
                if (!dGamma.IsEmpty) dGamma[f] += (float)(dy[o + f] * xhat);
                if (!dBeta.IsEmpty) dBeta[f] += dy[o + f];
            }
            double meanG = sumG / features, meanGXhat = sumGXhat / features;
            for (int f = 0; f < features; f++)
            {
                double xhat = (x[o + f] - mean) * inv;
                double g = dy[o + f] * (gamma.IsEmpty ? 1 : gamma[f]);
                dx[o + f] = (float)(inv * (g - meanG - xhat * meanGXhat));
            }
        }
    }

    private static bool UseVectors => Vector.IsHardwareAccelerated && Vector<double>.IsSupported && Vector<float>.Count >= 4;

    /// <summary>The per-row backward on vectors of double widened from the float rows (bounds checked by the caller).</summary>
    private static void BackwardVectors(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> rowMean, ReadOnlySpan<float> rowInvStd,
        ReadOnlySpan<float> dy, Span<float> dGamma, Span<float> dBeta, Span<float> dx, int rows, int features)
    {
        int w = Vector<float>.Count;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float gys = ref MemoryMarshal.GetReference(dy);
        ref float dxs = ref MemoryMarshal.GetReference(dx);
        ref float gs = ref MemoryMarshal.GetReference(gamma);
        ref float dgs = ref MemoryMarshal.GetReference(dGamma);
        ref float dbs = ref MemoryMarshal.GetReference(dBeta);
        bool hasGamma = !gamma.IsEmpty, wantGamma = !dGamma.IsEmpty, wantBeta = !dBeta.IsEmpty;
        for (int r = 0; r < rows; r++)
        {
            int o = r * features;
            double mean = rowMean[r], inv = rowInvStd[r];
            Vector<double> m = new(mean), s = new(inv);
            Vector<double> sumG = Vector<double>.Zero, sumGXhat = Vector<double>.Zero;
            double tailG = 0, tailGXhat = 0;
            int f = 0;
            for (; f + w <= features; f += w)
            {
                Vector<float> dyv = Vector.LoadUnsafe(ref gys, (nuint)(o + f));
                Vector.Widen(Vector.LoadUnsafe(ref xs, (nuint)(o + f)), out Vector<double> xlo, out Vector<double> xhi);
                Vector.Widen(dyv, out Vector<double> dlo, out Vector<double> dhi);
                Vector<double> hlo = (xlo - m) * s, hhi = (xhi - m) * s;
                Vector<double> glo = dlo, ghi = dhi;
                if (hasGamma)
                {
                    Vector.Widen(Vector.LoadUnsafe(ref gs, (nuint)f), out Vector<double> gml, out Vector<double> gmh);
                    glo *= gml;
                    ghi *= gmh;
                }
                sumG += glo + ghi;
                sumGXhat += glo * hlo + ghi * hhi;
                if (wantGamma) (Vector.LoadUnsafe(ref dgs, (nuint)f) + Vector.Narrow(dlo * hlo, dhi * hhi)).StoreUnsafe(ref dgs, (nuint)f);
                if (wantBeta) (Vector.LoadUnsafe(ref dbs, (nuint)f) + dyv).StoreUnsafe(ref dbs, (nuint)f);
            }
            for (; f < features; f++)
            {
                double xhat = (x[o + f] - mean) * inv;
                double g = dy[o + f] * (hasGamma ? gamma[f] : 1);
                tailG += g;
                tailGXhat += g * xhat;
                if (wantGamma) dGamma[f] += (float)(dy[o + f] * xhat);
                if (wantBeta) dBeta[f] += dy[o + f];
            }
            double meanG = (Vector.Sum(sumG) + tailG) / features, meanGXhat = (Vector.Sum(sumGXhat) + tailGXhat) / features;
            Vector<double> mg = new(meanG), mgx = new(meanGXhat);
            f = 0;
            for (; f + w <= features; f += w)
            {
                Vector.Widen(Vector.LoadUnsafe(ref xs, (nuint)(o + f)), out Vector<double> xlo, out Vector<double> xhi);
                Vector.Widen(Vector.LoadUnsafe(ref gys, (nuint)(o + f)), out Vector<double> glo, out Vector<double> ghi);
                if (hasGamma)
                {
                    Vector.Widen(Vector.LoadUnsafe(ref gs, (nuint)f), out Vector<double> gml, out Vector<double> gmh);
                    glo *= gml;
                    ghi *= gmh;
                }
                Vector<double> hlo = (xlo - m) * s, hhi = (xhi - m) * s;
                Vector.Narrow(s * (glo - mg - hlo * mgx), s * (ghi - mg - hhi * mgx)).StoreUnsafe(ref dxs, (nuint)(o + f));
            }
            for (; f < features; f++)
            {
                double xhat = (x[o + f] - mean) * inv;
                double g = dy[o + f] * (hasGamma ? gamma[f] : 1);
                dx[o + f] = (float)(inv * (g - meanG - xhat * meanGXhat));
            }
        }
    }

    private static (double Mean, double InvStd) Statistics(ReadOnlySpan<float> values, float epsilon)
    {
        int n = values.Length, w = Vector<float>.Count, i = 0;
        double sum = 0, squares = 0;
        if (UseVectors && n >= w)
        {
            ref float v = ref MemoryMarshal.GetReference(values);
            Vector<double> sums = Vector<double>.Zero;
            for (; i + w <= n; i += w)
            {
                Vector.Widen(Vector.LoadUnsafe(ref v, (nuint)i), out Vector<double> lo, out Vector<double> hi);
                sums += lo + hi;
            }
            sum = Vector.Sum(sums);
            for (; i < n; i++) sum += values[i];
            double mean = sum / n;
            Vector<double> m = new(mean), sq = Vector<double>.Zero;
            i = 0;
            for (; i + w <= n; i += w)
            {
                Vector.Widen(Vector.LoadUnsafe(ref v, (nuint)i), out Vector<double> lo, out Vector<double> hi);
                lo -= m;
                hi -= m;
                sq += lo * lo + hi * hi;
            }
            squares = Vector.Sum(sq);
            for (; i < n; i++) squares += (values[i] - mean) * (values[i] - mean);
            return (mean, 1 / Math.Sqrt(squares / n + epsilon));
        }
        foreach (var x in values) sum += x;
        double mu = sum / n;
        foreach (var x in values) squares += (x - mu) * (x - mu);
        return (mu, 1 / Math.Sqrt(squares / n + epsilon));
    }
}
