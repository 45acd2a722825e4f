using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using NetGen.Cli.Model;
using Onnx;
using static NetGen.Cli.Model.DeclarationWriter;

namespace NetGen.Cli.Import;

/// <summary>
/// Maps an ONNX graph (PyTorch's exporter, opsets 13-17) to NetGen layers. ONNX tensors are channels-first (N, C, H, W);
/// NetGen's are channels-last. Every ONNX tensor is tracked with its NetGen layout: <see cref="Value.Perm"/> says which
/// ONNX axis each NetGen axis holds, so convolutions see channels-last data and transposes cost nothing; a flattened
/// channels-last tensor remembers the ONNX order of its elements (<see cref="Value.FlatOrder"/>) so that the Dense
/// reading it gets its kernel rows permuted instead of the data.
/// </summary>
internal sealed partial class OnnxImporter
{
    /// <summary>The operators this importer maps (for error messages and <c>netgen inspect</c>).</summary>
    public static readonly string[] SupportedOperators =
    {
        "Add", "AveragePool", "BatchNormalization", "Concat", "Constant", "Conv", "ConvTranspose", "Div (Gelu/LayerNorm patterns)",
        "Dropout", "Elu", "Erf (Gelu pattern)", "Flatten", "Gather (one time step)", "Gelu", "Gemm", "GlobalAveragePool", "GlobalMaxPool",
        "GRU (batch-first, zero initial state)", "Identity", "LayerNormalization", "LeakyRelu (alpha 0.2)", "LSTM (batch-first, zero initial state)",
        "MatMul", "Max", "MaxPool", "Min", "Mul", "Pad", "ReduceMean (LayerNorm pattern)", "Relu", "Reshape", "Resize (nearest)",
        "RNN (batch-first, zero initial state)", "Selu", "Sigmoid", "Softmax", "Softplus", "Squeeze", "Sub", "Tanh", "Transpose",
        "Unsqueeze", "Upsample (nearest)",
    };

    /// <summary>An ONNX tensor as NetGen holds it.</summary>
    private sealed class Value
    {
        public required string Layer;        // the NetGen layer (or input) that produces it
        public required int[] Shape;         // ONNX per-sample shape (no batch axis)
        public required int[] Perm;          // NetGen axis i holds ONNX per-sample axis Perm[i]
        public int[]? FlatOrder;             // rank 1 only: NetGen element j is ONNX element FlatOrder[j]
        public ImportedLayer? Fusable;       // a Dense/Conv whose activation is still free

        public int[] NetGenShape => Perm.Select(p => Shape[p]).ToArray();
    }

    internal sealed class Constant
    {
        public required int[] Dims;
        public required float[] Floats;
        public long[]? Ints;

        public long[] IntValues => Ints ?? Floats.Select(f => (long)f).ToArray();
    }

    private readonly ImportedNetwork _network;
    private readonly GraphProto _graph;
    private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Constant> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumerNodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphOutputs = new(StringComparer.Ordinal);
    private readonly HashSet<NodeProto> _done = new();
    private readonly DeclarationWriter.DefaultNames _names = new();
    private readonly long _opset;

    private OnnxImporter(ModelProto model, string source)
    {
        _graph = model.Graph ?? throw new ImportException($"'{source}' holds no graph.");
        _opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        var producer = string.IsNullOrEmpty(model.ProducerName) ? "unknown producer" : (model.ProducerName + " " + model.ProducerVersion).Trim();
        _network = new ImportedNetwork($"ONNX ({producer}, opset {_opset})");
    }

    /// <summary>Reads and parses an ONNX file; a truncated or corrupt file is an <see cref="ImportException"/>.</summary>
    public static ModelProto Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException($"Cannot read '{path}': {e.Message}", e);
        }
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ImportException($"'{path}' is not a valid ONNX model (truncated or corrupt protobuf: {e.Message}).", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0 || model.IrVersion == 0)
            throw new ImportException($"'{path}' is not a valid ONNX model (no IR version or no graph nodes: truncated or not ONNX).");
        return model;
    }

    public static ImportedNetwork Import(string path) => Import(Read(path), path);

    public static ImportedNetwork Import(ModelProto model, string source)
    {
        var importer = new OnnxImporter(model, source);
        importer.Run();
        return importer._network;
    }

    /// <summary>For <c>netgen inspect</c>: the nodes whose operators this importer does not map.</summary>
    public static IReadOnlyList<string> UnsupportedNodes(ModelProto model) => UnsupportedNodes(model.Graph);

    private static IReadOnlyList<string> UnsupportedNodes(GraphProto graph)
    {
        var zeroStates = ZeroStateNodes(graph);
        return graph.Node.Where(n => !KnownOperators.Contains(n.OpType) && !zeroStates.Contains(n)).OrderBy(n => n.OpType == "Shape" ? 1 : 0)
            .Select(n => $"{NodeName(n)} ({n.OpType})").ToList();
    }

    /// <summary>Operators mapped to layers, folded when their inputs are constants, or part of a recognised pattern.</summary>
    private static readonly HashSet<string> KnownOperators = new(
        SupportedOperators.Select(s => s.Split(' ')[0]).Concat(ConstantFolding.Operators).Concat(new[] { "Pow", "Sqrt" }), StringComparer.Ordinal);

    private void Run()
    {
        foreach (var init in _graph.Initializer) _constants[init.Name] = ToConstant(init);
        // Constant nodes take no inputs: register them first, so that patterns see constants that come later in node order.
        foreach (var node in _graph.Node)
            if (node.OpType == "Constant") MapConstant(node);
        foreach (var node in _graph.Node)
            foreach (var input in node.Input)
            {
                if (input.Length == 0) continue;
                _consumers[input] = _consumers.GetValueOrDefault(input) + 1;
                if (!_consumerNodes.TryGetValue(input, out var list)) _consumerNodes[input] = list = new List<NodeProto>();
                list.Add(node);
            }
        foreach (var output in _graph.Output) _graphOutputs.Add(output.Name);
        // The exporter's Shape -> Gather -> ... -> ConstantOfShape chains that only build zero initial states for recurrent nodes.
        var zeroStates = ZeroStateNodes(_graph);
        foreach (var node in zeroStates)
        {
            _done.Add(node);
            foreach (var output in node.Output) _zeroStateTensors.Add(output);
        }

        var unknown = UnsupportedNodes(_graph);
        if (unknown.Count > 0)
        {
            bool Unknown(NodeProto n) => !KnownOperators.Contains(n.OpType) && !zeroStates.Contains(n);
            var first = _graph.Node.FirstOrDefault(n => Unknown(n) && n.OpType != "Shape") ?? _graph.Node.First(Unknown);
            throw Unsupported(first, unknown.Count > 1 ? "also unmappable: " + string.Join(", ", unknown.Skip(1)) : null);
        }
        var notes = new List<string>();
        foreach (var input in _graph.Input)
        {
            if (_constants.ContainsKey(input.Name)) continue;
            AddInput(input, notes);
        }
        foreach (var node in _graph.Node)
        {
            if (_done.Contains(node)) continue;
            Map(node);
        }
        var outputs = new List<string>();
        foreach (var output in _graph.Output)
        {
            if (_sequences.ContainsKey(output.Name))
                throw new ImportException($"Graph output '{output.Name}' is a time-major (steps, batch, ...) view of a recurrent node's output; NetGen's outputs are batch-first: return the batch_first=True sequence (out) or a step of it.");
            if (!_values.TryGetValue(output.Name, out var v))
                throw new ImportException($"Graph output '{output.Name}' is not computed by any mapped node (a constant output is not supported).");
            if (v.FlatOrder is not null)
                throw new ImportException($"Graph output '{output.Name}' is a flattened channels-first tensor; NetGen cannot reorder it after the fact.");
            if (!TensorOps.IsIdentity(v.Perm))
                notes.Add($"Output '{output.Name}' {TensorOps.ShapeText(v.Shape)} is produced channels-last: NetGen shape {TensorOps.ShapeText(v.NetGenShape)}.");
            outputs.Add(v.Layer);
        }
        PruneUnused(outputs);
        if (outputs.Count > 1 || outputs[0] != _network.Layers[^1].Name) _network.Outputs.AddRange(outputs);
        _network.Notes.Add("Layout: NetGen is channels-last. Convolution kernels were converted from ONNX OIHW to HWIO, and the Dense after a");
        _network.Notes.Add("channels-first Flatten had its kernel rows permuted, so this network takes channels-last input.");
        _network.Notes.AddRange(notes);
    }

    // ---------------------------------------------------------------- inputs

    private void AddInput(ValueInfoProto input, List<string> notes)
    {
        var type = input.Type?.TensorType;
        if (type is null || type.Shape is null)
            throw new ImportException($"Input '{input.Name}' has no tensor shape.");
        if (type.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new ImportException($"Input '{input.Name}' has element type {(TensorProto.Types.DataType)type.ElemType}; NetGen inputs are float32.");
        var dims = type.Shape.Dim;
        if (dims.Count < 2)
            throw new ImportException($"Input '{input.Name}' has rank {dims.Count}; expected a batch axis and at least one feature axis.");
        var shape = new int[dims.Count - 1];
        for (int axis = 1; axis < dims.Count; axis++)
        {
            var d = dims[axis];
            if (d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue <= 0)
                throw new ImportException($"Input '{input.Name}' has a dynamic axis {axis} ('{(d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : "?")}'): only the batch axis (0) may be dynamic. Export with fixed sizes for the other axes.");
            shape[axis - 1] = (int)d.DimValue;
        }
        // Image-like inputs (N, C, spatial...) read by convolutions or pooling become channels-last; others keep their layout.
        int[] perm = shape.Length >= 2 && FeedsSpatialOperator(input.Name, 0) ? ChannelsLast(shape.Length) : TensorOps.Identity(shape.Length);
        var layer = NewLayer("Input");
        var ngShape = perm.Select(p => shape[p]).ToArray();
        layer.Arguments.AddRange(ngShape.Select(Invariant));
        layer.OutputShape = ngShape;
        layer.ChannelsLast = !TensorOps.IsIdentity(perm);
        layer.Sources.Add($"ONNX input '{input.Name}' (N, {string.Join(", ", shape)})");
        _values[input.Name] = new Value { Layer = layer.Name, Shape = shape, Perm = perm };
        if (shape.Length >= 2)
            notes.Add($"Input '{input.Name}': ONNX (N, {string.Join(", ", shape)}) is NetGen {TensorOps.ShapeText(ngShape)}: transpose channels-first samples to channels-last before Predict.");
    }

    private bool FeedsSpatialOperator(string tensor, int depth)
    {
        if (depth > 8 || !_consumerNodes.TryGetValue(tensor, out var users)) return false;
        foreach (var u in users)
        {
            if (u.OpType is "Conv" or "ConvTranspose" or "MaxPool" or "AveragePool" or "GlobalAveragePool" or "GlobalMaxPool" or "BatchNormalization" or "Resize" or "Upsample" or "Pad")
                return true;
            if (u.OpType is "Relu" or "Sigmoid" or "Tanh" or "LeakyRelu" or "Elu" or "Selu" or "Softplus" or "Identity" or "Dropout" or "Add" or "Sub" or "Mul" or "Max" or "Min"
                && FeedsSpatialOperator(u.Output[0], depth + 1))
                return true;
        }
        return false;
    }

    private static int[] ChannelsLast(int rank) => Enumerable.Range(1, rank - 1).Append(0).ToArray();

    // ---------------------------------------------------------------- dispatch

    private void Map(NodeProto node)
    {
        if (node.OpType != "Constant" && node.Input.Where(i => i.Length > 0).All(_constants.ContainsKey) && ConstantFolding.TryFold(node, _constants, out var folded))
        {
            _constants[node.Output[0]] = folded;
            _done.Add(node);
            return;
        }
        switch (node.OpType)
        {
            case "Constant": MapConstant(node); break;
            case "Identity":
            case "Dropout": Alias(node, node.Output[0], Input(node, 0)); break;
            case "Gemm": MapGemm(node); break;
            case "MatMul": MapMatMul(node); break;
            case "Conv": MapConv(node, transpose: false); break;
            case "ConvTranspose": MapConv(node, transpose: true); break;
            case "MaxPool": MapPool(node, max: true); break;
            case "AveragePool": MapPool(node, max: false); break;
            case "GlobalAveragePool": MapGlobalPool(node, "Average"); break;
            case "GlobalMaxPool": MapGlobalPool(node, "Max"); break;
            case "BatchNormalization": MapBatchNorm(node); break;
            case "LayerNormalization": MapLayerNorm(node); break;
            case "Relu": MapActivation(node, "Relu"); break;
            case "Sigmoid": MapActivation(node, "Sigmoid"); break;
            case "Tanh": MapActivation(node, "Tanh"); break;
            case "Softplus": MapActivation(node, "Softplus"); break;
            case "Gelu": MapActivation(node, "Gelu"); break;
            case "LeakyRelu":
                float alpha = AttrFloat(node, "alpha", 0.01f);
                if (Math.Abs(alpha - 0.2f) > 1e-6f)
                    throw Unsupported(node, $"LeakyRelu with alpha {alpha}: NetGen's LeakyRelu has Keras' fixed slope 0.2 (PyTorch's default is 0.01; use nn.LeakyReLU(0.2))");
                MapActivation(node, "LeakyRelu");
                break;
            case "Elu":
                if (Math.Abs(AttrFloat(node, "alpha", 1f) - 1f) > 1e-6f) throw Unsupported(node, "Elu with alpha other than 1");
                MapActivation(node, "Elu");
                break;
            case "Selu":
                if (Math.Abs(AttrFloat(node, "alpha", 1.67326319f) - 1.67326319f) > 1e-5f || Math.Abs(AttrFloat(node, "gamma", 1.05070102f) - 1.05070102f) > 1e-5f)
                    throw Unsupported(node, "Selu with non-default alpha/gamma");
                MapActivation(node, "Selu");
                break;
            case "Softmax": MapSoftmax(node); break;
            case "Flatten": MapFlatten(node); break;
            case "Reshape": MapReshape(node); break;
            case "Squeeze":
            case "Unsqueeze": MapSqueeze(node); break;
            case "Transpose": MapTranspose(node); break;
            case "Gather": MapGather(node); break;
            case "LSTM": MapRecurrent(node, "LSTM", 4); break;
            case "GRU": MapRecurrent(node, "GRU", 3); break;
            case "RNN": MapRecurrent(node, "SimpleRNN", 1); break;
            case "Add":
            case "Sub":
            case "Mul":
            case "Div":
            case "Max":
            case "Min": MapBinary(node); break;
            case "Concat": MapConcat(node); break;
            case "Pad": MapPad(node); break;
            case "Resize":
            case "Upsample": MapResize(node); break;
            case "ReduceMean":
                if (!TryDecomposedLayerNorm(node)) throw Unsupported(node, "ReduceMean outside the decomposed LayerNormalization pattern");
                break;
            default:
                throw Unsupported(node, null);
        }
    }

    private ImportException Unsupported(NodeProto node, string? why)
        => new($"Node '{NodeName(node)}' (operator {node.OpType}) cannot be mapped to NetGen layers{(why is null ? "" : ": " + why)}.\n"
            + $"Supported operators: {string.Join(", ", SupportedOperators)}.");

    private static string NodeName(NodeProto node) => string.IsNullOrEmpty(node.Name) ? node.OpType + "->" + node.Output.FirstOrDefault() : node.Name;

    // ---------------------------------------------------------------- helpers

    private Value Input(NodeProto node, int index)
    {
        if (index >= node.Input.Count || node.Input[index].Length == 0)
            throw Unsupported(node, $"input {index} is missing");
        var name = node.Input[index];
        if (_values.TryGetValue(name, out var v)) return v;
        if (_sequences.ContainsKey(name))
            throw Unsupported(node, $"input '{name}' is a time-major (steps, batch, ...) view of a sequence; NetGen maps such a tensor only into LSTM/GRU/RNN nodes and back to batch-first with Transpose(perm 1, 0, 2)");
        if (_constants.ContainsKey(name)) throw Unsupported(node, $"input '{name}' is a constant where a tensor computed from the network input is expected");
        throw Unsupported(node, $"input '{name}' comes from a node that was not mapped");
    }

    private Constant? TryConst(NodeProto node, int index)
        => index < node.Input.Count && _constants.TryGetValue(node.Input[index], out var c) ? c : null;

    private Constant Const(NodeProto node, int index, string what)
        => TryConst(node, index) ?? throw Unsupported(node, $"its {what} (input {index}) must be a constant initializer");

    private void Alias(NodeProto node, string output, Value value)
    {
        _values[output] = value;
        _done.Add(node);
        if (FindLayer(value.Layer) is { } layer && layer.Kind != "Input") layer.Sources.Add(NodeName(node));
    }

    private ImportedLayer? FindLayer(string name) => _network.Layers.FirstOrDefault(l => l.Name == name);

    private ImportedLayer NewLayer(string kind, bool merge = false)
    {
        var layer = new ImportedLayer(kind, _names.Next(kind)) { IsMerge = merge };
        _network.Layers.Add(layer);
        return layer;
    }

    private ImportedLayer NewLayer(string kind, NodeProto? node, Value input)
    {
        var layer = NewLayer(kind);
        layer.Inputs.Add(input.Layer);
        if (node is not null) layer.Sources.Add(NodeName(node));
        return layer;
    }

    private Value Produce(NodeProto node, ImportedLayer layer, int[] onnxShape, int[] perm, ImportedLayer? fusable = null)
    {
        var v = new Value { Layer = layer.Name, Shape = onnxShape, Perm = perm, Fusable = fusable };
        layer.OutputShape = v.NetGenShape;
        _values[node.Output[0]] = v;
        _done.Add(node);
        return v;
    }

    /// <summary>The value in the layout <paramref name="perm"/>, inserting a Permute layer when it differs.</summary>
    private Value WithLayout(Value v, int[] perm, string why)
    {
        if (v.FlatOrder is not null)
            throw new ImportException($"A flattened channels-first tensor feeds {why}; NetGen cannot reorder it. Only Gemm/MatMul may read a Flatten of convolution features.");
        if (v.Perm.SequenceEqual(perm)) return v;
        var layer = NewLayer("Permute");
        layer.Inputs.Add(v.Layer);
        var dims = perm.Select(q => Array.IndexOf(v.Perm, q) + 1).ToArray();
        layer.Arguments.AddRange(dims.Select(Invariant));
        layer.Sources.Add("layout change for " + why);
        var result = new Value { Layer = layer.Name, Shape = v.Shape, Perm = perm };
        layer.OutputShape = result.NetGenShape;
        return result;
    }

    private static int NormalizeAxis(NodeProto node, long axis, int rankWithBatch)
    {
        long a = axis < 0 ? axis + rankWithBatch : axis;
        if (a < 0 || a >= rankWithBatch) throw new ImportException($"Node '{NodeName(node)}' ({node.OpType}): axis {axis} is out of range for rank {rankWithBatch}.");
        return (int)a;
    }

    /// <summary>The NetGen per-sample axis holding ONNX axis <paramref name="onnxAxisWithBatch"/>, as a negative Keras axis.</summary>
    private static int KerasAxis(Value v, int onnxAxisWithBatch)
    {
        int ng = Array.IndexOf(v.Perm, onnxAxisWithBatch - 1);
        return ng - v.Perm.Length;
    }

    // ---------------------------------------------------------------- attributes

    private static AttributeProto? Attr(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static float AttrFloat(NodeProto node, string name, float fallback) => Attr(node, name) is { } a ? a.F : fallback;

    private static long AttrInt(NodeProto node, string name, long fallback) => Attr(node, name) is { } a ? a.I : fallback;

    private static string AttrString(NodeProto node, string name, string fallback) => Attr(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    private static long[]? AttrInts(NodeProto node, string name) => Attr(node, name) is { } a ? a.Ints.ToArray() : null;

    // ---------------------------------------------------------------- constants

    internal static Constant ConstantFromTensor(TensorProto t) => ToConstant(t);

    private static Constant ToConstant(TensorProto t)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new ImportException($"Tensor '{t.Name}' is stored in an external data file; export with the weights inside the .onnx file.");
        var dims = t.Dims.Select(d => (int)d).ToArray();
        int count = TensorOps.Product(dims);
        var raw = t.RawData.Span;
        var type = (TensorProto.Types.DataType)t.DataType;
        float[] floats = new float[count];
        long[]? ints = null;
        int rawLength = raw.Length;
        void CheckRaw(int size)
        {
            if (rawLength != count * size)
                throw new ImportException($"Tensor '{t.Name}' holds {rawLength} bytes of raw data, but its shape {TensorOps.ShapeText(dims)} of {type} needs {count * size} (truncated or corrupt file).");
        }
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                if (raw.Length > 0)
                {
                    CheckRaw(4);
                    for (int i = 0; i < count; i++) floats[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
                }
                else if (t.FloatData.Count == count) t.FloatData.CopyTo(floats, 0);
                else throw new ImportException($"Tensor '{t.Name}' holds {t.FloatData.Count} floats, but its shape {TensorOps.ShapeText(dims)} needs {count}.");
                break;
            case TensorProto.Types.DataType.Double:
                if (raw.Length > 0)
                {
                    CheckRaw(8);
                    for (int i = 0; i < count; i++) floats[i] = (float)System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * 8)..]);
                }
                else if (t.DoubleData.Count == count) for (int i = 0; i < count; i++) floats[i] = (float)t.DoubleData[i];
                else throw new ImportException($"Tensor '{t.Name}' holds {t.DoubleData.Count} doubles, but its shape {TensorOps.ShapeText(dims)} needs {count}.");
                break;
            case TensorProto.Types.DataType.Float16:
            case TensorProto.Types.DataType.Bfloat16:
                bool half = type == TensorProto.Types.DataType.Float16;
                if (raw.Length > 0)
                {
                    CheckRaw(2);
                    for (int i = 0; i < count; i++)
                    {
                        ushort bits = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..]);
                        floats[i] = half ? TensorOps.Half(bits) : TensorOps.BFloat16(bits);
                    }
                }
                else if (t.Int32Data.Count == count)
                    for (int i = 0; i < count; i++) floats[i] = half ? TensorOps.Half((ushort)t.Int32Data[i]) : TensorOps.BFloat16((ushort)t.Int32Data[i]);
                else throw new ImportException($"Tensor '{t.Name}' holds {t.Int32Data.Count} values, but its shape {TensorOps.ShapeText(dims)} needs {count}.");
                break;
            case TensorProto.Types.DataType.Int64:
                ints = new long[count];
                if (raw.Length > 0)
                {
                    CheckRaw(8);
                    for (int i = 0; i < count; i++) ints[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]);
                }
                else if (t.Int64Data.Count == count) t.Int64Data.CopyTo(ints, 0);
                else throw new ImportException($"Tensor '{t.Name}' holds {t.Int64Data.Count} int64 values, but its shape {TensorOps.ShapeText(dims)} needs {count}.");
                for (int i = 0; i < count; i++) floats[i] = ints[i];
                break;
            case TensorProto.Types.DataType.Int32:
                ints = new long[count];
                if (raw.Length > 0)
                {
                    CheckRaw(4);
                    for (int i = 0; i < count; i++) ints[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(raw[(i * 4)..]);
                }
                else if (t.Int32Data.Count == count) for (int i = 0; i < count; i++) ints[i] = t.Int32Data[i];
                else throw new ImportException($"Tensor '{t.Name}' holds {t.Int32Data.Count} int32 values, but its shape {TensorOps.ShapeText(dims)} needs {count}.");
                for (int i = 0; i < count; i++) floats[i] = ints[i];
                break;
            default:
                throw new ImportException($"Tensor '{t.Name}' has element type {type}; supported: FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT64, INT32.");
        }
        return new Constant { Dims = dims, Floats = floats, Ints = ints };
    }

    private void MapConstant(NodeProto node)
    {
        var value = Attr(node, "value");
        if (value?.T is null) throw Unsupported(node, "only Constant nodes with a tensor 'value' are supported");
        _constants[node.Output[0]] = ToConstant(value.T);
        _done.Add(node);
    }

    // ---------------------------------------------------------------- Dense

    private void MapGemm(NodeProto node)
    {
        var x = Input(node, 0);
        if (AttrInt(node, "transA", 0) != 0) throw Unsupported(node, "transA = 1");
        var b = Const(node, 1, "weight B");
        if (b.Dims.Length != 2) throw Unsupported(node, $"weight of rank {b.Dims.Length}");
        bool transB = AttrInt(node, "transB", 0) != 0;
        float alpha = AttrFloat(node, "alpha", 1f), beta = AttrFloat(node, "beta", 1f);
        // Kernel (in, units): B is (in, units), or (units, in) with transB.
        int inFeatures = transB ? b.Dims[1] : b.Dims[0], units = transB ? b.Dims[0] : b.Dims[1];
        var kernel = transB ? TensorOps.Transpose(b.Floats, b.Dims, new[] { 1, 0 }, out _) : (float[])b.Floats.Clone();
        if (alpha != 1f) for (int i = 0; i < kernel.Length; i++) kernel[i] *= alpha;
        float[]? bias = null;
        if (TryConst(node, 2) is { } c)
        {
            bias = new float[units];
            if (c.Floats.Length == units) Array.Copy(c.Floats, bias, units);
            else if (c.Floats.Length == 1) Array.Fill(bias, c.Floats[0]);
            else throw Unsupported(node, $"bias C of shape {TensorOps.ShapeText(c.Dims)} (expected ({units}))");
            if (beta != 1f) for (int i = 0; i < units; i++) bias[i] *= beta;
        }
        else if (node.Input.Count > 2 && node.Input[2].Length > 0) throw Unsupported(node, "bias C must be a constant");
        AddDense(node, x, kernel, inFeatures, units, bias);
    }

    private void MapMatMul(NodeProto node)
    {
        var x = Input(node, 0);
        var w = Const(node, 1, "weight");
        if (w.Dims.Length != 2) throw Unsupported(node, $"a weight of rank {w.Dims.Length} (only x·W with a 2-D constant W maps to Dense)");
        // MatMul then Add(bias) is one Dense.
        float[]? bias = null;
        NodeProto? add = null;
        if (_consumerNodes.TryGetValue(node.Output[0], out var users) && users.Count == 1 && users[0].OpType == "Add" && !_graphOutputs.Contains(node.Output[0]))
        {
            var candidate = users[0];
            int other = candidate.Input[0] == node.Output[0] ? 1 : 0;
            if (_constants.TryGetValue(candidate.Input[other], out var c) && c.Floats.Length == w.Dims[1])
            {
                bias = (float[])c.Floats.Clone();
                add = candidate;
            }
        }
        var value = AddDense(node, x, (float[])w.Floats.Clone(), w.Dims[0], w.Dims[1], bias);
        if (add is not null) Alias(add, add.Output[0], value);
    }

    private Value AddDense(NodeProto node, Value x, float[] kernel, int inFeatures, int units, float[]? bias)
    {
        if (x.Shape.Length == 0 || x.Shape[^1] != inFeatures)
            throw Unsupported(node, $"its input {TensorOps.ShapeText(x.Shape)} does not end in {inFeatures} features");
        if (x.FlatOrder is not null)
        {
            // Input rows in NetGen (channels-last) order: row j of the new kernel is ONNX row FlatOrder[j].
            var permuted = new float[kernel.Length];
            for (int j = 0; j < inFeatures; j++)
                Array.Copy(kernel, x.FlatOrder[j] * units, permuted, j * units, units);
            kernel = permuted;
        }
        else if (x.Shape.Length > 1)
            x = WithLayout(x, TensorOps.Identity(x.Shape.Length), $"'{NodeName(node)}' (Dense acts on the last axis)");
        var layer = NewLayer("Dense", node, x);
        layer.Arguments.Add(Invariant(units));
        if (bias is null) layer.Set("UseBias", "false");
        layer.AddWeight("kernel", new[] { inFeatures, units }, kernel);
        if (bias is not null) layer.AddWeight("bias", new[] { units }, bias);
        var shape = x.Shape.ToArray();
        shape[^1] = units;
        return Produce(node, layer, shape, x.Shape.Length == 1 ? new[] { 0 } : x.Perm, fusable: layer);
    }

    // ---------------------------------------------------------------- convolutions

    private void MapConv(NodeProto node, bool transpose)
    {
        var x = Input(node, 0);
        var w = Const(node, 1, "weight");
        int spatial = w.Dims.Length - 2;
        if (spatial is < 1 or > 3 || x.Shape.Length != spatial + 1)
            throw Unsupported(node, $"a {w.Dims.Length}-D weight on an input of shape {TensorOps.ShapeText(x.Shape)}");
        x = WithLayout(x, ChannelsLast(x.Shape.Length), $"'{NodeName(node)}'");
        int group = (int)AttrInt(node, "group", 1);
        var k = w.Dims.Skip(2).ToArray();
        if (AttrInts(node, "kernel_shape") is { } ks && !ks.Select(v => (int)v).SequenceEqual(k))
            throw Unsupported(node, "kernel_shape differs from the weight's shape");
        var strides = AttrInts(node, "strides")?.Select(v => (int)v).ToArray() ?? Enumerable.Repeat(1, spatial).ToArray();
        var dilations = AttrInts(node, "dilations")?.Select(v => (int)v).ToArray() ?? Enumerable.Repeat(1, spatial).ToArray();
        var pads = AttrInts(node, "pads")?.Select(v => (int)v).ToArray() ?? new int[2 * spatial];
        string autoPad = AttrString(node, "auto_pad", "NOTSET");
        int cin = x.Shape[0];
        var inSpatial = x.Shape.Skip(1).ToArray();
        float[]? bias = TryConst(node, 2)?.Floats;
        if (transpose)
        {
            MapConvTranspose(node, x, w, k, strides, dilations, pads, autoPad, group, bias);
            return;
        }
        int filters = w.Dims[0];
        string kind;
        float[] kernel;
        int[] kernelShape;
        int? multiplier = null;
        if (group == 1)
        {
            kind = "Conv" + spatial + "D";
            // OI(spatial) -> (spatial)IO
            var perm = Enumerable.Range(2, spatial).Concat(new[] { 1, 0 }).ToArray();
            kernel = TensorOps.Transpose(w.Floats, w.Dims, perm, out kernelShape);
        }
        else if (group == cin && spatial == 2 && w.Dims[1] == 1 && filters % cin == 0)
        {
            kind = "DepthwiseConv2D";
            multiplier = filters / cin;
            // (C·M, 1, kh, kw) -> (kh, kw, C, M): output channel c·M + m in both.
            var reshaped = new[] { cin, multiplier.Value, k[0], k[1] };
            kernel = TensorOps.Transpose(w.Floats, reshaped, new[] { 2, 3, 0, 1 }, out kernelShape);
        }
        else
            throw Unsupported(node, $"group = {group} with {cin} input channels: NetGen has plain (group 1) and depthwise 2-D (group = channels) convolutions only");

        // Padding: Keras 'same' if it matches exactly, 'valid' if none, else an explicit ZeroPadding layer.
        var padding = ResolvePadding(node, inSpatial, k, strides, dilations, pads, autoPad, out var explicitPads);
        if (explicitPads is not null)
        {
            x = AddZeroPadding(node, x, explicitPads);
            inSpatial = x.Shape.Skip(1).ToArray();
        }
        var layer = NewLayer(kind, node, x);
        if (kind != "DepthwiseConv2D") layer.Arguments.Add(Invariant(filters));
        layer.Arguments.AddRange(KernelArguments(k));
        if (multiplier is > 1) layer.Set("DepthMultiplier", Invariant(multiplier.Value));
        SetStridesAndDilation(layer, strides, dilations);
        if (padding == "Same") layer.Set("Padding", "Padding.Same");
        if (bias is null) layer.Set("UseBias", "false");
        layer.AddWeight(kind == "DepthwiseConv2D" ? "kernel" : "kernel", kernelShape, kernel);
        if (bias is not null)
        {
            if (bias.Length != filters) throw Unsupported(node, $"bias of {bias.Length} values for {filters} filters");
            layer.AddWeight("bias", new[] { filters }, (float[])bias.Clone());
        }
        var outSpatial = new int[spatial];
        for (int i = 0; i < spatial; i++)
        {
            int eff = (k[i] - 1) * dilations[i] + 1;
            outSpatial[i] = padding == "Same" ? (inSpatial[i] + strides[i] - 1) / strides[i] : (inSpatial[i] - eff) / strides[i] + 1;
            if (outSpatial[i] <= 0) throw Unsupported(node, $"the kernel does not fit its input {TensorOps.ShapeText(x.Shape)}");
        }
        Produce(node, layer, new[] { filters }.Concat(outSpatial).ToArray(), ChannelsLast(spatial + 1), fusable: layer);
    }

    private void MapConvTranspose(NodeProto node, Value x, Constant w, int[] k, int[] strides, int[] dilations, int[] pads, string autoPad, int group, float[]? bias)
    {
        int spatial = k.Length;
        if (group != 1) throw Unsupported(node, $"group = {group} (NetGen's Conv2DTranspose has no groups)");
        if (spatial != 2) throw Unsupported(node, $"{spatial}-D transposed convolution (NetGen has Conv2DTranspose)");
        if (autoPad != "NOTSET") throw Unsupported(node, $"auto_pad {autoPad} on ConvTranspose");
        if (AttrInts(node, "output_shape") is not null) throw Unsupported(node, "an explicit output_shape");
        var outputPadding = AttrInts(node, "output_padding")?.Select(v => (int)v).ToArray() ?? new int[spatial];
        int cin = w.Dims[0], filters = w.Dims[1];
        // (Cin, Cout, kh, kw) -> (kh, kw, Cout, Cin)
        var kernel = TensorOps.Transpose(w.Floats, w.Dims, new[] { 2, 3, 1, 0 }, out var kernelShape);
        var layer = NewLayer("Conv2DTranspose", node, x);
        layer.Arguments.Add(Invariant(filters));
        layer.Arguments.AddRange(KernelArguments(k));
        SetStridesAndDilation(layer, strides, dilations);
        bool anyOutputPadding = outputPadding.Any(p => p != 0);
        if (anyOutputPadding)
        {
            if (outputPadding.Distinct().Count() == 1) layer.Set("OutputPadding", Invariant(outputPadding[0]));
            else layer.Set("OutputPaddingPerAxis", "new[] { " + string.Join(", ", outputPadding.Select(Invariant)) + " }");
        }
        if (bias is null) layer.Set("UseBias", "false");
        layer.AddWeight("kernel", kernelShape, kernel);
        if (bias is not null) layer.AddWeight("bias", new[] { filters }, (float[])bias.Clone());
        // Keras 'valid': (in − 1)·s + (k − 1)·d + 1 + output_padding; ONNX then removes pads at both ends.
        var full = new int[spatial];
        for (int i = 0; i < spatial; i++)
            full[i] = (x.Shape[i + 1] - 1) * strides[i] + (k[i] - 1) * dilations[i] + 1 + outputPadding[i];
        var value = Produce(node, layer, new[] { filters }.Concat(full).ToArray(), ChannelsLast(spatial + 1), fusable: layer);
        if (pads.Any(p => p != 0))
        {
            var crop = NewLayer("Cropping2D");
            crop.Inputs.Add(layer.Name);
            crop.Sources.Add(NodeName(node) + " pads");
            crop.Arguments.AddRange(new[] { pads[0], pads[2], pads[1], pads[3] }.Select(Invariant));
            var cropped = new[] { filters, full[0] - pads[0] - pads[2], full[1] - pads[1] - pads[3] };
            var v = new Value { Layer = crop.Name, Shape = cropped, Perm = ChannelsLast(3) };
            crop.OutputShape = v.NetGenShape;
            _values[node.Output[0]] = v;
        }
        _ = value;
    }

    private static IEnumerable<string> KernelArguments(int[] k)
        => k.Distinct().Count() == 1 ? new[] { Invariant(k[0]) } : k.Select(Invariant);

    private static void SetStridesAndDilation(ImportedLayer layer, int[] strides, int[] dilations)
    {
        if (strides.Any(s => s != 1))
        {
            if (strides.Distinct().Count() == 1) layer.Set("Strides", Invariant(strides[0]));
            else layer.Set("StridesPerAxis", "new[] { " + string.Join(", ", strides.Select(Invariant)) + " }");
        }
        if (dilations.Any(d => d != 1))
        {
            if (dilations.Distinct().Count() == 1) layer.Set("DilationRate", Invariant(dilations[0]));
            else layer.Set("DilationPerAxis", "new[] { " + string.Join(", ", dilations.Select(Invariant)) + " }");
        }
    }

    /// <summary>"Valid", "Same" (when ONNX's pads are exactly Keras' same split), or explicit pads to apply first.</summary>
    private static string ResolvePadding(NodeProto node, int[] inSpatial, int[] k, int[] strides, int[] dilations, int[] pads, string autoPad, out int[]? explicitPads)
    {
        int spatial = k.Length;
        explicitPads = null;
        var same = new int[2 * spatial];
        for (int i = 0; i < spatial; i++)
        {
            int eff = (k[i] - 1) * dilations[i] + 1;
            int output = (inSpatial[i] + strides[i] - 1) / strides[i];
            int total = Math.Max((output - 1) * strides[i] + eff - inSpatial[i], 0);
            same[i] = total / 2;
            same[i + spatial] = total - total / 2;
        }
        switch (autoPad)
        {
            case "SAME_UPPER": return "Same";
            case "VALID": return "Valid";
            case "SAME_LOWER":
                var lower = new int[2 * spatial];
                for (int i = 0; i < spatial; i++)
                {
                    lower[i] = same[i + spatial];
                    lower[i + spatial] = same[i];
                }
                pads = lower;
                break;
            case "NOTSET": break;
            default: throw new ImportException($"Node '{NodeName(node)}' ({node.OpType}): unknown auto_pad '{autoPad}'.");
        }
        if (pads.All(p => p == 0)) return "Valid";
        if (pads.SequenceEqual(same)) return "Same";
        explicitPads = pads;
        return "Valid";
    }

    private Value AddZeroPadding(NodeProto node, Value x, int[] pads)
    {
        int spatial = pads.Length / 2;
        var layer = NewLayer("ZeroPadding" + spatial + "D", null, x);
        layer.Sources.Add(NodeName(node) + " pads");
        for (int i = 0; i < spatial; i++)
        {
            layer.Arguments.Add(Invariant(pads[i]));
            layer.Arguments.Add(Invariant(pads[i + spatial]));
        }
        var shape = x.Shape.ToArray();
        for (int i = 0; i < spatial; i++) shape[i + 1] += pads[i] + pads[i + spatial];
        var v = new Value { Layer = layer.Name, Shape = shape, Perm = x.Perm };
        layer.OutputShape = v.NetGenShape;
        return v;
    }

    // ---------------------------------------------------------------- pooling

    private void MapPool(NodeProto node, bool max)
    {
        var x = Input(node, 0);
        var k = AttrInts(node, "kernel_shape")?.Select(v => (int)v).ToArray() ?? throw Unsupported(node, "no kernel_shape");
        int spatial = k.Length;
        if (spatial is < 1 or > 3 || x.Shape.Length != spatial + 1) throw Unsupported(node, $"{spatial}-D pooling of {TensorOps.ShapeText(x.Shape)}");
        x = WithLayout(x, ChannelsLast(x.Shape.Length), $"'{NodeName(node)}'");
        var strides = AttrInts(node, "strides")?.Select(v => (int)v).ToArray() ?? Enumerable.Repeat(1, spatial).ToArray();
        var dilations = AttrInts(node, "dilations")?.Select(v => (int)v).ToArray() ?? Enumerable.Repeat(1, spatial).ToArray();
        if (dilations.Any(d => d != 1)) throw Unsupported(node, "dilated pooling");
        var pads = AttrInts(node, "pads")?.Select(v => (int)v).ToArray() ?? new int[2 * spatial];
        bool ceil = AttrInt(node, "ceil_mode", 0) != 0;
        bool countIncludePad = AttrInt(node, "count_include_pad", 0) != 0;
        var inSpatial = x.Shape.Skip(1).ToArray();
        var padding = ResolvePadding(node, inSpatial, k, strides, dilations, pads, AttrString(node, "auto_pad", "NOTSET"), out var explicitPads);
        if (padding == "Same" && !max && countIncludePad) { explicitPads = pads; padding = "Valid"; }
        if (explicitPads is not null)
        {
            if (max || !countIncludePad)
                throw Unsupported(node, $"pads {TensorOps.ShapeText(pads)} that are not Keras' 'same' split{(max ? "" : " (with count_include_pad = 0)")}");
            x = AddZeroPadding(node, x, explicitPads);
            inSpatial = x.Shape.Skip(1).ToArray();
        }
        var outSpatial = new int[spatial];
        for (int i = 0; i < spatial; i++)
        {
            if (padding == "Same") outSpatial[i] = (inSpatial[i] + strides[i] - 1) / strides[i];
            else
            {
                outSpatial[i] = (inSpatial[i] - k[i]) / strides[i] + 1;
                if (ceil && (inSpatial[i] - k[i] + strides[i] - 1) / strides[i] + 1 != outSpatial[i])
                    throw Unsupported(node, "ceil_mode = 1 where it adds a partial window (Keras pooling floors)");
            }
        }
        var layer = NewLayer((max ? "MaxPooling" : "AveragePooling") + spatial + "D", node, x);
        if (!k.All(v => v == 2)) layer.Arguments.AddRange(KernelArguments(k));   // 2 is the attribute's default
        if (!strides.SequenceEqual(k))
        {
            if (strides.Distinct().Count() == 1) layer.Set("Strides", Invariant(strides[0]));
            else layer.Set("StridesPerAxis", "new[] { " + string.Join(", ", strides.Select(Invariant)) + " }");
        }
        if (padding == "Same") layer.Set("Padding", "Padding.Same");
        Produce(node, layer, new[] { x.Shape[0] }.Concat(outSpatial).ToArray(), ChannelsLast(spatial + 1));
    }

    private void MapGlobalPool(NodeProto node, string kind)
    {
        var x = Input(node, 0);
        int spatial = x.Shape.Length - 1;
        if (spatial is < 1 or > 3) throw Unsupported(node, $"global pooling of {TensorOps.ShapeText(x.Shape)}");
        x = WithLayout(x, ChannelsLast(x.Shape.Length), $"'{NodeName(node)}'");
        var layer = NewLayer("Global" + kind + "Pooling" + spatial + "D", node, x);
        layer.Set("KeepDims", "true");
        Produce(node, layer, new[] { x.Shape[0] }.Concat(Enumerable.Repeat(1, spatial)).ToArray(), ChannelsLast(spatial + 1));
    }

    // ---------------------------------------------------------------- normalization

    private void MapBatchNorm(NodeProto node)
    {
        var x = Input(node, 0);
        if (node.Output.Count > 1 && node.Output.Skip(1).Any(o => o.Length > 0 && _consumers.ContainsKey(o)))
            throw Unsupported(node, "training-mode outputs (running mean/var) are used");
        var scale = Const(node, 1, "scale");
        var b = Const(node, 2, "bias");
        var mean = Const(node, 3, "running mean");
        var variance = Const(node, 4, "running variance");
        int c = x.Shape[0];
        foreach (var (t, what) in new[] { (scale, "scale"), (b, "bias"), (mean, "mean"), (variance, "variance") })
            if (t.Floats.Length != c) throw Unsupported(node, $"{what} of {t.Floats.Length} values for {c} channels");
        double epsilon = AttrFloat(node, "epsilon", 1e-5f);
        double momentum = AttrFloat(node, "momentum", 0.9f);
        var layer = NewLayer("BatchNormalization", node, x);
        int axis = KerasAxis(x, 1);
        if (axis != -1) layer.Set("Axis", Invariant(axis));
        layer.Set("Epsilon", Invariant(epsilon));
        if (Math.Abs(momentum - 0.99) > 1e-9) layer.Set("Momentum", Invariant(Math.Round(momentum, 6)));
        layer.AddWeight("gamma", new[] { c }, scale.Floats);
        layer.AddWeight("beta", new[] { c }, b.Floats);
        layer.AddState("moving_mean", new[] { c }, mean.Floats);
        layer.AddState("moving_variance", new[] { c }, variance.Floats);
        Produce(node, layer, x.Shape, x.Perm);
    }

    private void MapLayerNorm(NodeProto node)
    {
        var x = Input(node, 0);
        int rank = x.Shape.Length + 1;
        int axis = NormalizeAxis(node, AttrInt(node, "axis", -1), rank);
        if (axis != rank - 1) throw Unsupported(node, $"normalization over axes {axis}..{rank - 1}: NetGen's LayerNormalization normalizes one axis");
        var scale = Const(node, 1, "scale");
        var bias = TryConst(node, 2);
        AddLayerNorm(new[] { node }, node.Output[0], x, axis, AttrFloat(node, "epsilon", 1e-5f), scale.Floats, bias?.Floats);
    }

    private void AddLayerNorm(NodeProto[] nodes, string output, Value x, int axis, double epsilon, float[]? gamma, float[]? beta)
    {
        int c = x.Shape[axis - 1];
        var layer = NewLayer("LayerNormalization", null, x);
        layer.Sources.AddRange(nodes.Select(NodeName));
        int kerasAxis = KerasAxis(x, axis);
        if (kerasAxis != -1) layer.Set("Axis", Invariant(kerasAxis));
        layer.Set("Epsilon", Invariant(epsilon));
        if (gamma is null) layer.Set("Scale", "false");
        if (beta is null) layer.Set("Center", "false");
        if (gamma is not null) layer.AddWeight("gamma", new[] { c }, gamma);
        if (beta is not null) layer.AddWeight("beta", new[] { c }, beta);
        var v = new Value { Layer = layer.Name, Shape = x.Shape, Perm = x.Perm };
        layer.OutputShape = v.NetGenShape;
        _values[output] = v;
        foreach (var n in nodes) _done.Add(n);
    }

    // ---------------------------------------------------------------- activations

    private void MapActivation(NodeProto node, string activation)
    {
        var x = Input(node, 0);
        if (x.Fusable is { } layer && _consumers.GetValueOrDefault(node.Input[0]) == 1 && !_graphOutputs.Contains(node.Input[0])
            && layer.Property("Activation").Length == 0)
        {
            layer.Set("Activation", "Activation." + activation);
            layer.Sources.Add(NodeName(node));
            _values[node.Output[0]] = new Value { Layer = x.Layer, Shape = x.Shape, Perm = x.Perm, FlatOrder = x.FlatOrder };
            _done.Add(node);
            return;
        }
        var a = NewLayer("Activation", node, x);
        a.Arguments.Add("Activation." + activation);
        var v = Produce(node, a, x.Shape, x.Perm);
        v.FlatOrder = x.FlatOrder;
    }

    private void MapSoftmax(NodeProto node)
    {
        var x = Input(node, 0);
        int rank = x.Shape.Length + 1;
        int axis = NormalizeAxis(node, AttrInt(node, "axis", _opset >= 13 ? -1 : 1), rank);
        if (_opset < 13 && axis != rank - 1)
            throw Unsupported(node, $"opset {_opset} Softmax over the flattened axes {axis}.. (not the last axis)");
        if (x.FlatOrder is not null) throw Unsupported(node, "softmax of a flattened channels-first tensor");
        if (x.Perm[^1] != axis - 1)
        {
            // Make the softmax axis NetGen's last one.
            var perm = x.Perm.Where(p => p != axis - 1).Append(axis - 1).ToArray();
            x = WithLayout(x, perm, $"'{NodeName(node)}' (softmax runs over the last axis)");
        }
        MapActivation(node, "Softmax");
    }

    // ---------------------------------------------------------------- shapes

    private void MapFlatten(NodeProto node)
    {
        var x = Input(node, 0);
        int rank = x.Shape.Length + 1;
        int axis = NormalizeAxis(node, AttrInt(node, "axis", 1), rank);
        if (axis != 1) throw Unsupported(node, $"Flatten with axis {axis} (only axis 1 keeps the batch axis alone)");
        Flatten(node, x);
    }

    private void Flatten(NodeProto node, Value x)
    {
        int count = TensorOps.Product(x.Shape);
        if (x.Shape.Length == 1)
        {
            Alias(node, node.Output[0], x);
            return;
        }
        int[]? order = null;
        if (!TensorOps.IsIdentity(x.Perm))
        {
            // NetGen element j (channels-last) is which ONNX (channels-first) element?
            var ngShape = x.NetGenShape;
            var onnxStrides = TensorOps.Strides(x.Shape);
            order = new int[count];
            var index = new int[ngShape.Length];
            bool identity = true;
            for (int j = 0; j < count; j++)
            {
                int src = 0;
                for (int i = 0; i < ngShape.Length; i++) src += index[i] * onnxStrides[x.Perm[i]];
                order[j] = src;
                identity &= src == j;
                for (int i = ngShape.Length - 1; i >= 0; i--)
                {
                    if (++index[i] < ngShape[i]) break;
                    index[i] = 0;
                }
            }
            if (identity) order = null;
        }
        if (order is not null && !OnlyDenseReads(node.Output[0]))
        {
            x = WithLayout(x, TensorOps.Identity(x.Shape.Length), $"'{NodeName(node)}' (its result is not read by a Dense only)");
            order = null;
        }
        var layer = NewLayer("Flatten", node, x);
        var v = Produce(node, layer, new[] { count }, new[] { 0 });
        v.FlatOrder = order;
    }

    /// <summary>Whether every reader of <paramref name="tensor"/> is a Gemm/MatMul with constant weights (through Dropout/Identity).</summary>
    private bool OnlyDenseReads(string tensor)
    {
        if (_graphOutputs.Contains(tensor)) return false;
        if (!_consumerNodes.TryGetValue(tensor, out var users)) return false;
        foreach (var u in users)
        {
            if (u.OpType is "Dropout" or "Identity")
            {
                if (!OnlyDenseReads(u.Output[0])) return false;
            }
            else if (!(u.OpType is "Gemm" or "MatMul" && u.Input[0] == tensor && _constants.ContainsKey(u.Input[1]) && AttrInt(u, "transA", 0) == 0))
                return false;
        }
        return true;
    }

    private void MapReshape(NodeProto node)
    {
        if (TrySequenceReshape(node)) return;
        var x = Input(node, 0);
        var target = Const(node, 1, "shape").IntValues;
        if (AttrInt(node, "allowzero", 0) != 0 && target.Contains(0)) throw Unsupported(node, "allowzero with a 0 in the shape");
        int count = TensorOps.Product(x.Shape);
        // The first entry is the batch axis: 0 (copy), -1 (inferred), or the exported batch size.
        if (target.Length == 0) throw Unsupported(node, "an empty target shape");
        var rest = target.Skip(1).Select((d, i) => d == 0 ? (i + 1 < x.Shape.Length + 1 ? x.Shape[i] : throw Unsupported(node, "0 past the input's rank")) : d).ToArray();
        if (target[0] == -1 && rest.Contains(-1)) throw Unsupported(node, $"target shape {TensorOps.ShapeText(target.Select(d => (int)d).ToArray())} infers the batch axis and another axis");
        var shape = ResolveShape(node, rest, count);
        ReshapeTo(node, x, shape);
    }

    private int[] ResolveShape(NodeProto node, long[] dims, int count)
    {
        int known = 1, infer = -1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0) throw Unsupported(node, "two -1 entries in the target shape");
                infer = i;
            }
            else known *= (int)dims[i];
        }
        var shape = dims.Select(d => (int)d).ToArray();
        if (infer >= 0)
        {
            if (known == 0 || count % known != 0) throw Unsupported(node, $"cannot infer -1 from {count} elements");
            shape[infer] = count / known;
        }
        if (TensorOps.Product(shape) != count)
            throw Unsupported(node, $"target shape (N, {string.Join(", ", shape)}) does not hold the {count} elements of a sample (is the batch axis reshaped?)");
        return shape;
    }

    private void ReshapeTo(NodeProto node, Value x, int[] shape)
    {
        if (shape.SequenceEqual(x.Shape))
        {
            Alias(node, node.Output[0], x);
            return;
        }
        if (shape.Length == 1)
        {
            Flatten(node, x);
            return;
        }
        // A squeeze/unsqueeze of unit axes keeps the element order of any layout where the non-unit axes keep their order.
        var nonUnitIn = x.Shape.Select((d, i) => (d, i)).Where(p => p.d != 1).Select(p => p.d).ToArray();
        var nonUnitOut = shape.Where(d => d != 1).ToArray();
        if (x.FlatOrder is null && TensorOps.IsIdentity(x.Perm) is false && nonUnitIn.SequenceEqual(nonUnitOut) && x.Shape.Length > 1)
        {
            // e.g. (C, 1, 1) -> (C): fall through to the plain path; cheap enough.
        }
        x = WithLayout(x, TensorOps.Identity(x.Shape.Length), $"'{NodeName(node)}' (reshape in ONNX element order)");
        var layer = NewLayer("Reshape", node, x);
        layer.Arguments.AddRange(shape.Select(Invariant));
        Produce(node, layer, shape, TensorOps.Identity(shape.Length));
    }

    private void MapSqueeze(NodeProto node)
    {
        if (TrySequenceSqueeze(node)) return;
        var x = Input(node, 0);
        long[]? axes = AttrInts(node, "axes") ?? TryConst(node, 1)?.IntValues;
        int rank = x.Shape.Length + 1;
        var full = new List<int> { -1 };
        full.AddRange(x.Shape);
        if (node.OpType == "Squeeze")
        {
            var remove = axes is null
                ? Enumerable.Range(1, x.Shape.Length).Where(i => full[i] == 1).ToHashSet()
                : axes.Select(a => NormalizeAxis(node, a, rank)).ToHashSet();
            if (remove.Contains(0)) throw Unsupported(node, "squeezing the batch axis");
            if (remove.Any(a => full[a] != 1)) throw Unsupported(node, "squeezing an axis whose size is not 1");
            ReshapeTo(node, x, Enumerable.Range(1, x.Shape.Length).Where(i => !remove.Contains(i)).Select(i => full[i]).ToArray());
        }
        else
        {
            if (axes is null) throw Unsupported(node, "no axes");
            int outRank = rank + axes.Length;
            var insert = axes.Select(a => NormalizeAxis(node, a, outRank)).OrderBy(a => a).ToList();
            if (insert.Contains(0)) throw Unsupported(node, "unsqueezing at the batch axis");
            foreach (var a in insert) full.Insert(a, 1);
            ReshapeTo(node, x, full.Skip(1).ToArray());
        }
    }

    private void MapTranspose(NodeProto node)
    {
        if (TrySequenceTranspose(node)) return;
        var x = Input(node, 0);
        int rank = x.Shape.Length + 1;
        var p = AttrInts(node, "perm")?.Select(v => (int)v).ToArray() ?? Enumerable.Range(0, rank).Reverse().ToArray();
        if (p.Length != rank || p[0] != 0) throw Unsupported(node, $"perm {TensorOps.ShapeText(p)} moves the batch axis");
        if (x.FlatOrder is not null) throw Unsupported(node, "a transpose of a flattened channels-first tensor");
        // Per-sample permutation: new ONNX axis j is old axis q[j].
        var q = p.Skip(1).Select(a => a - 1).ToArray();
        var inv = TensorOps.Inverse(q);
        var v = new Value
        {
            Layer = x.Layer,
            Shape = q.Select(a => x.Shape[a]).ToArray(),
            Perm = x.Perm.Select(old => inv[old]).ToArray(),
        };
        // No data moves: only the bookkeeping of which ONNX axis each NetGen axis holds changes.
        _values[node.Output[0]] = v;
        _done.Add(node);
        if (FindLayer(x.Layer) is { } l && l.Kind != "Input") l.Sources.Add(NodeName(node) + " (layout only)");
    }

    // ---------------------------------------------------------------- merges

    private void MapBinary(NodeProto node)
    {
        if (node.OpType is "Max" or "Min" && node.Input.Count > 2)
        {
            MapMerge(node, node.OpType == "Max" ? "Maximum" : "Minimum", node.Input.Select((_, i) => Input(node, i)).ToArray());
            return;
        }
        if (TryPattern(node)) return;
        bool c0 = _constants.ContainsKey(node.Input[0]), c1 = node.Input.Count > 1 && _constants.ContainsKey(node.Input[1]);
        if (c0 || c1)
        {
            var x = Input(node, c0 ? 1 : 0);
            var c = _constants[node.Input[c0 ? 0 : 1]];
            // A bias after a Dense/Conv without one.
            if (node.OpType == "Add" && x.Fusable is { } layer && layer.Weights.Count == 1 && _consumers.GetValueOrDefault(node.Input[c0 ? 1 : 0]) == 1
                && layer.Property("Activation").Length == 0 && c.Floats.Length == LastDimOf(layer) && layer.Kind == "Dense")
            {
                layer.Properties.RemoveAll(p => p.Name == "UseBias");
                layer.AddWeight("bias", new[] { c.Floats.Length }, (float[])c.Floats.Clone());
                Alias(node, node.Output[0], x);
                return;
            }
            if (c.Floats.Length == 1 && ((node.OpType is "Mul" or "Div" && c.Floats[0] == 1f) || (node.OpType is "Add" or "Sub" && c.Floats[0] == 0f)))
            {
                Alias(node, node.Output[0], x);
                return;
            }
            throw Unsupported(node, "an element-wise operation with a constant (NetGen merges combine layer outputs, not constants)");
        }
        string kind = node.OpType switch
        {
            "Add" => "Add",
            "Sub" => "Subtract",
            "Mul" => "Multiply",
            "Max" => "Maximum",
            "Min" => "Minimum",
            _ => throw Unsupported(node, "division of two tensors"),
        };
        MapMerge(node, kind, new[] { Input(node, 0), Input(node, 1) });
    }

    private static int LastDimOf(ImportedLayer layer) => layer.OutputShape.Length == 0 ? 0 : layer.OutputShape[^1];

    private void MapMerge(NodeProto node, string kind, Value[] inputs)
    {
        var first = inputs[0];
        foreach (var v in inputs)
            if (!v.Shape.SequenceEqual(first.Shape))
                throw Unsupported(node, $"inputs of shapes {string.Join(" and ", inputs.Select(i => TensorOps.ShapeText(i.Shape)))} (broadcasting is not supported)");
        if (inputs.Any(v => v.FlatOrder is not null && (first.FlatOrder is null || !v.FlatOrder.SequenceEqual(first.FlatOrder))))
            throw Unsupported(node, "inputs flattened in different element orders");
        var aligned = inputs.Select(v => v.FlatOrder is not null ? v : WithLayout(v, first.Perm, $"'{NodeName(node)}'")).ToArray();
        var layer = NewLayer(kind, merge: true);
        layer.Inputs.AddRange(aligned.Select(v => v.Layer));
        layer.Sources.Add(NodeName(node));
        var result = Produce(node, layer, first.Shape, first.Perm);
        result.FlatOrder = first.FlatOrder;
    }

    private void MapConcat(NodeProto node)
    {
        var inputs = node.Input.Select((_, i) => Input(node, i)).ToArray();
        var first = inputs[0];
        int rank = first.Shape.Length + 1;
        int axis = NormalizeAxis(node, AttrInt(node, "axis", 1), rank);
        if (axis == 0) throw Unsupported(node, "concatenation along the batch axis");
        if (inputs.Any(v => v.FlatOrder is not null)) throw Unsupported(node, "concatenation of flattened channels-first tensors");
        var aligned = inputs.Select(v => WithLayout(v, first.Perm, $"'{NodeName(node)}'")).ToArray();
        var shape = first.Shape.ToArray();
        shape[axis - 1] = inputs.Sum(v => v.Shape[axis - 1]);
        var layer = NewLayer("Concatenate", merge: true);
        layer.Inputs.AddRange(aligned.Select(v => v.Layer));
        layer.Sources.Add(NodeName(node));
        int keras = KerasAxis(first, axis);
        if (keras != -1) layer.Set("Axis", Invariant(keras));
        Produce(node, layer, shape, first.Perm);
    }

    // ---------------------------------------------------------------- padding and resizing

    private void MapPad(NodeProto node)
    {
        var x = Input(node, 0);
        string mode = AttrString(node, "mode", "constant");
        if (mode != "constant") throw Unsupported(node, $"mode '{mode}' (NetGen pads with zeros)");
        long[] pads = AttrInts(node, "pads") ?? Const(node, 1, "pads").IntValues;
        if (TryConst(node, 2) is { } value && value.Floats.Any(f => f != 0f)) throw Unsupported(node, "a non-zero padding value");
        int rank = x.Shape.Length + 1;
        if (pads.Length != 2 * rank) throw Unsupported(node, $"{pads.Length} pad values for rank {rank}");
        if (pads.All(p => p == 0))
        {
            Alias(node, node.Output[0], x);
            return;
        }
        if (pads.Any(p => p < 0)) throw Unsupported(node, "negative pads (cropping)");
        if (pads[0] != 0 || pads[rank] != 0 || pads[1] != 0 || pads[rank + 1] != 0)
            throw Unsupported(node, "padding of the batch or channel axis");
        int spatial = rank - 2;
        if (spatial is < 1 or > 3) throw Unsupported(node, $"padding of a rank-{rank} tensor");
        x = WithLayout(x, ChannelsLast(x.Shape.Length), $"'{NodeName(node)}'");
        var spatialPads = new int[2 * spatial];
        for (int i = 0; i < spatial; i++)
        {
            spatialPads[i] = (int)pads[i + 2];
            spatialPads[i + spatial] = (int)pads[rank + i + 2];
        }
        var v = AddZeroPadding(node, x, spatialPads);
        var layer = FindLayer(v.Layer)!;
        layer.Sources.Clear();
        layer.Sources.Add(NodeName(node));
        _values[node.Output[0]] = v;
        _done.Add(node);
    }

    private void MapResize(NodeProto node)
    {
        var x = Input(node, 0);
        string mode = AttrString(node, "mode", "nearest");
        int rank = x.Shape.Length + 1;
        int spatial = rank - 2;
        // Linear: UpSampling2D's bilinear mode, whose half-pixel coordinates are Resize's half_pixel (pytorch_half_pixel
        // differs only for an output of length 1, which integer factors of 1 or more give only from an input of length 1,
        // where both read that one value). The old Upsample op's linear mode is asymmetric: not mapped.
        bool bilinear = mode == "linear" && node.OpType == "Resize" && spatial == 2;
        if (mode != "nearest" && !bilinear)
            throw Unsupported(node, $"mode '{mode}' (NetGen's UpSampling is nearest-neighbour; bilinear only for Resize of 2-D data with half-pixel coordinates)");
        float[]? scales = null;
        if (node.OpType == "Upsample") scales = Attr(node, "scales")?.Floats.ToArray() ?? TryConst(node, 1)?.Floats;
        else
        {
            var s = TryConst(node, 2);
            if (s is not null && s.Floats.Length > 0) scales = s.Floats;
            else if (TryConst(node, 3) is { } sizes && sizes.Floats.Length == rank)
                scales = sizes.IntValues.Select((d, i) => i == 0 ? 1f : (float)d / (i == 0 ? 1 : x.Shape[i - 1])).ToArray();
            string transform = AttrString(node, "coordinate_transformation_mode", "half_pixel");
            string nearest = AttrString(node, "nearest_mode", "round_prefer_floor");
            if (bilinear)
            {
                if (transform is not ("half_pixel" or "pytorch_half_pixel"))
                    throw Unsupported(node, $"linear mode with coordinate_transformation_mode '{transform}' (NetGen's bilinear up-sampling uses half-pixel centres)");
            }
            else if (!(transform == "asymmetric" && nearest == "floor"))
            {
                // With integer factors, half_pixel + round_prefer_floor picks the same source cells as asymmetric + floor.
                if (!(transform is "half_pixel" or "pytorch_half_pixel" && nearest is "round_prefer_floor" or "floor"))
                    throw Unsupported(node, $"coordinate_transformation_mode '{transform}' with nearest_mode '{nearest}'");
            }
        }
        if (scales is null || scales.Length != rank) throw Unsupported(node, "scales must be a constant with one value per axis");
        if (scales[0] != 1f || scales[1] != 1f) throw Unsupported(node, "scaling the batch or channel axis");
        var factors = scales.Skip(2).Select(f => (int)f).ToArray();
        if (scales.Skip(2).Any(f => f != MathF.Round(f) || f < 1f)) throw Unsupported(node, "non-integer scale factors");
        if (spatial is < 1 or > 3) throw Unsupported(node, $"resizing a rank-{rank} tensor");
        x = WithLayout(x, ChannelsLast(x.Shape.Length), $"'{NodeName(node)}'");
        var layer = NewLayer("UpSampling" + spatial + "D", node, x);
        if (!factors.All(f => f == 2)) layer.Arguments.AddRange(factors.Distinct().Count() == 1 ? new[] { Invariant(factors[0]) } : factors.Select(Invariant));
        if (bilinear) layer.Set("Interpolation", "Interpolation.Bilinear");
        var shape = x.Shape.ToArray();
        for (int i = 0; i < spatial; i++) shape[i + 1] *= factors[i];
        Produce(node, layer, shape, x.Perm);
    }

    // ---------------------------------------------------------------- patterns (Gelu with Erf, decomposed LayerNorm)

    private bool TryPattern(NodeProto node)
    {
        // Gelu: Div(x, sqrt 2) -> Erf -> Add(1) -> Mul(x, .) -> Mul(0.5)   (PyTorch 1.13, opset < 20)
        if (node.OpType == "Div" && _values.TryGetValue(node.Input[0], out var x) && TryConst(node, 1) is { Floats.Length: 1 } d
            && Math.Abs(d.Floats[0] - 1.41421356f) < 1e-4f && Single(node.Output[0]) is { OpType: "Erf" } erf
            && Single(erf.Output[0]) is { OpType: "Add" } add && OtherConst(add, erf.Output[0]) is { Floats.Length: 1 } one && one.Floats[0] == 1f
            && Single(add.Output[0]) is { OpType: "Mul" } mul && (mul.Input[0] == node.Input[0] || mul.Input[1] == node.Input[0])
            && Single(mul.Output[0]) is { OpType: "Mul" } half && OtherConst(half, mul.Output[0]) is { Floats.Length: 1 } h && h.Floats[0] == 0.5f)
        {
            foreach (var n in new[] { node, erf, add, mul }) _done.Add(n);
            var fused = new NodeProto(half) { Name = $"{NodeName(node)}..{NodeName(half)} (Gelu, erf form)" };
            fused.Input.Clear();
            fused.Input.Add(node.Input[0]);
            _consumers[node.Input[0]] = _consumers.GetValueOrDefault(node.Input[0]) - 1;
            _done.Add(half);
            MapActivation(fused, "Gelu");
            return true;
        }
        // x * 0.5 * (1 + erf(x / sqrt2)) in another order is left to the generic path (and fails there clearly).
        return false;
    }

    private NodeProto? Single(string tensor)
        => _consumerNodes.TryGetValue(tensor, out var users) && users.Count == 1 && !_graphOutputs.Contains(tensor) ? users[0] : null;

    private Constant? OtherConst(NodeProto node, string tensor)
    {
        if (node.Input.Count != 2) return null;
        var other = node.Input[0] == tensor ? node.Input[1] : node.Input[0];
        return _constants.GetValueOrDefault(other);
    }

    /// <summary>The decomposed LayerNormalization of opsets before 17, starting at its first ReduceMean.</summary>
    private bool TryDecomposedLayerNorm(NodeProto mean1)
    {
        // ReduceMean(x) -> Sub(x, m) -> Pow(d, 2) -> ReduceMean -> Add(eps) -> Sqrt -> Div(d, s) [-> Mul(gamma)] [-> Add(beta)]
        if (!_values.TryGetValue(mean1.Input[0], out var x)) return false;
        var axes = AttrInts(mean1, "axes") ?? TryConst(mean1, 1)?.IntValues;
        int rank = x.Shape.Length + 1;
        if (axes is not { Length: 1 } || NormalizeAxis(mean1, axes[0], rank) != rank - 1) return false;
        var sub = _consumerNodes.GetValueOrDefault(mean1.Output[0])?.SingleOrDefault();
        if (sub is not { OpType: "Sub" } || sub.Input[0] != mean1.Input[0] || sub.Input[1] != mean1.Output[0]) return false;
        var subUsers = _consumerNodes.GetValueOrDefault(sub.Output[0]);
        var pow = subUsers?.FirstOrDefault(n => n.OpType == "Pow");
        var div = subUsers?.FirstOrDefault(n => n.OpType == "Div");
        if (pow is null || div is null || subUsers!.Count != 2 || OtherConst(pow, sub.Output[0]) is not { Floats: [2f] }) return false;
        var mean2 = Single(pow.Output[0]);
        if (mean2 is not { OpType: "ReduceMean" }) return false;
        var addEps = Single(mean2.Output[0]);
        if (addEps is not { OpType: "Add" } || OtherConst(addEps, mean2.Output[0]) is not { Floats.Length: 1 } eps) return false;
        var sqrt = Single(addEps.Output[0]);
        if (sqrt is not { OpType: "Sqrt" } || div.Input[0] != sub.Output[0] || div.Input[1] != sqrt.Output[0]) return false;
        var nodes = new List<NodeProto> { mean1, sub, pow, mean2, addEps, sqrt, div };
        string output = div.Output[0];
        float[]? gamma = null, beta = null;
        int c = x.Shape[^1];
        if (Single(output) is { OpType: "Mul" } mul && OtherConst(mul, output) is { } g && g.Floats.Length == c)
        {
            gamma = g.Floats;
            nodes.Add(mul);
            output = mul.Output[0];
        }
        if (Single(output) is { OpType: "Add" } addB && OtherConst(addB, output) is { } b && b.Floats.Length == c)
        {
            beta = b.Floats;
            nodes.Add(addB);
            output = addB.Output[0];
        }
        AddLayerNorm(nodes.ToArray(), output, x, rank - 1, eps.Floats[0], gamma ?? Enumerable.Repeat(1f, c).ToArray(), beta ?? new float[c]);
        return true;
    }

    // ---------------------------------------------------------------- pruning

    /// <summary>Drops layers no output depends on (the generator would leave them out, and their weights with them).</summary>
    private void PruneUnused(List<string> outputs)
    {
        var needed = new HashSet<string>(outputs, StringComparer.Ordinal);
        for (int i = _network.Layers.Count - 1; i >= 0; i--)
        {
            var l = _network.Layers[i];
            if (!needed.Contains(l.Name))
            {
                if (l.Kind != "Input") _network.Layers.RemoveAt(i);
                continue;
            }
            if (l.Inputs.Count == 0 && i > 0 && l.Kind != "Input") needed.Add(_network.Layers[i - 1].Name);
            foreach (var input in l.Inputs) needed.Add(input);
        }
    }
}
