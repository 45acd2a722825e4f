using System;
using System.Linq;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.ModelApi;

/// <summary>Gradients of the inference mode (Keras <c>training=False</c> under a gradient tape), issue 16.</summary>
public class InferenceModeGradientTests
{
    private static ModeDependent Network()
    {
        var net = new ModeDependent(seed: 3);
        for (int i = 0; i < net.State.Length; i++) net.State[i] = i < 6 ? 0.1f * i - 0.2f : 0.5f + 0.1f * (i - 6);
        var gamma = net.FindWeight("batch_normalization/gamma");
        for (int i = 0; i < gamma.Length; i++) net.Parameters[gamma.Offset + i] = 0.7f + 0.1f * i;
        return net;
    }

    [Fact]
    public void Weight_and_input_gradients_match_finite_differences_of_the_inference_loss()
    {
        var net = Network();
        int batch = 3;
        var x = GradientCheck.Random(batch * 5, 1);
        var y = GradientCheck.Distributions(batch, 3, 2);
        var state = net.State.ToArray();
        var dx = new float[x.Length];
        float loss = net.ComputeGradients(x, y, batch, Loss.CategoricalCrossentropy, dx, training: false);
        var analytic = net.Gradients.ToArray();
        Assert.Equal(state, net.State.ToArray()); // the moving statistics are read, not updated

        // The loss is the loss of Predict's output (inference mode): no dropout, no noise, moving statistics.
        var predicted = net.Predict(x);
        double expected = 0;
        for (int i = 0; i < predicted.Length; i++) expected -= y[i] * Math.Log(Math.Max(predicted[i], 1e-7));
        Assert.True(Math.Abs(loss - expected / batch) < 1e-5, $"{loss} vs {expected / batch}");

        const float h = 1e-2f;
        double LossAt(float[] input) => net.ComputeGradients(input, y, batch, NetGen.Loss.CategoricalCrossentropy, default, training: false);
        for (int i = 0; i < analytic.Length; i++)
        {
            float original = net.Parameters[i];
            net.Parameters[i] = original + h;
            double plus = LossAt(x);
            net.Parameters[i] = original - h;
            double minus = LossAt(x);
            net.Parameters[i] = original;
            double numeric = (plus - minus) / (2.0 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 3e-4 + 1e-3 * Math.Abs(numeric), $"weight {i}: {analytic[i]} vs {numeric}");
        }
        double worst = InputGradientTests.WorstInputError(new InferenceMode(net), x, y, batch, NetGen.Loss.CategoricalCrossentropy, dx);
        Assert.True(worst <= 1, $"input gradient: {worst:F2}x the bound");
    }

    [Fact]
    public void Equals_the_network_without_dropout_and_with_batch_normalization_frozen()
    {
        var net = Network();
        var reference = new ModeDependentReference();
        reference.Parameters.Clear();
        net.Parameters.CopyTo(reference.Parameters);
        net.State.CopyTo(reference.State);
        int batch = 4;
        var x = GradientCheck.Random(batch * 5, 5);
        var y = GradientCheck.Distributions(batch, 3, 6);
        var dx = new float[x.Length];
        var dxReference = new float[x.Length];
        float loss = net.ComputeGradients(x, y, batch, Loss.CategoricalCrossentropy, dx, training: false);
        float lossReference = reference.ComputeGradients(x, y, batch, Loss.CategoricalCrossentropy, dxReference);
        Assert.Equal(lossReference, loss, 6);
        Assert.Equal(dxReference, dx);
        // Frozen gamma and beta get no gradient in the reference; every other weight's gradient agrees.
        var frozen = ModeDependentReference.ParameterLayout.Where(p => !p.DeclaredTrainable).ToList();
        for (int i = 0; i < net.Gradients.Length; i++)
            if (!frozen.Any(p => i >= p.Offset && i < p.Offset + p.Length))
                Assert.Equal(reference.Gradients[i], net.Gradients[i], 6);

        // training: true is the ordinary step (batch statistics, dropout): a different loss.
        float trainingLoss = net.ComputeGradients(x, y, batch, Loss.CategoricalCrossentropy, default, training: true);
        Assert.NotEqual(loss, trainingLoss);
    }

    /// <summary>An <see cref="INetwork"/> whose ComputeGradients is the inference-mode one (for the finite-difference helper).</summary>
    private sealed class InferenceMode : INetwork
    {
        private readonly INetwork _net;

        public InferenceMode(INetwork net) => _net = net;

        public int InputLength => _net.InputLength;
        public int OutputLength => _net.OutputLength;
        public int OutputRowsPerSample => _net.OutputRowsPerSample;
        public int ParameterCount => _net.ParameterCount;
        public Span<float> Parameters => _net.Parameters;
        public ReadOnlySpan<float> Gradients => _net.Gradients;
        public System.Collections.Generic.IReadOnlyList<ParameterInfo> ParameterLayout => _net.ParameterLayout;
        public string WeightSignature => _net.WeightSignature;
        public ReadOnlySpan<float> TrainingOutput => _net.TrainingOutput;
        public void Save(string path) => _net.Save(path);
        public void Load(string path) => _net.Load(path);
        public void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize = 1) => _net.Predict(input, output, batchSize);
        public float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int batchSize, Loss loss)
            => _net.ComputeGradients(input, target, batchSize, loss, Span<float>.Empty, false);
    }
}
