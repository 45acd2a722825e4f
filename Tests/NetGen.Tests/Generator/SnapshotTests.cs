using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Tests.Generator;

public class SnapshotTests
{
    private static string Generate(string source)
    {
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        // The generated code must compile without a single warning in a nullable-enabled project.
        var problems = result.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return Assert.Single(result.Sources).Text;
    }

    [Fact]
    public void FashionMlp()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(28, 28)]
            [Flatten]
            [Dense(128, Activation = Activation.Relu)]
            [Dense(64, Activation = Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class FashionMlp { }
            """;
        Snapshot.Match("FashionMlp", Generate(source));
    }

    /// <summary>A merge that broadcasts: a squeeze-and-excitation gate (1, 1, C) times an (H, W, C) map (Broadcast forward, SumRepeats backward).</summary>
    [Fact]
    public void BroadcastMerge()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(6, 6, 4, Name = "x")]
            [GlobalAveragePooling2D]
            [Dense(4, Activation = Activation.Sigmoid)]
            [Reshape(1, 1, 4, Name = "gate")]
            [Multiply("x", "gate", Name = "scaled")]
            [GlobalAveragePooling2D]
            [Dense(2, Activation = Activation.Softmax)]
            public partial class SqueezeExciteBlock { }
            """;
        Snapshot.Match("BroadcastMerge", Generate(source));
    }

    /// <summary>Keras' weight regularizers and constraints: in the parameter layout, and the penalty line of ComputeGradients.</summary>
    [Fact]
    public void RegularizedNetwork()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(8)]
            [Dense(16, Activation = Activation.Relu, KernelRegularizer = "l2(1e-4)", KernelConstraint = "max_norm(3)")]
            [BatchNormalization(GammaConstraint = "non_neg", BetaRegularizer = "l1(0.001)")]
            [Dense(4, Activation = Activation.Softmax, BiasRegularizer = "l1_l2(l1=0.01, l2=0.02)", KernelConstraint = "min_max_norm(0.5, 2, rate=0.5, axis=[0])")]
            public partial class RegularizedClassifier { }
            """;
        Snapshot.Match("RegularizedNetwork", Generate(source));
    }

    /// <summary>Predict's fused kernels: BatchNormalization folded into a convolution and a Dense, an Activation layer and a max pooling fused into the convolution's call.</summary>
    [Fact]
    public void FoldedBatchNormalization()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(12, 12, 1)]
            [Conv2D(8, 3, UseBias = false)]
            [BatchNormalization]
            [Activation(Activation.Relu)]
            [MaxPooling2D(2)]
            [Flatten]
            [Dense(16)]
            [BatchNormalization]
            [Activation(Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class FoldedCnn { }
            """;
        Snapshot.Match("FoldedBatchNormalization", Generate(source));
    }

    [Fact]
    public void NestedNetworkWithEveryLayerKind()
    {
        const string source = """
            using NetGen;
            namespace Samples.Deep;
            public static partial class Outer
            {
                [Network(InferenceBatchCapacity = 16)]
                [Input(4, 6)]
                [Dense(8, Activation = Activation.Tanh, Name = "per_step")]
                [Reshape(-1)]
                [Dropout(0.25, Seed = 7)]
                [Dense(5, UseBias = false, KernelInitializer = Initializer.HeNormal)]
                [Activation(Activation.Gelu)]
                [Dense(1)]
                [Activation(Activation.Sigmoid)]
                internal partial class Scorer { }
            }
            """;
        Snapshot.Match("NestedNetworkWithEveryLayerKind", Generate(source));
    }

    [Fact]
    public void GlobalNamespaceRegressionWithoutWeightsBeforeDropout()
    {
        const string source = """
            using NetGen;
            [Network]
            [Input(3)]
            [Dropout(0.5)]
            [Dense(2, Activation = Activation.Swish)]
            [Dense(2)]
            partial class Regressor { }
            """;
        Snapshot.Match("GlobalNamespaceRegression", Generate(source));
    }

    [Fact]
    public void FashionCnn()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(28, 28, 1)]
            [Conv2D(32, 3, Activation = Activation.Relu)]
            [MaxPooling2D]
            [Conv2D(64, 3, Activation = Activation.Relu)]
            [MaxPooling2D]
            [Flatten]
            [Dense(128, Activation = Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class FashionCnn { }
            """;
        Snapshot.Match("FashionCnn", Generate(source));
    }

    [Fact]
    public void ConvolutionVariants()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(8, 8, 3)]
            [ZeroPadding2D(1)]
            [SeparableConv2D(8, 3, DepthMultiplier = 2, Strides = 2, Activation = Activation.Relu)]
            [Conv2DTranspose(4, 3, Strides = 2, Padding = Padding.Same)]
            [DepthwiseConv2D(3, Padding = Padding.Same, UseBias = false)]
            [AveragePooling2D(3, Strides = 2, Padding = Padding.Same)]
            [UpSampling2D(2)]
            [Cropping2D(1)]
            [LocallyConnected2D(2, 2)]
            [GlobalMaxPooling2D]
            public partial class Variants { }
            """;
        Snapshot.Match("ConvolutionVariants", Generate(source));
    }

    [Fact]
    public void BilinearUpSampling()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(4, 5, 2)]
            [Conv2D(3, 1)]
            [UpSampling2D(2, 3, Interpolation = Interpolation.Bilinear)]
            [Flatten]
            [Dense(2)]
            public partial class Bilinear { }
            """;
        Snapshot.Match("BilinearUpSampling", Generate(source));
    }

    [Fact]
    public void TokenIdsNormalizationAndNoise()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(12, TokenIds = true)]
            [Embedding(100, 8)]
            [BatchNormalization]
            [GaussianNoise(0.1)]
            [LayerNormalization]
            [GlobalAveragePooling1D]
            [Dense(4, Activation = Activation.Selu)]
            [AlphaDropout(0.1)]
            [Dense(3, Activation = Activation.Softmax)]
            public partial class TextModel { }
            """;
        Snapshot.Match("TokenIdsNormalizationAndNoise", Generate(source));
    }

    [Fact]
    public void GenerationIsDeterministic()
    {
        const string source = """
            using NetGen;
            [Network]
            [Input(5)]
            [Dense(3, Activation = Activation.Elu)]
            partial class Small { }
            """;
        Assert.Equal(Generate(source), Generate(source));
    }

    [Fact]
    public void ResidualMlpGraph()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(28, 28)]
            [Flatten]
            [Dense(64, Activation = Activation.Relu)]
            [Dense(64, Activation = Activation.Relu)]
            [Dense(64)]
            [Add("dense", "dense_2")]
            [Activation(Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class ResidualMlp { }
            """;
        Snapshot.Match("ResidualMlpGraph", Generate(source));
    }

    [Fact]
    public void SmallTransformerBlock()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(6, TokenIds = true)]
            [Embedding(20, 8, Name = "tokens")]
            [MultiHeadAttention(2, 4, UseCausalMask = true, Dropout = 0.1, Name = "mha")]
            [Add("tokens", "mha")]
            [LayerNormalization]
            [PositionEmbedding(6, Name = "pos")]
            [Add("layer_normalization", "pos")]
            [Attention(UseScale = true, Inputs = new[] { "add_1", "tokens" }, Name = "att")]
            [GlobalAveragePooling1D]
            [Dense(3, Activation = Activation.Softmax)]
            public partial class TinyTransformer { }
            """;
        Snapshot.Match("SmallTransformerBlock", Generate(source));
    }

    [Fact]
    public void TwoInputsTwoOutputsGraph()
    {
        const string source = """
            using System;
            using NetGen;
            namespace Samples;
            [Network(InferenceBatchCapacity = 16)]
            [Input(28, 28, Name = "image")]
            [Input(3, Name = "meta")]
            [Flatten(Inputs = new[] { "image" })]
            [Dense(32, Activation = Activation.Relu, Name = "features")]
            [Lambda(nameof(Scale), Backward = nameof(ScaleBackward), ElementWise = true, Inputs = new[] { "meta" })]
            [Concatenate("features", "lambda")]
            [Dense(10, Activation = Activation.Softmax, Name = "item")]
            [Dense(3, Name = "meta_dense", Inputs = new[] { "lambda" })]
            [Dot(1, "meta_dense", "lambda", Normalize = true)]
            [Maximum("dot", "dot")]
            [Output("item", "maximum")]
            public partial class TwoWay
            {
                private static void Scale(ReadOnlySpan<float> x, Span<float> y, int batchSize)
                {
                    for (int i = 0; i < x.Length; i++) y[i] = 0.5f * x[i];
                }

                private static void ScaleBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batchSize)
                {
                    for (int i = 0; i < x.Length; i++) dx[i] = 0.5f * dy[i];
                }
            }
            """;
        Snapshot.Match("TwoInputsTwoOutputsGraph", Generate(source));
    }

    [Fact]
    public void FrozenFeatureExtractor()
    {
        // Trainable = false (issue 16): no gradient code for the frozen weights, BatchNormalization in its inference
        // form while training, and nothing at all below the first trainable layer.
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(6)]
            [Dense(8, Activation = Activation.Tanh, Trainable = false, Name = "features")]
            [BatchNormalization(Trainable = false, Name = "norm")]
            [Dense(5, Activation = Activation.Relu, Name = "hidden")]
            [Dense(3, Activation = Activation.Softmax, Name = "head")]
            public partial class FrozenFeatureExtractor { }
            """;
        Snapshot.Match("FrozenFeatureExtractor", Generate(source));
    }
}
