using System;
using System.ComponentModel;

namespace NetGen.Kernels;

/// <summary>Filling buffers of generated code (e.g. a zero gradient for a layer whose only differentiated output is an extra port).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Fill
{
    /// <summary>Sets every element of <paramref name="x"/> to 0.</summary>
    public static void Zero(Span<float> x) => x.Clear();
}
