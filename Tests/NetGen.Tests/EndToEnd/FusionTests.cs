using System;
using System.Linq;
using NetGen.Tests.Generator;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// Fused and unfused code agree, for every layer family (the pairs in FusionNetworks.cs): same weights, same input,
/// then Predict's outputs, the loss and every gradient are compared.
/// Tolerances: Predict within 1e-6 relative (the convolution epilogues run the same kernels on blocks and the Dense
/// epilogue inside the GEMM's store equals the bias copy, product and ReLU bit for bit, so in practice the outputs are
/// identical), 1e-5 absolute + 1e-5 relative where BatchNormalization is folded into the weights before it (see
/// <see cref="Tolerance"/>; a fold without ε, off by 1e-4, fails); the loss and gradients within 2e-5 + 1e-4·|value| (the fused softmax/sigmoid cross-entropy computes
/// <c>p − t</c> directly instead of going through the clipped log and the activation's Jacobian: float rounding only).
/// A wrong fused formula (a missing 1/batch, a skipped activation backward) is off by far more than that.
/// </summary>
public class FusionTests
{
    private const int Batch = 5;

    public static TheoryData<string> Families => new() { "Mlp", "Sigmoid", "Cnn", "ConvVariants", "Sequence", "Normalized", "Graph", "Tokens", "FoldedDense", "FoldedCnn", "Winograd", "TimeDistributedWinograd" };

    private static (INetwork Fused, INetwork Unfused) Pair(string family) => family switch
    {
        "Mlp" => (new FusedMlp(3), new UnfusedMlp(3)),
        "Sigmoid" => (new FusedSigmoid(3), new UnfusedSigmoid(3)),
        "Cnn" => (new FusedCnn(3), new UnfusedCnn(3)),
        "ConvVariants" => (new FusedConvVariants(3), new UnfusedConvVariants(3)),
        "Sequence" => (new FusedSequence(3), new UnfusedSequence(3)),
        "Normalized" => (new FusedNormalized(3), new UnfusedNormalized(3)),
        "Graph" => (new FusedGraph(3), new UnfusedGraph(3)),
        "FoldedDense" => Randomized(new FusedFoldedDense(3), new UnfusedFoldedDense(3)),
        "FoldedCnn" => Randomized(new FusedFoldedCnn(3), new UnfusedFoldedCnn(3)),
        "Winograd" => Randomized(new FusedWinograd(3), new UnfusedWinograd(3)),
        "TimeDistributedWinograd" => (new FusedTimeDistributedWinograd(3), new UnfusedTimeDistributedWinograd(3)),
        _ => (new FusedTokens(3), new UnfusedTokens(3)),
    };

    /// <summary>
    /// The same random weights and moving statistics in both networks: BatchNormalization starts as the identity
    /// (γ = 1, β = 0, mean 0, variance 1), under which a wrong fold would go unnoticed.
    /// </summary>
    private static (INetwork, INetwork) Randomized(INetwork fused, INetwork unfused)
    {
        var weights = GradientCheck.Random(fused.Parameters.Length, 21, 0.4f); // small enough that the softmax does not saturate
        var state = GradientCheck.Random(fused.State.Length, 22).Select(v => 0.3f + Math.Abs(v)).ToArray(); // means and (positive) variances
        foreach (var net in new[] { fused, unfused })
        {
            weights.CopyTo(net.Parameters);
            state.CopyTo(net.State);
        }
        return (fused, unfused);
    }

    private static float[] Inputs(string family, INetwork net)
        => family == "Tokens"
            ? Enumerable.Range(0, Batch * net.InputLength).Select(i => (float)((i * 7 + 3) % 20)).ToArray()
            : GradientCheck.Random(Batch * net.InputLength, 11);

    private static Loss[] Losses(string family) => family switch
    {
        "Sigmoid" => new[] { Loss.BinaryCrossentropy, Loss.MeanSquaredError },
        "Graph" => new[] { Loss.MeanSquaredError },
        _ => new[] { Loss.CategoricalCrossentropy, Loss.SparseCategoricalCrossentropy, Loss.MeanSquaredError },
    };

    private static float[] Targets(INetwork net, Loss loss)
    {
        int rows = Batch * net.OutputRowsPerSample;
        if (loss == Loss.SparseCategoricalCrossentropy)
            return Enumerable.Range(0, rows).Select(i => (float)(i % (net.OutputLength / net.OutputRowsPerSample))).ToArray();
        if (loss == Loss.CategoricalCrossentropy)
            return GradientCheck.Distributions(rows, net.OutputLength / net.OutputRowsPerSample, 5);
        return GradientCheck.Random(Batch * net.OutputLength, 5).Select(v => 0.5f + 0.4f * v).ToArray();
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void PredictAgrees(string family)
    {
        var (fused, unfused) = Pair(family);
        Assert.Equal(unfused.Parameters.ToArray(), fused.Parameters.ToArray());
        var x = Inputs(family, fused);
        var a = new float[Batch * fused.OutputLength];
        var b = new float[Batch * unfused.OutputLength];
        fused.Predict(x, a, Batch);
        unfused.Predict(x, b, Batch);
        bool folded = family.StartsWith("Folded", StringComparison.Ordinal) || family.EndsWith("Winograd", StringComparison.Ordinal);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= (folded ? Tolerance(b[i]) : 1e-6 * (1 + Math.Abs(b[i]))), $"{family}: output {i}: fused {a[i]:R}, unfused {b[i]:R}");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void GradientsAgree(string family)
    {
        foreach (var loss in Losses(family))
        {
            var (fused, unfused) = Pair(family);
            var x = Inputs(family, fused);
            var y = Targets(fused, loss);
            float la = fused.ComputeGradients(x, y, Batch, loss);
            float lb = unfused.ComputeGradients(x, y, Batch, loss);
            Assert.True(Math.Abs(la - lb) <= 2e-5 + 1e-4 * Math.Abs(lb), $"{family} {loss}: loss fused {la:R}, unfused {lb:R}");
            var ga = fused.Gradients.ToArray();
            var gb = unfused.Gradients.ToArray();
            Assert.Contains(gb, v => v != 0); // the comparison is not vacuous
            for (int i = 0; i < ga.Length; i++)
                Assert.True(Math.Abs(ga[i] - gb[i]) <= 2e-5 + 1e-4 * Math.Abs(gb[i]), $"{family} {loss}: gradient {i}: fused {ga[i]:R}, unfused {gb[i]:R}");
        }
    }

    /// <summary>
    /// The fold is computed per Predict call from the current weights and moving statistics: after changing them
    /// through every route (the State and Parameters spans, SetWeights-style writes, training), the fused network still
    /// agrees with the unfused one, and its output did change (the comparison is not vacuous).
    /// </summary>
    [Theory]
    [InlineData("FoldedDense")]
    [InlineData("FoldedCnn")]
    [InlineData("Winograd")] // the cached kernel transforms follow the weights too
    public void FoldedBatchNormalizationIsNeverStale(string family)
    {
        var (fused, unfused) = Pair(family);
        var x = Inputs(family, fused);
        var before = Predict(fused, x);
        AssertAgree(family, before, Predict(unfused, x));
        // The moving statistics change (state span) ...
        foreach (var net in new[] { fused, unfused })
            for (int i = 0; i < net.State.Length; i++) net.State[i] = net.State[i] * 2 + 0.1f;
        var afterState = Predict(fused, x);
        AssertAgree(family, afterState, Predict(unfused, x));
        Assert.Contains(afterState.Select((v, i) => Math.Abs(v - before[i])), d => d > 1e-4);
        // ... then the weights (parameter span), then a training step (weights and moving statistics).
        foreach (var net in new[] { fused, unfused })
            for (int i = 0; i < net.Parameters.Length; i++) net.Parameters[i] *= 0.9f;
        var afterWeights = Predict(fused, x);
        AssertAgree(family, afterWeights, Predict(unfused, x));
        Assert.Contains(afterWeights.Select((v, i) => Math.Abs(v - afterState[i])), d => d > 1e-4);
        var y = Targets(fused, Loss.MeanSquaredError);
        foreach (var net in new[] { fused, unfused })
        {
            net.ComputeGradients(x, y, Batch, Loss.MeanSquaredError);
            var g = net.Gradients.ToArray();
            for (int i = 0; i < g.Length; i++) net.Parameters[i] -= 0.5f * g[i];
        }
        AssertAgree(family, Predict(fused, x), Predict(unfused, x));
    }

    private static float[] Predict(INetwork net, float[] x)
    {
        var y = new float[Batch * net.OutputLength];
        net.Predict(x, y, Batch);
        return y;
    }

    private static void AssertAgree(string family, float[] a, float[] b)
    {
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= Tolerance(b[i]), $"{family}: output {i}: fused {a[i]:R}, unfused {b[i]:R}");
    }

    /// <summary>
    /// Fused vs unfused Predict: 1e-6 relative for the epilogues (the same kernels on blocks); 1e-5 absolute +
    /// 1e-5 relative where BatchNormalization is folded (the weights are scaled before the sums instead of the sums
    /// after: float rounding of sums of a few dozen products) and where 3×3 convolutions run Winograd's F(2×2, 3×3)
    /// (transformed sums of the same products: float rounding again; the outputs are softmax probabilities). A wrong fold
    /// (variance for standard deviation, a missing β, a stale statistic) or a wrong or stale Winograd transform is off
    /// by 1e-2 or more.
    /// </summary>
    private static double Tolerance(float expected) => 1e-5 + 1e-5 * Math.Abs(expected);

    [Fact]
    public void WinogradTakesThe3x3ConvolutionsOfPredictOnly()
    {
        static string Generate(string options) => GeneratorHarness.Run($$"""
            using NetGen;
            [Network({{options}})]
            [Input(28, 28, 1)]
            [Conv2D(32, 3, Activation = Activation.Relu)]
            [MaxPooling2D]
            [Conv2D(64, 3, Activation = Activation.Relu)]
            [MaxPooling2D]
            [Flatten]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class Net { }
            """).Sources.Single().Text;
        var winograd = Generate("");
        var direct = Generate("Winograd = false");
        // The first layer (one input channel) keeps its direct kernel, pooled from registers; the second goes to Winograd
        // with its pooling; training keeps the direct convolution.
        Assert.Contains("global::NetGen.Kernels.Fused.PooledConvolutionForward(", winograd);
        Assert.Contains("global::NetGen.Kernels.WinogradConvolution.ForwardMaxPool(", winograd);
        Assert.Contains("global::NetGen.Kernels.WinogradConvolution.WorkspaceLength(", winograd);
        Assert.Contains("global::NetGen.Kernels.Fused.ConvolutionForward(", winograd); // training
        Assert.DoesNotContain("Winograd", direct);
        Assert.Contains("global::NetGen.Kernels.Fused.PooledConvolutionForward(", direct);
    }

    [Fact]
    public void FusionChangesTheGeneratedCode()
    {
        static string Generate(string fusion) => GeneratorHarness.Run($$"""
            using NetGen;
            [Network({{fusion}})]
            [Input(12)]
            [Dense(16, Activation = Activation.Relu)]
            [Dense(4, Activation = Activation.Softmax)]
            public partial class Net { }
            """).Sources.Single().Text;
        var fused = Generate("");
        var plain = Generate("Fusion = false");
        Assert.Contains("global::NetGen.Kernels.Fused.DenseForward(", fused);
        Assert.Contains("SoftmaxCategoricalCrossentropy(", fused);
        Assert.Contains("if (!fused)", fused);
        Assert.DoesNotContain("Fused.", plain);
        Assert.DoesNotContain("Winograd", plain);
        Assert.DoesNotContain("SoftmaxCategoricalCrossentropy(", plain);
        Assert.Contains("global::NetGen.Kernels.Activations.Relu(", plain);
    }
}
