using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NetGen.Optimizers;
using Xunit;

namespace NetGen.Tests.Generator;

// Item 3 of issue 11: normalisation over a non-last axis whose later axes have size 1.
[Network, Input(3, 4, 1), BatchNormalization(Axis = 2)]
public partial class BatchNormUnitTail { }

[Network, Input(3, 4, 1), LayerNormalization(Axis = 2, Epsilon = 1e-6)]
public partial class LayerNormUnitTail { }

// Thread safety: a Lambda layer that waits on a gate holds one call inside the network while another thread tries it.
[Network, Input(4), Lambda(nameof(Hold), Backward = nameof(HoldBackward), ElementWise = true), Dense(2)]
public partial class GatedNet
{
    public static readonly ManualResetEventSlim Entered = new(false);
    public static readonly ManualResetEventSlim Release = new(true);

    private static void Hold(ReadOnlySpan<float> x, Span<float> y, int batchSize)
    {
        x.CopyTo(y);
        Entered.Set();
        Release.Wait();
    }

    private static void HoldBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batchSize) => dy.CopyTo(dx);
}

[Network, Input(64), Dense(256, Activation = Activation.Tanh), Dense(64)]
public partial class WideNet { }

public class ReliabilityRuntimeTests
{
    [Fact]
    public void BatchNormalizationOnAnAxisFollowedByUnitAxesPredicts()
    {
        var net = new BatchNormUnitTail();
        var x = Enumerable.Range(0, 2 * 12).Select(i => (float)(i * 0.25 - 2)).ToArray();
        var y = new float[x.Length];
        net.Predict(x, y, 2); // threw IndexOutOfRange before the fix
        // Fresh moving statistics (mean 0, variance 1), gamma 1, beta 0: y = x / sqrt(1 + 0.001).
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] / Math.Sqrt(1.001), y[i], 5);
    }

    [Fact]
    public void LayerNormalizationOnAnAxisFollowedByUnitAxesNormalisesEachRowOfFour()
    {
        var net = new LayerNormUnitTail();
        var x = Enumerable.Range(0, 12).Select(i => (float)(i * i * 0.1)).ToArray();
        var y = new float[12];
        net.Predict(x, y, 1);
        for (int row = 0; row < 3; row++)
        {
            var v = x.Skip(row * 4).Take(4).Select(f => (double)f).ToArray();
            double mean = v.Average(), variance = v.Select(a => (a - mean) * (a - mean)).Average();
            for (int c = 0; c < 4; c++) Assert.Equal((v[c] - mean) / Math.Sqrt(variance + 1e-6), y[row * 4 + c], 3);
        }
    }

    [Fact]
    public async Task ConcurrentUseOfOneInstanceThrowsInsteadOfMixingBuffers()
    {
        var net = new GatedNet();
        var x = new float[] { 1, 2, 3, 4 };
        GatedNet.Entered.Reset();
        GatedNet.Release.Reset();
        var first = Task.Run(() =>
        {
            var y = new float[2];
            net.Predict(x, y);
            return y;
        });
        try
        {
            Assert.True(GatedNet.Entered.Wait(TimeSpan.FromSeconds(30)), "the first Predict never reached the gate");
            var predict = Assert.Throws<InvalidOperationException>(() => net.Predict(x, new float[2]));
            Assert.Contains("another thread", predict.Message);
            Assert.Throws<InvalidOperationException>(() => net.ComputeGradients(x, new float[2], 1, Loss.MeanSquaredError));
        }
        finally
        {
            GatedNet.Release.Set();
        }
        var y1 = await first;
        // Free again once the first call has returned; the same thread may call in again (Fit calls ComputeGradients).
        var y2 = new float[2];
        net.Predict(x, y2);
        Assert.Equal(y1, y2);
        net.Compile(new SGD(0.01f), Loss.MeanSquaredError);
        net.Fit(x, new float[2], epochs: 1, batchSize: 1);
    }

    [Fact]
    public void PredictFromSeveralThreadsOnOneInstanceIsRightOrThrows()
    {
        var net = new WideNet(3);
        const int threads = 4, batch = 32, calls = 60;
        var inputs = Enumerable.Range(0, threads).Select(t => Enumerable.Range(0, batch * 64).Select(i => (float)Math.Sin(i * 0.37 + t)).ToArray()).ToArray();
        var expected = inputs.Select(x =>
        {
            var y = new float[batch * 64];
            net.Predict(x, y, batch);
            return y;
        }).ToArray();
        int wrong = 0, refused = 0, right = 0;
        using var start = new Barrier(threads);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var y = new float[batch * 64];
            start.SignalAndWait();
            for (int k = 0; k < calls; k++)
            {
                try
                {
                    net.Predict(inputs[t], y, batch);
                    if (y.AsSpan().SequenceEqual(expected[t])) Interlocked.Increment(ref right);
                    else Interlocked.Increment(ref wrong);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });
        Assert.Equal(0, wrong);
        Assert.Equal(threads * calls, right + refused);
        Assert.True(right > 0);
    }
}
