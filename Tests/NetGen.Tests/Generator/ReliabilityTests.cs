using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// Regression tests for the generator defects of issue 11: every declaration gets code that compiles or a diagnostic,
/// never a crash (CS8785), an internal error (NG0009) or silence.
/// </summary>
public class ReliabilityTests
{
    private static GeneratorHarness.Result Run(string source)
    {
        var result = GeneratorHarness.Run(source);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "NG0009");
        return result;
    }

    /// <summary>The generator reports exactly <paramref name="id"/> (among possibly other diagnostics) and no code is generated.</summary>
    private static Diagnostic Reports(string source, string id)
    {
        var result = Run(source);
        var d = result.GeneratorDiagnostics.FirstOrDefault(x => x.Id == id);
        Assert.True(d is not null, $"expected {id}, got: {string.Join("; ", result.GeneratorDiagnostics)}");
        Assert.DoesNotContain(result.Sources, s => !s.HintName.Contains("Other", StringComparison.Ordinal));
        return d!;
    }

    /// <summary>No error from the generator and the generated code compiles.</summary>
    private static GeneratorHarness.Result Compiles(string source)
    {
        var result = Run(source);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.NotEmpty(result.Sources);
        var errors = result.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return result;
    }

    // ---------------------------------------------------------------- 1. hint names

    [Fact]
    public void NetworkOnTwoPartialDeclarationsDoesNotCrash()
    {
        var result = Run("""
            using NetGen;
            [Network, Input(2), Dense(1)]
            public partial class Twice { }
            [Network]
            public partial class Twice { }
            """);
        Assert.Single(result.Sources);
        Assert.Contains(result.CompilationDiagnostics, d => d.Id == "CS0579"); // the compiler's duplicate-attribute error
    }

    [Fact]
    public void NestedNetworkNamedWeightsNextToWeightsAttributeGetsDistinctHintNames()
    {
        var result = Run("""
            using NetGen;
            namespace App;
            [Network, Weights("missing.weights.txt"), Input(2), Dense(1)]
            public partial class Net
            {
                [Network, Input(2), Dense(1)]
                public partial class Weights { }
            }
            """);
        Assert.Contains(result.Sources, s => s.HintName == "App.Net+Weights.g.cs");
        Assert.Contains(result.Sources, s => s.HintName == "App.Net.g.cs");
        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "NG0038"); // the weight file is missing: reported, not a crash
    }

    [Fact]
    public void ClassesDifferingOnlyInCaseGetDistinctHintNames()
    {
        var result = Run("""
            using NetGen;
            namespace App
            {
                [Network, Input(2), Dense(1)] public partial class Net { }
                [Network, Input(2), Dense(1)] public partial class net { }
                [Network, Input(2), Dense(1)] public partial class NET { }
            }
            """);
        Assert.Equal(3, result.Sources.Count);
        Assert.Equal(3, result.Sources.Select(s => s.HintName.ToUpperInvariant()).Distinct().Count());
        Assert.Empty(result.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    // ---------------------------------------------------------------- 2. token ids with several outputs

    [Fact]
    public void TokenInputWithSeveralOutputsCompiles()
        => Compiles("""
            using NetGen;
            [Network, Input(4, TokenIds = true), Embedding(10, 3, Name = "e"), Flatten(Name = "f"), Dense(2, Name = "a"), Dense(3, Name = "b", Inputs = new[] { "f" })]
            [Output("a", "b")]
            public partial class TokenTwoOutputs { }
            """);

    /// <summary>
    /// Found by the long fuzz (seed 8r1OzQu5O1m1): an inference arena of more than 2³¹ floats at the batch capacity, where
    /// the excess is a layer's own scratch (MultiHeadAttention's scores over 3 heads of 64 positions, which the graph
    /// builder's estimate from the layers' inputs and outputs does not see), gave an internal error (NG0009: the summary's
    /// int arithmetic) and, past that, code that does not compile (the arena's int constant). Now NG0046 on the network;
    /// with the default capacity the same network compiles.
    /// </summary>
    [Fact]
    public void AnArenaPastTwoBillionFloatsIsNG0046NotAnInternalError()
    {
        var result = GeneratorHarness.Run("""
            using NetGen;
            [Network(InferenceBatchCapacity = 1000000), Input(8, 8, 2)]
            [MultiHeadAttention(3, 4, ReturnAttentionScores = true)]
            public partial class HugeScoresArena { }
            """);
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("NG0046", d.Id);
        Assert.Contains("the inference arena for InferenceBatchCapacity = 1000000 samples of", d.GetMessage());
        Assert.Empty(result.Sources);
        Compiles("""
            using NetGen;
            [Network, Input(8, 8, 2)]
            [MultiHeadAttention(3, 4, ReturnAttentionScores = true)]
            public partial class ScoresArena { }
            """);
    }

    // ---------------------------------------------------------------- 4, 5. names

    [Theory]
    [InlineData("q\\\"x")]
    [InlineData("b\\\\s")]
    [InlineData("n\\nl")]
    [InlineData("u\\u2028v")]
    [InlineData("p\\u0085q")]
    [InlineData("<&>")]
    [InlineData("a b")]
    [InlineData("*/")]
    [InlineData(".a")]
    public void NamesOutsideKerasCharactersAreRejected(string escaped)
    {
        var d = Reports($$"""
            using NetGen;
            [Network, Input(2), Dense(1, Name = "{{escaped}}")]
            public partial class BadName { }
            """, "NG0043");
        Assert.Contains("letters, digits", d.GetMessage());
    }

    /// <summary>
    /// Layers named like members of the generated class (found by the fuzzer: a Flatten named "_parameters" became a local
    /// hiding the field, CS0844): locals, parameters and fields all get names of their own.
    /// </summary>
    [Theory]
    [InlineData("_parameters", "_gradients")]
    [InlineData("State", "Layers")]
    [InlineData("_trainable", "CallSampleWeights")]
    [InlineData("_tokenTraining", "InputGradientFloatsPerSample")]
    public void LayersNamedLikeGeneratedMembersCompile(string first, string second)
    {
        var result = GeneratorHarness.Run($$"""
            using NetGen;
            [Network, Input(3, 4), MultiHeadAttention(2, 2, Name = "att"), Flatten(Name = "{{first}}"), Dense(3, Name = "{{second}}"), Dense(2, Activation = Activation.Softmax)]
            public partial class MemberNames { }
            """);
        Assert.Empty(result.GeneratorDiagnostics);
        var errors = result.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [InlineData("a-b", "a_b")]
    [InlineData("a.b", "a-b")]
    [InlineData("batchSize", "batchSize_")]
    public void NamesThatBecomeTheSameIdentifierAreRejected(string first, string second)
        => Reports($$"""
            using NetGen;
            [Network, Input(2, Name = "{{first}}"), Input(2, Name = "{{second}}"), Add("{{first}}", "{{second}}")]
            public partial class Colliding { }
            """, "NG0044");

    [Fact]
    public void KerasNamesWithDotsAndDashesStillGenerate()
        => Compiles("""
            using NetGen;
            [Network, Input(2, Name = "in.put"), Input(2, Name = "other-in"), Add("in.put", "other-in", Name = "sum.1"), Dense(1, Name = "head-1")]
            public partial class DottedNames { }
            """);

    [Fact]
    public void OutputNamedTwiceIsRejected()
        => Reports("""
            using NetGen;
            [Network, Input(2), Dense(1, Name = "d")]
            [Output("d", "d")]
            public partial class TwiceOut { }
            """, "NG0045");

    // ---------------------------------------------------------------- 6. non-finite and out-of-range numbers

    [Theory]
    [InlineData("GaussianNoise(double.PositiveInfinity)")]
    [InlineData("GaussianNoise(1e300)")]
    [InlineData("Dropout(double.NaN)")]
    [InlineData("BatchNormalization(Epsilon = double.NaN)")]
    [InlineData("BatchNormalization(Epsilon = 0)")]
    [InlineData("BatchNormalization(Epsilon = -1e-3)")]
    [InlineData("LayerNormalization(Epsilon = 1e-50)")]
    [InlineData("BatchNormalization(Momentum = double.NaN)")]
    [InlineData("BatchNormalization(Momentum = 1.5)")]
    [InlineData("BatchNormalization(Momentum = -0.1)")]
    public void NonFiniteOrOutOfRangeNumbersAreRejected(string layer)
    {
        var result = Run($$"""
            using NetGen;
            [Network, Input(2), {{layer}}, Dense(1)]
            public partial class BadNumber { }
            """);
        Assert.Contains(result.GeneratorDiagnostics, d => d.Id is "NG0047" or "NG0005" or "NG0025");
        Assert.Empty(result.Sources);
    }

    // ---------------------------------------------------------------- 7. sizes beyond 32 bits

    [Theory]
    [InlineData("Input(65536, 65536)")]
    [InlineData("Input(46341, 46341)")]
    [InlineData("Input(2, 2, 2), Conv2D(2, 2, DilationRate = int.MaxValue, Padding = Padding.Same)")]
    [InlineData("Input(4, 4, 2), Conv2D(int.MaxValue, 2)")]
    [InlineData("Input(100000), Dense(100000)")]
    [InlineData("Input(3), RepeatVector(int.MaxValue)")]
    [InlineData("Input(8, 3), UpSampling1D(int.MaxValue)")]
    public void SizesBeyond32BitsAreReportedAsTooLarge(string layers)
    {
        var result = Run($$"""
            using NetGen;
            [Network, {{layers}}]
            public partial class Huge { }
            """);
        Assert.True(result.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error),
            "expected an error, got: " + string.Join("; ", result.GeneratorDiagnostics));
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void TooLargeNamesTheLayerAndTheSizes()
    {
        var d = Reports("""
            using NetGen;
            [Network, Input(65536, 65536, Name = "big")]
            public partial class Huge { }
            """, "NG0046");
        Assert.Contains("Input 'big'", d.GetMessage());
        Assert.Contains("65536 × 65536", d.GetMessage());
    }

    [Fact]
    public void InferenceArenaBeyond32BitsIsReported()
        => Reports("""
            using NetGen;
            [Network(InferenceBatchCapacity = int.MaxValue), Input(3, 2, 2), Dense(2)]
            public partial class HugeArena { }
            """, "NG0046");

    // ---------------------------------------------------------------- 8. nulls

    [Theory]
    [InlineData("Input(null)")]
    [InlineData("Input(2), Dense(1, Inputs = new string[] { null })")]
    [InlineData("Input(2, Name = \"a\"), Dense(2, Name = \"b\"), Add(\"a\", null)")]
    [InlineData("Input(4, 4, 1), Conv2D(2, null)")]
    [InlineData("Input(4, 4, 1), MaxPooling2D(null)")]
    public void NullArraysAndElementsAreRejected(string layers)
        => Reports($$"""
            using NetGen;
            [Network, {{layers}}]
            public partial class Nulls { }
            """, "NG0048");

    [Fact]
    public void NullOptionalArrayPropertyMeansNotSet()
        => Compiles("""
            using NetGen;
            [Network, Input(6, 6, 1), Conv2D(2, 3, StridesPerAxis = null, DilationPerAxis = null), Dense(1, Inputs = null)]
            public partial class NullOptional { }
            """);

    // ---------------------------------------------------------------- 9. silently ignored declarations

    [Fact]
    public void PartialRecordIsReported()
        => Reports("""
            using NetGen;
            [Network, Input(2), Dense(1)]
            public partial record RecordNet;
            """, "NG0042");

    [Fact]
    public void LayerAttributeSubclassOutsideNetGenIsReported()
    {
        var d = Reports("""
            using NetGen;
            namespace Mine
            {
                public sealed class DenseAttribute : LayerAttribute { }
                [Network, Input(2), Dense]
                public partial class ForeignLayer { }
            }
            """, "NG0015");
        Assert.Contains("Mine.DenseAttribute", d.GetMessage());
    }

    [Fact]
    public void LayerAttributesWithoutNetworkAreReported()
    {
        var result = Run("""
            using NetGen;
            [Input(2), Dense(1)]
            public partial class Forgotten { }
            [Network, Input(2), Dense(1)]
            public partial class Other { }
            """);
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("NG0041", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("'Forgotten'", d.GetMessage());
        Assert.Single(result.Sources); // Other still generates
    }

    // ---------------------------------------------------------------- 10. class shapes

    [Theory]
    [InlineData("public static partial class S { }", "static")]
    [InlineData("public partial class @class { }", "keyword")]
    [InlineData("public partial class Fit { }", "generated member")]
    [InlineData("public partial class Outputs { }", "generated member")]
    [InlineData("public partial class Summary { }", "generated member")]
    [InlineData("public partial class WithCtor { public WithCtor(int seed) { } }", "constructor")]
    [InlineData("public partial class WithMember { public int InputLength => 3; }", "'InputLength'")]
    [InlineData("file partial class FileLocal { }", "file-local")]
    public void ClassShapesTheGeneratedCodeCannotExtendAreReported(string declaration, string reason)
    {
        var d = Reports($$"""
            using NetGen;
            [Network, Input(2), Dense(1)]
            {{declaration}}
            """, "NG0042");
        Assert.Contains(reason, d.GetMessage());
    }

    [Fact]
    public void UserConstructorWithOtherParametersIsFine()
        => Compiles("""
            using NetGen;
            [Network, Input(2), Dense(1)]
            public partial class OwnCtor { public OwnCtor(string name) : this(0) { } }
            """);

    // ---------------------------------------------------------------- 11. Lambda(null)

    [Theory]
    [InlineData("null")]
    [InlineData("\"\"")]
    public void LambdaWithoutForwardNameIsNG0035(string forward)
        => Reports($$"""
            using NetGen;
            [Network, Input(2), Lambda({{forward}}, ElementWise = true, InferenceOnly = true)]
            public partial class NoForward { }
            """, "NG0035");

    // ---------------------------------------------------------------- 12. XML documentation

    [Theory]
    [InlineData("[Network, Input(2, Name = \"a\"), Input(2, Name = \"b\"), Add(\"a\", \"b\")]")]
    [InlineData("[Network, Input(2), Dense(2, Name = \"h\"), Dense(1, Name = \"o\"), Output(\"h\", \"o\")]")]
    [InlineData("[Network, Input(4, TokenIds = true), Embedding(10, 3), Flatten, Dense(2)]")]
    [InlineData("[Network, Input(4, TokenIds = true), Embedding(10, 3, Name = \"e\"), Flatten(Name = \"f\"), Dense(2, Name = \"a\"), Dense(3, Name = \"b\", Inputs = new[] { \"f\" }), Output(\"a\", \"b\")]")]
    [InlineData("[Network, Input(2), Dense(1)]")]
    public void GeneratedDocumentationHasNoAmbiguousOrBrokenCrefs(string attributes)
    {
        var source = "using NetGen;\n/// <summary>A documented network.</summary>\n" + attributes + "\npublic partial class Documented { }\n";
        var options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        var compilation = GeneratorHarness.Compile(source);
        compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(), CSharpSyntaxTree.ParseText(source, options, path: "Source0.cs"));
        var driver = CSharpGeneratorDriver.Create(new[] { new NetGen.Generator.NetworkGenerator().AsSourceGenerator() }, parseOptions: options);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.DoesNotContain(generatorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // ---------------------------------------------------------------- 13. suppressible warnings (see also the real build in NetGen.Fuzz)

    [Fact]
    public void DiagnosticsAreLocatedInTheCompilationsOwnTree()
    {
        var result = Run("""
            using NetGen;
            [Network, Input(2), Dense(3, Name = "unused"), Dense(1, Inputs = new[] { "input_layer" })]
            public partial class Unused { }
            """);
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("NG0037", d.Id);
        Assert.NotNull(d.Location.SourceTree); // a tree location, so #pragma and .editorconfig apply
        Assert.Equal("Source0.cs", d.Location.SourceTree!.FilePath);
    }
}
