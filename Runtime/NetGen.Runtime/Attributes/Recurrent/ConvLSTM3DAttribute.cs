using System;

namespace NetGen;

/// <summary>
/// Keras <c>ConvLSTM3D</c>: an LSTM whose matrix products are 3D convolutions. The input is <c>(steps, depth, rows, cols,
/// channels)</c>; each step's input is convolved with <c>kernel (kd, kh, kw, channels, 4·filters)</c> (the layer's strides,
/// padding and dilation) and the state h with <c>recurrent_kernel (kd, kh, kw, filters, 4·filters)</c> (stride 1, "same"
/// padding), gates i, f, c, o along the last axis, bias <c>(4·filters)</c>; then the LSTM equations position by
/// position. The output is the last step's h <c>(depth', rows', cols', filters)</c>, or every step's with
/// <see cref="ConvLstmLayerAttribute.ReturnSequences"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvLSTM3DAttribute : ConvLstmLayerAttribute
{
    /// <summary>Declares a ConvLSTM3D layer with <paramref name="filters"/> state channels; <paramref name="kernelSize"/> is one size for every axis or (kd, kh, kw).</summary>
    public ConvLSTM3DAttribute(int filters, params int[] kernelSize)
        : base(filters, kernelSize)
    {
    }
}
