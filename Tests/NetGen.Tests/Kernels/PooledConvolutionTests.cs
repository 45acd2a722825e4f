using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="Fused.PooledConvolutionForward"/>: convolution, bias, ReLU or linear and 2×2 max pooling in one pass. Where
/// the direct kernel takes it (filters a multiple of the vector width, short patches) the pooled values come from
/// registers; the result must equal the unfused float kernels bit for bit (same sums, and bias and ReLU commute with
/// the maximum) and the double-precision reference within float rounding. Odd output sizes leave a row and a column the
/// pooling drops; same padding puts pooled outputs on the image edge; widths of 9 to 26 outputs exercise the
/// four- and two-pooled-output blocks and the single ones. tools/test-widths.sh reruns these at 256 and 128 bits.
/// </summary>
public class PooledConvolutionTests
{
    public static TheoryData<int, int, int, int, int, string, int, int> Shapes => new()
    {
        // h, w, cin, cout, kernel, padding, batch, dilation
        { 28, 28, 1, 32, 3, "valid", 3, 1 },   // the small CNN's first layer
        { 9, 11, 3, 16, 3, "same", 2, 1 },
        { 12, 19, 2, 48, 3, "valid", 1, 1 },
        { 10, 10, 1, 16, 5, "same", 2, 1 },
        { 11, 16, 2, 12, 3, "valid", 2, 1 },   // 128 bits: a pair of filter vectors and one left over; 7 pooled columns (blocks of two, then one)
        { 7, 8, 3, 5, 3, "valid", 2, 1 },      // filters not a multiple of any width: the general path
        { 14, 21, 2, 32, 3, "valid", 2, 2 },   // dilated: the taps of a row step over the dilation's gap
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EqualsConvolutionThenActivationThenPooling(int h, int w, int cin, int cout, int k, string padding, int batch, int dilation)
    {
        var g = ConvReference.Conv(new[] { 1, h, w }, cin, cout, new[] { 1, k, k }, new[] { 1, 1, 1 }, new[] { 1, dilation, dilation }, padding);
        var pool = new WindowGeometry(1, g.OutH, g.OutW, cout, 1, g.OutH / 2, g.OutW / 2, cout, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0);
        float[] x = TestUtil.Uniform(41, batch * g.InSize), kernel = TestUtil.Uniform(42, k * k * cin * cout), bias = TestUtil.Uniform(43, cout);
        var ws = new float[Convolution.WorkspaceLength(g)];
        foreach (var activation in new[] { Activation.Relu, Activation.Linear })
        {
            // Unfused: the convolution, the activation, the pooling.
            var z = new float[batch * g.OutSize];
            var expected = new float[batch * pool.OutSize];
            Convolution.Forward(g, x, kernel, bias, z, batch, ws);
            if (activation == Activation.Relu) Activations.Relu(z, z);
            Pooling.MaxForward(pool, z, expected, batch);

            var y = new float[expected.Length];
            y.AsSpan().Fill(float.NaN);
            Fused.PooledConvolutionForward(g, pool, x, kernel, bias, new float[z.Length], y, batch, ws, activation);
            for (int i = 0; i < y.Length; i++)
                Assert.True(y[i] == expected[i], $"{h}x{w} {cin}->{cout} {padding} {activation}: pooled {i} is {y[i]:R}, unfused {expected[i]:R}");

            // And against the double-precision reference (conv → activation → 2×2 maximum).
            double[] exact = ConvReference.ConvForward(g, ConvReference.D(x), ConvReference.D(kernel), ConvReference.D(bias), batch);
            for (int b = 0; b < batch; b++)
            for (int ph = 0; ph < pool.OutH; ph++)
            for (int pw = 0; pw < pool.OutW; pw++)
            for (int f = 0; f < cout; f++)
            {
                double best = double.NegativeInfinity;
                for (int dh = 0; dh < 2; dh++)
                for (int dw = 0; dw < 2; dw++)
                    best = Math.Max(best, exact[b * g.OutSize + ((2 * ph + dh) * g.OutW + 2 * pw + dw) * cout + f]);
                if (activation == Activation.Relu) best = Math.Max(0, best);
                int o = b * pool.OutSize + (ph * pool.OutW + pw) * cout + f;
                TestUtil.Close(best, y[o], 1e-5, 1e-5, $"{h}x{w} {cin}->{cout} {padding} {activation}: pooled {o}");
            }
        }
    }
}
