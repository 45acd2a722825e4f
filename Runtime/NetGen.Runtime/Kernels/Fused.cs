using System;
using System.ComponentModel;

namespace NetGen.Kernels;

/// <summary>
/// Fused kernels the generator's passes call: a producer (Dense, convolution) with its bias and activation applied
/// block by block while the block's output is still in cache, instead of a second pass over the whole output (a Dense
/// layer's bias and ReLU inside the GEMM's register-tile store).
/// Results equal the unfused sequence (the same kernels run on row or sample blocks).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Fused
{
    /// <summary>Output floats per block: small enough for the core's L2 cache, large enough to keep the GEMM efficient.</summary>
    private const int BlockFloats = 1 << 15;

    /// <summary>
    /// <c>z = x·kernel + bias</c>, then <c>y = activation(z)</c> (<paramref name="y"/> may be <paramref name="z"/>),
    /// in blocks of rows.
    /// </summary>
    public static void DenseForward(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> z, Span<float> y,
        int rows, int inFeatures, int units, Activation activation)
    {
        Guard.AtLeast(z.Length, rows * units, nameof(z), "rows × units");
        Guard.AtLeast(y.Length, rows * units, nameof(y), "rows × units");
        bool inPlace = System.Runtime.CompilerServices.Unsafe.AreSame(
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(z), ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y));
        if (activation == Activation.Linear || (activation == Activation.Relu && inPlace))
        {
            // The bias and ReLU inside the GEMM's store (the epilogue): one pass over the output, no second one.
            Dense.ForwardEpilogue(x, kernel, bias, z, rows, inFeatures, units, activation == Activation.Relu);
            if (!inPlace) z.Slice(0, rows * units).CopyTo(y);
            return;
        }
        int block = Block(rows, units);
        for (int r = 0; r < rows; r += block)
        {
            int m = Math.Min(block, rows - r);
            var zb = z.Slice(r * units, m * units);
            Dense.Forward(x.Slice(r * inFeatures, m * inFeatures), kernel, bias, zb, m, inFeatures, units);
            Apply(activation, zb, y.Slice(r * units, m * units), units);
        }
    }

    /// <summary>
    /// <c>z = conv(x) + bias</c>, then <c>y = activation(z)</c> (<paramref name="y"/> may be <paramref name="z"/>),
    /// in blocks of samples.
    /// </summary>
    public static void ConvolutionForward(in WindowGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias,
        Span<float> z, Span<float> y, int batch, Span<float> workspace, Activation activation)
    {
        int inSize = g.InSize, outSize = g.OutSize;
        Guard.AtLeast(z.Length, batch * outSize, nameof(z), "batch × OutSize");
        Guard.AtLeast(y.Length, batch * outSize, nameof(y), "batch × OutSize");
        // Threads split a whole batch best: keep it whole when the kernel may run on several. Otherwise blocks of at
        // least 8 samples, so the convolution's own chunking across samples keeps its GEMMs large.
        int block = Parallelism.MaxThreads > 1 ? batch : Math.Min(batch, Math.Max(8, Block(batch, outSize)));
        for (int b = 0; b < batch; b += block)
        {
            int m = Math.Min(block, batch - b);
            var zb = z.Slice(b * outSize, m * outSize);
            Convolution.Forward(g, x.Slice(b * inSize, m * inSize), kernel, bias, zb, m, workspace);
            Apply(activation, zb, y.Slice(b * outSize, m * outSize), g.OutChannels);
        }
    }

    /// <summary>
    /// Dense followed by BatchNormalization's inference form (the generator's folding pass), writing the normalised
    /// output <paramref name="y"/>. The fold is computed per call from the current weights and moving statistics, so it
    /// is never stale: when the rows outnumber the input features, the kernel and bias are folded into
    /// <paramref name="folded"/> (<c>inFeatures·units + units</c> floats, costing one pass over the kernel) and the
    /// GEMM runs on them; otherwise (small batches, where folding would cost as much as the layer) the normalisation is
    /// applied to each block of rows while it is in cache, exactly as the unfused kernels would.
    /// </summary>
    public static void DenseBatchNormForward(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> movingMean, ReadOnlySpan<float> movingVariance,
        Span<float> y, int rows, int inFeatures, int units, float epsilon, Span<float> folded)
    {
        Guard.AtLeast(y.Length, rows * units, nameof(y), "rows × units");
        if (rows >= inFeatures)
        {
            int kernelLength = inFeatures * units;
            BatchNormalization.Fold(kernel, bias, gamma, beta, movingMean, movingVariance, folded, inFeatures, units, epsilon);
            Dense.Forward(x, folded.Slice(0, kernelLength), folded.Slice(kernelLength, units), y, rows, inFeatures, units);
            return;
        }
        int block = Block(rows, units);
        for (int r = 0; r < rows; r += block)
        {
            int m = Math.Min(block, rows - r);
            var yb = y.Slice(r * units, m * units);
            Dense.Forward(x.Slice(r * inFeatures, m * inFeatures), kernel, bias, yb, m, inFeatures, units);
            BatchNormalization.InferenceForward(yb, gamma, beta, movingMean, movingVariance, yb, m, units, epsilon);
        }
    }

    /// <summary>Floats <see cref="DenseBatchNormForward"/> may fold into: the kernel and the bias.</summary>
    public static int DenseBatchNormFoldLength(int inFeatures, int units) => inFeatures * units + units;

    /// <summary>
    /// <c>z = activation(conv(x) + bias)</c>, then <c>y = pool(z)</c> (max pooling of geometry <paramref name="pool"/>),
    /// block of samples by block of samples, so each block is pooled while it is still in cache. <paramref name="z"/> is
    /// written in full, as the unfused kernels write it.
    /// </summary>
    public static void ConvolutionMaxPoolForward(in WindowGeometry g, in WindowGeometry pool, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel,
        ReadOnlySpan<float> bias, Span<float> z, Span<float> y, int batch, Span<float> workspace, Activation activation)
    {
        int inSize = g.InSize, outSize = g.OutSize, pooledSize = pool.OutSize;
        if (pool.InSize != outSize)
            throw new ArgumentException($"the pooling's input ({pool.InSize} floats per sample) must be the convolution's output ({outSize}).", nameof(pool));
        Guard.AtLeast(z.Length, batch * outSize, nameof(z), "batch × OutSize");
        Guard.AtLeast(y.Length, batch * pooledSize, nameof(y), "batch × pooled OutSize");
        int block = Parallelism.MaxThreads > 1 ? batch : Math.Min(batch, Math.Max(8, Block(batch, outSize)));
        for (int b = 0; b < batch; b += block)
        {
            int m = Math.Min(block, batch - b);
            var zb = z.Slice(b * outSize, m * outSize);
            Convolution.Forward(g, x.Slice(b * inSize, m * inSize), kernel, bias, zb, m, workspace);
            Apply(activation, zb, zb, g.OutChannels);
            Pooling.MaxForward(pool, zb, y.Slice(b * pooledSize, m * pooledSize), m);
        }
    }

    /// <summary>
    /// <c>y = pool(activation(conv(x) + bias))</c>, like <see cref="ConvolutionMaxPoolForward"/>, for a convolution output
    /// nobody else reads: <paramref name="z"/> is scratch whose contents afterwards are unspecified. When the direct
    /// kernel applies (a short patch, whole vectors of filters), the pooling is 2×2 with stride 2 and the activation is
    /// linear or ReLU, each pooled value is taken from registers and the convolution's output is never written (equal
    /// to the unfused sequence bit for bit, except a 3×3 one-channel layer on x64 without FMA, which takes Winograd's
    /// F(2×2, 3×3) there and is equal up to float rounding); otherwise this is <see cref="ConvolutionMaxPoolForward"/>.
    /// </summary>
    public static void PooledConvolutionForward(in WindowGeometry g, in WindowGeometry pool, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel,
        ReadOnlySpan<float> bias, Span<float> z, Span<float> y, int batch, Span<float> workspace, Activation activation)
    {
        if ((activation == Activation.Linear || activation == Activation.Relu) && ConvolutionDirect.PoolApplies(g, pool))
        {
            if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must not be negative.");
            Guard.AtLeast(x.Length, batch * g.InSize, nameof(x), "batch × InSize");
            Guard.AtLeast(kernel.Length, g.WindowVolume * g.InChannels * g.OutChannels, nameof(kernel), "WindowVolume·InChannels·OutChannels");
            if (!bias.IsEmpty) Guard.AtLeast(bias.Length, g.OutChannels, nameof(bias), "OutChannels");
            Guard.AtLeast(y.Length, batch * pool.OutSize, nameof(y), "batch × pooled OutSize");
            ConvolutionDirect.ForwardMaxPool(g, pool, x, kernel, bias, y, batch, activation == Activation.Relu);
            return;
        }
        ConvolutionMaxPoolForward(g, pool, x, kernel, bias, z, y, batch, workspace, activation);
    }

    private static int Block(int count, int floatsEach) => Math.Max(1, Math.Min(count, BlockFloats / Math.Max(1, floatsEach)));

    /// <summary><c>y = activation(x)</c> through the activation's own kernel (softmax and log-softmax along rows of <paramref name="cols"/>).</summary>
    internal static void Apply(Activation activation, ReadOnlySpan<float> x, Span<float> y, int cols)
    {
        switch (activation)
        {
            case Activation.Linear:
                if (!x.Overlaps(y)) x.CopyTo(y);
                break;
            case Activation.Relu: Activations.Relu(x, y); break;
            case Activation.Sigmoid: Activations.Sigmoid(x, y); break;
            case Activation.Tanh: Activations.Tanh(x, y); break;
            case Activation.Softmax: Activations.Softmax(x, y, cols); break;
            case Activation.LeakyRelu: Activations.LeakyRelu(x, y); break;
            case Activation.Elu: Activations.Elu(x, y); break;
            case Activation.Selu: Activations.Selu(x, y); break;
            case Activation.Swish: Activations.Swish(x, y); break;
            case Activation.Softplus: Activations.Softplus(x, y); break;
            case Activation.Gelu: Activations.Gelu(x, y); break;
            case Activation.Exponential: Activations.Exponential(x, y); break;
            case Activation.HardSigmoid: Activations.HardSigmoid(x, y); break;
            case Activation.HardSilu: Activations.HardSilu(x, y); break;
            case Activation.Softsign: Activations.Softsign(x, y); break;
            case Activation.Relu6: Activations.Relu6(x, y); break;
            case Activation.Mish: Activations.Mish(x, y); break;
            case Activation.LogSoftmax: Activations.LogSoftmax(x, y, cols); break;
            case Activation.Silu: Activations.Silu(x, y); break;
            case Activation.GeluTanh: Activations.GeluTanh(x, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }
}
