using System;
using System.Linq;
using NetGen.Optimizers;
using NetGen.Tests.EndToEnd;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.ModelApi;

/// <summary>Frozen layers (Keras <c>trainable = False</c>): declared with <c>Trainable = false</c> or set at run time (issue 16).</summary>
public class FrozenLayerTests
{
    private static (float[] X, float[] Y) Data(int n, int seed)
    {
        var x = GradientCheck.Random(n * 6, seed, 2f);
        var y = new float[n];
        for (int i = 0; i < n; i++) y[i] = (x[i * 6] + x[i * 6 + 1] > 0 ? 1 : 0) + (x[i * 6 + 2] > 0.5f ? 1 : 0);
        return (x, y);
    }

    private static float[] Weights(INetwork net, string layer)
        => net.ParameterLayout.Where(p => p.Layer == layer).SelectMany(p => net.GetWeights(p.Name)).ToArray();

    [Fact]
    public void Declared_frozen_weights_and_state_stay_bit_identical_through_Fit_and_the_rest_moves()
    {
        var net = new FrozenBase(seed: 3);
        var (x, y) = Data(64, 1);
        // Moving statistics away from their initial values, to see that training leaves them alone.
        for (int i = 0; i < net.State.Length; i++) net.State[i] = 0.5f + 0.01f * i;
        var features = Weights(net, "features");
        var norm = Weights(net, "norm");
        var state = net.State.ToArray();
        var hidden = Weights(net, "hidden");
        var head = Weights(net, "head");
        net.Compile(new AdamW(0.01f), Loss.SparseCategoricalCrossentropy);
        net.Fit(x, y, epochs: 3, batchSize: 16);

        Assert.Equal(features, Weights(net, "features"));
        Assert.Equal(norm, Weights(net, "norm"));
        Assert.Equal(state, net.State.ToArray());
        Assert.NotEqual(hidden, Weights(net, "hidden"));
        Assert.NotEqual(head, Weights(net, "head"));
        Assert.Equal(new[] { false, false, false, false, true, true, true, true }, net.TrainableWeights.ToArray());
        Assert.False(FrozenBase.ParameterLayout[0].DeclaredTrainable);
        Assert.False(FrozenBase.Layers[0].DeclaredTrainable);
        Assert.Contains("Trainable params: 63 ", FrozenBase.SummaryText);
        Assert.Contains("Non-trainable params: 88 ", FrozenBase.SummaryText); // 56 + 16 frozen weights, 16 moving statistics
    }

    [Fact]
    public void Declared_frozen_weights_get_no_gradient_and_batch_normalization_runs_in_inference_mode()
    {
        var net = new FrozenBase(seed: 5);
        for (int i = 0; i < net.State.Length; i++) net.State[i] = 0.3f + 0.02f * i;
        var (x, y) = Data(4, 2);
        net.ComputeGradients(x, y, 4, Loss.SparseCategoricalCrossentropy);
        int frozen = FrozenBase.ParameterLayout.Where(p => !p.DeclaredTrainable).Sum(p => p.Length);
        Assert.All(net.Gradients[..frozen].ToArray(), g => Assert.Equal(0f, g));
        Assert.Contains(net.Gradients[frozen..].ToArray(), g => g != 0);
        // Inference mode while training: the training-mode output is the prediction (no batch statistics).
        var predicted = net.Predict(x);
        var trainingOutput = net.TrainingOutput.ToArray();
        for (int i = 0; i < predicted.Length; i++) Assert.True(Math.Abs(predicted[i] - trainingOutput[i]) < 1e-6);
    }

    [Fact]
    public void The_gradient_through_a_frozen_batch_normalization_matches_finite_differences()
    {
        var net = new FrozenBase(seed: 8);
        for (int i = 0; i < net.State.Length; i++) net.State[i] = i < 8 ? 0.1f * i - 0.3f : 0.4f + 0.05f * i;
        var gamma = FrozenBase.ParameterLayout.First(p => p.Name == "norm/gamma");
        for (int i = 0; i < gamma.Length; i++) net.Parameters[gamma.Offset + i] = 0.5f + 0.1f * i;
        int batch = 3;
        var x = GradientCheck.Random(batch * 6, 21);
        var y = GradientCheck.Distributions(batch, 3, 22);
        var dx = new float[x.Length];
        net.ComputeGradients(x, y, batch, Loss.CategoricalCrossentropy, dx);
        var analytic = net.Gradients.ToArray();
        double worst = InputGradientTests.WorstInputError(net, x, y, batch, Loss.CategoricalCrossentropy, dx);
        Assert.True(worst <= 1, $"input gradient through the frozen layers: {worst:F2}x the bound");
        // The trainable weights' gradients too (the frozen ones are zero by design).
        const float h = 1e-2f;
        foreach (var p in FrozenBase.ParameterLayout.Where(p => p.DeclaredTrainable))
            for (int i = p.Offset; i < p.Offset + p.Length; i++)
            {
                float original = net.Parameters[i];
                net.Parameters[i] = original + h;
                double plus = net.ComputeGradients(x, y, batch, Loss.CategoricalCrossentropy);
                net.Parameters[i] = original - h;
                double minus = net.ComputeGradients(x, y, batch, Loss.CategoricalCrossentropy);
                net.Parameters[i] = original;
                double numeric = (plus - minus) / (2.0 * h);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 3e-4 + 1e-3 * Math.Abs(numeric), $"{p.Name}[{i - p.Offset}]: {analytic[i]} vs {numeric}");
            }
    }

    [Fact]
    public void Frozen_at_run_time_weights_and_state_stay_bit_identical_then_train_after_unfreezing()
    {
        var net = new FreezableBase(seed: 4);
        var (x, y) = Data(64, 3);
        net.SetTrainable("features", false);
        net.SetTrainable("norm", false);
        var features = Weights(net, "features");
        var norm = Weights(net, "norm");
        var state = net.State.ToArray();
        var head = Weights(net, "head");
        var optimizer = new Adam(0.01f) { WeightDecay = 0.01f, GlobalClipNorm = 1f };
        net.Compile(optimizer, Loss.SparseCategoricalCrossentropy);
        net.Fit(x, y, epochs: 2, batchSize: 16);
        Assert.Equal(features, Weights(net, "features"));
        Assert.Equal(norm, Weights(net, "norm"));
        Assert.Equal(state, net.State.ToArray());
        Assert.NotEqual(head, Weights(net, "head"));

        net.SetTrainable("features", true);
        net.SetTrainable("norm", true);
        net.Fit(x, y, epochs: 1, batchSize: 16);
        Assert.NotEqual(features, Weights(net, "features"));
        Assert.NotEqual(norm, Weights(net, "norm"));
        Assert.NotEqual(state, net.State.ToArray());
    }

    [Fact]
    public void Momentum_does_not_move_a_weight_frozen_after_training_started()
    {
        // After one step the features have SGD momentum; frozen, they must not move through it.
        var net = new FreezableBase(seed: 6);
        var (x, y) = Data(16, 4);
        var optimizer = new SGD(0.1f, momentum: 0.9);
        net.Compile(optimizer, Loss.SparseCategoricalCrossentropy);
        net.TrainOnBatch(x, y, 16);
        var features = Weights(net, "features");
        net.SetTrainable("features", false);
        net.TrainOnBatch(x, y, 16);
        net.TrainOnBatch(x, y, 16);
        Assert.Equal(features, Weights(net, "features"));
    }

    [Fact]
    public void Errors_name_the_layer()
    {
        var net = new FrozenBase();
        var e = Assert.Throws<ArgumentException>(() => net.SetTrainable("nope", false));
        Assert.Equal("layer", e.ParamName);
        Assert.Contains("features, norm, hidden, head", e.Message);
        var i = Assert.Throws<InvalidOperationException>(() => net.SetTrainable("features", true));
        Assert.Contains("'features'", i.Message);
        net.SetTrainable("features", false); // freezing what is frozen is fine
        INetwork n = new FreezableBase();
        n.SetTrainable("hidden", false);
        Assert.Equal(new[] { true, true, true, true, false, false, true, true }, n.TrainableWeights.ToArray());
    }
}
