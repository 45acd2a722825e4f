using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>One test per diagnostic: id, severity, message and the exact span, marked in the source with <c>[| |]</c>.</summary>
public class DiagnosticTests
{
    private static Diagnostic Single(string marked, string id, DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        int start = marked.IndexOf("[|", System.StringComparison.Ordinal);
        int end = marked.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        var source = marked.Replace("[|", "").Replace("|]", "");
        var result = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(TextSpan.FromBounds(start, end), diagnostic.Location.SourceSpan);
        if (severity == DiagnosticSeverity.Error) Assert.Empty(result.Sources);
        return diagnostic;
    }

    [Fact]
    public void NotPartial()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(2), Dense(1)]
            public class [|Plain|] { }
            """, "NG0001");
        Assert.Contains("'Plain' must be declared partial", d.GetMessage());
    }

    [Fact]
    public void ContainingTypeNotPartial()
    {
        var d = Single("""
            using NetGen;
            public class Outer
            {
                [Network, Input(2), Dense(1)]
                public partial class [|Inner|] { }
            }
            """, "NG0001");
        Assert.Contains("every type containing it", d.GetMessage());
    }

    [Fact]
    public void NoInput()
    {
        var d = Single("""
            using NetGen;
            [[|Network|]]
            [Dense(10)]
            public partial class NoInputNet { }
            """, "NG0002");
        Assert.Contains("'NoInputNet' has no [Input(...)]", d.GetMessage());
    }

    [Fact]
    public void LayersSplitAcrossDeclarations()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(3)]
            public partial class Split { }
            [[|Dense(2)|]]
            public partial class Split { }
            """, "NG0003");
        Assert.Contains("more than one partial declaration", d.GetMessage());
    }

    [Fact]
    public void NonPositiveUnits()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense([|0|])]
            public partial class ZeroUnits { }
            """, "NG0004");
        Assert.Equal("Dense 'dense': units must be positive, but is 0", d.GetMessage());
    }

    [Fact]
    public void NonPositiveInputDimension()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [Input([|28, -1|])]
            [Dense(2)]
            public partial class BadInput { }
            """, "NG0004");
        Assert.Equal("Input 'input_layer': dimension 2 must be positive, but is -1", d.GetMessage());
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("-0.1")]
    [InlineData("1.5")]
    public void DropoutRateOutOfRange(string rate)
    {
        var d = Single($$"""
            using NetGen;
            [Network, Input(4)]
            [Dropout([|{{rate}}|])]
            public partial class BadDropout { }
            """, "NG0005");
        Assert.Equal($"Dropout 'dropout': rate must be in [0, 1), but is {double.Parse(rate, System.Globalization.CultureInfo.InvariantCulture).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", d.GetMessage());
    }

    [Fact]
    public void ReshapeChangesElementCount()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(28, 28)]
            [Reshape([|7, 7, 15|])]
            public partial class BadReshape { }
            """, "NG0006");
        Assert.Equal("Reshape 'reshape': target shape (7, 7, 15) holds 735 elements, but its input (28, 28) holds 784", d.GetMessage());
    }

    [Fact]
    public void ReshapeCannotInfer()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(10)]
            [Reshape([|3, -1|])]
            public partial class BadInfer { }
            """, "NG0010");
        Assert.Contains("10 is not a multiple of 3", d.GetMessage());
    }

    [Fact]
    public void UnknownActivation()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(2, Activation = [|(Activation)42|])]
            public partial class BadActivation { }
            """, "NG0007");
        Assert.Equal("Dense 'dense': 42 is not a NetGen.Activation value", d.GetMessage());
    }

    [Fact]
    public void UnknownActivationOnActivationLayer()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Activation([|(Activation)(-1)|])]
            public partial class BadActivationLayer { }
            """, "NG0007");
        Assert.Equal("Activation 'activation': -1 is not a NetGen.Activation value", d.GetMessage());
    }

    [Fact]
    public void FlattenOfFlatInputIsAWarningAndStillGenerates()
    {
        var source = """
            using NetGen;
            [Network, Input(4)]
            [[|Flatten|]]
            [Dense(2)]
            public partial class FlatFlatten { }
            """;
        var d = Single(source, "NG0008", DiagnosticSeverity.Warning);
        Assert.Equal("Flatten 'flatten': the input (4) is already flat, so Flatten does nothing", d.GetMessage());
        Assert.Single(GeneratorHarness.Run(source.Replace("[|", "").Replace("|]", "")).Sources);
    }

    [Fact]
    public void LayerBeforeInput()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [[|Dense(3)|]]
            [Input(4)]
            public partial class Backwards { }
            """, "NG0011");
        Assert.Contains("declared before [Input]", d.GetMessage());
    }

    [Fact]
    public void UnknownInitializer()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(2, KernelInitializer = [|(Initializer)99|])]
            public partial class BadInit { }
            """, "NG0012");
        Assert.Equal("Dense 'dense': 99 is not a NetGen.Initializer value", d.GetMessage());
    }

    [Fact]
    public void GenericNetwork()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4), Dense(2)]
            public partial class [|Generic|]<T> { }
            """, "NG0013");
        Assert.Contains("'Generic' is generic", d.GetMessage());
    }

    [Fact]
    public void DuplicateName()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(3, Name = "hidden")]
            [Dense(2, Name = [|"hidden"|])]
            public partial class Twice { }
            """, "NG0014");
        Assert.Equal("Layer name 'hidden' is used twice; every layer needs a unique name", d.GetMessage());
    }

    [Fact]
    public void CapacityNotPositive()
    {
        var d = Single("""
            using NetGen;
            [Network(InferenceBatchCapacity = [|0|])]
            [Input(4), Dense(2)]
            public partial class NoCapacity { }
            """, "NG0016");
        Assert.Contains("InferenceBatchCapacity must be positive, but is 0", d.GetMessage());
    }

    [Fact]
    public void UnsupportedLayerAttribute()
    {
        var d = Single("""
            using NetGen;
            namespace NetGen { public sealed class FancyAttribute : LayerAttribute { } }
            [Network, Input(4)]
            [[|Fancy|]]
            public partial class Unsupported { }
            """, "NG0015");
        Assert.Equal("Network 'Unsupported': the layer attribute [Fancy] is not supported by this version of the NetGen generator", d.GetMessage());
    }

    [Fact]
    public void ConvolutionOnAFlatInputNamesTheExpectedRank()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(784)]
            [[|Conv2D(32, 3)|]]
            public partial class FlatConv { }
            """, "NG0017");
        Assert.Equal("Conv2D 'conv2d': expects a rank-3 input (height, width, channels), but its input (784) has rank 1", d.GetMessage());
    }

    [Fact]
    public void KernelLargerThanItsInputGivesTheFormula()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(3, 3, 1)]
            [[|Conv2D(4, 5)|]]
            public partial class BigKernel { }
            """, "NG0018");
        Assert.Equal("Conv2D 'conv2d': the kernel of 5 along height is larger than the input's 3: output height = floor((3 - 5) / 1) + 1 = -1, which is not positive", d.GetMessage());
    }

    [Fact]
    public void PoolWindowLargerThanItsInput()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(3, 3, 2)]
            [[|MaxPooling2D(4)|]]
            public partial class BigPool { }
            """, "NG0018");
        Assert.Contains("the pool window of 4 along height is larger than the input's 3", d.GetMessage());
    }

    [Fact]
    public void NonPositiveFiltersStridesAndMultiplier()
    {
        Assert.Equal("Conv1D 'conv1d': filters must be positive, but is 0", Single("""
            using NetGen;
            [Network, Input(10, 2)]
            [Conv1D([|0|], 3)]
            public partial class NoFilters { }
            """, "NG0004").GetMessage());
        Assert.Equal("Conv2D 'conv2d': Strides must be positive, but is 0", Single("""
            using NetGen;
            [Network, Input(8, 8, 1)]
            [Conv2D(4, 3, Strides = [|0|])]
            public partial class NoStride { }
            """, "NG0004").GetMessage());
        Assert.Equal("DepthwiseConv2D 'depthwise_conv2d': DepthMultiplier must be positive, but is -1", Single("""
            using NetGen;
            [Network, Input(8, 8, 3)]
            [DepthwiseConv2D(3, DepthMultiplier = [|-1|])]
            public partial class NoMultiplier { }
            """, "NG0004").GetMessage());
    }

    [Fact]
    public void TransposedOutputPaddingMustBeBelowTheStride()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4, 4, 2)]
            [Conv2DTranspose(3, 3, Strides = 2, OutputPadding = [|2|])]
            public partial class BigOutputPadding { }
            """, "NG0019");
        Assert.Equal("Conv2DTranspose 'conv2d_transpose': output padding 2 along height must be smaller than the stride 2", d.GetMessage());
    }

    [Fact]
    public void StridesWithDilation()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(16, 16, 1)]
            [[|Conv2D(4, 3, Strides = 2, DilationRate = 2)|]]
            public partial class StridedDilated { }
            """, "NG0020");
        Assert.Contains("strides 2x2 and dilation rate 2x2 cannot both exceed 1", d.GetMessage());
    }

    [Fact]
    public void CausalPaddingOnlyOnConv1D()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(8, 8, 1)]
            [Conv2D(4, 3, Padding = [|Padding.Causal|])]
            public partial class CausalConv2D { }
            """, "NG0021");
        Assert.Equal("Conv2D 'conv2d': padding 'causal' is not allowed here; only Conv1D supports causal padding", d.GetMessage());
    }

    [Fact]
    public void WrongNumberOfKernelValues()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(8, 8, 1)]
            [Conv2D(4, [|3, 3, 3|])]
            public partial class ThreeAxes { }
            """, "NG0022");
        Assert.Equal("Conv2D 'conv2d': kernelSize needs 1 or 2 values, but has 3", d.GetMessage());
    }

    [Fact]
    public void CroppingMoreThanTheInput()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4, 4, 1)]
            [Cropping2D([|2, 2|])]
            public partial class OverCropped { }
            """, "NG0018");
        Assert.Equal("Cropping2D 'cropping2d': cropping 2 + 2 along height leaves 0 of the input's 4", d.GetMessage());
    }

    [Fact]
    public void NormalizationAxisOutOfRangeOrNotLast()
    {
        Assert.Equal("BatchNormalization 'batch_normalization': axis 3 is out of range for an input of rank 2 (use -2..-1 or 1..2)", Single("""
            using NetGen;
            [Network, Input(4, 6)]
            [BatchNormalization(Axis = [|3|])]
            public partial class AxisTooBig { }
            """, "NG0023").GetMessage());
        Assert.Equal("GroupNormalization 'group_normalization': normalising axis 1 is not supported yet; only the last (channel) axis is", Single("""
            using NetGen;
            [Network, Input(4, 6)]
            [GroupNormalization(2, Axis = [|1|])]
            public partial class AxisFirst { }
            """, "NG0027").GetMessage());
    }

    [Fact]
    public void GroupsMustDivideTheChannels()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(5, 6)]
            [GroupNormalization([|4|])]
            public partial class BadGroups { }
            """, "NG0024");
        Assert.Equal("GroupNormalization 'group_normalization': 4 groups do not divide the 6 channels", d.GetMessage());
    }

    [Fact]
    public void NoiseArguments()
    {
        Assert.Equal("GaussianNoise 'gaussian_noise': stddev must be at least 0, but is -0.5", Single("""
            using NetGen;
            [Network, Input(4)]
            [GaussianNoise([|-0.5|])]
            public partial class NegativeNoise { }
            """, "NG0025").GetMessage());
        Assert.Equal("AlphaDropout 'alpha_dropout': rate must be in [0, 1), but is 1", Single("""
            using NetGen;
            [Network, Input(4)]
            [AlphaDropout([|1.0|])]
            public partial class FullAlphaDropout { }
            """, "NG0005").GetMessage());
        Assert.Equal("Embedding 'embedding': outputDim must be positive, but is 0", Single("""
            using NetGen;
            [Network, Input(4, TokenIds = true)]
            [Embedding(10, [|0|])]
            public partial class EmptyEmbedding { }
            """, "NG0004").GetMessage());
    }

    [Fact]
    public void TokenIdsAndFeaturesDoNotMix()
    {
        Assert.Equal("Embedding 'embedding_1': its input must be token ids straight from an [Input(..., TokenIds = true)], but it reads the float output of 'dense'", Single("""
            using NetGen;
            [Network, Input(4, TokenIds = true)]
            [Embedding(10, 3)]
            [Dense(4)]
            [[|Embedding(10, 3)|]]
            public partial class EmbeddingAfterDense { }
            """, "NG0026").GetMessage());
        Assert.Equal("Dense 'dense': it reads the token ids of input 'input_layer' directly; token ids must go through an Embedding first", Single("""
            using NetGen;
            [Network, Input(4, TokenIds = true)]
            [[|Dense(3)|]]
            public partial class DenseOnTokens { }
            """, "NG0026").GetMessage());
    }

    [Fact]
    public void PaddingMaskStoppedByALayerThatIgnoresIt()
    {
        var source = """
            using NetGen;
            [Network, Input(6, TokenIds = true)]
            [Embedding(10, 4, MaskZero = true)]
            [Dense(4, Activation = Activation.Relu)]
            [[|Flatten|]]
            [Dense(2)]
            public partial class MaskedFlatten { }
            """;
        var d = Single(source, "NG0028", DiagnosticSeverity.Warning);
        Assert.Equal("Flatten 'flatten': the padding mask of 'embedding' stops here: this layer does not use masks yet, so padded steps count as data", d.GetMessage());
    }

    [Fact]
    public void PaddingMaskReachingOneOfSeveralOutputs()
    {
        // One output's losses skip padded steps (MaskedLossTests); with several outputs NetGen does not yet.
        var d = Single("""
            using NetGen;
            [Network, Input(6, TokenIds = true)]
            [Embedding(10, 4, MaskZero = true)]
            [[|Dense(3, Name = "tags")|]]
            [GlobalAveragePooling1D(Inputs = new[] { "embedding" }, Name = "pooled")]
            [Output("tags", "pooled")]
            public partial class MaskedOutputs { }
            """, "NG0028", DiagnosticSeverity.Warning);
        Assert.Equal("Dense 'tags': the padding mask of 'embedding' stops here: it reaches one of several outputs, and NetGen's losses skip padded steps only for a network of one output", d.GetMessage());
    }

    [Fact]
    public void EveryDescriptorIsDocumentedInTheReadme()
    {
        var readme = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, "README.md"));
        foreach (var descriptor in NetGen.Generator.Diagnostics.Descriptors.All)
            Assert.Contains($"| {descriptor.Id} |", readme);
    }

    [Fact]
    public void DefaultNamesFollowKeras()
    {
        var result = GeneratorHarness.Run("""
            using NetGen;
            [Network, Input(4)]
            [Dense(3), Dropout(0.1), Dense(3), Activation(Activation.Relu), Dense(2)]
            public partial class Names { }
            """);
        var text = Assert.Single(result.Sources).Text;
        foreach (var name in new[] { "// dense: ", "// dropout: ", "// dense_1: ", "// activation: ", "// dense_2: " })
            Assert.Contains(name, text);
    }

    // ---------------- functional graphs

    [Fact]
    public void UnknownInputName()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(3)]
            [Dense(2, Inputs = [|new[] { "dense_9" }|])]
            public partial class Typo { }
            """, "NG0029");
        Assert.Equal("Dense 'dense_1': there is no layer or input named 'dense_9' (known names: input_layer, dense)", d.GetMessage());
    }

    [Fact]
    public void UnknownMergeInputName()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(4)]
            [Add([|"input_layer", "dens"|])]
            public partial class MergeTypo { }
            """, "NG0029");
        Assert.StartsWith("Add 'add': there is no layer or input named 'dens'", d.GetMessage());
    }

    [Fact]
    public void UnknownOutputName()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(4)]
            [[|Output("dense", "head")|]]
            public partial class NoHead { }
            """, "NG0029");
        Assert.StartsWith("Output of 'NoHead': there is no layer or input named 'head'", d.GetMessage());
    }

    [Fact]
    public void DuplicateNameInAGraph()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [Input(4, Name = "x")]
            [Dense(4, Name = [|"x"|])]
            public partial class SameName { }
            """, "NG0014");
        Assert.Contains("'x' is used twice", d.GetMessage());
    }

    [Fact]
    public void ReadsALayerDeclaredAfterIt()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(4, Inputs = [|new[] { "later" }|])]
            [Dense(4, Name = "later")]
            public partial class Forward { }
            """, "NG0030");
        Assert.Equal("Dense 'dense': it reads 'later', which is declared after it; declare a layer after every layer it reads", d.GetMessage());
    }

    [Fact]
    public void MergeOfUnequalShapes()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(32)]
            [Dense(16)]
            [Dense(8, Inputs = new[] { "input_layer" })]
            [[|Add("input_layer", "dense", "dense_1")|]]
            public partial class Unequal { }
            """, "NG0031");
        Assert.Equal("Add 'add': its inputs must have equal shapes, or one rank with sizes of 1 broadcast along one run of axes, but they are (32), (16), (8)", d.GetMessage());
        // Sizes of 1 broadcast (Keras), but only along one run of axes: (1, 4, 1) against (3, 4, 2) widens axes 0 and 2.
        var split = Single("""
            using NetGen;
            [Network]
            [Input(3, 4, 2, Name = "a")]
            [Input(1, 4, 1, Name = "b")]
            [[|Multiply("a", "b")|]]
            public partial class Split { }
            """, "NG0031");
        Assert.Equal("Multiply 'multiply': its inputs must have equal shapes, or one rank with sizes of 1 broadcast along one run of axes, but they are (3, 4, 2), (1, 4, 1)", split.GetMessage());
        // One run is fine: (3, 1, 1) against (3, 4, 2).
        var result = GeneratorHarness.Run("""
            using NetGen;
            [Network]
            [Input(3, 4, 2, Name = "a")]
            [Input(3, 1, 1, Name = "b")]
            [Multiply("a", "b")]
            public partial class Run { }
            """);
        Assert.Empty(result.GeneratorDiagnostics);
    }

    [Fact]
    public void SubtractOfThreeInputs()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(4)]
            [[|Subtract("input_layer", "dense", "dense")|]]
            public partial class ThreeWay { }
            """, "NG0032");
        Assert.Equal("Subtract 'subtract': Subtract takes exactly two inputs, but it reads 3", d.GetMessage());
    }

    [Fact]
    public void MergeOfOneInput()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [[|Maximum("input_layer")|]]
            public partial class Lonely { }
            """, "NG0032");
        Assert.Equal("Maximum 'maximum': Maximum merges two or more inputs, but it reads 1", d.GetMessage());
    }

    [Fact]
    public void SingleInputLayerGivenTwo()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(4)]
            [[|Dense(2, Inputs = new[] { "input_layer", "dense" })|]]
            public partial class TwoForOne { }
            """, "NG0032");
        Assert.Equal("Dense 'dense_1': it reads exactly one input, but it reads 2 (input_layer, dense)", d.GetMessage());
    }

    [Fact]
    public void ConcatenateMismatchOutsideTheAxis()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [Input(2, 3, Name = "a")]
            [Input(4, 5, Name = "b")]
            [[|Concatenate("a", "b", Axis = 1)|]]
            public partial class Misfit { }
            """, "NG0031");
        Assert.Equal("Concatenate 'concatenate': its inputs must match on every axis but axis 1, but they are (2, 3), (4, 5)", d.GetMessage());
    }

    [Fact]
    public void ConcatenateAxisOutOfRange()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [Input(2, 3, Name = "a")]
            [Input(2, 3, Name = "b")]
            [Concatenate("a", "b", Axis = [|3|])]
            public partial class FarAxis { }
            """, "NG0023");
        Assert.Equal("Concatenate 'concatenate': axis 3 is out of range for an input of rank 2 (use -2..-1 or 1..2)", d.GetMessage());
    }

    [Fact]
    public void DotAxesOfUnequalLength()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [Input(3, 4, Name = "a")]
            [Input(5, 6, Name = "b")]
            [Dot([|2, 1|], "a", "b")]
            public partial class Skew { }
            """, "NG0033");
        Assert.Equal("Dot 'dot': axis 2 of the first input (3, 4) has length 4, but axis 1 of the second input (5, 6) has length 5", d.GetMessage());
    }

    [Fact]
    public void PermuteNotAPermutation()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(2, 3, 4)]
            [Permute([|3, 1, 1|])]
            public partial class Repeat { }
            """, "NG0034");
        Assert.Equal("Permute 'permute': dims (3, 1, 1) must be a permutation of 1..3 for an input of rank 3 (2, 3, 4)", d.GetMessage());
    }

    [Fact]
    public void LambdaMethodMissing()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Lambda([|"Nowhere"|], InferenceOnly = true, ElementWise = true)]
            public partial class Missing { }
            """, "NG0035");
        Assert.Equal("Lambda 'lambda': 'Missing' has no method 'Nowhere'; expected static void Nowhere(ReadOnlySpan<float> x, Span<float> y, int batchSize)", d.GetMessage());
    }

    [Fact]
    public void LambdaMethodWithTheWrongSignature()
    {
        var d = Single("""
            using System;
            using NetGen;
            [Network, Input(4)]
            [Lambda(nameof(F), Backward = [|nameof(B)|], ElementWise = true)]
            public partial class Wrong
            {
                private static void F(ReadOnlySpan<float> x, Span<float> y, int batchSize) { }
                private void B(ReadOnlySpan<float> dy, Span<float> dx) { }
            }
            """, "NG0035");
        Assert.Equal("Lambda 'lambda': method 'B' is void B(System.ReadOnlySpan<float> dy, System.Span<float> dx), but must be static void B(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batchSize)", d.GetMessage());
    }

    [Fact]
    public void LambdaWithoutBackwardOrInferenceOnly()
    {
        var d = Single("""
            using System;
            using NetGen;
            [Network, Input(4)]
            [[|Lambda(nameof(F), ElementWise = true)|]]
            public partial class Untrainable
            {
                private static void F(ReadOnlySpan<float> x, Span<float> y, int batchSize) { }
            }
            """, "NG0035");
        Assert.StartsWith("Lambda 'lambda': training needs a backward method", d.GetMessage());
    }

    [Fact]
    public void LambdaWithoutOutputShape()
    {
        var d = Single("""
            using System;
            using NetGen;
            [Network, Input(4)]
            [[|Lambda(nameof(F), InferenceOnly = true)|]]
            public partial class Shapeless
            {
                private static void F(ReadOnlySpan<float> x, Span<float> y, int batchSize) { }
            }
            """, "NG0035");
        Assert.Equal("Lambda 'lambda': declare the output shape: OutputShape = new[] { ... } (without the batch axis), or ElementWise = true when it is the input's (4)", d.GetMessage());
    }

    [Fact]
    public void UnusedInput()
    {
        const string source = """
            using NetGen;
            [Network]
            [Input(4, Name = "used")]
            [[|Input(2, Name = "ignored")|]]
            [Dense(3, Inputs = new[] { "used" })]
            public partial class Spare { }
            """;
        var d = Single(source, "NG0036", DiagnosticSeverity.Warning);
        Assert.Equal("Input 'ignored' is not used by any output of 'Spare'", d.GetMessage());
        Assert.Single(GeneratorHarness.Run(source.Replace("[|", "").Replace("|]", "")).Sources);
    }

    [Fact]
    public void UnusedLayer()
    {
        const string source = """
            using NetGen;
            [Network, Input(4)]
            [Dense(3)]
            [[|Dense(5, Name = "dead_end", Inputs = new[] { "input_layer" })|]]
            [Output("dense")]
            public partial class Dangling { }
            """;
        var d = Single(source, "NG0037", DiagnosticSeverity.Warning);
        Assert.Equal("Dense 'dead_end': no output of 'Dangling' depends on it, so it is left out of the network", d.GetMessage());
        var generated = Assert.Single(GeneratorHarness.Run(source.Replace("[|", "").Replace("|]", "")).Sources).Text;
        Assert.DoesNotContain("dead_end/kernel", generated);
        Assert.Contains("public const int ParameterCount = 15;", generated);
    }

    [Fact]
    public void TokenIdsInAMultiInputNetwork()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [[|Input(5, TokenIds = true, Name = "ids")|]]
            [Input(3, Name = "extra")]
            [Embedding(10, 4, Inputs = new[] { "ids" })]
            [Flatten]
            [Concatenate("flatten", "extra")]
            public partial class Mixed { }
            """, "NG0026");
        Assert.Equal("Input 'ids': token-id inputs are supported in single-input networks only (this network has several inputs)", d.GetMessage());
    }
}
