using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Tests.Generator;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>The generated code of a small LSTM network (masking, return_sequences, state ports, dropout), snapshot-tested.</summary>
public class RecurrentSnapshotTests
{
    [Fact]
    public void MaskedLstmWithStates()
    {
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(5, 3)]
            [Masking]
            [LSTM(8, ReturnSequences = true, Dropout = 0.1, Name = "encoder")]
            [LSTM(4, ReturnState = true, Name = "summary")]
            [Concatenate("summary", "summary:c")]
            [Dense(2, Activation = Activation.Softmax)]
            public partial class TinyLstm { }
            """;
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        var problems = result.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Snapshot.Match("TinyLstm", Assert.Single(result.Sources).Text);
    }

    [Fact]
    public void TimeDistributedVideoClassifier()
    {
        // Every wrapped layer runs over n * 4 frames of the same memory; the convolution and pooling fuse per frame.
        const string source = """
            using NetGen;
            namespace Samples;
            [Network]
            [Input(4, 7, 7, 2)]
            [Conv2D(3, 3, Activation = Activation.Relu, TimeDistributed = true)]
            [MaxPooling2D(2, TimeDistributed = true)]
            [Flatten(TimeDistributed = true)]
            [Dense(6, TimeDistributed = true, Name = "frame_features")]
            [LSTM(4)]
            [Dense(2, Activation = Activation.Softmax)]
            public partial class TinyVideo { }
            """;
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        var problems = result.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Snapshot.Match("TinyVideo", Assert.Single(result.Sources).Text);
    }
}
