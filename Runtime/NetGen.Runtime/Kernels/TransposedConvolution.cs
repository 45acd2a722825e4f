using System;

namespace NetGen.Kernels;

/// <summary>
/// Transposed convolution kernels (Keras Conv2DTranspose, and the same rule over one or three axes).
/// <c>g.In*</c> is the layer's input, <c>g.Out*</c> its output, and <c>g.Pad*</c> the crop before of LAYERS.md §1.2:
/// input cell <c>i</c> and tap <c>k</c> scatter into output position <c>i·s + k·d − crop</c> when it lies in
/// <c>[0, Out)</c>; positions past the full scatter result get only the bias. The kernel is
/// <c>(KD, KH, KW, OutChannels, InChannels)</c> row-major (Keras' <c>(kh, kw, filters, Cin)</c>), the bias
/// <c>OutChannels</c> floats.
/// </summary>
/// <remarks>
/// The forward pass of this layer is the input gradient of the ordinary convolution that maps the layer's
/// output back to its input with the same stride, dilation and padding (<see cref="Swap"/>), whose kernel
/// <c>(tap, Cin = filters, F = Cin)</c> is exactly this layer's buffer. So forward is
/// <see cref="Convolution.BackwardInput"/>, the input gradient is <see cref="Convolution.Forward"/> and the
/// kernel gradient is <see cref="Convolution.BackwardWeights"/>, all on the swapped geometry.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class TransposedConvolution
{
    /// <summary>Floats of workspace the methods of this class need for geometry <paramref name="g"/> (independent of the batch size).</summary>
    public static int WorkspaceLength(in WindowGeometry g) => Convolution.WorkspaceLength(Swap(g));

    /// <summary>Scatter of <paramref name="x"/> through the kernel, cropped to the output, plus the bias (empty = none).</summary>
    public static void Forward(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int batch, Span<float> workspace)
    {
        if (!bias.IsEmpty) Guard.AtLeast(bias.Length, g.OutChannels, nameof(bias), "OutChannels");
        Convolution.BackwardInput(Swap(g), x, kernel, y, batch, workspace);
        if (!bias.IsEmpty) WindowOps.AddRows(bias, y, batch * g.OutPositions, g.OutChannels);
    }

    /// <summary>
    /// <c>dKernel[tap, o, c] = Σ x[i, c]·dy[i·s + tap·d − crop, o]</c> and <c>dBias = Σ dy</c>, both overwritten;
    /// an empty <paramref name="dBias"/> is skipped.
    /// </summary>
    public static void BackwardWeights(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dKernel, Span<float> dBias, int batch, Span<float> workspace)
    {
        if (!dBias.IsEmpty) Guard.AtLeast(dBias.Length, g.OutChannels, nameof(dBias), "OutChannels");
        // In the swapped convolution dy is the input and x the output gradient.
        Convolution.BackwardWeights(Swap(g), dy, x, dKernel, Span<float>.Empty, batch, workspace);
        if (!dBias.IsEmpty) WindowOps.SumRows(dy, dBias, batch * g.OutPositions, g.OutChannels);
    }

    /// <summary><c>dx</c> (overwritten) = the strided, dilated correlation of <paramref name="dy"/> with the kernel.</summary>
    public static void BackwardInput(in WindowGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> kernel, Span<float> dx, int batch, Span<float> workspace)
        => Convolution.Forward(Swap(g), dy, kernel, ReadOnlySpan<float>.Empty, dx, batch, workspace);

    /// <summary>The convolution this layer transposes: input and output (sizes and channels) exchanged, window unchanged.</summary>
    private static WindowGeometry Swap(in WindowGeometry g)
        => new(g.OutD, g.OutH, g.OutW, g.OutChannels, g.InD, g.InH, g.InW, g.InChannels,
            g.KD, g.KH, g.KW, g.SD, g.SH, g.SW, g.DD, g.DH, g.DW, g.PadD, g.PadH, g.PadW);
}
