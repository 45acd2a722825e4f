using System;
using System.Linq;
using NetGen.Optimizers;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>
/// Optimizer and schedule arguments that would write NaN or infinity into the weights are refused with the argument named
/// and its range; a schedule that goes bad mid-training stops the step before any weight changes.
/// </summary>
public class OptimizerArgumentTests
{
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-0.1f)]
    [InlineData(float.PositiveInfinity)]
    public void LearningRateSetterRefusesWhatTheConstructorRefuses(float rate)
    {
        var adam = new Adam(0.01f);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = rate);
        Assert.Equal("LearningRate", e.ParamName);
        Assert.Equal(0.01f, adam.LearningRate);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-0.5f)]
    [InlineData(float.NegativeInfinity)]
    public void WeightDecayMustBeFiniteAndNonNegative(float decay)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: decay));
        Assert.Equal("weightDecay", e.ParamName);
        var sgd = new SGD();
        Assert.Equal("WeightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => sgd.WeightDecay = decay).ParamName);
        Assert.Null(sgd.WeightDecay);
    }

    [Fact]
    public void AdamBetaOfOneOrEpsilonOfZeroIsRefusedInsteadOfWritingNaNWeights()
    {
        // β1 = 1 divides by 1 − β1^t = 0; ε = 0 divides 0 by 0 for a weight whose gradient is zero.
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: 1)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: 0)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(epsilon: 0)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(epsilon: double.NaN)).ParamName);
    }

    private sealed class BrokenSchedule : LearningRateSchedule
    {
        public override float At(long step) => step < 2 ? 0.1f : float.NaN;
    }

    [Fact]
    public void AScheduleThatReturnsNaNStopsTheStepBeforeAnyWeightChanges()
    {
        var layout = new[] { new ParameterInfo("w/kernel", 0, 3, new[] { 3 }) };
        var w = new float[] { 1, 2, 3 };
        var g = new float[] { 1, 1, 1 };
        var sgd = new SGD { Schedule = new BrokenSchedule() };
        sgd.Apply(w, g, layout);
        sgd.Apply(w, g, layout);
        var before = w.ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => sgd.Apply(w, g, layout));
        Assert.Contains("NaN", e.Message);
        Assert.Contains("step 2", e.Message);
        Assert.Equal(before, w);
        Assert.Equal(2, sgd.Iterations);

        // An exponential decay that overflows float: same refusal.
        var growing = new SGD { Schedule = new ExponentialDecay(1, 1, 1e30) };
        var w2 = new float[] { 1, 2, 3 };
        growing.Apply(w2, g, layout);
        growing.Apply(w2, g, layout);
        var kept = w2.ToArray();
        Assert.Throws<InvalidOperationException>(() => growing.Apply(w2, g, layout));
        Assert.Equal(kept, w2);
    }
}
