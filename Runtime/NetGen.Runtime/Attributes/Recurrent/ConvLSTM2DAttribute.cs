using System;

namespace NetGen;

/// <summary>
/// Keras <c>ConvLSTM2D</c>: an LSTM whose matrix products are 2D convolutions. The input is <c>(steps, rows, cols,
/// channels)</c>; each step's input is convolved with <c>kernel (kh, kw, channels, 4·filters)</c> (the layer's strides,
/// padding and dilation) and the state h with <c>recurrent_kernel (kh, kw, filters, 4·filters)</c> (stride 1, "same"
/// padding), gates i, f, c, o along the last axis, bias <c>(4·filters)</c>; then the LSTM equations position by
/// position. The output is the last step's h <c>(rows', cols', filters)</c>, or every step's with
/// <see cref="ConvLstmLayerAttribute.ReturnSequences"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvLSTM2DAttribute : ConvLstmLayerAttribute
{
    /// <summary>Declares a ConvLSTM2D layer with <paramref name="filters"/> state channels; <paramref name="kernelSize"/> is one size for every axis or (kh, kw).</summary>
    public ConvLSTM2DAttribute(int filters, params int[] kernelSize)
        : base(filters, kernelSize)
    {
    }
}
