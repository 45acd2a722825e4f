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
/// PyTorch 1.13 exports (tools/reference/make_import_fixtures.py) imported, compiled with the generator, run, and
/// compared with PyTorch's outputs and with ONNX Runtime's on the same inputs.
/// </summary>
public sealed class OnnxImportTests : IDisposable
{
    private const float Tolerance = 1e-5f;
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "netgen-import-" + Guid.NewGuid().ToString("N"));

    public OnnxImportTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    public static IEnumerable<object[]> Models() => new[]
    {
        "seed_mlp", "sample_cnn", "residual_mlp", "batchnorm_net", "depthwise_transposed", "branches", "conv1d_net", "layernorm_mlp", "bilinear_up",
    }.Select(m => new object[] { m });

    [Theory]
    [MemberData(nameof(Models))]
    public void Imported_network_matches_PyTorch_and_OnnxRuntime(string name)
    {
        var onnx = Fixture.Path_("onnx", name + ".onnx");
        var result = Importer.Write(new Importer.Options(onnx, "Imported", "ImportTest", _dir, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        var net = Compiled.Create(source, "ImportTest.Imported");
        net.Load(result.WeightsPath);

        var fixture = Fixture.Load(name);
        bool channelsLast = result.Network.Inputs.Single().ChannelsLast;
        Assert.Equal(fixture.InputShape.Length >= 3 && name.Contains("mlp") is false, channelsLast);
        var input = channelsLast ? Fixture.ChannelsLast(fixture.Input, fixture.InputShape) : fixture.Input;
        var expected = Fixture.ChannelsLast(fixture.Output, fixture.OutputShape);
        var actual = new float[fixture.Batch * net.OutputLength];
        net.Predict(input, actual, fixture.Batch);
        float torchDiff = Fixture.MaxAbsDifference(expected, actual);

        var ort = Fixture.ChannelsLast(RunOnnxRuntime(onnx, fixture), fixture.OutputShape);
        float ortDiff = Fixture.MaxAbsDifference(ort, actual);
        _output.WriteLine($"{name}: max |NetGen - PyTorch| = {torchDiff:E2}, max |NetGen - ONNX Runtime| = {ortDiff:E2}, outputs {actual.Length}");
        Assert.True(torchDiff <= Tolerance, $"{name}: NetGen differs from PyTorch by {torchDiff}");
        Assert.True(ortDiff <= Tolerance, $"{name}: NetGen differs from ONNX Runtime by {ortDiff}");

        // The text form loads to the same weights.
        var again = Compiled.Create(source, "ImportTest.Imported");
        again.Load(result.WeightsTextPath);
        Assert.Equal(net.Parameters.ToArray(), again.Parameters.ToArray());
    }

    private static float[] RunOnnxRuntime(string path, Fixture fixture)
    {
        using var session = new InferenceSession(path);
        var tensor = new DenseTensor<float>(fixture.Input, fixture.InputShape);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), tensor) });
        return results.First().AsEnumerable<float>().ToArray();
    }

    [Fact]
    public void Seed_mlp_declaration_reads_like_the_hand_written_one()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("onnx", "seed_mlp.onnx"), "SeedMlp", null, _dir, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        _output.WriteLine(source);
        var attributes = source.Split('\n').Where(l => l.StartsWith('[')).ToArray();
        Assert.Equal(new[]
        {
            "[Network]", "[Input(28, 28)]", "[Flatten]", "[Dense(128, Activation = Activation.Relu)]",
            "[Dense(64, Activation = Activation.Relu)]", "[Dense(10, Activation = Activation.Softmax)]",
        }, attributes);
        Assert.Contains("// dense: (128), 100,480 parameters  <- /fc1/Gemm, /Relu", source);
        Assert.Contains("public partial class SeedMlp { }", source);
    }

    [Fact]
    public void Cnn_converts_kernels_and_the_dense_after_flatten_and_says_so()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("onnx", "sample_cnn.onnx"), null, null, _dir, Bake: true));
        Assert.EndsWith("SampleCnn.cs", result.SourcePath);
        var source = File.ReadAllText(result.SourcePath);
        Assert.Contains("[Input(28, 28, 1)]", source);
        Assert.Contains("[Conv2D(32, 3, Activation = Activation.Relu)]", source);
        Assert.Contains("[MaxPooling2D]", source);
        Assert.Contains("channels-last", source);
        Assert.Contains("[Weights(\"SampleCnn.weights.txt\")]", source);
        Assert.Equal("NetGen/1;conv2d/kernel(3,3,1,32);conv2d/bias(32);conv2d_1/kernel(3,3,32,64);conv2d_1/bias(64);dense/kernel(1600,128);dense/bias(128);dense_1/kernel(128,10);dense_1/bias(10)",
            result.Network.WeightSignature);
    }
}
