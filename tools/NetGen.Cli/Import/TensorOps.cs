using System;
using System.Linq;

namespace NetGen.Cli.Import;

/// <summary>Layout conversions of weight tensors (row-major float arrays).</summary>
internal static class TensorOps
{
    public static int Product(int[] shape)
    {
        int n = 1;
        foreach (var d in shape) n *= d;
        return n;
    }

    /// <summary>Transposes a row-major tensor: output axis k is input axis <paramref name="perm"/>[k].</summary>
    public static T[] Transpose<T>(T[] data, int[] shape, int[] perm, out int[] outShape)
    {
        int rank = shape.Length;
        outShape = perm.Select(p => shape[p]).ToArray();
        var inStrides = Strides(shape);
        var result = new T[data.Length];
        var index = new int[rank];
        for (int o = 0; o < result.Length; o++)
        {
            int src = 0;
            for (int k = 0; k < rank; k++) src += index[k] * inStrides[perm[k]];
            result[o] = data[src];
            for (int k = rank - 1; k >= 0; k--)
            {
                if (++index[k] < outShape[k]) break;
                index[k] = 0;
            }
        }
        return result;
    }

    public static int[] Strides(int[] shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    public static bool IsIdentity(int[] perm)
    {
        for (int i = 0; i < perm.Length; i++)
            if (perm[i] != i) return false;
        return true;
    }

    public static int[] Identity(int rank) => Enumerable.Range(0, rank).ToArray();

    public static int[] Inverse(int[] perm)
    {
        var inv = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        return inv;
    }

    public static string ShapeText(int[] shape) => "(" + string.Join(", ", shape) + ")";

    /// <summary>An IEEE half (binary16) as a float.</summary>
    public static float Half(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>A bfloat16 as a float (the upper 16 bits of a float32).</summary>
    public static float BFloat16(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);
}
