using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>The attention layers' diagnostics: id, message and the exact span, marked in the source with <c>[| |]</c>.</summary>
public class AttentionDiagnosticTests
{
    private static Diagnostic Single(string marked, string id) => GeneratorHarness.SingleError(marked, id);

    [Fact]
    public void HeadsAndKeyDimMustBePositive()
    {
        Assert.Equal("MultiHeadAttention 'multi_head_attention': numHeads must be positive, but is 0", Single("""
            using NetGen;
            [Network, Input(5, 4)]
            [MultiHeadAttention([|0|], 4)]
            public partial class NoHeads { }
            """, "NG0004").GetMessage());
        Assert.Equal("MultiHeadAttention 'multi_head_attention': keyDim must be positive, but is -2", Single("""
            using NetGen;
            [Network, Input(5, 4)]
            [MultiHeadAttention(2, [|-2|])]
            public partial class NegativeKeyDim { }
            """, "NG0004").GetMessage());
    }

    [Fact]
    public void KeyAndValueOfDifferentLengthsNameBothShapes()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [Input(3, 4, Name = "q")]
            [Input(5, 3, Name = "v")]
            [Input(4, 3, Name = "k")]
            [MultiHeadAttention(2, 4, Inputs = [|new[] { "q", "v", "k" }|])]
            public partial class Skew { }
            """, "NG0060");
        Assert.Equal("MultiHeadAttention 'multi_head_attention': the value (5, 3) and the key (4, 3) do not fit together: key and value must have the same positions (every axis but the last)", d.GetMessage());
    }

    [Fact]
    public void AttentionQueryAndKeyFeaturesMustAgree()
    {
        var d = Single("""
            using NetGen;
            [Network]
            [Input(3, 4, Name = "q")]
            [Input(5, 3, Name = "v")]
            [Attention(Inputs = [|new[] { "q", "v" }|])]
            public partial class Narrow { }
            """, "NG0060");
        Assert.Equal("Attention 'attention': the query (3, 4) and the value (the key) (5, 3) do not fit together: query and key must have the same number of features", d.GetMessage());
    }

    [Fact]
    public void CausalMaskNeedsOneAttentionAxis()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(2, 3, 4)]
            [MultiHeadAttention(2, 2, UseCausalMask = [|true|])]
            public partial class Image { }
            """, "NG0061");
        Assert.Equal("MultiHeadAttention 'multi_head_attention': use_causal_mask needs one attention axis, but the query (2, 3, 4) has 2 attention axes (Keras builds the causal mask from axis 1 alone)", d.GetMessage());
    }

    [Fact]
    public void AttentionMaskOfTheWrongShapeOrName()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4, 3, Name = "x"), Input(4, 5, Name = "allowed")]
            [MultiHeadAttention(2, 2, Inputs = new[] { "x" }, AttentionMask = [|"allowed"|])]
            public partial class WrongMaskShape { }
            """, "NG0060");
        Assert.Equal("MultiHeadAttention 'multi_head_attention': the query (4, 3) and the attention mask 'allowed' (4, 5) do not fit together: the attention mask must be (query positions, key positions) = (4, 4)", d.GetMessage());
        Assert.Contains("nothing", Single("""
            using NetGen;
            [Network, Input(4, 3, Name = "x")]
            [MultiHeadAttention(2, 2, AttentionMask = [|"nothing"|])]
            public partial class UnknownMask { }
            """, "NG0029").GetMessage());
        Assert.Contains("an attention mask with AttentionAxes naming fewer than all the axes is not implemented", Single("""
            using NetGen;
            [Network, Input(2, 3, 4, Name = "x"), Input(2, 3, 3, Name = "allowed")]
            [MultiHeadAttention(2, 2, AttentionAxes = new[] { 2 }, Inputs = new[] { "x" }, AttentionMask = [|"allowed"|])]
            public partial class MaskWithAxes { }
            """, "NG0060").GetMessage());
    }

    [Fact]
    public void AttentionAxesOutOfRangeOrNotTheDefault()
    {
        Assert.Contains("AttentionAxes [2] is out of range", Single("""
            using NetGen;
            [Network, Input(5, 4)]
            [MultiHeadAttention(2, 2, AttentionAxes = [|new[] { 2 }|])]
            public partial class FeatureAxis { }
            """, "NG0062").GetMessage());
        Assert.Contains("AttentionAxes [1] are not implemented", Single("""
            using NetGen;
            [Network, Input(2, 3, 4)]
            [MultiHeadAttention(2, 2, AttentionAxes = [|new[] { 1 }|])]
            public partial class RowsOnly { }
            """, "NG0062").GetMessage());
    }

    [Fact]
    public void AttentionAxesLeaveOtherAxesThatQueryAndValueMustShare()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(2, 3, 4, Name = "q"), Input(3, 5, 4, Name = "v")]
            [MultiHeadAttention(2, 2, AttentionAxes = new[] { 2 }, Inputs = [|new[] { "q", "v" }|])]
            public partial class OtherAxesDiffer { }
            """, "NG0060");
        Assert.Contains("the axes outside the attention axes (1) must be the same for query and value", d.GetMessage());
        Assert.Contains("put the others first with a Permute layer", Single("""
            using NetGen;
            [Network, Input(2, 3, 4, 5)]
            [MultiHeadAttention(2, 2, AttentionAxes = [|new[] { 1, 3 }|])]
            public partial class Gap { }
            """, "NG0062").GetMessage());
    }

    [Fact]
    public void DefaultAttentionAxesWrittenOutAreAccepted()
    {
        var result = GeneratorHarness.Run("""
            using NetGen;
            [Network, Input(2, 3, 4)]
            [MultiHeadAttention(2, 2, AttentionAxes = new[] { 1, -2 })]
            public partial class Both { }
            """);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.NotEmpty(result.Sources);
    }

    [Fact]
    public void PositionEmbeddingShorterThanItsInput()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(5, 4)]
            [PositionEmbedding([|3|])]
            public partial class Short { }
            """, "NG0063");
        Assert.Equal("PositionEmbedding 'position_embedding': the input (5, 4) has 5 positions, more than sequence_length 3", d.GetMessage());
    }

    [Fact]
    public void AdditiveScoreModeBelongsToAdditiveAttention()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(5, 4)]
            [Attention(ScoreMode = [|AttentionScore.Additive|], Inputs = new[] { "input_layer", "input_layer" })]
            public partial class WrongLayer { }
            """, "NG0065");
        Assert.Equal("Attention 'attention': ScoreMode is AttentionScore.Additive, but must be AttentionScore.Dot or AttentionScore.Concat (additive scores: use [AdditiveAttention])", d.GetMessage());
    }

    [Fact]
    public void AttentionReadsTwoOrThreeInputs()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(5, 4)]
            [[|Attention|]]
            public partial class Alone { }
            """, "NG0032");
        Assert.Contains("a merge layer names the layers it merges", d.GetMessage());
    }

    [Fact]
    public void UnknownPortIsReported()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(5, 4)]
            [MultiHeadAttention(2, 2, Name = "mha")]
            [Flatten(Inputs = [|new[] { "mha:weights" }|])]
            public partial class NoSuchPort { }
            """, "NG0051");
        Assert.Contains("its attention scores are an output only with ReturnAttentionScores = true", d.GetMessage());
    }
}
