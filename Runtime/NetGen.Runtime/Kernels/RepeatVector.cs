using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>Keras <c>RepeatVector(repeats)</c>: <c>(F) → (repeats, F)</c> per sample (LAYERS.md §4).</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class RepeatVector
{
    /// <summary><c>y[s, t, f] = x[s, f]</c> for <c>t &lt; repeats</c>, for each of the <paramref name="n"/> samples.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int n, int features, int repeats)
    {
        Check(x.Length, y.Length, n, features, repeats, nameof(x), nameof(y));
        for (int s = 0; s < n; s++)
        {
            ReadOnlySpan<float> row = x.Slice(s * features, features);
            int o = s * repeats * features;
            for (int t = 0; t < repeats; t++) row.CopyTo(y.Slice(o + t * features, features));
        }
    }

    /// <summary>Backward of <see cref="Forward"/>: <c>dx[s, f] = Σ_t dy[s, t, f]</c> (overwritten).</summary>
    public static void Backward(ReadOnlySpan<float> dy, Span<float> dx, int n, int features, int repeats)
    {
        Check(dx.Length, dy.Length, n, features, repeats, nameof(dx), nameof(dy));
        for (int s = 0; s < n; s++)
        {
            Span<float> d = dx.Slice(s * features, features);
            d.Clear();
            ref float dr = ref MemoryMarshal.GetReference(d);
            int o = s * repeats * features;
            for (int t = 0; t < repeats; t++)
            {
                ReadOnlySpan<float> g = dy.Slice(o + t * features, features);
                ref float gr = ref MemoryMarshal.GetReference(g);
                int f = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    for (; f + Vector<float>.Count <= features; f += Vector<float>.Count)
                        (Vector.LoadUnsafe(ref dr, (nuint)f) + Vector.LoadUnsafe(ref gr, (nuint)f)).StoreUnsafe(ref dr, (nuint)f);
                }
                for (; f < features; f++) d[f] += g[f];
            }
        }
    }

    private static void Check(int smallLength, int bigLength, int n, int features, int repeats, string smallName, string bigName)
    {
        if (n < 0 || features < 0 || repeats < 0)
            throw new ArgumentOutOfRangeException(nameof(n), $"RepeatVector sizes must be non-negative; got n={n}, features={features}, repeats={repeats}.");
        long small = (long)n * features, big = small * repeats;
        if (smallLength < small) throw new ArgumentException($"{smallName} must hold {small} floats (n·features), but has {smallLength}.", smallName);
        if (bigLength < big) throw new ArgumentException($"{bigName} must hold {big} floats (n·repeats·features), but has {bigLength}.", bigName);
    }
}
