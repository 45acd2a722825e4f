using System;
using NetGen.Optimizers;
using NetGen.Tests.EndToEnd;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>Learning-rate schedules against Keras' formulas, evaluated by hand at given steps.</summary>
public class ScheduleTests
{
    [Fact]
    public void ExponentialDecay()
    {
        var s = new ExponentialDecay(0.1, decaySteps: 10, decayRate: 0.5);
        Assert.Equal(0.1f, s.At(0), 7);
        Assert.Equal((float)(0.1 * Math.Sqrt(0.5)), s.At(5), 7); // 0.1 · 0.5^(5/10)
        Assert.Equal(0.025f, s.At(20), 7);
        var stairs = new ExponentialDecay(0.1, 10, 0.5, staircase: true);
        Assert.Equal(0.1f, stairs.At(9), 7);
        Assert.Equal(0.05f, stairs.At(15), 7); // floor(1.5) = 1
    }

    [Fact]
    public void CosineDecay()
    {
        var s = new CosineDecay(1.0, decaySteps: 100);
        Assert.Equal(1f, s.At(0), 7);
        Assert.Equal(0.5f, s.At(50), 6); // ½(1 + cos(π/2))
        Assert.Equal((float)(0.5 * (1 + Math.Cos(Math.PI * 0.25))), s.At(25), 6);
        Assert.Equal(0f, s.At(100), 6);
        Assert.Equal(0f, s.At(1000), 6); // clamped at decaySteps
        var alpha = new CosineDecay(2.0, 100, alpha: 0.1);
        Assert.Equal(0.2f, alpha.At(100), 6); // 2 · ((1 − 0.1)·0 + 0.1)
        Assert.Equal((float)(2 * (0.9 * 0.5 + 0.1)), alpha.At(50), 6);
    }

    [Fact]
    public void CosineDecayWithWarmup()
    {
        // Linear from 0 to 1 over 10 steps, then cosine from 1 over 100 steps.
        var s = new CosineDecay(0.0, decaySteps: 100, warmupTarget: 1.0, warmupSteps: 10);
        Assert.Equal(0f, s.At(0), 7);
        Assert.Equal(0.5f, s.At(5), 7);
        Assert.Equal(0.9f, s.At(9), 6);
        Assert.Equal(1f, s.At(10), 6);
        Assert.Equal(0.5f, s.At(60), 6);
        Assert.Equal(0f, s.At(110), 6);
        Assert.Equal(0f, s.At(5000), 6);
    }

    [Fact]
    public void PiecewiseConstantDecay()
    {
        var s = new PiecewiseConstantDecay(new long[] { 10, 20 }, new[] { 1f, 0.5f, 0.1f });
        Assert.Equal(1f, s.At(0));
        Assert.Equal(1f, s.At(10)); // step ≤ boundary
        Assert.Equal(0.5f, s.At(11));
        Assert.Equal(0.5f, s.At(20));
        Assert.Equal(0.1f, s.At(21));
        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay(new long[] { 10 }, new[] { 1f }));
        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay(new long[] { 10, 5 }, new[] { 1f, 2f, 3f }));
    }

    [Fact]
    public void OptimizerEvaluatesTheScheduleAtItsIterationCount()
    {
        // Keras evaluates the schedule at `iterations` (0 on the first step). SGD with gradient 1 moves w by the rate.
        var sgd = new SGD { Schedule = new PiecewiseConstantDecay(new long[] { 0, 1 }, new[] { 1f, 0.5f, 0.25f }) };
        var w = new float[] { 0 };
        var g = new float[] { 1 };
        var layout = new[] { new ParameterInfo("w/kernel", 0, 1, new[] { 1 }) };
        sgd.Apply(w, g, layout); // step 0: 1
        sgd.Apply(w, g, layout); // step 1: 0.5
        sgd.Apply(w, g, layout); // step 2: 0.25
        Assert.Equal(-1.75f, w[0]);
        Assert.Equal(0.25f, sgd.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateauRefusesAScheduledRate()
    {
        var net = new SliceMlp();
        var sgd = new SGD { Schedule = new ExponentialDecay(0.1, 10, 0.9) };
        var trainer = new Trainer(net, sgd, Loss.CategoricalCrossentropy, 0);
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(new float[784], new float[10],
            new FitOptions { Callbacks = new Callback[] { new ReduceLROnPlateau(monitor: "loss") } }));
        Assert.Contains("LearningRateSchedule", e.Message);
    }
}
