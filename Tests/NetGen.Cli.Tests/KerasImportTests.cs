using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using NetGen.Cli.Import;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Cli.Tests;

/// <summary>
/// Keras 3 (.keras) and Keras 2 (.h5) files written by h5py in Keras' layouts (outputs from PyTorch on the same
/// weights), and TensorFlow.js layers-format saves (outputs from tf.js itself): import, compile, run, compare.
/// </summary>
public sealed class KerasImportTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "netgen-keras-" + Guid.NewGuid().ToString("N"));

    public KerasImportTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Out => Path.Combine(_dir, "out");

    public static IEnumerable<object[]> Models() => new[]
    {
        new object[] { "keras", "keras3_mlp.keras", "keras3_mlp" },
        new object[] { "keras", "keras3_cnn.keras", "keras3_cnn" },
        new object[] { "keras", "keras2_residual.h5", "keras2_residual" },
        new object[] { "keras", "keras3_recurrent.keras", "keras3_recurrent" },
        new object[] { "keras", "keras3_time_distributed.keras", "keras3_time_distributed" },
        new object[] { "keras", "keras3_convlstm.keras", "keras3_convlstm" },
        new object[] { "keras", "keras3_convlstm1d.keras", "keras3_convlstm1d" },
        new object[] { "keras", "keras3_bidirectional.keras", "keras3_bidirectional" },
        new object[] { "keras", "keras2_bidirectional.h5", "keras2_bidirectional" },
        new object[] { "keras", "keras3_bidirectional_convlstm.keras", "keras3_bidirectional_convlstm" },
        new object[] { "keras", "keras3_mha.keras", "keras3_mha" },
        new object[] { "keras", "keras2_mha.h5", "keras2_mha" },
        new object[] { "keras", "keras3_mha_attention_mask.keras", "keras3_mha_attention_mask" },
        new object[] { "tfjs", "tfjs_cnn/model.json", "tfjs_cnn" },
        new object[] { "tfjs", "tfjs_functional/model.json", "tfjs_functional" },
    };

    private static Fixture Reference(string kind, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture.Path_(kind, name + ".json")));
        var r = doc.RootElement;
        return new Fixture
        {
            InputShape = r.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            Input = r.GetProperty("input").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
            OutputShape = r.GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            Output = r.GetProperty("output").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
        };
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Imported_network_matches_the_source_framework(string kind, string file, string name)
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_(kind, file), "Imported", "KerasTest", Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        var net = Compiled.Create(source, "KerasTest.Imported");
        net.Load(result.WeightsPath);
        var f = Reference(kind, name);
        var actual = new float[f.Batch * net.OutputLength];
        net.Predict(f.Input, actual, f.Batch);
        float diff = Fixture.MaxAbsDifference(f.Output, actual);
        _output.WriteLine($"{file}: max |NetGen - reference| = {diff:E2} over {actual.Length} outputs");
        Assert.True(diff <= 1e-5f, $"{file}: differs by {diff}\n{source}");
    }

    [Fact]
    public void Keras_layer_names_are_kept()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_cnn.keras"), "Cnn", null, Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        Assert.Contains("[Input(12, 12, 2, Name = \"image\")]", source);
        Assert.Contains("[Conv2D(4, 3, Padding = Padding.Same, Activation = Activation.Relu, Name = \"conv\")]", source);
        Assert.Contains("[DepthwiseConv2D(3, DepthMultiplier = 2, Activation = Activation.Tanh, Name = \"depthwise\")]", source);
        Assert.Contains("bn/moving_variance(4)", result.Network.WeightSignature);
    }

    [Fact]
    public void Bidirectional_wrappers_become_bidirectional_layers_with_both_directions_weights()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_bidirectional.keras"), "Bi", null, Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        Assert.Contains("[LSTM(4, Bidirectional = BidirectionalMerge.Concat, Name = \"bidirectional\")]", source);
        Assert.Contains("bidirectional/forward_lstm/kernel(3,16);bidirectional/forward_lstm/recurrent_kernel(4,16);bidirectional/forward_lstm/bias(16);"
            + "bidirectional/backward_lstm/kernel(3,16)", result.Network.WeightSignature);
        var keras2 = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras2_bidirectional.h5"), "Bi2", null, Path.Combine(_dir, "k2"), Bake: false));
        Assert.Contains("Bidirectional = BidirectionalMerge.Sum", File.ReadAllText(keras2.SourcePath));
        Assert.Contains("bidirectional/backward_gru/bias(2,9)", keras2.Network.WeightSignature);
        var conv = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_bidirectional_convlstm.keras"), "BiConv", null, Path.Combine(_dir, "conv"), Bake: false));
        Assert.Contains("Bidirectional = BidirectionalMerge.Concat", File.ReadAllText(conv.SourcePath));
        Assert.Contains("bidirectional/forward_conv_lstm1d/kernel(3,2,8);bidirectional/forward_conv_lstm1d/recurrent_kernel(3,2,8);bidirectional/forward_conv_lstm1d/bias(8);"
            + "bidirectional/backward_conv_lstm1d/kernel(3,2,8)", conv.Network.WeightSignature);
    }

    /// <summary>
    /// ConvLSTM's recurrent_dropout (a copy of the fixture archives with it set to 0.25, alone and inside Bidirectional) maps
    /// to RecurrentDropout; it acts only while training, so Predict still matches the Keras reference outputs.
    /// </summary>
    [Theory]
    [InlineData("keras3_convlstm1d")]
    [InlineData("keras3_bidirectional_convlstm")]
    public void ConvLstm_recurrent_dropout_maps_to_RecurrentDropout(string name)
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, name + ".keras");
        File.Copy(Fixture.Path_("keras", name + ".keras"), path);
        using (var z = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = z.GetEntry("config.json")!;
            string config;
            using (var reader = new StreamReader(entry.Open())) config = reader.ReadToEnd();
            Assert.Contains("\"recurrent_dropout\": 0.0", config);
            entry.Delete();
            using var writer = new StreamWriter(z.CreateEntry("config.json").Open());
            writer.Write(config.Replace("\"recurrent_dropout\": 0.0", "\"recurrent_dropout\": 0.25"));
        }
        var result = Importer.Write(new Importer.Options(path, "Dropped", "KerasTest", Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        Assert.Contains("RecurrentDropout = 0.25", source);
        var net = Compiled.Create(source, "KerasTest.Dropped");
        net.Load(result.WeightsPath);
        var f = Reference("keras", name);
        var actual = new float[f.Batch * net.OutputLength];
        net.Predict(f.Input, actual, f.Batch);
        float diff = Fixture.MaxAbsDifference(f.Output, actual);
        Assert.True(diff <= 1e-5f, $"{name} with recurrent_dropout: differs by {diff}\n{source}");
    }

    /// <summary>A copy of keras3_cnn.keras whose layer configurations get the given extra fields (JSON text), by layer name.</summary>
    private string EditedCnn(string file, params (string Layer, string Fields)[] edits)
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, file);
        File.Copy(Fixture.Path_("keras", "keras3_cnn.keras"), path, overwrite: true);
        using var z = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = z.GetEntry("config.json")!;
        string config;
        using (var reader = new StreamReader(entry.Open())) config = reader.ReadToEnd();
        foreach (var (layer, fields) in edits)
        {
            string name = $"\"name\": \"{layer}\"";
            Assert.Contains(name, config);
            config = config.Replace(name, name + ", " + fields);
        }
        entry.Delete();
        using var writer = new StreamWriter(z.CreateEntry("config.json").Open());
        writer.Write(config);
        return path;
    }

    /// <summary>
    /// kernel_regularizer, kernel_constraint, ... as Keras 3 serializes them (class name and config) become the layer's
    /// KernelRegularizer, KernelConstraint, ...; the network compiles with them in its parameter layout.
    /// </summary>
    [Fact]
    public void Regularizers_and_constraints_map_to_the_layer_properties()
    {
        var path = EditedCnn("regularized.keras",
            ("conv", "\"kernel_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\": \"L2\", \"config\": {\"l2\": 0.0010000000474974513}, \"registered_name\": null}, "
                + "\"kernel_constraint\": {\"module\": \"keras.constraints\", \"class_name\": \"MaxNorm\", \"config\": {\"max_value\": 3.0, \"axis\": [0, 1, 2]}, \"registered_name\": null}, \"bias_regularizer\": null"),
            ("bn", "\"gamma_constraint\": {\"class_name\": \"NonNeg\", \"config\": {}}, \"beta_regularizer\": {\"class_name\": \"L1L2\", \"config\": {\"l1\": 0.01, \"l2\": 0.02}}"),
            ("depthwise", "\"depthwise_regularizer\": \"l1\", \"depthwise_constraint\": {\"class_name\": \"MinMaxNorm\", \"config\": {\"min_value\": 0.5, \"max_value\": 2.0, \"rate\": 0.5, \"axis\": 0}}"));
        var result = Importer.Write(new Importer.Options(path, "Regularized", "KerasTest", Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        Assert.Contains("KernelRegularizer = \"l2(0.001)\"", source);
        Assert.Contains("KernelConstraint = \"max_norm(3, axis=[0, 1, 2])\"", source);
        Assert.Contains("GammaConstraint = \"non_neg\"", source);
        Assert.Contains("BetaRegularizer = \"l1_l2(l1=0.01, l2=0.02)\"", source);
        Assert.Contains("DepthwiseRegularizer = \"l1(0.01)\"", source);
        Assert.Contains("DepthwiseConstraint = \"min_max_norm(0.5, 2, rate=0.5, axis=0)\"", source);
        var net = Compiled.Create(source, "KerasTest.Regularized");
        var layout = net.ParameterLayout;
        Assert.Equal(new WeightRegularizer(0, 0.001f), layout.Single(p => p.Name == "conv/kernel").Regularizer);
        Assert.Equal(new[] { 0, 1, 2 }, layout.Single(p => p.Name == "conv/kernel").Constraint!.Axes);
        Assert.Null(layout.Single(p => p.Name == "conv/bias").Regularizer);
        Assert.Equal(WeightConstraintKind.NonNeg, layout.Single(p => p.Name == "bn/gamma").Constraint!.Kind);
        Assert.Equal(WeightConstraintKind.MinMaxNorm, layout.Single(p => p.Name == "depthwise/kernel").Constraint!.Kind);
        Assert.Equal(new WeightRegularizer(0.01f, 0), layout.Single(p => p.Name == "depthwise/kernel").Regularizer);
    }

    [Fact]
    public void Activity_and_unknown_regularizers_are_refused_naming_the_layer()
    {
        var activity = Fails(EditedCnn("activity.keras", ("conv", "\"activity_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": 0.01}}")));
        Assert.Equal("Layer 'conv' (Conv2D) has an activity_regularizer ('L2'); NetGen has no activity regularizers.", activity.Message);
        var orthogonal = Fails(EditedCnn("orthogonal.keras", ("head", "\"kernel_regularizer\": {\"class_name\": \"OrthogonalRegularizer\", \"config\": {\"factor\": 0.01, \"mode\": \"rows\"}}")));
        Assert.Equal("Layer 'head' (Dense) has the kernel_regularizer 'OrthogonalRegularizer'; NetGen has L1, L2 and L1L2.", orthogonal.Message);
    }

    [Fact]
    public void MultiHeadAttention_maps_its_call_and_keras_projection_weights()
    {
        var self = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_mha.keras"), "Mha", null, Out, Bake: false));
        Assert.Contains("[MultiHeadAttention(2, 4, Name = \"mha\")]", File.ReadAllText(self.SourcePath)); // self-attention reads one tensor
        Assert.Contains("mha/query/kernel(8,2,4);mha/query/bias(2,4);mha/key/kernel(8,2,4)", self.Network.WeightSignature);
        var cross = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras2_mha.h5"), "Cross", null, Path.Combine(_dir, "k2"), Bake: false));
        var source = File.ReadAllText(cross.SourcePath);
        Assert.Contains("UseCausalMask = true", source);
        Assert.Contains("ValueDim = 2", source);
        Assert.Contains("OutputShape = 7", source);
        Assert.Contains("\"query\", \"memory\"", source);
        Assert.Contains("multi_head_attention/attention_output/kernel(2,2,7)", cross.Network.WeightSignature);
        // attention_mask=tensor: the tensor's layer becomes AttentionMask and stays declared.
        var masked = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_mha_attention_mask.keras"), "Masked", null, Path.Combine(_dir, "mask"), Bake: false));
        var maskedSource = File.ReadAllText(masked.SourcePath);
        Assert.Contains("[Input(5, 5, Name = \"allowed\")]", maskedSource);
        Assert.Contains("AttentionMask = \"allowed\"", maskedSource);
    }

    [Fact]
    public void TimeDistributed_wrappers_become_time_distributed_layers_with_keras_weight_names()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_time_distributed.keras"), "Video", null, Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        // Keras' default wrapper names are NetGen's defaults for TimeDistributed = true: no Name needed.
        Assert.Contains("[Conv2D(3, 3, Activation = Activation.Relu, TimeDistributed = true)]", source);
        Assert.Contains("[Flatten(TimeDistributed = true)]", source);
        Assert.Contains("time_distributed/kernel(3,3,2,3)", result.Network.WeightSignature);
    }

    private ImportException Fails(string model)
    {
        var e = Assert.Throws<ImportException>(() => Importer.Write(new Importer.Options(model, "M", null, Out, Bake: false)));
        Assert.False(Directory.Exists(Out), "something was written");
        return e;
    }

    [Fact]
    public void Unsupported_layer_names_layer_class_and_the_supported_list()
    {
        var e = Fails(Fixture.Path_("keras", "keras2_separable1d.h5"));
        Assert.Contains("Layer 'separable_conv1d' (class SeparableConv1D) cannot be mapped", e.Message);
        Assert.Contains("Supported layers: InputLayer, Dense", e.Message);
        // A ConvLSTM2D is mapped, but it needs a (steps, rows, cols, channels) input.
        var convLstm = Fails(Fixture.Path_("keras", "keras2_convlstm.h5"));
        Assert.Contains("Layer 'conv_lstm' (ConvLSTM2D) reads a tensor of shape (16); it needs (steps, rows, cols, channels)", convLstm.Message);
        // An LSTM is mapped, but it needs a (steps, features) input.
        var lstm = Fails(Fixture.Path_("keras", "keras2_lstm.h5"));
        Assert.Contains("Layer 'lstm' (LSTM) reads a tensor of shape (16); it needs (steps, features)", lstm.Message);
    }

    [Fact]
    public void Truncated_keras_archive_and_h5_are_clear_errors()
    {
        Directory.CreateDirectory(_dir);
        var bytes = File.ReadAllBytes(Fixture.Path_("keras", "keras3_mlp.keras"));
        var zip = Path.Combine(_dir, "cut.keras");
        File.WriteAllBytes(zip, bytes.AsSpan(0, bytes.Length / 3).ToArray());
        Assert.Contains("truncated or corrupt", Fails(zip).Message);

        var h5bytes = File.ReadAllBytes(Fixture.Path_("keras", "keras2_residual.h5"));
        var h5 = Path.Combine(_dir, "cut.h5");
        File.WriteAllBytes(h5, h5bytes.AsSpan(0, h5bytes.Length / 2).ToArray());
        var e = Fails(h5);
        Assert.Contains("cut.h5", e.Message);
    }

    [Fact]
    public void Keras3_archive_without_config_is_refused()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "empty.keras");
        using (var z = ZipFile.Open(path, ZipArchiveMode.Create)) z.CreateEntry("metadata.json");
        Assert.Contains("has no config.json", Fails(path).Message);
    }

    private string EditedTfjs(string name, Func<string, string> edit, bool copyShard = true)
    {
        var dir = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var src = Fixture.Path_("tfjs", name);
        File.WriteAllText(Path.Combine(dir, "model.json"), edit(File.ReadAllText(Path.Combine(src, "model.json"))));
        if (copyShard) File.Copy(Path.Combine(src, "group1-shard1of1.bin"), Path.Combine(dir, "group1-shard1of1.bin"));
        return Path.Combine(dir, "model.json");
    }

    [Fact]
    public void Tfjs_errors_missing_shard_short_shard_channels_first_and_shape_mismatch()
    {
        Assert.Contains("weight shard 'group1-shard1of1.bin' is missing", Fails(EditedTfjs("tfjs_cnn", s => s, copyShard: false)).Message);

        var shortShard = EditedTfjs("tfjs_cnn", s => s);
        var shard = Path.Combine(Path.GetDirectoryName(shortShard)!, "group1-shard1of1.bin");
        File.WriteAllBytes(shard, File.ReadAllBytes(shard).AsSpan(0, 100).ToArray());
        Assert.Contains("truncated shard", Fails(shortShard).Message);

        var first = EditedTfjs("tfjs_cnn", s => s.Replace("\"data_format\":\"channels_last\"", "\"data_format\":\"channels_first\"", StringComparison.Ordinal));
        Assert.Contains("data_format 'channels_first'", Fails(first).Message);

        var units = EditedTfjs("tfjs_functional", s => s.Replace("\"units\":3", "\"units\":2", StringComparison.Ordinal));
        var e = Fails(units);
        Assert.Contains("weight 'kernel' has shape (16, 3) in the file, but the configuration needs (16, 2)", e.Message);

        var dynamic = EditedTfjs("tfjs_functional", s => s.Replace("[null,10]", "[null,null]", StringComparison.Ordinal));
        Assert.Contains("dynamic axis 1", Fails(dynamic).Message);
    }
}
