using System;

namespace NetGen;

/// <summary>
/// Keras <c>ConvLSTM1D</c>: an LSTM whose matrix products are 1D convolutions. The input is <c>(steps, length,
/// channels)</c>; each step's input is convolved with <c>kernel (k, channels, 4·filters)</c> (the layer's strides,
/// padding and dilation) and the state h with <c>recurrent_kernel (k, filters, 4·filters)</c> (stride 1, "same"
/// padding), gates i, f, c, o along the last axis, bias <c>(4·filters)</c>; then the LSTM equations position by
/// position. The output is the last step's h <c>(length', filters)</c>, or every step's with
/// <see cref="ConvLstmLayerAttribute.ReturnSequences"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvLSTM1DAttribute : ConvLstmLayerAttribute
{
    /// <summary>Declares a ConvLSTM1D layer with <paramref name="filters"/> state channels; <paramref name="kernelSize"/> is the kernel length.</summary>
    public ConvLSTM1DAttribute(int filters, params int[] kernelSize)
        : base(filters, kernelSize)
    {
    }
}
