using System;
using System.IO;
using Xunit;

namespace NetGen.Tests.EndToEnd;

public class InferenceTests
{
    [Fact]
    public void PredictAllocatesNothingAfterConstruction()
    {
        var net = new SliceMlp(seed: 1);
        var input = GradientCheck.Random(20 * SliceMlp.InputLength, 3);
        var output = new float[20 * SliceMlp.OutputLength];
        net.Predict(input, output, 20); // warm-up: JIT, static initialisation
        net.Predict(input.AsSpan(0, SliceMlp.InputLength), output.AsSpan(0, SliceMlp.OutputLength));
        long allocated = Allocations.Fewest(() =>
        {
            for (int i = 0; i < 50; i++)
            {
                net.Predict(input.AsSpan(0, SliceMlp.InputLength), output.AsSpan(0, SliceMlp.OutputLength));
                net.Predict(input, output, 20); // 20 > InferenceBatchCapacity (8): three chunks
            }
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ConvolutionalAndNormalizedNetworksAllocateNothingEither()
    {
        INetwork[] networks = { new ConvSameStridedNet(1), new TransposedDepthwiseSeparableNet(2), new LocallyConnectedSpatialNet(3), new NormalizedNet(4), new Conv3DNet(5) };
        foreach (var net in networks)
        {
            var input = GradientCheck.Random(3 * net.InputLength, 7);
            var output = new float[3 * net.OutputLength];
            var target = new float[3 * net.OutputLength];
            net.Predict(input, output, 3);
            net.ComputeGradients(input, target, 3, Loss.MeanSquaredError);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
            {
                net.Predict(input, output, 3);
                net.ComputeGradients(input, target, 3, Loss.MeanSquaredError);
            }
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before == 0, $"{net.GetType().Name} allocated");
        }
    }

    [Fact]
    public void TrainingStepAllocatesNothingAfterWarmUp()
    {
        var net = new DropoutNet(seed: 2);
        var x = GradientCheck.Random(16 * 8, 4);
        var y = GradientCheck.Distributions(16, 4, 5);
        net.ComputeGradients(x, y, 16, Loss.CategoricalCrossentropy);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) net.ComputeGradients(x, y, 16, Loss.CategoricalCrossentropy);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ChunkedPredictEqualsOneSampleAtATime()
    {
        var net = new SliceMlp(seed: 3);
        const int batch = 19; // two full chunks of 8 and a partial one
        var input = GradientCheck.Random(batch * SliceMlp.InputLength, 6);
        var all = new float[batch * SliceMlp.OutputLength];
        net.Predict(input, all, batch);
        var one = new float[SliceMlp.OutputLength];
        for (int b = 0; b < batch; b++)
        {
            net.Predict(input.AsSpan(b * SliceMlp.InputLength, SliceMlp.InputLength), one);
            // The GEMM blocks rows differently for a batch of 8 than for 1, so the float sums may round
            // differently: equal to float precision (a wrong chunk offset would differ by O(0.1)).
            for (int k = 0; k < one.Length; k++) Assert.Equal(one[k], all[b * SliceMlp.OutputLength + k], 1e-6f);
        }
    }

    [Fact]
    public void ParametersFollowKerasLayout()
    {
        // Recompute TinySoftmaxNet by hand from Parameters read as Keras get_weights(): kernel (in, units)
        // row-major, then bias, layer after layer.
        var net = new TinySoftmaxNet(seed: 4);
        var x = GradientCheck.Random(5, 7);
        var p = net.Parameters.ToArray();
        var layout = TinySoftmaxNet.ParameterLayout;
        Assert.Equal(new[] { "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias" }, new[] { layout[0].Name, layout[1].Name, layout[2].Name, layout[3].Name });
        Assert.Equal(new[] { 5, 4 }, layout[0].Shape);
        Assert.Equal(new[] { 0, 20, 24, 36 }, new[] { layout[0].Offset, layout[1].Offset, layout[2].Offset, layout[3].Offset });
        var h = new double[4];
        for (int o = 0; o < 4; o++)
        {
            double z = p[20 + o];
            for (int i = 0; i < 5; i++) z += x[i] * p[i * 4 + o];
            h[o] = Math.Tanh(z);
        }
        var logits = new double[3];
        for (int o = 0; o < 3; o++)
        {
            logits[o] = p[36 + o];
            for (int i = 0; i < 4; i++) logits[o] += h[i] * p[24 + i * 3 + o];
        }
        double max = Math.Max(logits[0], Math.Max(logits[1], logits[2]));
        double sum = 0;
        for (int o = 0; o < 3; o++) sum += Math.Exp(logits[o] - max);
        var output = new float[3];
        net.Predict(x, output);
        for (int o = 0; o < 3; o++) Assert.Equal(Math.Exp(logits[o] - max) / sum, output[o], 6);
    }

    [Fact]
    public void InitialisationIsKerasDefaultAndDeterministic()
    {
        var a = new SliceMlp(seed: 42);
        var b = new SliceMlp(seed: 42);
        var c = new SliceMlp(seed: 43);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));
        var kernel = a.Parameters.Slice(0, 784 * 32);
        double limit = Math.Sqrt(6.0 / (784 + 32)); // glorot_uniform
        double sumSquares = 0;
        foreach (var w in kernel)
        {
            Assert.InRange(w, -limit, limit);
            sumSquares += w * w;
        }
        // Variance of U(-L, L) is L²/3; with 25,088 draws the sample variance is within 2% (≈ 5 standard errors).
        Assert.InRange(sumSquares / kernel.Length, limit * limit / 3 * 0.98, limit * limit / 3 * 1.02);
        foreach (var bias in a.Parameters.Slice(784 * 32, 32)) Assert.Equal(0f, bias);
    }

    [Fact]
    public void DropoutIsIdentityWhenPredictingAndSeededWhenTraining()
    {
        var x = GradientCheck.Random(4 * 8, 8);
        var y = GradientCheck.Distributions(4, 4, 9);
        var a = new DropoutNet(seed: 5);
        var b = new DropoutNet(seed: 5);
        a.ComputeGradients(x, y, 4, Loss.CategoricalCrossentropy);
        b.ComputeGradients(x, y, 4, Loss.CategoricalCrossentropy);
        Assert.True(a.Gradients.SequenceEqual(b.Gradients)); // same seed, same mask
        var first = a.Gradients.ToArray();
        a.ComputeGradients(x, y, 4, Loss.CategoricalCrossentropy);
        Assert.False(a.Gradients.SequenceEqual(first)); // a new mask each step
        var p1 = new float[16];
        var p2 = new float[16];
        a.Predict(x, p1, 4);
        a.Predict(x, p2, 4);
        Assert.Equal(p1, p2); // inference: no randomness
    }

    [Fact]
    public void BadArgumentsNameTheArgumentAndTheExpectedSize()
    {
        var net = new TinySoftmaxNet();
        var e = Assert.Throws<ArgumentException>(() => net.Predict(new float[9], new float[6], 2));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("10", e.Message);
        e = Assert.Throws<ArgumentException>(() => net.Predict(new float[10], new float[5], 2));
        Assert.Equal("output", e.ParamName);
        Assert.Contains("6", e.Message);
        e = Assert.Throws<ArgumentException>(() => net.ComputeGradients(new float[10], new float[3], 2, Loss.CategoricalCrossentropy));
        Assert.Equal("target", e.ParamName);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => net.Predict(new float[0], new float[0], 0));
        Assert.Equal("batchSize", r.ParamName);
    }

    [Fact]
    public void SaveAndLoadRoundTripAndRefuseAnotherNetwork()
    {
        var dir = Directory.CreateTempSubdirectory("netgen-weights-");
        try
        {
            var path = Path.Combine(dir.FullName, "tiny.weights");
            var source = new TinySoftmaxNet(seed: 10);
            source.Save(path);
            var target = new TinySoftmaxNet(seed: 11);
            target.Load(path);
            Assert.True(source.Parameters.SequenceEqual(target.Parameters));

            var other = new SequenceSigmoidNet(seed: 12);
            var before = other.Parameters.ToArray();
            Assert.ThrowsAny<Exception>(() => other.Load(path));
            Assert.Equal(before, other.Parameters.ToArray());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void SummaryMatchesKerasCounts()
    {
        Assert.Contains("│ dense (Dense)                   │ (None, 32)             │        25,120 │", SliceMlp.SummaryText);
        Assert.Contains(" Total params: 25,450 (99.41 KB)", SliceMlp.SummaryText);
        Assert.Equal(25450, SliceMlp.ParameterCount);
    }
}
