using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen.Training;

/// <summary>Checks for NaN and infinity, vectorised: the training loop runs one over the gradients before every update.</summary>
internal static class Finite
{
    /// <summary>Whether every value is finite. <c>x · 0</c> is 0 for a finite x and NaN for NaN or ±∞, so one sum decides.</summary>
    public static bool All(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            var acc = Vector<float>.Zero;
            foreach (var v in vectors) acc += v * Vector<float>.Zero;
            if (!Vector.EqualsAll(acc, Vector<float>.Zero)) return false;
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return false;
        return true;
    }

    /// <summary>Index of the first NaN or infinity, or −1.</summary>
    public static int First(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
