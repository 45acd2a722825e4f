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
        new object[] { "keras", "keras3_upsample_bilinear.keras", "keras3_upsample_bilinear" },
        // tools/reference/make_import_heldout_fixtures.py: full Keras 3 / Keras 2 configurations of the variants most likely to break.
        new object[] { "keras", "keras3_activations.keras", "keras3_activations" },
        new object[] { "keras", "keras3_norm.keras", "keras3_norm" },
        new object[] { "keras", "keras3_nested.keras", "keras3_nested" },
        new object[] { "keras", "keras2_sequential.h5", "keras2_sequential" },
        new object[] { "keras", "keras2_sequential_list.h5", "keras2_sequential" },
        new object[] { "keras", "keras3_preprocess.keras", "keras3_preprocess" },
        new object[] { "keras", "keras2_preprocess.h5", "keras2_preprocess" },
        new object[] { "keras", "keras3_text.keras", "keras3_text" },
        new object[] { "keras", "keras2_nested.h5", "keras2_nested" },
        new object[] { "keras", "keras3_strided.keras", "keras3_strided" },
        new object[] { "keras", "keras3_attention.keras", "keras3_attention" },
        new object[] { "keras", "keras3_shared.keras", "keras3_shared" },
        new object[] { "keras", "keras2_shared.h5", "keras2_shared" },
        new object[] { "keras", "keras2_gru_backwards.h5", "keras2_gru_backwards" },
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
        var path = EditedArchive(name + ".keras", name + ".keras", config =>
        {
            Assert.Contains("\"recurrent_dropout\": 0.0", config);
            return config.Replace("\"recurrent_dropout\": 0.0", "\"recurrent_dropout\": 0.25");
        });
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

    /// <summary>
    /// UpSampling2D's interpolation "bilinear" becomes <c>Interpolation = Interpolation.Bilinear</c> (the network's outputs are
    /// checked against PyTorch's by the Models theory); another mode ("bicubic", in a copy of the archive) is refused by name.
    /// </summary>
    [Fact]
    public void UpSampling2D_bilinear_maps_to_Interpolation_and_other_modes_are_refused()
    {
        var path = EditedArchive("keras3_upsample_bilinear.keras", "bicubic.keras", config =>
        {
            Assert.Contains("\"interpolation\": \"bilinear\"", config);
            return config.Replace("\"interpolation\": \"bilinear\"", "\"interpolation\": \"bicubic\"");
        });
        var e = Fails(path);
        Assert.Contains("Layer 'up' (UpSampling2D) uses 'bicubic' interpolation", e.Message);
        var result = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_upsample_bilinear.keras"), "Up", null, Out, Bake: false));
        Assert.Contains("[UpSampling2D(2, 3, Interpolation = Interpolation.Bilinear, Name = \"up\")]", File.ReadAllText(result.SourcePath));
    }

    /// <summary>A copy of keras3_cnn.keras whose layer configurations get the given extra fields (JSON text), by layer name.</summary>
    private string EditedCnn(string file, params (string Layer, string Fields)[] edits)
        => EditedArchive("keras3_cnn.keras", file, config =>
        {
            foreach (var (layer, fields) in edits)
            {
                string name = $"\"name\": \"{layer}\"";
                Assert.Contains(name, config);
                config = config.Replace(name, name + ", " + fields);
            }
            return config;
        });

    /// <summary>A copy (named <paramref name="file"/>, in the test's directory) of the Keras 3 fixture archive <paramref name="fixture"/> with its config.json rewritten by <paramref name="edit"/>.</summary>
    private string EditedArchive(string fixture, string file, Func<string, string> edit)
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, file);
        File.Copy(Fixture.Path_("keras", fixture), path, overwrite: true);
        using var z = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = z.GetEntry("config.json")!;
        string config;
        using (var reader = new StreamReader(entry.Open())) config = reader.ReadToEnd();
        entry.Delete();
        using var writer = new StreamWriter(z.CreateEntry("config.json").Open());
        writer.Write(edit(config));
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
        Assert.EndsWith("Layer 'conv' (Conv2D) has an activity_regularizer ('L2'); NetGen has no activity regularizers.", activity.Message);
        var orthogonal = Fails(EditedCnn("orthogonal.keras", ("head", "\"kernel_regularizer\": {\"class_name\": \"OrthogonalRegularizer\", \"config\": {\"factor\": 0.01, \"mode\": \"rows\"}}")));
        Assert.EndsWith("Layer 'head' (Dense) has the kernel_regularizer 'OrthogonalRegularizer'; NetGen has L1, L2 and L1L2.", orthogonal.Message);
        Assert.Contains("orthogonal.keras", orthogonal.Message);
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
        var dynamicError = Fails(dynamic).Message;
        Assert.Contains("[null,null] of '", dynamicError);
        Assert.Contains("has a dynamic axis 1: only the batch axis (0) may be dynamic; NetGen's shapes are fixed, so save the model with a fixed size", dynamicError);
    }
    /// <summary>A copy of a fixture .keras archive with its config.json edited.</summary>
    private string EditedKeras(string name, Func<string, string> edit)
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + "-" + name + ".keras");
        File.Copy(Fixture.Path_("keras", name + ".keras"), path);
        using var z = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = z.GetEntry("config.json")!;
        string config;
        using (var reader = new StreamReader(entry.Open())) config = reader.ReadToEnd();
        var edited = edit(config);
        Assert.NotEqual(config, edited);
        entry.Delete();
        using var writer = new StreamWriter(z.CreateEntry("config.json").Open());
        writer.Write(edited);
        return path;
    }

    private void MatchesReference(string model, string reference, string kind = "keras")
    {
        var result = Importer.Write(new Importer.Options(model, "Edited", "KerasTest", Path.Combine(_dir, Guid.NewGuid().ToString("N")), Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        var net = Compiled.Create(source, "KerasTest.Edited");
        net.Load(result.WeightsPath);
        var f = Reference(kind, reference);
        var actual = new float[f.Batch * net.OutputLength];
        net.Predict(f.Input, actual, f.Batch);
        float diff = Fixture.MaxAbsDifference(f.Output, actual);
        Assert.True(diff <= 1e-5f, $"{model}: differs by {diff}\n{source}");
    }

    [Fact]
    public void Keras_activation_layers_map_to_NetGen_layers_with_their_parameters()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_activations.keras"), "Acts", null, Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        Assert.Contains("[LeakyReLU(NegativeSlope = 0.1, Name = \"leaky_re_lu_0\")]", source);
        Assert.Contains("[ReLU(MaxValue = 0.8, NegativeSlope = 0.05, Threshold = 0.1, Name = \"re_lu_1\")]", source);
        Assert.Contains("[ELU(Alpha = 0.7, Name = \"elu_3\")]", source);
        Assert.Contains("[ReLU(MaxValue = 6.0, Name = \"re_lu_7\")]", source);
        Assert.Contains("Activation = Activation.HardSigmoid", source); // Keras 3's hard_sigmoid
        Assert.Contains("p_re_lu_5/alpha(8)", result.Network.WeightSignature);
        var keras2 = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras2_sequential.h5"), "Seq", null, Path.Combine(_dir, "k2"), Bake: false));
        var k2source = File.ReadAllText(keras2.SourcePath);
        Assert.Contains("[LeakyReLU(NegativeSlope = 0.2, Name = \"leaky_re_lu\")]", k2source); // Keras 2's alpha
        Assert.Contains("[ReLU(Threshold = 0.1, Name = \"thresholded_re_lu\")]", k2source);
    }

    /// <summary>Keras 1/2 and TensorFlow.js files mean clip(0.2·x + 0.5) by hard_sigmoid, Keras 3 files clip(x/6 + 0.5).</summary>
    [Fact]
    public void Keras2_hard_sigmoid_keeps_its_keras2_meaning()
    {
        var keras2 = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras2_sequential.h5"), "Seq", null, Path.Combine(_dir, "k2"), Bake: false));
        Assert.Contains("[LSTM(4, RecurrentActivation = RecurrentActivation.HardSigmoidKeras2)]", File.ReadAllText(keras2.SourcePath));
        var e = Fails(EditedTfjs("tfjs_functional", s => s.Replace("\"activation\":\"selu\"", "\"activation\":\"hard_sigmoid\"", StringComparison.Ordinal)));
        Assert.Contains("activation 'hard_sigmoid' of a Keras 2 / TensorFlow.js file means clip(0.2·x + 0.5, 0, 1)", e.Message);
        // TensorFlow.js' own names: hardSigmoid is the same function; gelu_new is GELU's tanh form.
        e = Fails(EditedTfjs("tfjs_functional", s => s.Replace("\"activation\":\"selu\"", "\"activation\":\"hardSigmoid\"", StringComparison.Ordinal)));
        Assert.Contains("activation 'hard_sigmoid' of a Keras 2 / TensorFlow.js file", e.Message);
        var tanhGelu = Importer.Write(new Importer.Options(EditedTfjs("tfjs_functional", s => s.Replace("\"activation\":\"selu\"", "\"activation\":\"gelu_new\"", StringComparison.Ordinal)),
            "G", null, Path.Combine(_dir, "gelu"), Bake: false));
        Assert.Contains("Activation = Activation.GeluTanh", File.ReadAllText(tanhGelu.SourcePath));
    }

    /// <summary>Keras 3 may write an activation as a serialized function object; it means the same as the string.</summary>
    [Fact]
    public void Activation_written_as_a_keras3_function_object_is_read()
    {
        var path = EditedKeras("keras3_activations", s => s.Replace("\"activation\": \"gelu\"",
            "\"activation\": {\"module\": \"keras.activations\", \"class_name\": \"function\", \"config\": \"gelu\", \"registered_name\": \"gelu\"}",
            StringComparison.Ordinal));
        MatchesReference(path, "keras3_activations");
        // A layer object as activation has parameters the name does not carry: refused, not read as Activation.Elu.
        var e = Fails(EditedKeras("keras3_activations", s => s.Replace("\"activation\": \"elu\"",
            "\"activation\": {\"module\": \"keras.layers\", \"class_name\": \"ELU\", \"config\": {\"name\": \"elu\", \"alpha\": 0.5}, \"registered_name\": null}",
            StringComparison.Ordinal)));
        Assert.Contains("Layer 'dense_9': its activation is a layer object, ELU", e.Message);
    }

    [Fact]
    public void Nested_model_and_input_order_follow_keras()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_nested.keras"), "TwoWay", null, Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        // input_layers lists b before a, so Predict takes [b | a]; the nested Sequential's layers are declared in line.
        Assert.True(source.IndexOf("Name = \"b\")", StringComparison.Ordinal) < source.IndexOf("Name = \"a\")", StringComparison.Ordinal), source);
        Assert.Contains("[Input(5, Name = \"a\")]\n// enc_hidden: (6), 36 parameters  <- Dense 'enc_hidden'\n[Dense(6, Activation = Activation.Relu, Name = \"enc_hidden\")]", source);
        Assert.Contains("[Concatenate(\"enc_out\", \"b\", Name = \"joined\")]", source);
        Assert.Contains("[Output(\"head\", \"aux\")]", source);
        // Keras 3 models built on dicts of inputs keep input_layers as an object.
        MatchesReference(EditedKeras("keras3_nested", s => s.Replace("\"input_layers\": [[\"b\", 0, 0], [\"a\", 0, 0]]",
            "\"input_layers\": {\"b\": [\"b\", 0, 0], \"a\": [\"a\", 0, 0]}", StringComparison.Ordinal)), "keras3_nested");
    }

    [Fact]
    public void Config_fields_that_change_the_numbers_are_refused_naming_layer_field_and_value()
    {
        var e = Fails(EditedKeras("keras3_norm", s => s.Replace("\"rms_scaling\": false", "\"rms_scaling\": true", StringComparison.Ordinal)));
        Assert.Contains("Layer 'ln' (LayerNormalization): rms_scaling = true is not supported", e.Message);
        e = Fails(EditedKeras("keras3_norm", s => s.Replace("{\"name\": \"float32\"}", "{\"name\": \"mixed_float16\"}", StringComparison.Ordinal)));
        Assert.Contains("Layer 'bn' (BatchNormalization): dtype policy 'mixed_float16' is not supported", e.Message);
        e = Fails(EditedKeras("keras3_norm", s => s.Replace("\"lora_rank\": null", "\"lora_rank\": 4", StringComparison.Ordinal)));
        Assert.Contains("Layer 'per_step' (Dense): configuration field 'lora_rank' = 4 is not understood by the importer", e.Message);
        e = Fails(EditedKeras("keras3_norm", s => s.Replace("\"padding\": \"causal\"", "\"padding\": \"reflect\"", StringComparison.Ordinal)));
        Assert.Contains("Layer 'conv' (Conv1D): padding 'reflect' is not supported", e.Message);
        e = Fails(EditedKeras("keras3_norm", s => s.Replace("\"units\": 3, ", "", StringComparison.Ordinal)));
        Assert.Contains("Layer 'head' (Dense): its configuration is not in the form Keras writes", e.Message);
        Assert.Contains("keras3_norm.keras", e.Message);
    }

    [Fact]
    public void Training_only_fields_are_noted_and_trainable_false_is_kept()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_norm.keras"), "Norm", null, Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        // The regularizer is a training setting NetGen has: mapped, not noted.
        Assert.Contains("[Conv1D(3, 2, KernelRegularizer = \"l2(0.01)\", DilationRate = 2, Padding = Padding.Causal, Name = \"conv\")]", source);
        Assert.DoesNotContain("kernel_regularizer", source);
        Assert.Contains("[Dense(4, Activation = Activation.Tanh, Trainable = false, Name = \"per_step\")]", source);
        Assert.Contains("[BatchNormalization(Axis = -2, Epsilon = 0.001, Center = false, Momentum = 0.9, Name = \"bn\")]", source);
        Assert.Contains("[Softmax(Axis = 1, Name = \"steps_softmax\")]", source);
        // import and inspect print the notes too.
        var stdout = new StringWriter();
        Assert.Equal(0, NetGen.Cli.Program.Run(new[] { "inspect", Fixture.Path_("keras", "keras3_norm.keras") }, stdout, new StringWriter()));
        Assert.Contains("Note: Layout: Keras is channels-last like NetGen", stdout.ToString());
        stdout = new StringWriter();
        Assert.Equal(0, NetGen.Cli.Program.Run(new[] { "import", Fixture.Path_("keras", "keras3_norm.keras"), "-o", Path.Combine(_dir, "cli") }, stdout, new StringWriter()));
        Assert.Contains("Note: Layout: Keras is channels-last like NetGen", stdout.ToString());
    }

    [Fact]
    public void Missing_or_misshapen_weights_name_the_file_layer_and_expected_shape()
    {
        var e = Fails(Fixture.Path_("keras", "keras3_missing_weight.keras"));
        Assert.Contains("keras3_missing_weight.keras", e.Message);
        Assert.Contains("Layer 'head' (Dense): weight 'bias' (3) is missing", e.Message);
        e = Fails(Fixture.Path_("keras", "keras3_wrong_shape.keras"));
        Assert.Contains("keras3_wrong_shape.keras", e.Message);
        Assert.Contains("Layer 'head' (Dense): weight 'kernel' has shape (3, 4) in the file, but the configuration needs (4, 3)", e.Message);
        e = Fails(Fixture.Path_("keras", "keras2_missing_dataset.h5"));
        Assert.Contains("keras2_missing_dataset.h5", e.Message);
        Assert.Contains("layer 'head' lists weight 'head/kernel:0', which is missing", e.Message);
    }

    [Fact]
    public void A_failed_import_leaves_earlier_outputs_untouched()
    {
        var good = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_mlp.keras"), "M", null, Out, Bake: false));
        var before = File.ReadAllBytes(good.WeightsPath);
        Assert.Throws<ImportException>(() => Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_wrong_shape.keras"), "M", null, Out, Bake: false)));
        Assert.Equal(before, File.ReadAllBytes(good.WeightsPath));
        Assert.Equal(new[] { "M.cs", "M.weights", "M.weights.txt" }, Directory.GetFiles(Out).Select(Path.GetFileName).Order().ToArray());
    }
    /// <summary>Rescaling and Normalization are per-channel affine maps: frozen BatchNormalization layers; Embedding's input becomes token ids.</summary>
    [Fact]
    public void Preprocessing_layers_and_embedding_map_exactly()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_preprocess.keras"), "Pre", null, Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        Assert.Contains("[BatchNormalization(Epsilon = 1E-30, Trainable = false, Name = \"rescaling\")]", source);
        Assert.Contains("[BatchNormalization(Epsilon = 1E-30, Trainable = false, Name = \"normalization\")]", source);
        Assert.Contains("[GroupNormalization(2, Name = \"group_norm\")]", source);
        var text = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_text.keras"), "Text", null, Path.Combine(_dir, "text"), Bake: false));
        var textSource = File.ReadAllText(text.SourcePath);
        Assert.Contains("[Input(6, TokenIds = true, Name = \"tokens\")]", textSource);
        Assert.Contains("[Embedding(10, 4, MaskZero = true, Name = \"embedding\")]", textSource);
        Assert.Contains("[RepeatVector(2, Name = \"repeat\")]", textSource);
    }
    /// <summary>A layer or nested model called twice is declared once per call with copies of its weights, and the header says so.</summary>
    [Fact]
    public void Shared_layers_are_declared_once_per_call()
    {
        var result = Importer.Write(new Importer.Options(Fixture.Path_("keras", "keras3_shared.keras"), "Siamese", null, Out, Bake: false));
        var source = File.ReadAllText(result.SourcePath);
        Assert.Contains("// Layer 'embed' is shared (called 2 times): declared once per call (embed, embed_call1)", source);
        Assert.Contains("// embed_call1: (6), 36 parameters  <- Dense 'embed' (a further call)\n[Dense(6, Activation = Activation.Relu, Name = \"embed_call1\", Inputs = new[] { \"b\" })]", source);
        Assert.Contains("[Subtract(\"tower_dense\", \"tower_dense_call1\", Name = \"difference\")]", source);
        Assert.Contains("embed_call1/kernel(5,6)", result.Network.WeightSignature);
    }
}
