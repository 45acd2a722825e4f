using System;
using System.Linq;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.ModelApi;

/// <summary>
/// d(loss)/d(input) from <c>ComputeGradients(..., inputGradient)</c> (issue 16): checked against central finite
/// differences of the loss (taken in double over the float32 network, as <see cref="GradientCheck"/> does for the
/// weights), and the weight gradients must be bit-identical whether or not the input gradient is asked for.
/// </summary>
public class InputGradientTests
{
    /// <summary>Worst |numeric − analytic| over the input entries, in units of GradientCheck's bound (≤ 1 passes).</summary>
    internal static double WorstInputError(INetwork net, float[] x, float[] y, int batch, Loss loss, float[] analytic, float h = 1e-2f)
    {
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float original = x[i];
            x[i] = original + h;
            double plus = net.ComputeGradients(x, y, batch, loss);
            x[i] = original - h;
            double minus = net.ComputeGradients(x, y, batch, loss);
            x[i] = original;
            double numeric = (plus - minus) / (2.0 * h);
            worst = Math.Max(worst, Math.Abs(numeric - analytic[i]) / (3e-4 + 1e-3 * Math.Abs(numeric)));
        }
        return worst;
    }

    private static void Check(INetwork net, int batch, Loss loss, float[] y, int seed)
    {
        var x = GradientCheck.Random(batch * net.InputLength, seed);
        float plainLoss = net.ComputeGradients(x, y, batch, loss);
        var plainGradients = net.Gradients.ToArray();

        var dx = new float[x.Length];
        Array.Fill(dx, float.NaN);
        float withLoss = net.ComputeGradients(x, y, batch, loss, dx);
        Assert.Equal(plainLoss, withLoss);
        Assert.True(plainGradients.AsSpan().SequenceEqual(net.Gradients), "asking for the input gradient changed the weight gradients");
        Assert.All(dx, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(dx, v => Math.Abs(v) > 1e-4);

        double worst = WorstInputError(net, x, y, batch, loss, dx);
        Assert.True(worst <= 1, $"input gradient: worst error is {worst:F2}x the bound");

        // Negative control: the check catches an input gradient 3% off.
        var wrong = dx.Select(v => v * 1.03f).ToArray();
        Assert.True(WorstInputError(net, x, y, batch, loss, wrong) > 1);
    }

    [Fact]
    public void Mlp_through_flatten() => Check(new GradMlp(seed: 3), 3, Loss.CategoricalCrossentropy, GradientCheck.Distributions(3, 3, 7), 11);

    [Fact]
    public void Mlp_with_mean_squared_error() => Check(new GradMlp(seed: 4), 2, Loss.MeanSquaredError, GradientCheck.Random(6, 8), 12);

    [Fact]
    public void Input_read_twice_gets_the_sum_of_both_gradients() => Check(new GradSkip(seed: 1), 3, Loss.BinaryCrossentropy, new float[] { 0, 1, 1, 1, 0, 0 }, 13);

    [Fact]
    public void Cnn_with_layer_normalization_and_prelu()
    {
        var net = new GradCnn(seed: 2);
        var alpha = net.FindWeight("p_re_lu/alpha");
        for (int i = 0; i < alpha.Length; i++) net.Parameters[alpha.Offset + i] = 0.1f + 0.01f * i;
        Check(net, 2, Loss.CategoricalCrossentropy, GradientCheck.Distributions(2, 3, 9), 14);
    }

    [Fact]
    public void Batch_normalization_in_training_mode() => Check(new GradBatchNorm(seed: 5), 4, Loss.CategoricalCrossentropy, GradientCheck.Distributions(4, 3, 10), 15);

    [Fact]
    public void Two_inputs_packed_and_per_input()
    {
        var net = new GradTwoInputs(seed: 6);
        int batch = 3;
        var y = GradTwoInputs.PackTargets(GradientCheck.Distributions(batch, 2, 16), GradientCheck.Random(batch, 17));
        Check(net, batch, Loss.MeanSquaredError, y, 18);

        // The per-input overload writes the same numbers as the packed rows hold, and an empty span skips its input.
        var left = GradientCheck.Random(batch * 4, 19);
        var right = GradientCheck.Random(batch * 3, 20);
        var packed = new float[batch * 7];
        net.ComputeGradients(GradTwoInputs.PackInputs(left, right), y, batch, Loss.MeanSquaredError, packed);
        var dLeft = new float[batch * 4];
        var dRight = new float[batch * 3];
        var firstTarget = new float[batch * 2];
        var secondTarget = new float[batch];
        for (int s = 0; s < batch; s++)
        {
            Array.Copy(y, s * 3, firstTarget, s * 2, 2);
            secondTarget[s] = y[s * 3 + 2];
        }
        net.ComputeGradients(left, right, firstTarget, secondTarget, batch, Loss.MeanSquaredError, dLeft, dRight);
        Assert.Equal(GradTwoInputs.PackInputs(dLeft, dRight), packed);
        var onlyRight = new float[batch * 3];
        net.ComputeGradients(left, right, firstTarget, secondTarget, batch, Loss.MeanSquaredError, default, onlyRight);
        Assert.Equal(dRight, onlyRight);
    }

    [Fact]
    public void Wrong_size_names_the_span_and_the_expected_length()
    {
        var net = new GradMlp();
        var x = new float[2 * 6];
        var y = GradientCheck.Distributions(2, 3, 1);
        var e = Assert.Throws<ArgumentException>(() => net.ComputeGradients(x, y, 2, Loss.CategoricalCrossentropy, new float[11]));
        Assert.Equal("inputGradient", e.ParamName);
        Assert.Contains("12", e.Message);
    }

    [Fact]
    public void Asking_for_the_input_gradient_allocates_nothing()
    {
        var net = new GradMlp();
        var x = GradientCheck.Random(4 * 6, 1);
        var y = GradientCheck.Distributions(4, 3, 2);
        var dx = new float[x.Length];
        net.ComputeGradients(x, y, 4, Loss.CategoricalCrossentropy, dx);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) net.ComputeGradients(x, y, 4, Loss.CategoricalCrossentropy, dx);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
