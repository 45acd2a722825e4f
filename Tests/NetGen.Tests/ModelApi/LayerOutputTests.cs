using System;
using System.Linq;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.ModelApi;

/// <summary>Intermediate outputs (Keras <c>Model(inputs, layer.output)</c>): <c>PredictLayers</c> and <c>PredictLayer</c> (issue 16).</summary>
public class LayerOutputTests
{
    [Fact]
    public void The_last_layer_is_Predict_and_an_inner_layer_is_the_network_cut_there()
    {
        var net = new GradMlp(seed: 7);
        var cut = new GradMlpCut();
        foreach (var p in GradMlpCut.ParameterLayout) cut.SetWeights(p.Name, net.GetWeights(p.Name));
        int batch = 5;
        var x = GradientCheck.Random(batch * GradMlp.InputLength, 3);

        var flatten = new float[batch * 6];
        var hidden = new float[batch * 4];
        var last = new float[batch * 3];
        net.PredictLayers(x, batch, flatten: flatten, dense_1: hidden, dense_2: last);

        Assert.Equal(net.Predict(x), last);
        Assert.Equal(cut.Predict(x), hidden);
        Assert.Equal(x, flatten);
    }

    [Fact]
    public void Several_chunks_batch_normalization_pooling_and_dropout_in_inference_mode()
    {
        var net = new ChunkedCnn(seed: 2);
        // Moving statistics away from (0, 1), so the inference form matters.
        var state = net.State;
        for (int i = 0; i < state.Length; i++) state[i] = i < 3 ? 0.2f * i : 1.5f + 0.1f * i;
        int batch = 5; // 3 chunks of at most 2
        var x = GradientCheck.Random(batch * ChunkedCnn.InputLength, 4);
        var conv = new float[batch * 75];
        var norm = new float[batch * 75];
        var pooled = new float[batch * 12];
        var dropout = new float[batch * 12];
        var output = new float[batch * 4];
        net.PredictLayers(x, batch, conv2d: conv, batch_normalization: norm, max_pooling2d: pooled, dropout: dropout, dense: output);
        Assert.Equal(net.Predict(x), output);
        Assert.Equal(pooled, dropout); // dropout is the identity at inference

        // Batch normalization by hand from the convolution's output and the moving statistics.
        var gamma = net.GetWeights("batch_normalization/gamma");
        var beta = net.GetWeights("batch_normalization/beta");
        for (int i = 0; i < conv.Length; i++)
        {
            int c = i % 3;
            double expected = gamma[c] * (conv[i] - state[c]) / Math.Sqrt(state[3 + c] + 1e-3) + beta[c];
            Assert.True(Math.Abs(expected - norm[i]) < 1e-5, $"batch_normalization[{i}]: {norm[i]} vs {expected}");
        }
        // Max pooling by hand (2x2, valid: 5x5 -> 2x2).
        for (int s = 0; s < batch; s++)
            for (int r = 0; r < 2; r++)
                for (int q = 0; q < 2; q++)
                    for (int c = 0; c < 3; c++)
                    {
                        float max = float.NegativeInfinity;
                        for (int dr = 0; dr < 2; dr++)
                            for (int dq = 0; dq < 2; dq++) max = Math.Max(max, norm[s * 75 + ((2 * r + dr) * 5 + 2 * q + dq) * 3 + c]);
                        Assert.Equal(max, pooled[s * 12 + (r * 2 + q) * 3 + c]);
                    }
    }

    [Fact]
    public void By_name_through_INetwork()
    {
        INetwork net = new GradMlp(seed: 1);
        var x = GradientCheck.Random(2 * 6, 9);
        var byName = new float[2 * 5];
        net.PredictLayer("dense", x, byName, 2);
        var typed = new float[2 * 5];
        ((GradMlp)net).PredictLayers(x, 2, dense: typed);
        Assert.Equal(typed, byName);
        Assert.Equal(new[] { "flatten", "dense", "dense_1", "dense_2" }, net.Layers.Select(l => l.Name));
        Assert.Equal(new[] { 5 }, net.Layers[1].OutputShape);
    }

    [Fact]
    public void Errors_name_the_layer_and_the_expected_size()
    {
        var net = new GradMlp();
        var x = new float[2 * 6];
        var e = Assert.Throws<ArgumentException>(() => net.PredictLayers(x, 2, dense_1: new float[7]));
        Assert.Equal("dense_1", e.ParamName);
        Assert.Contains("8", e.Message);
        Assert.Contains("'dense_1'", e.Message);
        e = Assert.Throws<ArgumentException>(() => net.PredictLayer("dense", x, new float[3], 2));
        Assert.Equal("output", e.ParamName);
        Assert.Contains("'dense'", e.Message);
        e = Assert.Throws<ArgumentException>(() => net.PredictLayer("dense_9", x, new float[3], 2));
        Assert.Equal("layer", e.ParamName);
        Assert.Contains("dense_9", e.Message);
        Assert.Contains("flatten, dense, dense_1, dense_2", e.Message);
    }

    [Fact]
    public void Allocates_nothing()
    {
        var net = new ChunkedCnn();
        var x = GradientCheck.Random(5 * ChunkedCnn.InputLength, 1);
        var pooled = new float[5 * 12];
        net.PredictLayers(x, 5, max_pooling2d: pooled);
        net.PredictLayer("dense", x, new float[20], 5);
        var output = new float[20];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            net.PredictLayers(x, 5, max_pooling2d: pooled);
            net.PredictLayer("dense", x, output, 5);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
