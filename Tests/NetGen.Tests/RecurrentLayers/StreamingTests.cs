using System;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// The generated streaming API: stepping through a sequence from ResetState gives what Predict gives for the whole
/// sequence, allocates nothing, and exists only where every recurrent layer can advance one step at a time.
/// </summary>
public class StreamingTests
{
    /// <summary>
    /// Step and Predict share the per-step kernel code and differ only in the input projection's GEMM row count, whose
    /// one-row and six-row micro-kernels sum in different orders (docs/recurrent-attention-kernels.md: ≤ 4e-6 on O(1)
    /// values at the layer); 2e-5 leaves room for the heads after it, and is far below any wrong step (a skipped or
    /// repeated step changes outputs at 1e-2).
    /// </summary>
    private static void Close(float expected, float actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 2e-5 + 2e-5 * Math.Abs(expected), $"{what}: Predict gave {expected:R}, Step {actual:R}");

    private const int Steps = 6, Features = 3;

    private static float[] Sequences(int batch) => GradientCheck.Random(batch * Steps * Features, 21);

    /// <summary>Step input of time t for every stream, from (batch, steps, features) rows.</summary>
    private static float[] At(float[] x, int batch, int t)
    {
        var step = new float[batch * Features];
        for (int b = 0; b < batch; b++) Array.Copy(x, (b * Steps + t) * Features, step, b * Features, Features);
        return step;
    }

    private static void LastStepEqualsPredict<TNet>(TNet net, int batch, Action<TNet> reset, Action<TNet, float[], float[], int> step, int outputLength)
        where TNet : INetwork
    {
        GradientCheck.Random(net.Parameters.Length, 4, 0.6f).CopyTo(net.Parameters);
        var x = Sequences(batch);
        var expected = new float[batch * outputLength];
        net.Predict(x, expected, batch);
        reset(net);
        var y = new float[batch * outputLength];
        for (int t = 0; t < Steps; t++) step(net, At(x, batch, t), y, batch);
        for (int i = 0; i < y.Length; i++) Close(expected[i], y[i], $"output[{i}]");
        // ResetState starts over: the same steps again give the same output.
        reset(net);
        var again = new float[y.Length];
        for (int t = 0; t < Steps; t++) step(net, At(x, batch, t), again, batch);
        Assert.Equal(y, again);
    }

    [Fact]
    public void LstmSteppingEqualsPredict()
        => LastStepEqualsPredict(new LstmNet(), 3, n => n.ResetState(), (n, a, b, k) => n.Step(a, b, k), LstmNet.OutputLength);

    [Fact]
    public void GruSteppingEqualsPredict()
        => LastStepEqualsPredict(new GruNet(), 2, n => n.ResetState(), (n, a, b, k) => n.Step(a, b, k), GruNet.OutputLength);

    [Fact]
    public void SimpleRnnSteppingEqualsPredict()
        => LastStepEqualsPredict(new SimpleRnnNet(), 1, n => n.ResetState(), (n, a, b, k) => n.Step(a, b, k), SimpleRnnNet.OutputLength);

    [Fact]
    public void UserCellSteppingEqualsPredict()
        => LastStepEqualsPredict(new UserGruNet(), 3, n => n.ResetState(), (n, a, b, k) => n.Step(a, b, k), UserGruNet.OutputLength);

    [Fact]
    public void UserCellIntoLstmSteppingEqualsPredict()
    {
        // The state field holds the cell's whole state, then the LSTM's h and c.
        Assert.Equal(4 + 3 + 3, UserGruStackNet.StepStateFloats);
        LastStepEqualsPredict(new UserGruStackNet(), 2, n => n.ResetState(), (n, a, b, k) => n.Step(a, b, k), UserGruStackNet.OutputLength);
        var net = new UserGruStackNet();
        var input = new float[2 * UserGruStackNet.StepInputLength];
        var output = new float[2 * UserGruStackNet.StepOutputLength];
        net.Step(input, output, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) net.Step(input, output, 2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void StackedWithHeadSteppingEqualsPredict()
        => LastStepEqualsPredict(new StackedHeadNet(), 3, n => n.ResetState(), (n, a, b, k) => n.Step(a, b, k), StackedHeadNet.OutputLength);

    [Fact]
    public void EveryStepOfASequenceOutputEqualsItsRow()
    {
        const int batch = 3, units = 4;
        var net = new StackedSequenceNet();
        GradientCheck.Random(net.Parameters.Length, 4, 0.6f).CopyTo(net.Parameters);
        Assert.Equal(units, StackedSequenceNet.StepOutputLength);
        var x = Sequences(batch);
        var expected = new float[batch * StackedSequenceNet.OutputLength];
        net.Predict(x, expected, batch);
        net.ResetState();
        var y = new float[batch * units];
        for (int t = 0; t < Steps; t++)
        {
            net.Step(At(x, batch, t), y, batch);
            for (int b = 0; b < batch; b++)
                for (int u = 0; u < units; u++)
                    Close(expected[(b * Steps + t) * units + u], y[b * units + u], $"sample {b} step {t} unit {u}");
        }
    }

    [Fact]
    public void ATimeDistributedFrontEndStreamsFrameByFrame()
    {
        // (6 frames of 5×5×2) → per-frame Conv2D, pooling, Flatten, Dense → GRU → Dense: each Step takes one frame.
        const int batch = 3, frame = 5 * 5 * 2;
        var net = new FrameStreamNet();
        Assert.Equal(frame, FrameStreamNet.StepInputLength);
        GradientCheck.Random(net.Parameters.Length, 4, 0.6f).CopyTo(net.Parameters);
        var x = GradientCheck.Random(batch * 6 * frame, 21);
        var expected = new float[batch * 2];
        net.Predict(x, expected, batch);
        net.ResetState();
        var y = new float[batch * 2];
        var step = new float[batch * frame];
        for (int t = 0; t < 6; t++)
        {
            for (int b = 0; b < batch; b++) Array.Copy(x, (b * 6 + t) * frame, step, b * frame, frame);
            net.Step(step, y, batch);
        }
        for (int i = 0; i < y.Length; i++) Close(expected[i], y[i], $"output[{i}]");
        Assert.NotEqual(expected[0], expected[2]); // the samples differ, so a mixed-up stream would show
        long before = GC.GetAllocatedBytesForCurrentThread();
        net.Step(step, y, batch);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void StepAllocatesNothing()
    {
        var net = new StackedHeadNet();
        var input = new float[2 * StackedHeadNet.StepInputLength];
        var output = new float[2 * StackedHeadNet.StepOutputLength];
        net.Step(input, output, 2); // JIT
        net.ResetState();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) net.Step(input, output, 2);
        net.ResetState();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var net = new StackedSequenceNet(); // InferenceBatchCapacity = 4
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => net.Step(new float[5 * 3], new float[5 * 4], 5));
        Assert.Equal("batchSize", e.ParamName);
        var length = Assert.ThrowsAny<ArgumentException>(() => net.Step(new float[2], new float[4]));
        Assert.Equal("input", length.ParamName);
    }

    [Fact]
    public void OnlyStreamableNetworksGetAStep()
    {
        Assert.NotNull(typeof(LstmNet).GetMethod("Step"));
        Assert.NotNull(typeof(StackedSequenceNet).GetMethod("ResetState"));
        Assert.Null(typeof(LstmSequenceNet).GetMethod("Step"));     // go_backwards
        Assert.Null(typeof(SimpleRnnSequenceNet).GetMethod("Step")); // Flatten over the time axis
        Assert.Null(typeof(LstmStateNet).GetMethod("Step"));        // state ports
        Assert.Null(typeof(MaskedLstmNet).GetMethod("Step"));       // Masking before the recurrent layer
        Assert.Null(typeof(BiLstmNet).GetMethod("Step"));           // bidirectional
        Assert.NotNull(typeof(UserGruNet).GetMethod("Step"));       // a user's cell steps too
        Assert.Null(typeof(UserGruSequenceNet).GetMethod("Step"));  // ... but not read backwards
    }
}
