using System;
using System.Linq;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// Networks using the activation layers and the new activations against PyTorch (float64) fixtures written by
/// tools/reference/make_activation_fixtures.py, and against central finite differences.
/// </summary>
public class ActivationLayerTests
{
    private static NetworkFixture Load(string network) => NetworkFixture.Load(network, "activations", "networks");

    private static INetwork Create(string name) => name switch
    {
        "ActivationLayersNet" => new ActivationLayersNet(),
        "NewActivationsNet" => new NewActivationsNet(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    [Theory]
    [InlineData("ActivationLayersNet")]
    [InlineData("NewActivationsNet")]
    public void MatchesPyTorch(string network)
    {
        var f = Load(network);
        f.AssertMatches(Create(f.Network), Enum.Parse<Loss>(f.Loss!), trainingOutput: true);
    }

    [Fact]
    public void ActivationLayersNetGradientsMatchFiniteDifferences()
    {
        var net = new ActivationLayersNet(5);
        const int batch = 3;
        var x = GradientCheck.Random(batch * ActivationLayersNet.InputLength, 11, 2f);
        var y = GradientCheck.Random(batch * 3, 12);
        // ReLU's kinks (threshold and cap): a small step, which a float loss still resolves on these O(1) values.
        double worst = GradientCheck.MaxError(net, x, y, batch, Loss.MeanSquaredError, h: 2e-3f);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}× the bound");
    }

    [Fact]
    public void NewActivationsNetGradientsMatchFiniteDifferences()
    {
        var net = new NewActivationsNet(6);
        const int batch = 2;
        var x = GradientCheck.Random(batch * NewActivationsNet.InputLength, 13, 2f);
        var y = GradientCheck.Random(batch * 3, 14, 1f).Select(v => v - 2f).ToArray();
        double worst = GradientCheck.MaxError(net, x, y, batch, Loss.MeanSquaredError, h: 2e-3f);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}× the bound");
    }

    [Fact]
    public void LayersWithActivationParametersMatchTheActivationLayers()
    {
        // ReLU() = relu, ReLU(MaxValue = 6) = relu6, LeakyReLU(0.2) = leaky_relu, ELU() = elu, Softmax(Axis = -2) over
        // the 4 steps; checked against the same network written with kernels called directly.
        var net = new ActivationDefaultsNet(3);
        const int batch = 2;
        var x = GradientCheck.Random(batch * 12, 21, 2f);
        var output = new float[batch * 12];
        net.Predict(x, output, batch);
        var p = net.Parameters.ToArray();
        var layout = ActivationDefaultsNet.ParameterLayout;
        float[] W(string name) { var i = layout.Single(l => l.Name == name); return p.AsSpan(i.Offset, i.Length).ToArray(); }
        var expected = new float[batch * 12];
        for (int b = 0; b < batch; b++)
        {
            var h = x.AsSpan(b * 12, 12).ToArray();
            h = DenseRows(h, W("dense/kernel"), W("dense/bias"));
            global::NetGen.Kernels.Activations.Relu(h, h);
            h = DenseRows(h, W("dense_1/kernel"), W("dense_1/bias"));
            global::NetGen.Kernels.Activations.Relu6(h, h);
            h = DenseRows(h, W("dense_2/kernel"), W("dense_2/bias"));
            global::NetGen.Kernels.Activations.LeakyRelu(h, h);
            h = DenseRows(h, W("dense_3/kernel"), W("dense_3/bias"));
            global::NetGen.Kernels.Activations.Elu(h, h);
            global::NetGen.Kernels.Activations.SoftmaxAxis(h, h, 1, 4, 3);
            h = DenseRows(h, W("dense_4/kernel"), W("dense_4/bias"));
            global::NetGen.Kernels.Activations.Mish(h, h);
            global::NetGen.Kernels.Activations.LogSoftmax(h, h, 3);
            global::NetGen.Kernels.Activations.Softmax(h, h, 3);
            h.CopyTo(expected, b * 12);
        }
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], output[i], 5);
        // The summary keeps Keras' class names and default names.
        string summary = ActivationDefaultsNet.SummaryText;
        foreach (var text in new[] { "re_lu (ReLU)", "re_lu_1 (ReLU)", "leaky_re_lu (LeakyReLU)", "elu (ELU)", "softmax (Softmax)", "activation (Activation)" })
            Assert.Contains(text, summary);
    }

    private static float[] DenseRows(float[] x, float[] kernel, float[] bias)
    {
        int units = bias.Length, inF = kernel.Length / units, rows = x.Length / inF;
        var y = new float[rows * units];
        global::NetGen.Kernels.Dense.Forward(x, kernel, bias, y, rows, inF, units);
        return y;
    }
}
