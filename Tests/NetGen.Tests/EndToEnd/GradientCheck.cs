using System;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>Central finite differences of a generated network's mean batch loss against its analytic gradients.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// The network computes in float32, so the step is 1e-2: the truncation error (h²·f'''/6) stays near 1e-5 for
    /// these smooth, O(1) networks and the rounding error of the loss difference near 3e-6. The bound
    /// 3e-4 + 1e-3·|g| is two orders below the error of a wrong formula (a missing 1/batch, a wrong derivative,
    /// a transposed kernel), which the tests' negative controls show.
    /// </summary>
    public static double MaxError(INetwork net, float[] x, float[] y, int batch, Loss loss, float h = 1e-2f)
    {
        net.ComputeGradients(x, y, batch, loss);
        var analytic = net.Gradients.ToArray();
        double worst = 0;
        for (int i = 0; i < analytic.Length; i++)
        {
            var p = net.Parameters;
            float original = p[i];
            p[i] = original + h;
            double plus = net.ComputeGradients(x, y, batch, loss);
            net.Parameters[i] = original - h;
            double minus = net.ComputeGradients(x, y, batch, loss);
            net.Parameters[i] = original;
            double numeric = (plus - minus) / (2.0 * h);
            double error = Math.Abs(numeric - analytic[i]) / (3e-4 + 1e-3 * Math.Abs(numeric));
            worst = Math.Max(worst, error);
        }
        return worst;
    }

    public static void AssertMatches(INetwork net, float[] x, float[] y, int batch, Loss loss)
    {
        double worst = MaxError(net, x, y, batch, loss);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}× the bound");
    }

    public static float[] Random(int count, int seed, float scale = 1f)
    {
        var rng = new Rng((ulong)seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(scale * (2 * rng.NextDouble() - 1));
        return values;
    }

    /// <summary>Rows of probabilities (positive, summing to 1).</summary>
    public static float[] Distributions(int rows, int cols, int seed)
    {
        var values = Random(rows * cols, seed);
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += values[r * cols + c] = Math.Abs(values[r * cols + c]) + 0.05f;
            for (int c = 0; c < cols; c++) values[r * cols + c] = (float)(values[r * cols + c] / sum);
        }
        return values;
    }
}
