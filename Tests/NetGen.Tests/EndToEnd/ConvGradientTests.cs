using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>The generated forward and backward passes of convolutional networks against finite differences.</summary>
public class ConvGradientTests
{
    [Fact]
    public void SameStridedConv2D() => Check(new ConvSameStridedNet(seed: 1), 2, Loss.CategoricalCrossentropy, soft: true);

    [Fact]
    public void CausalDilatedConv1DWithPooling() => Check(new Conv1DCausalNet(seed: 2), 3, Loss.BinaryCrossentropy, binary: true);

    [Fact]
    public void Conv3DWithSamePoolingAndGlobalMax() => Check(new Conv3DNet(seed: 3), 2, Loss.MeanSquaredError);

    [Fact]
    public void TransposedDepthwiseSeparable() => Check(new TransposedDepthwiseSeparableNet(seed: 4), 2, Loss.CategoricalCrossentropy, soft: true);

    [Fact]
    public void LocallyConnected2DWithPaddingUpSamplingCropping() => Check(new LocallyConnectedSpatialNet(seed: 5), 2, Loss.MeanSquaredError);

    [Fact]
    public void OneDimensionalSpatialLayers() => Check(new Sequence1DNet(seed: 6), 2, Loss.MeanSquaredError);

    [Fact]
    public void ThreeDimensionalSpatialLayers() => Check(new Spatial3DNet(seed: 7), 2, Loss.MeanSquaredError);

    [Fact]
    public void ClassicCnnHasKerasShapesAndParameterCount()
    {
        Assert.Equal(34826, ClassicMnistCnn.ParameterCount);
        Assert.Contains("│ conv2d (Conv2D)                 │ (None, 26, 26, 32)     │           320 │", ClassicMnistCnn.SummaryText);
        Assert.Contains("│ max_pooling2d_1 (MaxPooling2D)  │ (None, 5, 5, 64)       │             0 │", ClassicMnistCnn.SummaryText);
        Assert.Contains("│ conv2d_1 (Conv2D)               │ (None, 11, 11, 64)     │        18,496 │", ClassicMnistCnn.SummaryText);
        Assert.Contains(" Total params: 34,826 (136.04 KB)", ClassicMnistCnn.SummaryText);
    }

    private static void Check(INetwork net, int batch, Loss loss, bool soft = false, bool binary = false)
    {
        var x = GradientCheck.Random(batch * net.InputLength, 100 + net.InputLength, 1.5f);
        int outputs = net.OutputLength;
        float[] y = soft ? GradientCheck.Distributions(batch, outputs, 7)
            : binary ? BinaryTargets(batch * outputs)
            : GradientCheck.Random(batch * outputs, 8);
        GradientCheck.AssertMatches(net, x, y, batch, loss);
    }

    private static float[] BinaryTargets(int count)
    {
        var y = new float[count];
        for (int i = 0; i < count; i++) y[i] = i % 3 == 0 ? 1 : 0;
        return y;
    }
}
