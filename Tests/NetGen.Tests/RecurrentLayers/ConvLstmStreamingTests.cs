using System;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// Streaming ConvLSTM (ConvLstm.Step, EndToEnd/ConvLstmNetworks.cs): stepping frame by frame from ResetState gives what
/// Predict gives for the whole sequence (1D, 2D, 3D, stacked, behind a TimeDistributed front end), allocates nothing,
/// and exists only where the layer reads forwards.
/// </summary>
public class ConvLstmStreamingTests
{
    private const int Steps = 6;

    /// <summary>
    /// Step and Predict share the gate code and differ only in the input convolution's GEMM row count (batch images
    /// against batch·steps images), whose micro-kernels may sum in another order: StreamingTests' bound, far below a
    /// wrong step (a skipped or repeated frame changes outputs at 1e-2).
    /// </summary>
    private static void Close(float expected, float actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 2e-5 + 2e-5 * Math.Abs(expected), $"{what}: Predict gave {expected:R}, Step {actual:R}");

    private static float[] Frame(float[] x, int batch, int t, int frame)
    {
        var step = new float[batch * frame];
        for (int b = 0; b < batch; b++) Array.Copy(x, (b * Steps + t) * frame, step, b * frame, frame);
        return step;
    }

    /// <summary>Steps through a random sequence and compares the last step's output (or every step's row) with Predict.</summary>
    private static void SteppingEqualsPredict(INetwork net, int batch, int frame, int stepOutput, bool sequences,
        Action reset, Action<float[], float[], int> step)
    {
        GradientCheck.Random(net.Parameters.Length, 4, 0.6f).CopyTo(net.Parameters);
        Assert.Equal(Steps * frame, net.InputLength);
        var x = GradientCheck.Random(batch * net.InputLength, 21);
        var expected = new float[batch * net.OutputLength];
        net.Predict(x, expected, batch);
        Assert.NotEqual(expected[0], expected[net.OutputLength]); // the samples differ, so a mixed-up stream would show
        reset();
        var y = new float[batch * stepOutput];
        for (int t = 0; t < Steps; t++)
        {
            step(Frame(x, batch, t, frame), y, batch);
            if (!sequences && t < Steps - 1) continue;
            for (int b = 0; b < batch; b++)
                for (int i = 0; i < stepOutput; i++)
                    Close(expected[b * net.OutputLength + (sequences ? t * stepOutput : 0) + i], y[b * stepOutput + i], $"sample {b} step {t} output {i}");
        }
        // ResetState starts over: the same frames give the same output.
        reset();
        var again = new float[y.Length];
        for (int t = 0; t < Steps; t++) step(Frame(x, batch, t, frame), again, batch);
        Assert.Equal(y, again);
        // Allocation-free once jitted.
        var first = Frame(x, batch, 0, frame);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) step(first, again, batch);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ConvLstm2DSteppingEqualsPredict()
    {
        var net = new ConvLstmStreamNet(3);
        Assert.Equal(5 * 5 * 2, ConvLstmStreamNet.StepInputLength);
        Assert.Equal(2 * 5 * 5 * 3, ConvLstmStreamNet.StepStateFloats); // h and c, each (5, 5, 3)
        SteppingEqualsPredict(net, 3, 5 * 5 * 2, 2, false, net.ResetState, (a, b, n) => net.Step(a, b, n));
    }

    [Fact]
    public void StackedConvLstm1DEveryStepEqualsItsRow()
    {
        var net = new ConvLstm1DStreamNet(3);
        // (6, 7, 2) → stride 2 same: (4, 3) → valid 2: (3, 2); states (4, 3) ×2 and (3, 2) ×2.
        Assert.Equal(3 * 2, ConvLstm1DStreamNet.StepOutputLength);
        Assert.Equal(2 * 12 + 2 * 6, ConvLstm1DStreamNet.StepStateFloats);
        SteppingEqualsPredict(net, 4, 7 * 2, 6, true, net.ResetState, (a, b, n) => net.Step(a, b, n));
    }

    [Fact]
    public void ATimeDistributedFrontEndStreamsIntoConvLstm()
    {
        var net = new ConvLstmFrameStreamNet(3);
        Assert.Equal(6 * 6 * 2, ConvLstmFrameStreamNet.StepInputLength);
        SteppingEqualsPredict(net, 2, 6 * 6 * 2, 2, false, net.ResetState, (a, b, n) => net.Step(a, b, n));
    }

    [Fact]
    public void ConvLstm3DSteppingEqualsPredict()
    {
        var net = new ConvLstm3DStreamNet(3);
        SteppingEqualsPredict(net, 3, 3 * 4 * 4 * 2, 2, false, net.ResetState, (a, b, n) => net.Step(a, b, n));
    }

    [Fact]
    public void StepAllocatesNothing()
    {
        var net = new ConvLstmStreamNet(3);
        var input = new float[2 * ConvLstmStreamNet.StepInputLength];
        var output = new float[2 * ConvLstmStreamNet.StepOutputLength];
        net.Step(input, output, 2); // JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) net.Step(input, output, 2);
        net.ResetState();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void OnlyForwardReadingConvLstmNetworksGetAStep()
    {
        Assert.NotNull(typeof(ConvLstmNet).GetMethod("Step"));
        Assert.Null(typeof(ConvLstm3DNet).GetMethod("Step"));         // go_backwards
        Assert.Null(typeof(ConvLstmSequenceNet).GetMethod("Step"));   // go_backwards, and Flatten over the time axis
        Assert.Null(typeof(ConvLstmStateNet).GetMethod("Step"));      // state ports
        Assert.Null(typeof(ConvLstmPointwiseNet).GetMethod("Step"));  // Flatten over the time axis
    }
}
