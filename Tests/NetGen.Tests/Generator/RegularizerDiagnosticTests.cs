using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>Regularizer and constraint properties (KernelRegularizer, ...): NG0075 and NG0076, id, message and exact span.</summary>
public class RegularizerDiagnosticTests
{
    private static Diagnostic Single(string marked, string id) => GeneratorHarness.SingleError(marked, id);

    [Fact]
    public void ALayerWithoutTheWeightIsNG0075()
    {
        Assert.Equal("DepthwiseConv2D 'depthwise_conv2d': PointwiseRegularizer applies to weights named 'pointwise_kernel', and this layer has none (its weights: kernel, bias)", Single("""
            using NetGen;
            [Network, Input(6, 6, 2)]
            [DepthwiseConv2D(3, PointwiseRegularizer = [|"l2(0.01)"|])]
            public partial class Depthwise { }
            """, "NG0075").GetMessage());
        Assert.Equal("Flatten 'flatten': KernelConstraint applies to weights named 'kernel', and this layer has none (its weights: none)", Single("""
            using NetGen;
            [Network, Input(6, 2)]
            [Flatten(KernelConstraint = [|"max_norm(2)"|])]
            public partial class Flat { }
            """, "NG0075").GetMessage());
        Assert.Equal("Dense 'dense': BiasConstraint applies to weights named 'bias', and this layer has none (its weights: kernel)", Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(2, UseBias = false, BiasConstraint = [|"non_neg"|])]
            public partial class NoBias { }
            """, "NG0075").GetMessage());
    }

    [Theory]
    [InlineData("KernelRegularizer", "l3(0.1)", "is not a regularizer: use l1(x), l2(x) or l1_l2(l1=x, l2=y) with finite factors x, y ≥ 0")]
    [InlineData("KernelRegularizer", "l2(-0.1)", "has a factor that is negative or not finite: use l1(x), l2(x) or l1_l2(l1=x, l2=y) with finite factors x, y ≥ 0")]
    [InlineData("KernelRegularizer", "l1_l2(l3=0.1)", "has no argument 'l3': use l1(x), l2(x) or l1_l2(l1=x, l2=y) with finite factors x, y ≥ 0")]
    [InlineData("KernelConstraint", "max_norm(2, axis=2)", "has axis 2, outside the weight 'kernel' of shape (4, 3) (rank 2: axes -2 to 1)")]
    [InlineData("KernelConstraint", "min_max_norm(2, 1)", "needs finite bounds with 0 ≤ min_value ≤ max_value")]
    [InlineData("KernelConstraint", "max_norm(2, axis=[0, 0])", "names an axis twice")]
    [InlineData("BiasConstraint", "non_neg(1)", "takes no arguments")]
    [InlineData("KernelConstraint", "clip(1)", "is not a constraint: use max_norm(max_value=2, axis=0), non_neg, unit_norm(axis=0) or min_max_norm(min_value=0, max_value=1, rate=1, axis=0), axis an integer or a list of them")]
    public void AMalformedValueIsNG0076(string property, string value, string why)
    {
        var d = Single($$"""
            using NetGen;
            [Network, Input(4)]
            [Dense(3, {{property}} = [|"{{value}}"|])]
            public partial class Bad { }
            """, "NG0076");
        Assert.Equal($"Dense 'dense': {property} = \"{value}\" {why}", d.GetMessage());
    }
}
