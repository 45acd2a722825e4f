using System;
using System.Linq;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>LAYERS.md E4 on X = 4×4 with values 1..16, plus global pooling, padding, cropping and up-sampling by hand.</summary>
public class PoolingWorkedExampleTests
{
    private static readonly float[] X = Enumerable.Range(1, 16).Select(v => (float)v).ToArray();

    private static WindowGeometry Pool(int k, int s, int outSize, int before)
        => new(1, 4, 4, 1, 1, outSize, outSize, 1, 1, k, k, 1, s, s, 1, 1, 1, 0, before, before);

    [Fact]
    public void MaxAndAverage2x2()
    {
        var g = Pool(2, 2, 2, 0);
        var y = new float[4];
        Pooling.MaxForward(g, X, y, 1);
        Assert.Equal(new float[] { 6, 8, 14, 16 }, y);
        Pooling.AverageForward(g, X, y, 1);
        Assert.Equal(new[] { 3.5f, 5.5f, 11.5f, 13.5f }, y);
    }

    [Fact]
    public void SamePaddingStride2()
    {
        // n = 4, k = 3, s = 2: out 2, total padding 1, none before.
        var g = Pool(3, 2, 2, 0);
        var y = new float[4];
        Pooling.MaxForward(g, X, y, 1);
        Assert.Equal(new float[] { 11, 12, 15, 16 }, y);
        Pooling.AverageForward(g, X, y, 1);
        Assert.Equal(new[] { 6.0f, 7.5f, 12.0f, 13.5f }, y);
    }

    [Fact]
    public void AverageSameStride1ExcludesPaddingFromTheDivisor()
    {
        var g = Pool(3, 1, 4, 1);
        var y = new float[16];
        Pooling.AverageForward(g, X, y, 1);
        Assert.Equal(new[] { 3.5f, 4, 5, 5.5f, 5.5f, 6, 7, 7.5f, 9.5f, 10, 11, 11.5f, 11.5f, 12, 13, 13.5f }, y);
    }

    [Fact]
    public void MaxBackwardRoutesToTheFirstMaximum()
    {
        // One 2×2 window holding a tie: the gradient goes to the first maximum in scan order only.
        var g = new WindowGeometry(1, 2, 2, 1, 1, 1, 1, 1, 1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 0);
        var x = new float[] { 1, 5, 5, 2 };
        var y = new float[1];
        Pooling.MaxForward(g, x, y, 1);
        var dx = new float[] { 9, 9, 9, 9 };
        Pooling.MaxBackward(g, x, y, new float[] { 3 }, dx, 1);
        Assert.Equal(new float[] { 0, 3, 0, 0 }, dx);
    }

    [Theory]
    [InlineData(16, 0)]  // the vectorised path (channels a multiple of the vector width)
    [InlineData(5, 0)]   // the scalar path
    [InlineData(32, 1)]  // overlapping windows with same padding
    public void MaxPoolingMatchesAReferenceWithTies(int channels, int same)
    {
        // 5×5 input whose values come from a small set, so ties inside windows are common.
        int k = 2, s = same == 1 ? 1 : 2, outSize = same == 1 ? 5 : 2;
        var g = new WindowGeometry(1, 5, 5, channels, 1, outSize, outSize, channels, 1, k, k, 1, s, s, 1, 1, 1, 0, 0, 0);
        var rng = new Random(3);
        var x = Enumerable.Range(0, 2 * 25 * channels).Select(_ => (float)rng.Next(4)).ToArray();
        var dy = Enumerable.Range(0, 2 * outSize * outSize * channels).Select(_ => (float)rng.NextDouble()).ToArray();
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        Pooling.MaxForward(g, x, y, 2);
        Pooling.MaxBackward(g, x, y, dy, dx, 2);
        var expectedDx = new double[x.Length];
        for (int b = 0; b < 2; b++)
        for (int oh = 0; oh < outSize; oh++)
        for (int ow = 0; ow < outSize; ow++)
        for (int c = 0; c < channels; c++)
        {
            float max = float.NegativeInfinity;
            int at = -1;
            for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                int h = oh * s + i, w = ow * s + j;
                if (h >= 5 || w >= 5) continue; // padding after never wins
                int index = ((b * 5 + h) * 5 + w) * channels + c;
                if (x[index] > max) (max, at) = (x[index], index);
            }
            int o = ((b * outSize + oh) * outSize + ow) * channels + c;
            Assert.Equal(max, y[o]);
            expectedDx[at] += dy[o];
        }
        for (int i = 0; i < dx.Length; i++) Assert.Equal(expectedDx[i], dx[i], 5);
    }

    [Fact]
    public void AverageBackwardSplitsOverRealCells()
    {
        var g = Pool(3, 2, 2, 0);
        var dx = new float[16];
        Pooling.AverageBackward(g, new float[] { 6, 0, 0, 0 }, dx, 1);
        // The first window covers rows 0-2 and columns 0-2 (9 real cells): each gets 6/9.
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(r < 3 && c < 3 ? 6f / 9 : 0f, dx[r * 4 + c], 6);
    }

    [Fact]
    public void GlobalPooling()
    {
        var y = new float[1];
        NetGen.Kernels.GlobalPooling.AverageForward(X, y, 1, 16, 1);
        Assert.Equal(8.5f, y[0]);
        NetGen.Kernels.GlobalPooling.MaxForward(X, y, 1, 16, 1);
        Assert.Equal(16f, y[0]);
        var dx = new float[16];
        NetGen.Kernels.GlobalPooling.MaxBackward(X, y, new float[] { 2 }, dx, 1, 16, 1);
        Assert.Equal(2f, dx[15]);
        Assert.Equal(2f, dx.Sum());
    }

    [Fact]
    public void PadCropAndUpSampleByHand()
    {
        // 2×2 input [[1, 2], [3, 4]] padded by one row before and one column after: 3×3.
        var pad = new WindowGeometry(1, 2, 2, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0);
        var padded = new float[9];
        Spatial.ZeroPad(pad, new float[] { 1, 2, 3, 4 }, padded, 1);
        Assert.Equal(new float[] { 0, 0, 0, 1, 2, 0, 3, 4, 0 }, padded);
        var back = new float[4];
        Spatial.ZeroPadBackward(pad, Enumerable.Range(1, 9).Select(v => (float)v).ToArray(), back, 1);
        Assert.Equal(new float[] { 4, 5, 7, 8 }, back);

        // Crop 4×4 by one on each side: the centre 2×2.
        var crop = new WindowGeometry(1, 4, 4, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1);
        var centre = new float[4];
        Spatial.Crop(crop, X, centre, 1);
        Assert.Equal(new float[] { 6, 7, 10, 11 }, centre);

        // Up-sample [[1, 2]] by (2, 3): rows repeat twice, columns three times.
        var up = new WindowGeometry(1, 1, 2, 1, 1, 2, 6, 1, 1, 2, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0);
        var upsampled = new float[12];
        Spatial.UpSample(up, new float[] { 1, 2 }, upsampled, 1);
        Assert.Equal(new float[] { 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2 }, upsampled);
        var summed = new float[2];
        Spatial.UpSampleBackward(up, Enumerable.Repeat(1f, 12).ToArray(), summed, 1);
        Assert.Equal(new float[] { 6, 6 }, summed);
    }

    /// <summary>
    /// Channels a multiple of 16 take the vector path: it must equal a per-channel maximum over the window's
    /// real cells, computed here by brute force, for 2×2/2 valid, 3×3/2 with padding before, and 3×3/1 same,
    /// over a batch of two.
    /// </summary>
    [Theory]
    [InlineData(8, 2, 2, 4, 0, 16)]
    [InlineData(7, 3, 2, 3, 1, 32)]
    [InlineData(5, 3, 1, 5, 1, 48)]
    public void MaxForwardOverWholeVectorsOfChannelsMatchesBruteForce(int n, int k, int s, int outSize, int before, int c)
    {
        var g = new WindowGeometry(1, n, n, c, 1, outSize, outSize, c, 1, k, k, 1, s, s, 1, 1, 1, 0, before, before);
        const int batch = 2;
        float[] x = TestUtil.Uniform(5, batch * g.InSize);
        var y = new float[batch * g.OutSize];
        Pooling.MaxForward(g, x, y, batch);
        for (int b = 0; b < batch; b++)
        for (int oh = 0; oh < outSize; oh++)
        for (int ow = 0; ow < outSize; ow++)
        for (int ch = 0; ch < c; ch++)
        {
            float best = float.NegativeInfinity;
            for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++)
            {
                int ih = oh * s + kh - before, iw = ow * s + kw - before;
                if (ih >= 0 && ih < n && iw >= 0 && iw < n) best = Math.Max(best, x[b * g.InSize + (ih * n + iw) * c + ch]);
            }
            Assert.Equal(best, y[b * g.OutSize + (oh * outSize + ow) * c + ch]);
        }
    }
}
