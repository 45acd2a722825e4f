using System;

namespace NetGen.Kernels;

/// <summary>Activation functions and their derivatives (Keras 3 formulas and defaults).</summary>
public static class Activations
{
    /// <summary>Relu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();

    /// <summary>Relu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();

    /// <summary>Sigmoid: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();

    /// <summary>Sigmoid backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();

    /// <summary>Tanh: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();

    /// <summary>Tanh backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void TanhBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();

    /// <summary>LeakyRelu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();

    /// <summary>LeakyRelu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();

    /// <summary>Elu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Elu(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();

    /// <summary>Elu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void EluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();

    /// <summary>Selu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Selu(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();

    /// <summary>Selu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void SeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();

    /// <summary>Swish: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Swish(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();

    /// <summary>Swish backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void SwishBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();

    /// <summary>Softplus: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();

    /// <summary>Softplus backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void SoftplusBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();

    /// <summary>Gelu: <c>y = f(x)</c> element-wise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();

    /// <summary>Gelu backward: <c>dx = dy·f'(x)</c>; <paramref name="x"/> is the input, <paramref name="y"/> the output; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();

    /// <summary>Softmax over each row of <paramref name="cols"/> elements; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int cols) => throw new NotImplementedException();

    /// <summary>Softmax backward per row: <c>dx = y ⊙ (dy - Σ dy ⊙ y)</c>; <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int cols) => throw new NotImplementedException();

    /// <summary>The error function, accurate to about 1e-7 absolute (there is no Math.Erf in .NET).</summary>
    public static double Erf(double x) => throw new NotImplementedException();
}
