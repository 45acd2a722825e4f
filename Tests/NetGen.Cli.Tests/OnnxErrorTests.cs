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
        var e = Fails(Fixture.Path_("onnx", "unsupported_op.onnx"));
        Assert.Contains("Node '/CumSum' (operator CumSum)", e.Message);
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
        int code = Program.Run(new[] { "import", Fixture.Path_("onnx", "unsupported_op.onnx"), "-o", Out }, stdout, stderr);
        Assert.Equal(1, code);
        Assert.StartsWith("error: Node '/CumSum' (operator CumSum)", stderr.ToString());
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
        Assert.Equal(1, Program.Run(new[] { "inspect", Fixture.Path_("onnx", "unsupported_op.onnx") }, stdout, stderr));
        Assert.Contains("Nodes NetGen cannot map:", stdout.ToString());
        Assert.Contains("/CumSum (CumSum)", stdout.ToString());
    }

    // ------------------------------------------------------------ recurrent nodes

    [Fact]
    public void Lstm_with_initial_states_as_graph_inputs_is_refused()
    {
        var e = Fails(Fixture.Path_("onnx", "lstm_initial_state.onnx"));
        Assert.Contains("Node '/rnn/LSTM' (operator LSTM)", e.Message);
        Assert.Contains("initial hidden state initial_h (h0) 'h0' is a graph input or computed by the network", e.Message);
        Assert.Contains("start every sequence from zeros", e.Message);
    }

    [Fact]
    public void Lstm_whose_final_cell_state_is_read_is_refused()
    {
        var e = Fails(Fixture.Path_("onnx", "lstm_final_cell.onnx"));
        Assert.Contains("Node '/rnn/LSTM' (operator LSTM)", e.Message);
        Assert.Contains("final cell state Y_c (c_n) is read", e.Message);
    }

    private static AttributeProto Strings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    /// <summary>x (batch, 5, 3) → Transpose → op (hidden 2) → Squeeze → Transpose: PyTorch's one-direction sequence pattern.</summary>
    private static ModelProto Recurrent(string op, string[] inputs, params AttributeProto[] attributes)
    {
        int gates = op == "LSTM" ? 4 : op == "GRU" ? 3 : 1;
        var node = Node(op, new[] { "t" }.Concat(inputs).ToArray(), "y", attributes.Append(Int("hidden_size", 2)).ToArray());
        var model = Model(new[] { 5, 3 }, Node("Transpose", new[] { "x" }, "t", Ints("perm", 1, 0, 2)), node,
            Node("Squeeze", new[] { "y" }, "s", Ints("axes", 1)), Node("Transpose", new[] { "s" }, "out", Ints("perm", 1, 0, 2)));
        AddWeight(model, "W", 1, gates * 2, 3);
        AddWeight(model, "R", 1, gates * 2, 2);
        AddWeight(model, "B", 1, gates * 4);
        return model;
    }

    [Fact]
    public void Lstm_with_non_default_activations_clip_or_reverse_direction_is_refused()
    {
        var e = Fails(Save(Recurrent("LSTM", new[] { "W", "R", "B" }, Strings("activations", "Sigmoid", "Relu", "Tanh"))));
        Assert.Contains("Node '/lstm_node' (operator LSTM)", e.Message);
        Assert.Contains("activations [Sigmoid, Relu, Tanh]; NetGen maps the defaults [Sigmoid, Tanh, Tanh]", e.Message);

        Assert.Contains("cell clip threshold", Fails(Save(Recurrent("LSTM", new[] { "W", "R", "B" }, Float("clip", 3f)))).Message);
        Assert.Contains("direction 'reverse'", Fails(Save(Recurrent("GRU", new[] { "W", "R", "B" }, new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("reverse") }))).Message);
        var rnn = Fails(Save(Recurrent("RNN", new[] { "W", "R", "B" }, Strings("activations", "Sigmoid"))));
        Assert.Contains("Node '/rnn_node' (operator RNN)", rnn.Message);
        Assert.Contains("Relu (PyTorch's nonlinearity='relu')", rnn.Message);
    }

    [Fact]
    public void Non_zero_constant_initial_state_and_sequence_lengths_are_refused()
    {
        var model = Recurrent("GRU", new[] { "W", "R", "B", "", "h0" });
        AddWeight(model, "h0", 1, 1, 2);   // 0, 0.01
        var e = Fails(Save(model));
        Assert.Contains("Node '/gru_node' (operator GRU)", e.Message);
        Assert.Contains("initial hidden state initial_h (h0) 'h0' is a non-zero constant", e.Message);

        var lengths = Recurrent("LSTM", new[] { "W", "R", "B", "lengths" });
        AddWeight(lengths, "lengths", 1);
        Assert.Contains("sequence_lens", Fails(Save(lengths)).Message);
    }

    [Fact]
    public void Lstm_gates_are_reordered_and_biases_summed_and_a_zero_constant_state_is_accepted()
    {
        var model = Recurrent("LSTM", new[] { "W", "R", "B", "", "h0", "c0" });
        var zeros = new TensorProto { Name = "h0", DataType = 1 };
        zeros.Dims.AddRange(new long[] { 1, 4, 2 });
        zeros.FloatData.AddRange(new float[8]);
        model.Graph.Initializer.Add(zeros);
        model.Graph.Initializer.Add(new TensorProto(zeros) { Name = "c0" });
        var lstm = Assert.Single(OnnxImporter.Import(model, "m.onnx").Layers, l => l.Kind == "LSTM");
        Assert.Equal("true", lstm.Property("ReturnSequences"));
        // ONNX W (1, 8, 3) holds 0.01·i row-major with gate blocks i, o, f, c of 2 rows; Keras' kernel (3, 8) has blocks i, f, c, o.
        int[] onnxBlock = { 0, 2, 3, 1 };
        var kernel = lstm.Weights[0];
        Assert.Equal(new[] { 3, 8 }, kernel.Shape);
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                for (int u = 0; u < 2; u++)
                    Assert.Equal(0.01f * ((onnxBlock[k] * 2 + u) * 3 + j), kernel.Values[j * 8 + k * 2 + u]);
        // B (1, 16): Wb = 0.01·(0..7), Rb = 0.01·(8..15); Keras' bias (8) is their sum, reordered the same way.
        var bias = lstm.Weights[2];
        for (int k = 0; k < 4; k++)
            for (int u = 0; u < 2; u++)
                Assert.Equal(0.01f * (onnxBlock[k] * 2 + u) + 0.01f * (8 + onnxBlock[k] * 2 + u), bias.Values[k * 2 + u], 6);
    }

    [Fact]
    public void Gru_without_linear_before_reset_is_reset_after_false_with_one_summed_bias()
    {
        var gru = Assert.Single(OnnxImporter.Import(Recurrent("GRU", new[] { "W", "R", "B" }), "m.onnx").Layers, l => l.Kind == "GRU");
        Assert.Equal("false", gru.Property("ResetAfter"));
        Assert.Equal(new[] { 6 }, gru.Weights[2].Shape);
        Assert.Equal(0.01f * 1 + 0.01f * 7, gru.Weights[2].Values[1], 6);
        var after = Assert.Single(OnnxImporter.Import(Recurrent("GRU", new[] { "W", "R", "B" }, Int("linear_before_reset", 1)), "m.onnx").Layers, l => l.Kind == "GRU");
        Assert.Equal("", after.Property("ResetAfter"));
        Assert.Equal(new[] { 2, 6 }, after.Weights[2].Shape);
    }
}
