using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The kernels' vector maximum (<c>IVectorWidth.Max</c>) gives NaN when either operand is NaN, wherever the NaN sits in a
/// window: at 128 and 256 bits it is <c>maxps</c> (which returns its second operand when either is NaN) with the first
/// operand's NaN or-ed back in, at 512 bits IEEE's maximum. Max pooling takes its vector path for 32 channels at every
/// width and its general path for 21; tools/test-widths.sh reruns these at 256 and 128 bits.
/// </summary>
public class MaxNanTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(21)]
    public void MaxPoolingPropagatesANanFromAnyPlaceInTheWindow(int C)
    {
        // 4×4×C input, 2×2 windows, stride 2: window 0 holds one NaN per channel, at position c % 4; the others none.
        var g = new WindowGeometry(1, 4, 4, C, 1, 2, 2, C, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0);
        var x = new float[16 * C];
        for (int i = 0; i < x.Length; i++) x[i] = (i * 37 % 101) / 10f - 5f;
        int[] window0 = { 0, 1, 4, 5 }; // pixel indices of the first window
        for (int c = 0; c < C; c++) x[window0[c % 4] * C + c] = float.NaN;
        var y = new float[4 * C];
        Pooling.MaxForward(g, x, y, 1);
        for (int c = 0; c < C; c++) Assert.True(float.IsNaN(y[c]), $"channel {c}: NaN at window position {c % 4} gave {y[c]:R}");
        for (int o = 1; o < 4; o++)
        {
            int h0 = o / 2 * 2, w0 = o % 2 * 2;
            for (int c = 0; c < C; c++)
            {
                float best = float.NegativeInfinity;
                for (int dh = 0; dh < 2; dh++)
                    for (int dw = 0; dw < 2; dw++)
                        best = Math.Max(best, x[((h0 + dh) * 4 + w0 + dw) * C + c]);
                Assert.Equal(best, y[o * C + c]);
            }
        }
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Linear)]
    public void PooledConvolutionPropagatesANanAsTheUnfusedKernelsDo(Activation activation)
    {
        // A NaN input pixel makes NaN every convolution output whose window covers it, and so every pooled value over
        // those outputs; the fused kernel (maximum of four outputs in registers, then ReLU) must give NaN exactly there.
        var g = ConvReference.Conv(new[] { 1, 10, 12 }, 1, 32, new[] { 1, 3, 3 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, "valid");
        var pool = new WindowGeometry(1, g.OutH, g.OutW, 32, 1, g.OutH / 2, g.OutW / 2, 32, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0);
        float[] x = TestUtil.Uniform(51, g.InSize), kernel = TestUtil.Uniform(52, 9 * 32), bias = TestUtil.Uniform(53, 32);
        x[4 * 12 + 7] = float.NaN;
        var ws = new float[Convolution.WorkspaceLength(g)];
        var z = new float[g.OutSize];
        var expected = new float[pool.OutSize];
        Convolution.Forward(g, x, kernel, bias, z, 1, ws);
        if (activation == Activation.Relu) Activations.Relu(z, z);
        Pooling.MaxForward(pool, z, expected, 1);
        var y = new float[pool.OutSize];
        Fused.PooledConvolutionForward(g, pool, x, kernel, bias, new float[z.Length], y, 1, ws, activation);
        // Without fused multiply-add this one-channel 3×3 layer takes the Winograd path: equal up to rounding, NaN exactly
        // where the unfused kernels put it (each pooled value's 4×4 input tile is the union of its four windows).
        bool winograd = !VectorWidth.FusedMultiplyAdd && WinogradConvolution.SingleChannelApplies(g, pool);
        int nans = 0;
        for (int i = 0; i < y.Length; i++)
        {
            bool close = winograd ? Math.Abs(y[i] - expected[i]) <= 1e-6 * (1 + Math.Abs(expected[i])) : y[i] == expected[i];
            Assert.True(float.IsNaN(expected[i]) ? float.IsNaN(y[i]) : close, $"{activation}: pooled {i} is {y[i]:R}, unfused {expected[i]:R}");
            if (float.IsNaN(y[i])) nans++;
        }
        Assert.True(nans >= 32, $"the NaN pixel reached {nans} pooled values"); // at least one pooled position, all 32 filters
    }
}
