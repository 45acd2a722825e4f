using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="Fused.PooledConvolutionForward"/>: convolution, bias, ReLU or linear and 2×2 max pooling in one pass. Where
/// the direct kernel takes it (filters a multiple of the vector width, short patches) the pooled values come from
/// registers; the result must equal the unfused float kernels bit for bit (same sums, and bias and ReLU commute with
/// the maximum), or within 1e-6 where a one-channel 3×3 layer takes the Winograd path (no FMA), and the
/// double-precision reference within float rounding. Odd output sizes leave a row and a column the
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
            bool winograd = !VectorWidth.FusedMultiplyAdd && WinogradConvolution.SingleChannelApplies(g, pool);
            for (int i = 0; i < y.Length; i++)
            {
                if (winograd) TestUtil.Close(expected[i], y[i], 1e-6, 1e-6, $"{h}x{w} {cin}->{cout} {padding} {activation}: pooled {i} (single-channel Winograd)");
                else Assert.True(y[i] == expected[i], $"{h}x{w} {cin}->{cout} {padding} {activation}: pooled {i} is {y[i]:R}, unfused {expected[i]:R}");
            }

            // And against the double-precision reference (conv → activation → 2×2 maximum).
            double[] exact = ConvReference.ConvForward(g, ConvReference.D(x), ConvReference.D(kernel), ConvReference.D(bias), batch);
            double[] pooled = Pooled(g, pool, exact, batch, activation == Activation.Relu, null);
            for (int o = 0; o < y.Length; o++)
                TestUtil.Close(pooled[o], y[o], 1e-5, 1e-5, $"{h}x{w} {cin}->{cout} {padding} {activation}: pooled {o}");
        }
    }

    public static TheoryData<int, int, int, string, int> SingleChannelShapes => new()
    {
        // h, w, cout, padding, batch
        { 28, 28, 32, "valid", 2 },  // the small CNN's first layer
        { 28, 28, 32, "same", 1 },   // pooled outputs on every edge of the image
        { 9, 12, 5, "valid", 2 },    // filters not a multiple of any width: whole vectors, then one lane at a time
        { 7, 7, 20, "same", 1 },     // odd output: the last row and column of blocks dropped by the pooling
        { 4, 5, 256, "valid", 1 },   // the most filters the stack-held transform takes
    };

    /// <summary>
    /// The single-channel Winograd path (<see cref="WinogradConvolution.SingleChannelMaxPool"/>, chosen without fused
    /// multiply-add), forced at this run's width whatever the hardware: against the double-precision reference, the
    /// direct path where it applies (whole vectors of filters), and NaN inputs propagating to the pooled outputs whose windows read them.
    /// </summary>
    [Theory]
    [MemberData(nameof(SingleChannelShapes))]
    public void SingleChannelWinogradMatchesTheDirectKernel(int h, int w, int cout, string padding, int batch)
    {
        var g = ConvReference.Conv(new[] { 1, h, w }, 1, cout, new[] { 1, 3, 3 }, new[] { 1, 1, 1 }, new[] { 1, 1, 1 }, padding);
        var pool = new WindowGeometry(1, g.OutH, g.OutW, cout, 1, g.OutH / 2, g.OutW / 2, cout, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0);
        Assert.True(WinogradConvolution.SingleChannelApplies(g, pool));
        float[] x = TestUtil.Uniform(51, batch * g.InSize), kernel = TestUtil.Uniform(52, 9 * cout), bias = TestUtil.Uniform(53, cout);
        double[] exact = ConvReference.ConvForward(g, ConvReference.D(x), ConvReference.D(kernel), ConvReference.D(bias), batch);
        foreach (bool relu in new[] { true, false })
        foreach (bool withBias in new[] { true, false })
        {
            float[] b = withBias ? bias : Array.Empty<float>();
            var direct = new float[batch * pool.OutSize];
            var winograd = new float[direct.Length];
            winograd.AsSpan().Fill(float.NaN);
            if (ConvolutionDirect.PoolApplies(g, pool)) ConvolutionDirect.ForwardMaxPoolVia(g, pool, x, kernel, b, direct, batch, relu, singleChannelWinograd: false);
            ConvolutionDirect.ForwardMaxPoolVia(g, pool, x, kernel, b, winograd, batch, relu, singleChannelWinograd: true);
            double[] pooled = Pooled(g, pool, exact, batch, relu, withBias ? null : bias);
            for (int o = 0; o < winograd.Length; o++)
            {
                string at = $"{h}x{w} ->{cout} {padding} relu={relu} bias={withBias}: pooled {o}";
                TestUtil.Close(pooled[o], winograd[o], 1e-6, 1e-6, at);
                if (ConvolutionDirect.PoolApplies(g, pool)) TestUtil.Close(direct[o], winograd[o], 1e-6, 1e-6, at + " against the direct kernel");
            }
        }

        // A NaN input reaches exactly the pooled outputs whose 4×4 input tile holds it (as every convolution output reading it is NaN).
        var xn = (float[])x.Clone();
        int ih = g.InH / 2, iw = g.InW / 2;
        xn[ih * g.InW + iw] = float.NaN;
        var yn = new float[batch * pool.OutSize];
        ConvolutionDirect.ForwardMaxPoolVia(g, pool, xn, kernel, bias, yn, batch, relu: true, singleChannelWinograd: true);
        for (int ph = 0; ph < pool.OutH; ph++)
        for (int pw = 0; pw < pool.OutW; pw++)
        {
            int r = ih - (2 * ph - g.PadH), c = iw - (2 * pw - g.PadW);
            bool reads = r >= 0 && r < 4 && c >= 0 && c < 4;
            float value = yn[(ph * pool.OutW + pw) * cout];
            Assert.True(reads == float.IsNaN(value), $"pooled ({ph}, {pw}) is {value} with the NaN input at ({ih}, {iw})");
        }
    }

    /// <summary>
    /// The 2×2 max pooling (then ReLU if <paramref name="relu"/>) of a double-precision convolution output
    /// <paramref name="exact"/>, less <paramref name="lessBias"/> per filter when given (a reference computed with a bias
    /// for a call made without).
    /// </summary>
    private static double[] Pooled(WindowGeometry g, WindowGeometry pool, double[] exact, int batch, bool relu, float[]? lessBias)
    {
        int cout = g.OutChannels;
        var pooled = new double[batch * pool.OutSize];
        for (int n = 0; n < batch; n++)
        for (int ph = 0; ph < pool.OutH; ph++)
        for (int pw = 0; pw < pool.OutW; pw++)
        for (int f = 0; f < cout; f++)
        {
            double best = double.NegativeInfinity;
            for (int dh = 0; dh < 2; dh++)
            for (int dw = 0; dw < 2; dw++)
                best = Math.Max(best, exact[n * g.OutSize + ((2 * ph + dh) * g.OutW + 2 * pw + dw) * cout + f] - (lessBias is null ? 0 : lessBias[f]));
            pooled[n * pool.OutSize + (ph * pool.OutW + pw) * cout + f] = relu ? Math.Max(0, best) : best;
        }
        return pooled;
    }
}
