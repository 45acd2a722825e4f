using System;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>Every generated backward pass against finite differences of the generated forward pass.</summary>
public class GradientTests
{
    public static TheoryData<string> Activations => new()
    {
        "Linear", "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Elu", "Selu", "Swish", "Softplus", "Gelu",
    };

    private static INetwork ActivationNet(string name) => name switch
    {
        "Linear" => new LinearNet(1), "Relu" => new ReluNet(1), "Sigmoid" => new SigmoidNet(1), "Tanh" => new TanhNet(1),
        "Softmax" => new SoftmaxNet(1), "LeakyRelu" => new LeakyReluNet(1), "Elu" => new EluNet(1), "Selu" => new SeluNet(1),
        "Swish" => new SwishNet(1), "Softplus" => new SoftplusNet(1), "Gelu" => new GeluNet(1),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void DenseWithEveryActivation(string activation)
    {
        var net = ActivationNet(activation);
        const int batch = 3;
        GradientCheck.AssertMatches(net, GradientCheck.Random(batch * 4, 11, 1.5f), GradientCheck.Random(batch * 3, 12), batch, Loss.MeanSquaredError);
    }

    [Theory]
    [InlineData(Loss.CategoricalCrossentropy)]
    [InlineData(Loss.SparseCategoricalCrossentropy)]
    [InlineData(Loss.MeanSquaredError)]
    [InlineData(Loss.BinaryCrossentropy)]
    public void SoftmaxOutputWithEachLoss(Loss loss)
    {
        var net = new TinySoftmaxNet(seed: 5);
        const int batch = 4;
        var x = GradientCheck.Random(batch * 5, 21, 2f);
        var y = loss == Loss.SparseCategoricalCrossentropy ? new float[] { 2, 0, 1, 2 } : GradientCheck.Distributions(batch, 3, 22);
        GradientCheck.AssertMatches(net, x, y, batch, loss);
    }

    [Theory]
    [InlineData(Loss.BinaryCrossentropy)]
    [InlineData(Loss.MeanSquaredError)]
    public void SigmoidOutputOverASequence(Loss loss)
    {
        var net = new SequenceSigmoidNet(seed: 6);
        const int batch = 3;
        var y = new float[] { 1, 0, 0, 0, 1, 1 };
        GradientCheck.AssertMatches(net, GradientCheck.Random(batch * 6, 31, 2f), y, batch, loss);
    }

    [Fact]
    public void ReshapeAndSeparateActivationLayer()
    {
        var net = new ReshapeActivationLayerNet(seed: 7);
        const int batch = 2;
        GradientCheck.AssertMatches(net, GradientCheck.Random(batch * 6, 41, 1.5f), GradientCheck.Distributions(batch, 4, 42), batch, Loss.CategoricalCrossentropy);
        GradientCheck.AssertMatches(net, GradientCheck.Random(batch * 6, 43, 1.5f), GradientCheck.Distributions(batch, 4, 44), batch, Loss.MeanSquaredError);
    }

    [Fact]
    public void TheCheckCatchesAWrongGradient()
    {
        // Negative control: the bound must reject a gradient off by the factor a forgotten 2 in the MSE derivative
        // (or a forgotten 1/batch) would give.
        var net = new TanhNet(1);
        var x = GradientCheck.Random(8, 51);
        var y = GradientCheck.Random(6, 52);
        double honest = GradientCheck.MaxError(net, x, y, 2, Loss.MeanSquaredError);
        double worst = 0;
        net.ComputeGradients(x, y, 2, Loss.MeanSquaredError);
        var analytic = net.Gradients.ToArray();
        for (int i = 0; i < analytic.Length; i++)
        {
            float original = net.Parameters[i];
            net.Parameters[i] = original + 1e-2f;
            double plus = net.ComputeGradients(x, y, 2, Loss.MeanSquaredError);
            net.Parameters[i] = original - 1e-2f;
            double minus = net.ComputeGradients(x, y, 2, Loss.MeanSquaredError);
            net.Parameters[i] = original;
            double numeric = (plus - minus) / 2e-2;
            worst = Math.Max(worst, Math.Abs(numeric - analytic[i] / 2) / (3e-4 + 1e-3 * Math.Abs(numeric)));
        }
        Assert.True(honest <= 1, $"honest error {honest}");
        Assert.True(worst > 10, $"a halved gradient was only {worst}× the bound");
    }

    [Fact]
    public void SoftmaxCrossEntropyGradientReachingTheLogitsIsExactlyPMinusYOverBatch()
    {
        // With a single Dense(3, softmax) layer fed by a one-hot input, the bias gradient is exactly the gradient
        // at the logits: Σ_batch (p - y) / batch.
        var net = new TinySoftmaxNet(seed: 9);
        const int batch = 2;
        var x = GradientCheck.Random(batch * 5, 61);
        var y = new float[] { 0, 1, 0, 1, 0, 0 };
        net.ComputeGradients(x, y, batch, Loss.CategoricalCrossentropy);
        var p = net.TrainingOutput.ToArray();
        var biasGrad = net.Gradients.Slice(TinySoftmaxNet.ParameterLayout[3].Offset, 3).ToArray();
        for (int k = 0; k < 3; k++)
        {
            double expected = ((p[k] - y[k]) + (p[3 + k] - y[3 + k])) / batch;
            Assert.Equal(expected, biasGrad[k], 6);
        }
    }

    [Fact]
    public void CrossEntropyOfSaturatedLogitsStaysFinite()
    {
        var net = new TinySoftmaxNet(seed: 1);
        net.Parameters.Fill(0);
        // Huge logits: class 0 gets +400, the true class 2 gets 0. log(p) of a probability that underflows
        // to 0 must not give NaN or infinity.
        var layout = TinySoftmaxNet.ParameterLayout;
        net.Parameters[layout[3].Offset + 0] = 400;
        float loss = net.ComputeGradients(new float[5], new float[] { 0, 0, 1 }, 1, Loss.CategoricalCrossentropy);
        Assert.True(float.IsFinite(loss));
        Assert.Equal(400, loss, 2);
        foreach (var g in net.Gradients) Assert.True(float.IsFinite(g));
    }
}
