using System;
using System.Linq;
using NetGen.Tests.Generator;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// Fused and unfused code agree, for every layer family (the pairs in FusionNetworks.cs): same weights, same input,
/// then Predict's outputs, the loss and every gradient are compared.
/// Tolerances: Predict within 1e-6 relative (the epilogues run the same kernels on blocks, so in practice the outputs are
/// identical); the loss and gradients within 2e-5 + 1e-4·|value| (the fused softmax/sigmoid cross-entropy computes
/// <c>p − t</c> directly instead of going through the clipped log and the activation's Jacobian: float rounding only).
/// A wrong fused formula (a missing 1/batch, a skipped activation backward) is off by far more than that.
/// </summary>
public class FusionTests
{
    private const int Batch = 5;

    public static TheoryData<string> Families => new() { "Mlp", "Sigmoid", "Cnn", "ConvVariants", "Sequence", "Normalized", "Graph", "Tokens" };

    private static (INetwork Fused, INetwork Unfused) Pair(string family) => family switch
    {
        "Mlp" => (new FusedMlp(3), new UnfusedMlp(3)),
        "Sigmoid" => (new FusedSigmoid(3), new UnfusedSigmoid(3)),
        "Cnn" => (new FusedCnn(3), new UnfusedCnn(3)),
        "ConvVariants" => (new FusedConvVariants(3), new UnfusedConvVariants(3)),
        "Sequence" => (new FusedSequence(3), new UnfusedSequence(3)),
        "Normalized" => (new FusedNormalized(3), new UnfusedNormalized(3)),
        "Graph" => (new FusedGraph(3), new UnfusedGraph(3)),
        _ => (new FusedTokens(3), new UnfusedTokens(3)),
    };

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
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6 * (1 + Math.Abs(b[i])), $"{family}: output {i}: fused {a[i]:R}, unfused {b[i]:R}");
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
        Assert.DoesNotContain("SoftmaxCategoricalCrossentropy(", plain);
        Assert.Contains("global::NetGen.Kernels.Activations.Relu(", plain);
    }
}
