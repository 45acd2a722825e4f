using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NetGen.Cli.Import;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Cli.Tests;

/// <summary>
/// PyTorch 1.13 exports of nn.LSTM / nn.GRU / nn.RNN with batch_first=True (tools/reference/make_onnx_recurrent_fixtures.py):
/// imported, compiled with the generator, run, and compared with PyTorch's float64 outputs and with ONNX Runtime's on
/// the same inputs. Sequences are batch-first in both frameworks, so no layout change is involved.
/// </summary>
public sealed class OnnxRecurrentImportTests : IDisposable
{
    private const float Tolerance = 1e-5f;
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "netgen-rnn-import-" + Guid.NewGuid().ToString("N"));

    public OnnxRecurrentImportTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    public static IEnumerable<object[]> Models() => new[]
    {
        "lstm_classifier", "gru_classifier", "rnn_classifier", "bilstm_classifier", "lstm_stacked", "bigru_stacked", "rnn_relu_tagger", "lstm_last_hidden",
    }.Select(m => new object[] { m });

    private Importer.Result Import(string name)
        => Importer.Write(new Importer.Options(Fixture.Path_("onnx", name + ".onnx"), "Imported", "ImportTest", Path.Combine(_dir, name), Bake: false));

    [Theory]
    [MemberData(nameof(Models))]
    public void Imported_recurrent_network_matches_PyTorch_and_OnnxRuntime(string name)
    {
        var onnx = Fixture.Path_("onnx", name + ".onnx");
        var result = Import(name);
        var source = File.ReadAllText(result.SourcePath);
        var net = Compiled.Create(source, "ImportTest.Imported");
        net.Load(result.WeightsPath);

        var fixture = Fixture.Load(name);
        Assert.False(result.Network.Inputs.Single().ChannelsLast);
        var actual = new float[fixture.Batch * net.OutputLength];
        Assert.Equal(fixture.Output.Length, actual.Length);
        net.Predict(fixture.Input, actual, fixture.Batch);
        float torchDiff = Fixture.MaxAbsDifference(fixture.Output, actual);
        var ort = RunOnnxRuntime(onnx, fixture);
        float ortDiff = Fixture.MaxAbsDifference(ort, actual);
        _output.WriteLine(source);
        _output.WriteLine($"{name}: max |NetGen - PyTorch (float64)| = {torchDiff:E2}, max |NetGen - ONNX Runtime| = {ortDiff:E2}, outputs {actual.Length}");
        Assert.True(torchDiff <= Tolerance, $"{name}: NetGen differs from PyTorch by {torchDiff}");
        Assert.True(ortDiff <= Tolerance, $"{name}: NetGen differs from ONNX Runtime by {ortDiff}");
    }

    private static float[] RunOnnxRuntime(string path, Fixture fixture)
    {
        using var session = new InferenceSession(path);
        var tensor = new DenseTensor<float>(fixture.Input, fixture.InputShape);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), tensor) });
        return results.First().AsEnumerable<float>().ToArray();
    }

    private string[] Attributes(string name)
    {
        var source = File.ReadAllText(Import(name).SourcePath);
        _output.WriteLine(source);
        return source.Split('\n').Where(l => l.StartsWith('[')).ToArray();
    }

    [Fact]
    public void Last_step_of_one_direction_returns_the_last_output_and_weights_take_Keras_names()
    {
        Assert.Equal(new[] { "[Network]", "[Input(7, 6)]", "[LSTM(8)]", "[Dense(4, Activation = Activation.Softmax)]" }, Attributes("lstm_classifier"));
        Assert.Equal("NetGen/1;lstm/kernel(6,32);lstm/recurrent_kernel(8,32);lstm/bias(32);dense/kernel(8,4);dense/bias(4)",
            Import("lstm_classifier").Network.WeightSignature);
        // h_n[-1] is the same last output.
        Assert.Equal(new[] { "[Network]", "[Input(7, 6)]", "[LSTM(8)]", "[Dense(4)]" }, Attributes("lstm_last_hidden"));
        Assert.Equal(new[] { "[Network]", "[Input(7, 6)]", "[GRU(8)]", "[Dense(4, Activation = Activation.Softmax)]" }, Attributes("gru_classifier"));
        Assert.Contains("gru/bias(2,24)", Import("gru_classifier").Network.WeightSignature);
        Assert.Equal(new[] { "[Network]", "[Input(7, 6)]", "[SimpleRNN(8)]", "[Dense(4, Activation = Activation.Softmax)]" }, Attributes("rnn_classifier"));
    }

    [Fact]
    public void Bidirectional_stacked_and_sequence_outputs_map_to_their_properties()
    {
        // out[:, -1, :] of a bidirectional node is not Keras' last output (the backward half has read one step): the step is cropped.
        Assert.Equal(new[]
        {
            "[Network]", "[Input(7, 6)]", "[LSTM(5, ReturnSequences = true, Bidirectional = BidirectionalMerge.Concat)]", "[Cropping1D(6, 0)]", "[Flatten]",
            "[Dense(4, Activation = Activation.Softmax)]",
        }, Attributes("bilstm_classifier"));
        Assert.StartsWith("NetGen/1;lstm/forward_lstm/kernel(6,20);lstm/forward_lstm/recurrent_kernel(5,20);lstm/forward_lstm/bias(20);lstm/backward_lstm/kernel(6,20)",
            Import("bilstm_classifier").Network.WeightSignature);
        Assert.Equal(new[] { "[Network]", "[Input(7, 6)]", "[LSTM(8, ReturnSequences = true)]", "[LSTM(8, ReturnSequences = true)]", "[Dense(3)]" },
            Attributes("lstm_stacked"));
        Assert.Equal(new[]
        {
            "[Network]", "[Input(7, 6)]", "[GRU(4, ReturnSequences = true, Bidirectional = BidirectionalMerge.Concat)]",
            "[GRU(4, ReturnSequences = true, Bidirectional = BidirectionalMerge.Concat)]",
        }, Attributes("bigru_stacked"));
        Assert.Equal(new[] { "[Network]", "[Input(7, 6)]", "[SimpleRNN(5, Activation = RecurrentActivation.Relu, ReturnSequences = true)]", "[Dense(2)]" },
            Attributes("rnn_relu_tagger"));
    }

    [Fact]
    public void Inspect_lists_the_recurrent_layers_and_no_unmappable_nodes()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "inspect", Fixture.Path_("onnx", "lstm_classifier.onnx") }, stdout, stderr));
        var text = stdout.ToString();
        _output.WriteLine(text);
        Assert.DoesNotContain("cannot map", text);
        Assert.Contains("lstm (LSTM)", text);
        Assert.Contains("(8)", text);
        Assert.Contains("Total: 516 parameters.", text);   // 6·32 + 8·32 + 32 (one summed bias) + 8·4 + 4

        stdout = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "inspect", Fixture.Path_("onnx", "bigru_stacked.onnx") }, stdout, stderr));
        Assert.Contains("gru_1 (GRU)", stdout.ToString());
        Assert.Contains("(7, 8)", stdout.ToString());
    }
}
