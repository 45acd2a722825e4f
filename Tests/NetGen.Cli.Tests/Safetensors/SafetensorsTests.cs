using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Cli.Tests.Safetensors;

/// <summary>
/// SaveSafetensors/LoadSafetensors: PyTorch state_dicts (F32, F16, BF16) loaded into hand-declared networks and run
/// against PyTorch's outputs; round trips; every error leaves the weights as they were.
/// </summary>
public sealed class SafetensorsTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "netgen-st-" + Guid.NewGuid().ToString("N"));

    public SafetensorsTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string File_(string name) => Fixture.Path_("safetensors", name);

    private static readonly SafetensorsOptions CnnFromPyTorch = new()
    {
        Naming = SafetensorsNaming.PyTorch,
        FlattenedChannelsLast = new Dictionary<string, int[]> { ["dense"] = new[] { 5, 5, 64 } },
    };

    private static float[] Run(INetwork net, Fixture f)
    {
        var output = new float[f.Batch * net.OutputLength];
        net.Predict(Fixture.ChannelsLast(f.Input, f.InputShape), output, f.Batch);
        return output;
    }

    [Fact]
    public void PyTorch_state_dict_f32_loads_into_hand_declared_cnn_and_matches_PyTorch()
    {
        var net = new HandCnn();
        net.LoadSafetensors(File_("sample_cnn_f32.safetensors"), CnnFromPyTorch);
        var f = Fixture.Load("sample_cnn");
        float diff = Fixture.MaxAbsDifference(f.Output, Run(net, f));
        _output.WriteLine($"sample_cnn F32 safetensors: max |NetGen - PyTorch| = {diff:E2}");
        Assert.True(diff <= 1e-5f, $"differs by {diff}");
    }

    [Theory]
    [InlineData("f16")]
    [InlineData("bf16")]
    public void Half_precision_state_dicts_load(string kind)
    {
        var net = new HandCnn();
        net.LoadSafetensors(File_($"sample_cnn_{kind}.safetensors"), CnnFromPyTorch);
        var f = Fixture.Load("sample_cnn");
        using var doc = JsonDocument.Parse(File.ReadAllText(File_("sample_cnn_half_outputs.json")));
        var expected = doc.RootElement.GetProperty(kind).EnumerateArray().Select(e => e.GetSingle()).ToArray();
        float diff = Fixture.MaxAbsDifference(expected, Run(net, f));
        _output.WriteLine($"sample_cnn {kind} safetensors: max |NetGen - PyTorch| = {diff:E2}");
        Assert.True(diff <= 1e-5f, $"differs by {diff}");
        // And the half-precision weights are not the float32 ones (the test would not notice a dtype mix-up otherwise).
        var full = new HandCnn();
        full.LoadSafetensors(File_("sample_cnn_f32.safetensors"), CnnFromPyTorch);
        Assert.NotEqual(full.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void Batch_normalization_statistics_map_to_state()
    {
        var net = new HandBatchNormNet();
        var flattened = new Dictionary<string, int[]> { ["dense"] = new[] { 7, 7, 8 } };
        // The file's names sort as bn1, bn2, conv, fc1, fc2: without the module order the first layer meets bn1.
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(File_("batchnorm_net.safetensors"),
            new SafetensorsOptions { Naming = SafetensorsNaming.PyTorch, FlattenedChannelsLast = flattened }));
        Assert.Contains("tensor 'bn1.weight' has shape (8), but the network's conv2d/kernel (3, 3, 1, 8) needs (8, 1, 3, 3)", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
        net.LoadSafetensors(File_("batchnorm_net.safetensors"), new SafetensorsOptions
        {
            Naming = SafetensorsNaming.PyTorch,
            ModuleNames = new[] { "conv", "bn1", "fc1", "bn2", "fc2" },
            FlattenedChannelsLast = flattened,
        });
        var f = Fixture.Load("batchnorm_net");
        float diff = Fixture.MaxAbsDifference(f.Output, Run(net, f));
        _output.WriteLine($"batchnorm_net safetensors: max |NetGen - PyTorch| = {diff:E2}");
        Assert.True(diff <= 1e-5f, $"differs by {diff}");
        Assert.NotEqual(0f, net.State[0]);
    }

    [Fact]
    public void Keras_named_round_trip_keeps_every_weight_and_state_value()
    {
        var source = new HandBatchNormNet(seed: 3);
        source.State[5] = 0.25f;
        var path = Path.Combine(_dir, "bn.safetensors");
        source.SaveSafetensors(path);
        var names = HeaderNames(path);
        Assert.Contains("conv2d/kernel", names);
        Assert.Contains("batch_normalization/moving_variance", names);
        var copy = new HandBatchNormNet(seed: 9);
        Assert.NotEqual(source.Parameters.ToArray(), copy.Parameters.ToArray());
        copy.LoadSafetensors(path);
        Assert.Equal(source.Parameters.ToArray(), copy.Parameters.ToArray());
        Assert.Equal(source.State.ToArray(), copy.State.ToArray());
        Assert.False(Directory.EnumerateFiles(_dir, "*.tmp").Any());
    }

    [Fact]
    public void PyTorch_named_save_writes_state_dict_layouts_that_load_back()
    {
        var net = new HandCnn();
        net.LoadSafetensors(File_("sample_cnn_f32.safetensors"), CnnFromPyTorch);
        var path = Path.Combine(_dir, "cnn.safetensors");
        var options = new SafetensorsOptions
        {
            Naming = SafetensorsNaming.PyTorch,
            ModuleNames = new[] { "conv1", "conv2", "fc1", "fc2" },
            FlattenedChannelsLast = CnnFromPyTorch.FlattenedChannelsLast,
        };
        net.SaveSafetensors(path, options);
        // Byte for byte the PyTorch tensors: compare with the original state_dict.
        var original = ReadAll(File_("sample_cnn_f32.safetensors"));
        var written = ReadAll(path);
        foreach (var name in new[] { "conv1.weight", "conv2.bias", "fc1.weight", "fc2.weight" })
        {
            Assert.Equal(original[name].Shape, written[name].Shape);
            Assert.Equal(original[name].Data, written[name].Data);
        }
        var again = new HandCnn(seed: 5);
        again.LoadSafetensors(path, options);
        Assert.Equal(net.Parameters.ToArray(), again.Parameters.ToArray());
    }

    [Fact]
    public void Missing_tensor_names_the_tensor_and_leaves_weights_intact()
    {
        var net = new HandCnn(seed: 1);
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(File_("sample_cnn_f32.safetensors")));
        Assert.Contains("has no tensor 'conv2d/kernel'", e.Message);
        Assert.Contains("(3, 3, 1, 32)", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void Wrong_shape_names_the_tensor_and_both_shapes_and_leaves_weights_intact()
    {
        var net = new WrongCnn(seed: 1);
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(File_("sample_cnn_f32.safetensors"), new SafetensorsOptions { Naming = SafetensorsNaming.PyTorch }));
        Assert.Contains("tensor 'fc1.weight' has shape (128, 1600)", e.Message);
        Assert.Contains("dense/kernel (1600, 100) needs (100, 1600)", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());

        var keras = Path.Combine(_dir, "keras.safetensors");
        new HandCnn().SaveSafetensors(keras);
        e = Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(keras));
        Assert.Contains("tensor 'dense/kernel' has shape (1600, 128), but the network's dense/kernel has shape (1600, 100)", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void Truncated_file_and_bad_header_and_unknown_dtype_are_clear_errors()
    {
        var net = new HandCnn(seed: 1);
        var before = net.Parameters.ToArray();
        var bytes = File.ReadAllBytes(File_("sample_cnn_f32.safetensors"));
        var truncated = Path.Combine(_dir, "t.safetensors");
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length - 100).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(truncated, CnnFromPyTorch));
        Assert.Contains("truncated or corrupt", e.Message);

        File.WriteAllBytes(truncated, bytes.AsSpan(0, 5).ToArray());
        Assert.Contains("shorter than the 8-byte header", Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(truncated)).Message);

        var junk = Path.Combine(_dir, "j.safetensors");
        var header = Encoding.UTF8.GetBytes("{not json");
        var file = new byte[8 + header.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        File.WriteAllBytes(junk, file);
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(junk)).Message);

        var ints = Path.Combine(_dir, "i.safetensors");
        WriteRaw(ints, "{\"conv2d/kernel\":{\"dtype\":\"I32\",\"shape\":[3,3,1,32],\"data_offsets\":[0,1152]}}", new byte[1152]);
        Assert.Contains("dtype I32", Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(ints)).Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    private static void WriteRaw(string path, string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)h.Length);
        h.CopyTo(file, 8);
        data.CopyTo(file, 8 + h.Length);
        File.WriteAllBytes(path, file);
    }

    /// <summary>An independent reader of F32 safetensors files (System.Text.Json DOM), for checking what was written.</summary>
    private static Dictionary<string, (int[] Shape, float[] Data)> ReadAll(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, length));
        var result = new Dictionary<string, (int[], float[])>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            Assert.Equal("F32", p.Value.GetProperty("dtype").GetString());
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var data = new float[(offsets[1] - offsets[0]) / 4];
            for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + length + offsets[0] + 4 * i));
            result[p.Name] = (shape, data);
        }
        return result;
    }

    private static string[] HeaderNames(string path) => ReadAll(path).Keys.ToArray();
}
