using System;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

public class DenseTests
{
    [Fact]
    public void WorkedExampleE8()
    {
        var y = new float[3];
        Dense.Forward(new float[] { 1, 2 }, new float[] { 1, 2, 3, 4, 5, 6 }, new float[] { 0.5f, -1, 0 }, y, 1, 2, 3);
        Assert.Equal(new float[] { 9.5f, 11f, 15f }, y);
        Dense.Forward(new float[] { 1, 2 }, new float[] { 1, 2, 3, 4, 5, 6 }, ReadOnlySpan<float>.Empty, y, 1, 2, 3);
        Assert.Equal(new float[] { 9f, 12f, 15f }, y);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 3)]
    [InlineData(32, 784, 10)]
    [InlineData(3, 17, 33)]
    [InlineData(0, 4, 5)]
    public void ForwardAndBackwardMatchDoubleReference(int rows, int inFeatures, int units)
    {
        float[] x = TestUtil.Uniform(rows + 1, rows * inFeatures);
        float[] k = TestUtil.Uniform(inFeatures + 2, inFeatures * units);
        float[] b = TestUtil.Uniform(units + 3, units);
        float[] dy = TestUtil.Uniform(rows + units + 4, rows * units);
        // Every output below is a sum of q products of values in [−1, 1]: float error ≤ (q+2)·2^-24·q.
        double Tol(int q) => (q + 2) * Math.Pow(2, -24) * q + 1e-30;

        foreach (bool withBias in new[] { true, false })
        {
            float[] y = TestUtil.Uniform(99, rows * units); // garbage that must be overwritten
            Dense.Forward(x, k, withBias ? b : ReadOnlySpan<float>.Empty, y, rows, inFeatures, units);
            for (int r = 0; r < rows; r++)
            for (int o = 0; o < units; o++)
            {
                double s = withBias ? b[o] : 0;
                for (int i = 0; i < inFeatures; i++) s += (double)x[r * inFeatures + i] * k[i * units + o];
                TestUtil.Close(s, y[r * units + o], 0, Tol(inFeatures + 1), $"y[{r},{o}]");
            }
        }

        float[] dK = TestUtil.Uniform(98, inFeatures * units);
        float[] dB = TestUtil.Uniform(97, units);
        Dense.BackwardWeights(x, dy, dK, dB, rows, inFeatures, units);
        for (int i = 0; i < inFeatures; i++)
        for (int o = 0; o < units; o++)
        {
            double s = 0;
            for (int r = 0; r < rows; r++) s += (double)x[r * inFeatures + i] * dy[r * units + o];
            TestUtil.Close(s, dK[i * units + o], 0, Tol(rows), $"dK[{i},{o}]");
        }
        for (int o = 0; o < units; o++)
        {
            double s = 0;
            for (int r = 0; r < rows; r++) s += dy[r * units + o];
            TestUtil.Close(s, dB[o], 0, Tol(rows), $"dB[{o}]");
        }
        float[] dK2 = new float[dK.Length];
        Dense.BackwardWeights(x, dy, dK2, Span<float>.Empty, rows, inFeatures, units); // empty dBias is skipped
        Assert.Equal(dK, dK2);

        float[] dx = TestUtil.Uniform(96, rows * inFeatures);
        Dense.BackwardInput(dy, k, dx, rows, inFeatures, units);
        for (int r = 0; r < rows; r++)
        for (int i = 0; i < inFeatures; i++)
        {
            double s = 0;
            for (int o = 0; o < units; o++) s += (double)dy[r * units + o] * k[i * units + o];
            TestUtil.Close(s, dx[r * inFeatures + i], 0, Tol(units), $"dx[{r},{i}]");
        }
    }

    [Fact]
    public void GradientsMatchCentralDifferencesOfTheForward()
    {
        // L = Σ w ⊙ Dense(x); its gradients are exactly the backward outputs with dy = w. Dense is linear, so the
        // central differences (double) are exact up to rounding: tolerance 1e-9 absolute.
        const int rows = 3, inF = 4, units = 2;
        float[] x = TestUtil.Uniform(1, rows * inF), k = TestUtil.Uniform(2, inF * units), b = TestUtil.Uniform(3, units), w = TestUtil.Uniform(4, rows * units);
        double L(double[] xv, double[] kv, double[] bv)
        {
            double s = 0;
            for (int r = 0; r < rows; r++)
            for (int o = 0; o < units; o++)
            {
                double z = bv[o];
                for (int i = 0; i < inF; i++) z += xv[r * inF + i] * kv[i * units + o];
                s += w[r * units + o] * z;
            }
            return s;
        }
        double[] xd = TestUtil.ToDouble(x), kd = TestUtil.ToDouble(k), bd = TestUtil.ToDouble(b);
        var dK = new float[k.Length];
        var dB = new float[units];
        var dx = new float[x.Length];
        Dense.BackwardWeights(x, w, dK, dB, rows, inF, units);
        Dense.BackwardInput(w, k, dx, rows, inF, units);
        for (int i = 0; i < k.Length; i++) TestUtil.Close(TestUtil.CentralDifference(v => L(xd, v, bd), kd, i, 1e-3), dK[i], 1e-6, 1e-9, "dK");
        for (int i = 0; i < units; i++) TestUtil.Close(TestUtil.CentralDifference(v => L(xd, kd, v), bd, i, 1e-3), dB[i], 1e-6, 1e-9, "dB");
        for (int i = 0; i < x.Length; i++) TestUtil.Close(TestUtil.CentralDifference(v => L(v, kd, bd), xd, i, 1e-3), dx[i], 1e-6, 1e-9, "dx");
    }
}
