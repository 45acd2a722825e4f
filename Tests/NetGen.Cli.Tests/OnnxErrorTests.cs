using System;
using System.IO;
using System.Linq;
using Google.Protobuf;
using NetGen.Cli.Import;
using Onnx;
using Xunit;

namespace NetGen.Cli.Tests;

/// <summary>Every way an ONNX import can fail: a clear message, and nothing written.</summary>
public sealed class OnnxErrorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "netgen-errors-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Out => Path.Combine(_dir, "out");

    private ImportException Fails(string model)
    {
        var e = Assert.Throws<ImportException>(() => Importer.Write(new Importer.Options(model, "M", null, Out, Bake: false)));
        Assert.False(Directory.Exists(Out) && Directory.EnumerateFileSystemEntries(Out).Any(), "something was written");
        return e;
    }

    private string Save(ModelProto model, string name = "m.onnx")
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [Fact]
    public void Unsupported_operator_names_node_operator_and_supported_list()
    {
        var e = Fails(Fixture.Path_("onnx", "unsupported_lstm.onnx"));
        Assert.Contains("Node '/lstm/LSTM' (operator LSTM)", e.Message);
        Assert.Contains("Supported operators: Add, AveragePool, BatchNormalization", e.Message);
    }

    [Fact]
    public void Dynamic_axis_other_than_batch_names_input_and_axis()
    {
        var e = Fails(Fixture.Path_("onnx", "dynamic_length.onnx"));
        Assert.Contains("Input 'input' has a dynamic axis 2 ('length')", e.Message);
    }

    [Fact]
    public void Truncated_file_is_a_clear_error()
    {
        Directory.CreateDirectory(_dir);
        var bytes = File.ReadAllBytes(Fixture.Path_("onnx", "sample_cnn.onnx"));
        var path = Path.Combine(_dir, "truncated.onnx");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        var e = Fails(path);
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Fact]
    public void Garbage_file_is_a_clear_error()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "garbage.onnx");
        File.WriteAllText(path, "this is not a protobuf message at all, just text\n");
        var e = Fails(path);
        Assert.Contains("is not a valid ONNX model", e.Message);
    }

    [Fact]
    public void Missing_file_and_unknown_extension()
    {
        Assert.Contains("does not exist", Fails(Path.Combine(_dir, "none.onnx")).Message);
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "model.pt");
        File.WriteAllText(path, "x");
        Assert.Contains("unknown model format", Fails(path).Message);
    }

    // ------------------------------------------------------------ synthetic graphs built with the ONNX schema

    private static ModelProto Model(int[] inputShape, params NodeProto[] nodes)
    {
        var graph = new GraphProto { Name = "g" };
        var input = new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } } };
        input.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (var d in inputShape) input.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        graph.Input.Add(input);
        graph.Node.AddRange(nodes);
        graph.Output.Add(new ValueInfoProto { Name = nodes[^1].Output[0] });
        var model = new ModelProto { IrVersion = 7, Graph = graph, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = "/" + op.ToLowerInvariant() + "_node" };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        n.Attribute.AddRange(attributes);
        return n;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static void AddWeight(ModelProto model, string name, params int[] dims)
    {
        var t = new TensorProto { Name = name, DataType = 1 };
        t.Dims.AddRange(dims.Select(d => (long)d));
        t.FloatData.AddRange(Enumerable.Range(0, dims.Aggregate(1, (a, b) => a * b)).Select(i => 0.01f * i));
        model.Graph.Initializer.Add(t);
    }

    [Fact]
    public void LeakyRelu_with_PyTorch_default_slope_is_refused()
    {
        var model = Model(new[] { 4 }, Node("LeakyRelu", new[] { "x" }, "y", Float("alpha", 0.01f)));
        var e = Fails(Save(model));
        Assert.Contains("Node '/leakyrelu_node' (operator LeakyRelu)", e.Message);
        Assert.Contains("fixed slope 0.2", e.Message);
    }

    [Fact]
    public void Grouped_convolution_that_is_not_depthwise_is_refused()
    {
        var model = Model(new[] { 4, 5, 5 }, Node("Conv", new[] { "x", "w" }, "y", Int("group", 2), Ints("kernel_shape", 3, 3)));
        AddWeight(model, "w", 4, 2, 3, 3);
        var e = Fails(Save(model));
        Assert.Contains("group = 2 with 4 input channels", e.Message);
    }

    [Fact]
    public void Element_wise_operation_with_a_constant_is_refused()
    {
        var model = Model(new[] { 3 }, Node("Mul", new[] { "x", "c" }, "y"));
        AddWeight(model, "c", 3);
        var e = Fails(Save(model));
        Assert.Contains("(operator Mul)", e.Message);
        Assert.Contains("constant", e.Message);
    }

    [Fact]
    public void Max_pool_with_a_partial_ceil_window_is_refused()
    {
        var model = Model(new[] { 1, 5, 5 }, Node("MaxPool", new[] { "x" }, "y", Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Int("ceil_mode", 1)));
        var e = Fails(Save(model));
        Assert.Contains("ceil_mode", e.Message);
    }

    [Fact]
    public void Weight_with_too_few_raw_bytes_is_corrupt()
    {
        var model = Model(new[] { 3 }, Node("MatMul", new[] { "x", "w" }, "y"));
        var t = new TensorProto { Name = "w", DataType = 1, RawData = ByteString.CopyFrom(new byte[20]) };
        t.Dims.AddRange(new long[] { 3, 2 });
        model.Graph.Initializer.Add(t);
        var e = Fails(Save(model));
        Assert.Contains("Tensor 'w' holds 20 bytes of raw data", e.Message);
        Assert.Contains("needs 24", e.Message);
    }

    [Fact]
    public void External_data_is_refused()
    {
        var model = Model(new[] { 3 }, Node("MatMul", new[] { "x", "w" }, "y"));
        var t = new TensorProto { Name = "w", DataType = 1, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.AddRange(new long[] { 3, 2 });
        model.Graph.Initializer.Add(t);
        Assert.Contains("external data file", Fails(Save(model)).Message);
    }

    [Fact]
    public void Matmul_plus_add_becomes_one_dense_and_a_bare_matmul_has_no_bias()
    {
        var model = Model(new[] { 3 }, Node("MatMul", new[] { "x", "w" }, "h"), Node("Add", new[] { "h", "b" }, "y"));
        AddWeight(model, "w", 3, 2);
        AddWeight(model, "b", 2);
        var net = OnnxImporter.Import(model, "m.onnx");
        var dense = Assert.Single(net.Layers, l => l.Kind == "Dense");
        Assert.Equal(new[] { "dense/kernel", "dense/bias" }, dense.Weights.Select(w => w.Name));
        Assert.Equal(new[] { "/matmul_node", "/add_node" }, dense.Sources);

        var bare = Model(new[] { 3 }, Node("MatMul", new[] { "x", "w" }, "y"));
        AddWeight(bare, "w", 3, 2);
        var single = Assert.Single(OnnxImporter.Import(bare, "m.onnx").Layers, l => l.Kind == "Dense");
        Assert.Equal("false", single.Property("UseBias"));
    }

    [Fact]
    public void Command_line_reports_the_error_and_exit_code_1()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(new[] { "import", Fixture.Path_("onnx", "unsupported_lstm.onnx"), "-o", Out }, stdout, stderr);
        Assert.Equal(1, code);
        Assert.StartsWith("error: Node '/lstm/LSTM' (operator LSTM)", stderr.ToString());
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Command_line_import_and_inspect_succeed()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(new[] { "import", Fixture.Path_("onnx", "seed_mlp.onnx"), "--class", "Mlp", "--namespace", "My.Models", "-o", Out }, stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("109,386 parameters", stdout.ToString());
        Assert.True(File.Exists(Path.Combine(Out, "Mlp.cs")));
        Assert.True(File.Exists(Path.Combine(Out, "Mlp.weights")));
        Assert.True(File.Exists(Path.Combine(Out, "Mlp.weights.txt")));
        Assert.Contains("namespace My.Models;", File.ReadAllText(Path.Combine(Out, "Mlp.cs")));

        stdout = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "inspect", Fixture.Path_("onnx", "sample_cnn.onnx") }, stdout, stderr));
        Assert.Contains("conv2d_1 (Conv2D)", stdout.ToString());
        Assert.Contains("Total: 225,034 parameters.", stdout.ToString());

        stdout = new StringWriter();
        Assert.Equal(1, Program.Run(new[] { "inspect", Fixture.Path_("onnx", "unsupported_lstm.onnx") }, stdout, stderr));
        Assert.Contains("Nodes NetGen cannot map:", stdout.ToString());
        Assert.Contains("/lstm/LSTM (LSTM)", stdout.ToString());
    }
}
