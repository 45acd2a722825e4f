using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>The activation layers (ReLU, LeakyReLU, ELU, Softmax) and the new Activation members in the generator:
/// diagnostics with exact spans, and a snapshot of a small network using them.</summary>
public class ActivationGeneratorTests
{
    private static Diagnostic Single(string marked, string id)
    {
        int start = marked.IndexOf("[|", System.StringComparison.Ordinal);
        int end = marked.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        var result = GeneratorHarness.Run(marked.Replace("[|", "").Replace("|]", ""));
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(TextSpan.FromBounds(start, end), diagnostic.Location.SourceSpan);
        Assert.Empty(result.Sources);
        return diagnostic;
    }

    [Theory]
    [InlineData("ReLU(MaxValue = [|-1|])", "ReLU 're_lu': MaxValue must be at least 0, but is -1")]
    [InlineData("ReLU(NegativeSlope = [|-0.5|])", "ReLU 're_lu': NegativeSlope must be at least 0, but is -0.5")]
    [InlineData("ReLU(MaxValue = 6, Threshold = [|-2|])", "ReLU 're_lu': Threshold must be at least 0, but is -2")]
    [InlineData("LeakyReLU(NegativeSlope = [|-0.3|])", "LeakyReLU 'leaky_re_lu': NegativeSlope must be at least 0, but is -0.3")]
    [InlineData("ReLU(MaxValue = [|double.PositiveInfinity|])", "ReLU 're_lu': MaxValue must be a finite number within float range, but is Infinity")]
    [InlineData("ReLU(MaxValue = [|1e39|])", "ReLU 're_lu': MaxValue must be a finite number within float range, but is 1E+39")]
    [InlineData("ELU(Alpha = [|double.NaN|])", "ELU 'elu': Alpha must be a finite number within float range, but is NaN")]
    public void BadParametersAreReportedAtTheArgument(string layer, string message)
    {
        var d = Single($$"""
            using NetGen;
            [Network, Input(4)]
            [{{layer}}]
            public partial class Bad { }
            """, "NG0047");
        Assert.Equal(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("3", "Softmax 'softmax': axis 3 is out of range for an input of rank 2 (use -2..-1 or 1..2)")]
    [InlineData("0", "Softmax 'softmax': axis 0 is out of range for an input of rank 2 (use -2..-1 or 1..2)")]
    [InlineData("-3", "Softmax 'softmax': axis -3 is out of range for an input of rank 2 (use -2..-1 or 1..2)")]
    public void SoftmaxAxisOutOfRange(string axis, string message)
    {
        var d = Single($$"""
            using NetGen;
            [Network, Input(4, 6)]
            [Softmax(Axis = [|{{axis}}|])]
            public partial class FarAxis { }
            """, "NG0023");
        Assert.Equal(message, d.GetMessage());
    }

    [Fact]
    public void UnknownActivationMemberIsStillReported()
    {
        var d = Single("""
            using NetGen;
            [Network, Input(4)]
            [Dense(2, Activation = [|(Activation)20|])]
            public partial class Unknown { }
            """, "NG0007");
        Assert.Contains("20", d.GetMessage());
    }

    [Fact]
    public void SmallNetworkWithActivationLayersSnapshot()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(3, 4)]
            [Dense(5, Activation = Activation.Mish)]
            [ReLU(MaxValue = 1.5, NegativeSlope = 0.1, Threshold = 0.2)]
            [Softmax(Axis = 1)]
            [Flatten]
            [Dense(6, Activation = Activation.GeluTanh)]
            [LeakyReLU]
            [ELU(Alpha = 0.5)]
            [Dense(4)]
            [ReLU]
            [Dense(3, Activation = Activation.LogSoftmax)]
            public partial class ActivationLayers { }
            """;
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        var problems = result.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Snapshot.Match("ActivationLayers", Assert.Single(result.Sources).Text);
    }
}
