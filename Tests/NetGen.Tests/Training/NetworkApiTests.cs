using System;
using System.Linq;
using NetGen.Optimizers;
using NetGen.Tests.EndToEnd;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>Issue 16's runtime model API: weights by name, state through INetwork, Predict and Evaluate conveniences, bound optimizers.</summary>
public class NetworkApiTests
{
    [Fact]
    public void WeightsByNameCheckNamesAndShapes()
    {
        INetwork net = new SliceMlp(seed: 1); // Flatten(28x28) -> dense (784x32) -> dense_1 (32x10)
        var kernel = net.GetWeights("dense_1/kernel");
        Assert.Equal(32 * 10, kernel.Length);
        Assert.Equal(new[] { 32, 10 }, net.FindWeight("dense_1/kernel").Shape);
        var values = Enumerable.Range(0, 320).Select(i => i * 0.5f).ToArray();
        net.SetWeights("dense_1/kernel", values, new[] { 32, 10 });
        Assert.Equal(values, net.GetWeights("dense_1/kernel"));
        // dense_1/kernel follows dense/kernel (784·32) and dense/bias (32) in Keras get_weights() order.
        Assert.Equal(values, net.Parameters.Slice(784 * 32 + 32, 320).ToArray());
        var bias = new float[10];
        net.GetWeights("dense_1/bias", bias);

        var unknown = Assert.Throws<ArgumentException>(() => net.GetWeights("dense_2/kernel"));
        Assert.Contains("dense_1/kernel", unknown.Message);
        var size = Assert.Throws<ArgumentException>(() => net.SetWeights("dense_1/bias", new float[11]));
        Assert.Equal("values", size.ParamName);
        Assert.Contains("10", size.Message);
        var shape = Assert.Throws<ArgumentException>(() => net.SetWeights("dense_1/kernel", values, new[] { 10, 32 }));
        Assert.Contains("(32, 10)", shape.Message);
        Assert.Equal(values, net.GetWeights("dense_1/kernel")); // refused writes change nothing
    }

    [Fact]
    public void StateIsReachableThroughINetwork()
    {
        var bn = new GuardedBnNet();
        INetwork asInterface = bn;
        Assert.Equal(GuardedBnNet.StateCount, asInterface.State.Length);
        asInterface.State[0] = 42;
        Assert.Equal(42, bn.State[0]);
        INetwork plain = new SliceMlp();
        Assert.True(plain.State.IsEmpty);
    }

    [Fact]
    public void PredictInfersTheBatchFromTheInputLength()
    {
        var net = new SliceMlp(seed: 3);
        var data = NetGen.Samples.Data.FashionMnist.Load(IdxTests.SliceDirectory);
        var input = data.TrainImages.AsMemory(0, 13 * 784).ToArray();
        var expected = new float[13 * 10];
        net.Predict(input, expected, 13);
        Assert.Equal(expected, ((INetwork)net).Predict(input));
        var output = new float[130];
        Assert.Equal(13, net.PredictBatch(input, output));
        Assert.Equal(expected, output);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => { net.PredictBatch(data.TrainImages.AsSpan(0, 785), output); }).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => { net.PredictBatch(input, new float[120]); }).ParamName);
    }

    [Fact]
    public void EvaluateWithoutCompileEqualsTheCompiledEvaluation()
    {
        var data = NetGen.Samples.Data.FashionMnist.Load(IdxTests.SliceDirectory);
        var y = NetGen.Samples.Data.FashionMnist.OneHot(data.TestLabels, 10);
        var net = new SliceMlp(seed: 5);
        var direct = net.Evaluate(data.TestImages, y, Loss.CategoricalCrossentropy);
        net.Compile(new Adam(), Loss.CategoricalCrossentropy);
        var compiled = net.Evaluate(data.TestImages, y);
        Assert.Equal(compiled, direct with { Metrics = compiled.Metrics });
        Assert.True(direct.Loss > 1); // untrained: about ln 10
    }

    [Fact]
    public void AnOptimizerTrainsOneNetworkOnly()
    {
        var adam = new Adam();
        var a = new SliceMlp(seed: 1);
        var b = new SliceMlp(seed: 2);
        a.Compile(adam, Loss.CategoricalCrossentropy);
        a.Compile(adam, Loss.CategoricalCrossentropy); // the same network again is fine
        var e = Assert.Throws<InvalidOperationException>(() => { b.Compile(adam, Loss.CategoricalCrossentropy); });
        Assert.Contains("new optimizer", e.Message);
        Assert.Throws<InvalidOperationException>(() => { adam.Apply(b); });
    }
}
