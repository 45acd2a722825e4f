using System;
using System.Linq;
using NetGen.Kernels;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>Keras defaults of the recurrent layers: weight names and shapes, orthogonal recurrent kernels, unit_forget_bias, dropout.</summary>
public class RecurrentLayerTests
{
    [Fact]
    public void WeightsHaveKerasNamesAndShapes()
    {
        Assert.Equal(new[] { "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "dense/kernel", "dense/bias" }, LstmNet.ParameterLayout.Select(p => p.Name));
        Assert.Equal(new[] { 3, 16 }, LstmNet.ParameterLayout[0].Shape);
        Assert.Equal(new[] { 4, 16 }, LstmNet.ParameterLayout[1].Shape);
        Assert.Equal(new[] { 16 }, LstmNet.ParameterLayout[2].Shape);
        Assert.Equal(new[] { 2, 12 }, GruNet.ParameterLayout.Single(p => p.Name == "gru/bias").Shape);       // reset_after = true
        Assert.Equal(new[] { 12 }, GruSequenceNet.ParameterLayout.Single(p => p.Name == "gru/bias").Shape);  // reset_after = false
        Assert.Equal(new[] { 4, 4 }, SimpleRnnNet.ParameterLayout.Single(p => p.Name == "simple_rnn/recurrent_kernel").Shape);
        Assert.DoesNotContain(LstmSequenceNet.ParameterLayout, p => p.Name.EndsWith("/bias", StringComparison.Ordinal) && p.Name.StartsWith("lstm", StringComparison.Ordinal));
        // Bidirectional: Keras' forward_<layer> weights, then backward_<layer>; concat doubles the output.
        Assert.Equal(new[] { "lstm/forward_lstm/kernel", "lstm/forward_lstm/recurrent_kernel", "lstm/forward_lstm/bias",
            "lstm/backward_lstm/kernel", "lstm/backward_lstm/recurrent_kernel", "lstm/backward_lstm/bias", "dense/kernel", "dense/bias" },
            BiLstmNet.ParameterLayout.Select(p => p.Name));
        Assert.Equal(new[] { 8, 2 }, BiLstmNet.ParameterLayout.Single(p => p.Name == "dense/kernel").Shape);
        // Keras' parameter counts: 4·(F·u + u·u + u) and 3·(F·u + u·u + 2u).
        Assert.Equal(4 * (3 * 4 + 4 * 4 + 4) + 4 * 2 + 2, LstmNet.ParameterCount);
        Assert.Equal(3 * (3 * 4 + 4 * 4 + 2 * 4) + 4 * 2 + 2, GruNet.ParameterCount);
    }

    [Fact]
    public void DefaultInitialisationIsKeras()
    {
        var net = new LstmNet(7);
        var p = net.Parameters;
        var rk = LstmNet.ParameterLayout[1];
        // Orthogonal (4, 16): the four rows are orthonormal.
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double dot = 0;
                for (int k = 0; k < 16; k++) dot += p[rk.Offset + i * 16 + k] * p[rk.Offset + j * 16 + k];
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-5, $"rows {i}, {j}: {dot}");
            }
        // unit_forget_bias: the forget block [u, 2u) is 1, the rest 0.
        var bias = p.Slice(LstmNet.ParameterLayout[2].Offset, 16).ToArray();
        Assert.Equal(Enumerable.Repeat(0f, 4).Concat(Enumerable.Repeat(1f, 4)).Concat(Enumerable.Repeat(0f, 8)), bias);
        // Different seeds draw different orthogonal matrices.
        Assert.NotEqual(p.Slice(rk.Offset, rk.Length).ToArray(), new LstmNet(8).Parameters.Slice(rk.Offset, rk.Length).ToArray());
    }

    [Fact]
    public void OrthogonalRoutesThroughInitializersFill()
    {
        // A (6, 3) weight (fan_in 6): three orthonormal columns; a (3, 6) weight: three orthonormal rows.
        foreach (var (rows, cols) in new[] { (6, 3), (3, 6) })
        {
            var w = new float[rows * cols];
            Initializers.Fill(Initializer.Orthogonal, w, rows, cols, new Rng(3));
            var expected = new float[rows * cols];
            Orthogonal.Fill(expected, rows, cols, 1, new Rng(3));
            Assert.Equal(expected, w);
            int n = Math.Min(rows, cols);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double dot = 0;
                    for (int k = 0; k < Math.Max(rows, cols); k++)
                        dot += rows > cols ? w[k * cols + i] * w[k * cols + j] : w[i * cols + k] * w[j * cols + k];
                    Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-5, $"{rows}x{cols} {i},{j}: {dot}");
                }
        }
    }

    [Fact]
    public void InputDropoutActsOnlyWhileTrainingAndFollowsTheSeed()
    {
        var net = new DropoutLstmNet(2);
        var x = GradientCheck.Random(4 * 18, 3);
        var y = new float[4 * 2];
        var predicted = new float[4 * 2];
        net.Predict(x, predicted, 4);
        var plain = new LstmNet(2); // same architecture and initialisation without dropout
        var expected = new float[4 * 2];
        plain.Predict(x, expected, 4);
        Assert.Equal(expected, predicted);
        net.ComputeGradients(x, y, 4, Loss.MeanSquaredError);
        var first = net.TrainingOutput.ToArray();
        Assert.NotEqual(predicted, first);
        net.ComputeGradients(x, y, 4, Loss.MeanSquaredError);
        Assert.NotEqual(first, net.TrainingOutput.ToArray()); // a new mask per call
        // Seed = 3 fixes the stream: a new instance repeats the first call's mask.
        var again = new DropoutLstmNet(2);
        again.ComputeGradients(x, y, 4, Loss.MeanSquaredError);
        Assert.Equal(first, again.TrainingOutput.ToArray());
    }

    [Fact]
    public void InputDropoutMaskIsPerSequenceAndFeature()
    {
        const int batch = 2, steps = 3, features = 4;
        var x = Enumerable.Range(1, batch * steps * features).Select(i => (float)i).ToArray();
        var y = new float[x.Length];
        var mask = new float[batch * features];
        Recurrent.InputDropoutForward(x, y, mask, batch, steps, features, 0.5f, new Rng(11));
        Assert.All(mask, m => Assert.True(m == 0f || m == 2f));
        Assert.Contains(0f, mask);
        Assert.Contains(2f, mask);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                for (int f = 0; f < features; f++)
                    Assert.Equal(x[(b * steps + t) * features + f] * mask[b * features + f], y[(b * steps + t) * features + f]);
        var dx = new float[x.Length];
        Recurrent.InputDropoutBackward(y, mask, dx, batch, steps, features);
        for (int i = 0; i < dx.Length; i++) Assert.Equal(y[i] * mask[i / (steps * features) * features + i % features], dx[i]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Recurrent.InputDropoutForward(x, y, mask, batch, steps, features, 1f, new Rng(1)));
    }

    [Fact]
    public void MaskingZeroesPaddedStepsAndMarksThem()
    {
        var x = new float[] { 1, 2, /**/ 0, 0, /**/ 0, 3, /**/ -1, -1 };
        var y = new float[8];
        var mask = new float[4];
        NetGen.Kernels.Masking.Forward(x, y, mask, 2, 2, 2, 0f);
        Assert.Equal(new float[] { 1, 0, 1, 1 }, mask);
        Assert.Equal(new float[] { 1, 2, 0, 0, 0, 3, -1, -1 }, y);
        NetGen.Kernels.Masking.Forward(x, y, mask, 2, 2, 2, -1f);
        Assert.Equal(new float[] { 1, 1, 1, 0 }, mask);
        Assert.Equal(new float[] { 1, 2, 0, 0, 0, 3, 0, 0 }, y);
        var dx = new float[8];
        NetGen.Kernels.Masking.Backward(new float[] { 1, 1, 1, 1, 1, 1, 1, 1 }, mask, dx, 2, 2, 2);
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 1, 0, 0 }, dx);
    }

    [Fact]
    public void MaskedLastOutputIsTheLastRealStep()
    {
        // Two trailing padded steps do not change a SimpleRNN's output: the same as the sequence cut before them (then
        // padded with the mask value, which the masked network ignores and an unmasked one would read as data).
        var net = new MaskedSimpleRnnNet(4);
        var x = RecurrentGradientTests.PaddedInput(6, 3, 5, -1f);
        var y = new float[3 * 2];
        net.Predict(x, y, 3);
        var changed = (float[])x.Clone();
        for (int f = 0; f < 3; f++) changed[(1 * 6 + 5) * 3 + f] = -1f; // already padding: unchanged
        var y2 = new float[6];
        net.Predict(changed, y2, 3);
        Assert.Equal(y, y2);
        for (int f = 0; f < 3; f++) changed[(1 * 6 + 5) * 3 + f] = 0.5f; // a real step now
        net.Predict(changed, y2, 3);
        Assert.NotEqual(y[2], y2[2]);
        Assert.Equal(y[0], y2[0]);
    }

    /// <summary>Stacked LSTMs on the GEMV path each keep a packed copy (up to four per thread), checked like one.</summary>
    [Fact]
    public void StackedLstmsAtBatchOneKeepTheirOwnPackedWeights()
    {
        // Five layers share a thread's four packed copies: every call evicts and packs some; the outputs must still be
        // those of a fresh thread (no packed copy at all) and follow a write to any one layer.
        var net = new StackedLstmGemvNet(4);
        var x = Enumerable.Range(0, 18).Select(i => MathF.Cos(i * 0.3f)).ToArray();
        float[] Predict()
        {
            var y = new float[2];
            net.Predict(x, y);
            return y;
        }
        float[] Fresh()
        {
            var weights = net.Parameters.ToArray();
            float[] y = new float[2];
            var thread = new System.Threading.Thread(() =>
            {
                var copy = new StackedLstmGemvNet(9);
                weights.CopyTo(copy.Parameters);
                copy.Predict(x, y);
            });
            thread.Start();
            thread.Join();
            return y;
        }
        float[] first = Predict();
        Assert.Equal(first, Predict());
        Assert.Equal(Fresh(), first);
        var middle = net.FindWeight("lstm_2/recurrent_kernel");
        net.Parameters[middle.Offset + 7 * 128 + 40] += 0.5f;
        float[] moved = Predict();
        Assert.False(first.AsSpan().SequenceEqual(moved), "a write to the third LSTM changed nothing, so this tests nothing");
        Assert.Equal(Fresh(), moved);
        Assert.Equal(moved, Predict());
    }

    /// <summary>
    /// Every way a user changes weights reaches the next batch-1 Predict of an LSTM on the GEMV path, which keeps packed
    /// weights between calls: a write through a <c>Parameters</c> span taken before the previous Predict, SetWeights,
    /// Load and a training step. After each, Predict must equal, bit for bit, a copy of the network predicting on a new
    /// thread (which has packed nothing), and differ from the Predict before the change.
    /// </summary>
    [Fact]
    public void LstmBatchOnePredictFollowsEveryWeightWrite()
    {
        var net = new LstmGemvNet(3);
        var x = Enumerable.Range(0, 18).Select(i => MathF.Sin(i * 0.7f)).ToArray();
        float[] Predict()
        {
            var y = new float[2];
            net.Predict(x, y);
            return y;
        }
        float[] Fresh(float[] weights)
        {
            float[] y = new float[2];
            var thread = new System.Threading.Thread(() =>
            {
                var copy = new LstmGemvNet(9);
                weights.CopyTo(copy.Parameters);
                copy.Predict(x, y);
            });
            thread.Start();
            thread.Join();
            return y;
        }
        void Follows(float[] before, string what)
        {
            float[] now = Predict();
            Assert.False(before.AsSpan().SequenceEqual(now), $"{what}: the outputs did not change, so this tests nothing");
            Assert.Equal(Fresh(net.Parameters.ToArray()), now);
        }

        ParameterInfo recurrent = net.FindWeight("lstm/recurrent_kernel"), kernel = net.FindWeight("lstm/kernel");
        Span<float> parameters = net.Parameters; // taken now, written after the Predicts below
        float[] y0 = Predict();
        parameters[recurrent.Offset + 31 * 128 + 100] += 0.5f;
        Follows(y0, "a write through a Parameters span taken earlier");
        float[] y1 = Predict();
        parameters[kernel.Offset + 2 * 128 + 3] -= 0.5f;
        Follows(y1, "a write to the input kernel through the same span");

        float[] y2 = Predict();
        var values = net.GetWeights("lstm/recurrent_kernel");
        values[5] += 0.25f;
        net.SetWeights("lstm/recurrent_kernel", values);
        Follows(y2, "SetWeights");

        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"netgen-lstm-gemv-{Guid.NewGuid():N}.weights");
        try
        {
            float[] saved = Predict();
            net.Save(path);
            parameters[recurrent.Offset + 16 * 128 + 7] += 0.5f;
            float[] changed = Predict();
            net.Load(path);
            Follows(changed, "Load");
            Assert.Equal(saved, Predict());
        }
        finally
        {
            System.IO.File.Delete(path);
        }

        float[] y3 = Predict();
        net.Compile(new NetGen.Optimizers.SGD(0.5f), Loss.MeanSquaredError);
        net.TrainOnBatch(x, new float[] { 1f, -1f }, 1);
        Follows(y3, "a training step");
    }
}
