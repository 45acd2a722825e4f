using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Fuzz;

/// <summary>
/// Every layer attribute's documented range is enforced by a diagnostic: for each argument, a value just inside the range
/// generates code that compiles, and a value just outside is reported with the argument's diagnostic.
/// </summary>
public sealed class RangeTests
{
    /// <summary>(network attributes with {0} for the value, value just inside, value just outside, diagnostic id)</summary>
    public static TheoryData<string, string, string, string> Ranges => new()
    {
        { "Network(InferenceBatchCapacity = {0}), Input(2), Dense(1)", "1", "0", "NG0016" },
        { "Network, Input({0}), Dense(1)", "1", "0", "NG0004" },
        { "Network, Input({0}), Dense(1)", "1, 1000000", "65536, 65536", "NG0046" },
        { "Network, Input(2), Dense({0})", "1", "0", "NG0004" },
        { "Network, Input(2), Dense(1, Activation = (Activation){0})", "19", "20", "NG0007" },
        { "Network, Input(2), Dense(1, Activation = (Activation){0})", "0", "(-1)", "NG0007" },
        { "Network, Input(2), Dense(1, KernelInitializer = (Initializer){0})", "11", "12", "NG0012" },
        { "Network, Input(2), Dense(1, BiasInitializer = (Initializer){0})", "0", "(-1)", "NG0012" },
        { "Network, Input(2), Dropout({0}), Dense(1)", "0.999", "1", "NG0005" },
        { "Network, Input(2), Dropout({0}), Dense(1)", "0", "-0.001", "NG0005" },
        { "Network, Input(2), GaussianDropout({0}), Dense(1)", "0.999", "1", "NG0005" },
        { "Network, Input(2), AlphaDropout({0}), Dense(1)", "0", "-0.001", "NG0005" },
        { "Network, Input(2), GaussianNoise({0}), Dense(1)", "0", "-0.001", "NG0025" },
        { "Network, Input(2), GaussianNoise({0}), Dense(1)", "3e38", "1e39", "NG0047" },
        { "Network, Input(2), GaussianNoise({0}), Dense(1)", "0.1", "double.NaN", "NG0047" },
        { "Network, Input(2), BatchNormalization(Epsilon = {0}), Dense(1)", "1e-45", "0", "NG0047" },
        { "Network, Input(2), LayerNormalization(Epsilon = {0}), Dense(1)", "1e-45", "1e-46", "NG0047" },
        { "Network, Input(2), ReLU(MaxValue = {0}), Dense(1)", "0", "-0.001", "NG0047" },
        { "Network, Input(2), ReLU(NegativeSlope = {0}), Dense(1)", "0", "-0.001", "NG0047" },
        { "Network, Input(2), ReLU(Threshold = {0}), Dense(1)", "0", "-0.001", "NG0047" },
        { "Network, Input(2), LeakyReLU(NegativeSlope = {0}), Dense(1)", "0", "-0.001", "NG0047" },
        { "Network, Input(2, 3), Softmax(Axis = {0}), Dense(1)", "2", "3", "NG0023" },
        { "Network, Input(2, 3), Softmax(Axis = {0}), Dense(1)", "-2", "-3", "NG0023" },
        { "Network, Input(2, 3), Softmax(Axis = {0}), Dense(1)", "1", "0", "NG0023" },
        { "Network, Input(2), BatchNormalization(Momentum = {0}), Dense(1)", "1", "1.000001", "NG0047" },
        { "Network, Input(2), BatchNormalization(Momentum = {0}), Dense(1)", "0", "-1e-9", "NG0047" },
        { "Network, Input(3, 4), BatchNormalization(Axis = {0}), Dense(1)", "2", "3", "NG0023" },
        { "Network, Input(3, 4), LayerNormalization(Axis = {0}), Dense(1)", "-2", "-3", "NG0023" },
        { "Network, Input(3, 4), LayerNormalization(Axis = {0}), Dense(1)", "1", "0", "NG0023" },
        { "Network, Input(4, 4, 6), GroupNormalization({0}), Flatten, Dense(1)", "6", "0", "NG0004" },
        { "Network, Input(4, 4, 6), GroupNormalization({0}), Flatten, Dense(1)", "3", "4", "NG0024" },
        { "Network, Input(5, 5, 2), Conv2D({0}, 3), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(5, 5, 2), Conv2D(2, {0}), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(5, 5, 2), Conv2D(2, {0}), Flatten, Dense(1)", "5", "6", "NG0018" },
        { "Network, Input(5, 5, 2), Conv2D(2, 2, Strides = {0}), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(5, 5, 2), Conv2D(2, 2, DilationRate = {0}), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(5, 5, 2), Conv2D(2, 2, DilationRate = {0}), Flatten, Dense(1)", "4", "5", "NG0018" },
        { "Network, Input(5, 5, 2), Conv2D(2, 2, Strides = 2, DilationRate = {0}), Flatten, Dense(1)", "1", "2", "NG0020" },
        { "Network, Input(5, 5, 2), Conv2D(2, 2, Padding = Padding.Same, DilationRate = {0}), Flatten, Dense(1)", "1000", "int.MaxValue", "NG0046" },
        { "Network, Input(5, 5, 2), Conv2DTranspose(2, 3, Strides = 2, OutputPadding = {0}), Flatten, Dense(1)", "1", "2", "NG0019" },
        { "Network, Input(5, 5, 2), DepthwiseConv2D(2, DepthMultiplier = {0}), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(5, 5, 2), SeparableConv2D({0}, 2), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(5, 5, 2), MaxPooling2D({0}), Flatten, Dense(1)", "5", "6", "NG0018" },
        { "Network, Input(5, 5, 2), AveragePooling2D({0}), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(5, 5, 2), AveragePooling2D(2, Strides = {0}), Flatten, Dense(1)", "1", "-1", "NG0004" },
        { "Network, Input(6, 2), Conv1D(2, 3, Padding = (Padding){0}), Flatten, Dense(1)", "2", "3", "NG0021" },
        { "Network, Input(5, 5, 2), Conv2D(2, 3, Padding = (Padding){0}), Flatten, Dense(1)", "1", "2", "NG0021" },
        { "Network, Input(5, 2), LocallyConnected1D(2, {0}), Flatten, Dense(1)", "5", "6", "NG0018" },
        { "Network, Input(3), RepeatVector({0}), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(3), RepeatVector({0}), Flatten, Dense(1)", "1000", "int.MaxValue", "NG0046" },
        { "Network, Input(4, TokenIds = true), Embedding({0}, 2), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(4, TokenIds = true), Embedding(5, {0}), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(5, 2), UpSampling1D({0}), Flatten, Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(5, 2), Cropping1D({0}), Flatten, Dense(1)", "2, 2", "2, 3", "NG0018" },
        { "Network, Input(5, 5, 2), Cropping2D({0}), Flatten, Dense(1)", "0", "-1", "NG0004" },
        { "Network, Input(5, 2), ZeroPadding1D({0}), Flatten, Dense(1)", "0", "-1", "NG0004" },
        { "Network, Input(5, 5, 2), Conv2D(2, {0}), Flatten, Dense(1)", "2, 2", "2, 2, 2", "NG0022" },
        { "Network, Input(6), Reshape({0}), Flatten, Dense(1)", "2, 3", "2, 4", "NG0006" },
        { "Network, Input(6), Reshape({0}), Flatten, Dense(1)", "-1, 3", "-1, -1", "NG0010" },
        { "Network, Input(2, 3), Permute({0}), Flatten, Dense(1)", "2, 1", "1, 1", "NG0034" },
        { "Network, Input(2, 3, Name = \"a\"), Input(2, 3, Name = \"b\"), Concatenate(\"a\", \"b\", Axis = {0}), Flatten, Dense(1)", "2", "3", "NG0023" },
        { "Network, Input(2, 3, Name = \"a\"), Input(2, 3, Name = \"b\"), Dot({0}, \"a\", \"b\"), Flatten, Dense(1)", "2", "3", "NG0023" },
        { "Network, Input(2, Name = {0}), Dense(1)", "\"" + new string('a', 100) + "\"", "\"" + new string('a', 101) + "\"", "NG0043" },
        { "Network, Input(2, Name = {0}), Dense(1)", "\"a.b-c_1\"", "\"a b\"", "NG0043" },
        { "Network, Input(4, 3), LSTM({0}), Dense(1)", "1", "0", "NG0004" },
        { "Network, Input(4, 3), GRU(2, Dropout = {0}), Dense(1)", "0.999", "1", "NG0005" },
        { "Network, Input(4, 3), SimpleRNN(2, Dropout = {0}), Dense(1)", "0", "-0.001", "NG0005" },
        { "Network, Input(4, 3), LSTM(2, RecurrentDropout = {0}), Dense(1)", "0.5", "1", "NG0005" },
        { "Network, Input(4, 3), LSTM(2, RecurrentActivation = (RecurrentActivation){0}), Dense(1)", "5", "6", "NG0047" },
        { "Network, Input({0}), GRU(2), Dense(1)", "4, 3", "4, 3, 1", "NG0017" },
        { "Network, Input(4, 3), LSTM(2, ReturnState = true, Name = \"r\"), Dense(1, Inputs = new[] { {0} })", "\"r:c\"", "\"r:x\"", "NG0051" },
        { "Network, Input(4, 3), GRU(2, ReturnState = true, Name = \"r\"), Dense(1, Inputs = new[] { {0} })", "\"r:h\"", "\"r:c\"", "NG0051" },
        { "Network, Input(4, 3), Masking(MaskValue = {0}), LSTM(2), Dense(1)", "-1", "double.NaN", "NG0047" },
        { "Network, Input(4, 3), GRU(2, Bidirectional = (BidirectionalMerge){0}), Dense(1)", "5", "6", "NG0047" },
        { "Network, Input(4, 3), LSTM(2, ReturnState = true, Bidirectional = {0}, Name = \"r\"), Dense(1, Inputs = new[] { \"r:h\" })", "BidirectionalMerge.None", "BidirectionalMerge.Sum", "NG0051" },
        { "Network, Input({0}), Dense(1, TimeDistributed = true)", "4, 3", "4", "NG0053" },
        { "Network, Input(4, 3), BatchNormalization(TimeDistributed = true, Trainable = {0})", "false", "true", "NG0052" },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void DocumentedRangeIsEnforced(string attributes, string inside, string outside, string id)
    {
        var ok = Harness.Run(Source(attributes, inside));
        Assert.True(ok.Failure(true) is null, ok.Failure(true));
        Assert.True(!ok.ReportedError && ok.Generated.Count == 1 && ok.NewErrors.IsEmpty,
            $"inside value {inside}: " + string.Join("; ", ok.GeneratorDiagnostics.Concat(ok.NewErrors)));
        var bad = Harness.Run(Source(attributes, outside));
        Assert.True(bad.Failure(true) is null, bad.Failure(true));
        Assert.True(bad.GeneratorDiagnostics.Any(d => d.Id == id && d.Severity == DiagnosticSeverity.Error),
            $"outside value {outside}: expected {id}, got " + string.Join("; ", bad.GeneratorDiagnostics));
        Assert.Empty(bad.Generated);
    }

    private static string Source(string attributes, string value)
        => "using NetGen;\n[" + attributes.Replace("{0}", value) + "]\npublic partial class RangeNet { }\n";
}
