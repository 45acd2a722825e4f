namespace NetGen.Kernels;

/// <summary>
/// The geometry of a sliding-window layer (convolution, pooling, padding, cropping, up-sampling) over
/// channels-last data with up to three spatial axes, depth D, height H and width W. Data of lower rank
/// uses size 1 for the unused leading axes: 1D <c>(steps, C)</c> is <c>D = H = 1, W = steps</c>; 2D
/// <c>(H, W, C)</c> is <c>D = 1</c>. Unused axes have kernel 1, stride 1, dilation 1 and padding 0.
/// The generator computes every value at compile time and emits one <c>static readonly</c> geometry per layer.
/// </summary>
/// <param name="InD">Input depth.</param>
/// <param name="InH">Input height.</param>
/// <param name="InW">Input width (steps for 1D).</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutD">Output depth.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="KD">Window (kernel, pool, or up-sampling factor) along D.</param>
/// <param name="KH">Window along H.</param>
/// <param name="KW">Window along W.</param>
/// <param name="SD">Stride along D.</param>
/// <param name="SH">Stride along H.</param>
/// <param name="SW">Stride along W.</param>
/// <param name="DD">Dilation along D.</param>
/// <param name="DH">Dilation along H.</param>
/// <param name="DW">Dilation along W.</param>
/// <param name="PadD">Padding before (or, for cropping and transposed convolution, the crop before) along D; the amount after follows from the output size.</param>
/// <param name="PadH">Padding before along H.</param>
/// <param name="PadW">Padding before along W.</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public readonly record struct WindowGeometry(
    int InD, int InH, int InW, int InChannels,
    int OutD, int OutH, int OutW, int OutChannels,
    int KD, int KH, int KW,
    int SD, int SH, int SW,
    int DD, int DH, int DW,
    int PadD, int PadH, int PadW)
{
    /// <summary>Floats of one input sample.</summary>
    public int InSize => InD * InH * InW * InChannels;

    /// <summary>Floats of one output sample.</summary>
    public int OutSize => OutD * OutH * OutW * OutChannels;

    /// <summary>Window positions per output position: <c>KD·KH·KW</c>.</summary>
    public int WindowVolume => KD * KH * KW;

    /// <summary>Output positions per sample: <c>OutD·OutH·OutW</c>.</summary>
    public int OutPositions => OutD * OutH * OutW;
}
