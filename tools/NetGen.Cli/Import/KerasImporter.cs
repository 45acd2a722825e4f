using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;
using NetGen.Cli.Model;
using PureHDF;
using static NetGen.Cli.Model.DeclarationWriter;

namespace NetGen.Cli.Import;

/// <summary>
/// Keras models: Keras 3 <c>.keras</c> (a zip of <c>config.json</c> and <c>model.weights.h5</c>, variables under
/// <c>layers/NAME/vars/i</c>), Keras 2 <c>.h5</c> (the <c>model_config</c> attribute and the <c>model_weights</c> group) and the
/// TensorFlow.js layers format (<c>model.json</c>: <c>modelTopology</c> + <c>weightsManifest</c> + binary shards). Keras
/// is channels-last like NetGen, so weights are taken as they are; layer names are kept.
/// </summary>
internal static partial class KerasImporter
{
    /// <summary>The Keras layer classes this importer maps.</summary>
    public static readonly string[] SupportedLayers =
    {
        "InputLayer", "Dense", "Activation", "ReLU", "Softmax", "Flatten", "Reshape", "Permute", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
        "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
        "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
        "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
        "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D",
        "BatchNormalization", "LayerNormalization", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
        "SimpleRNN", "LSTM", "GRU", "Masking", "TimeDistributed", "Bidirectional", "MultiHeadAttention", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
        "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU", "GaussianDropout", "GaussianNoise", "AlphaDropout", "Sequential", "Functional", "Model",
        "Rescaling", "Normalization", "Embedding", "RepeatVector", "GroupNormalization", "Dot", "Attention", "AdditiveAttention",
    };

    /// <summary>
    /// Per file: whether <c>hard_sigmoid</c> means Keras 2's <c>clip(0.2·x + 0.5)</c> (Keras 1/2 .h5 files, TensorFlow.js) rather
    /// than Keras 3's <c>clip(x/6 + 0.5)</c>, and how a nested model's layer names its weights.
    /// </summary>
    [ThreadStatic] private static bool s_keras2HardSigmoid;
    [ThreadStatic] private static Func<string, string, string>? s_nestedWeights;

    /// <summary>While a functional layer is added: which of its calls, and how its call's tensor references resolve to layers.</summary>
    [ThreadStatic] private static int s_call;
    [ThreadStatic] private static Func<(string Layer, int Node), string>? s_resolve;

    /// <summary>Gives a layer's weights in Keras order.</summary>
    private delegate List<(float[] Data, int[] Shape)> WeightSource(string layer);

    public static ImportedNetwork Import(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        try
        {
            if (name.EndsWith(".keras", StringComparison.Ordinal)) return ImportKeras3(path);
            if (name.EndsWith(".json", StringComparison.Ordinal)) return ImportTfjs(path);
            return ImportKeras2(path);
        }
        catch (ImportException e) when (!e.Message.Contains(Path.GetFileName(path), StringComparison.Ordinal))
        {
            // Every message names the file it is about.
            throw new ImportException($"'{path}': {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new ImportException($"'{path}': the model configuration is not valid JSON ({e.Message}).", e);
        }
        catch (InvalidDataException e)
        {
            throw new ImportException($"'{path}' is truncated or corrupt: {e.Message}", e);
        }
        catch (Exception e) when (e is not ImportException && e.GetType().Namespace?.StartsWith("PureHDF", StringComparison.Ordinal) == true)
        {
            throw new ImportException($"'{path}': cannot read the HDF5 data ({e.Message}); the file is truncated, corrupt or not a Keras file.", e);
        }
        catch (Exception e) when (e is not ImportException and not OutOfMemoryException)
        {
            // PureHDF and the zip reader report damaged files with assorted exception types (even System.Exception).
            throw new ImportException($"'{path}' could not be read: it is truncated or corrupt ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    // ---------------------------------------------------------------- containers

    private static ImportedNetwork ImportKeras3(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var configEntry = zip.GetEntry("config.json") ?? throw new ImportException($"'{path}' has no config.json: not a Keras 3 .keras file.");
        var weightsEntry = zip.GetEntry("model.weights.h5") ?? throw new ImportException($"'{path}' has no model.weights.h5.");
        string config;
        using (var reader = new StreamReader(configEntry.Open())) config = reader.ReadToEnd();
        var h5 = new MemoryStream();
        using (var s = weightsEntry.Open()) s.CopyTo(h5);
        h5.Position = 0;
        using var file = H5File.Open(h5);
        string version = "3";
        if (zip.GetEntry("metadata.json") is { } meta)
        {
            using var reader = new StreamReader(meta.Open());
            using var doc = JsonDocument.Parse(reader.ReadToEnd());
            if (doc.RootElement.TryGetProperty("keras_version", out var v)) version = v.GetString() ?? version;
        }
        using var configDoc = JsonDocument.Parse(config);
        s_keras2HardSigmoid = version.StartsWith("1.", StringComparison.Ordinal) || version.StartsWith("2.", StringComparison.Ordinal);
        s_nestedWeights = (outer, inner) => outer + "/layers/" + inner;
        return Build(configDoc.RootElement, layer => Keras3Weights(file, layer, path), $"Keras {version} (.keras)");
    }

    private static List<(float[], int[])> Keras3Weights(IH5Group file, string layer, string path)
    {
        // A Bidirectional wrapper keeps its two copies under forward_layer and backward_layer: forward's variables first, as
        // Keras' get_weights() (and a Keras 2 file's weight_names) order them.
        if (file.LinkExists("layers/" + layer + "/forward_layer"))
            return Keras3Weights(file, layer + "/forward_layer", path).Concat(Keras3Weights(file, layer + "/backward_layer", path)).ToList();
        // MultiHeadAttention keeps its four projections in EinsumDense sublayers (_query_dense, ...): query, key, value, output.
        foreach (var underscore in new[] { "_", "" })
            if (file.LinkExists("layers/" + layer + "/" + underscore + "query_dense"))
                return new[] { "query", "key", "value", "output" }
                    .SelectMany(p => Keras3Weights(file, layer + "/" + underscore + p + "_dense", path)).ToList();
        // Keras 3's recurrent layers keep their variables in their cell (layers/lstm/cell/vars); a TimeDistributed wrapper
        // in its wrapped layer (layers/time_distributed/layer/vars, and .../layer/cell/vars for a wrapped recurrent layer).
        foreach (var prefix in new[] { "layers/" + layer + "/vars", "_layer_checkpoint_dependencies/" + layer + "/vars", "layers/" + layer + "/cell/vars",
            "layers/" + layer + "/layer/vars", "layers/" + layer + "/layer/cell/vars" })
        {
            if (!file.LinkExists(prefix) || !file.Group(prefix).LinkExists("0")) continue;
            var group = file.Group(prefix);
            var result = new List<(float[], int[])>();
            for (int i = 0; group.LinkExists(i.ToString(System.Globalization.CultureInfo.InvariantCulture)); i++)
                result.Add(ReadDataset(group.Dataset(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{prefix}/{i}"));
            return result;
        }
        return new List<(float[], int[])>();
    }

    private static ImportedNetwork ImportKeras2(string path)
    {
        using var file = H5File.OpenRead(path);
        if (!file.AttributeExists("model_config"))
            throw new ImportException($"'{path}' has no 'model_config' attribute: not a Keras 2 model file (a weights-only file needs its architecture).");
        var config = ReadStringAttribute(file.Attribute("model_config"));
        string version = file.AttributeExists("keras_version") ? ReadStringAttribute(file.Attribute("keras_version")) : "2";
        var root = file.LinkExists("model_weights") ? file.Group("model_weights") : (IH5Group)file;
        using var doc = JsonDocument.Parse(config);
        s_keras2HardSigmoid = !version.StartsWith("3", StringComparison.Ordinal);
        s_nestedWeights = (outer, inner) => outer + "/" + inner;
        return Build(doc.RootElement, layer =>
        {
            var result = new List<(float[], int[])>();
            // A layer of a nested model (outer/inner): the outer model's group lists every weight of its layers; the inner
            // layer's are those whose name has the inner layer's name as a path segment (nested/dense/kernel:0 or dense/kernel:0).
            var parts = layer.Split('/');
            if (!root.LinkExists(parts[0])) return result;
            var group = root.Group(parts[0]);
            if (!group.AttributeExists("weight_names")) return result;
            foreach (var weight in ReadStringsAttribute(group.Attribute("weight_names")))
            {
                if (parts.Length > 1)
                {
                    var segments = weight.Split('/');
                    if (!segments.Take(segments.Length - 1).Contains(parts[^1], StringComparer.Ordinal)) continue;
                }
                if (!group.LinkExists(weight))
                    throw new ImportException($"'{path}': layer '{layer}' lists weight '{weight}', which is missing from the file's model_weights/{parts[0]} group.");
                result.Add(ReadDataset(group.Dataset(weight), layer + "/" + weight));
            }
            return result;
        }, $"Keras {version} (.h5)");
    }

    private static ImportedNetwork ImportTfjs(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        if (!root.TryGetProperty("modelTopology", out var topology))
            throw new ImportException($"'{path}' has no modelTopology: not a TensorFlow.js layers model (graph models are not supported).");
        if (topology.TryGetProperty("model_config", out var inner)) topology = inner;
        // Concatenate the shards group by group; each weight takes its bytes in manifest order.
        var weights = new List<(string Name, float[] Data, int[] Shape)>();
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var group in root.GetProperty("weightsManifest").EnumerateArray())
        {
            var data = new MemoryStream();
            foreach (var shard in group.GetProperty("paths").EnumerateArray())
            {
                var shardPath = Path.Combine(dir, shard.GetString()!);
                if (!File.Exists(shardPath)) throw new ImportException($"'{path}': weight shard '{shard.GetString()}' is missing.");
                var bytes = File.ReadAllBytes(shardPath);
                data.Write(bytes);
            }
            var all = data.ToArray();
            int at = 0;
            foreach (var w in group.GetProperty("weights").EnumerateArray())
            {
                var shape = w.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                string dtype = w.TryGetProperty("dtype", out var dt) ? dt.GetString()! : "float32";
                if (dtype != "float32") throw new ImportException($"'{path}': weight '{w.GetProperty("name").GetString()}' has dtype {dtype}; float32 weights are supported (no quantization).");
                int count = TensorOps.Product(shape);
                if (at + 4 * count > all.Length)
                    throw new ImportException($"'{path}': the weight shards hold {all.Length} bytes, but the manifest needs at least {at + 4 * count} (truncated shard).");
                var values = new float[count];
                for (int i = 0; i < count; i++) values[i] = BitConverter.ToSingle(all, at + 4 * i);
                at += 4 * count;
                weights.Add((w.GetProperty("name").GetString()!, values, shape));
            }
            if (at != all.Length) throw new ImportException($"'{path}': the weight shards hold {all.Length} bytes, but the manifest describes {at}.");
        }
        s_keras2HardSigmoid = true;
        s_nestedWeights = (outer, inner) => outer + "/" + inner;
        string version = topology.TryGetProperty("keras_version", out var kv) ? kv.GetString() ?? "" : root.TryGetProperty("generatedBy", out var g) ? g.GetString() ?? "" : "";
        return Build(topology, layer =>
            {
                var found = weights.Where(w => w.Name.StartsWith(layer + "/", StringComparison.Ordinal)).Select(w => (w.Data, w.Shape)).ToList();
                // A nested model's layer (outer/inner) may have its weights under the inner name alone.
                if (found.Count == 0 && layer.Contains('/', StringComparison.Ordinal))
                    found = weights.Where(w => w.Name.StartsWith(layer[(layer.LastIndexOf('/') + 1)..] + "/", StringComparison.Ordinal)).Select(w => (w.Data, w.Shape)).ToList();
                return found;
            },
            $"TensorFlow.js layers model ({version})".Replace(" ()", "", StringComparison.Ordinal));
    }

    private static (float[], int[]) ReadDataset(IH5Dataset dataset, string where)
    {
        var shape = dataset.Space.Dimensions.Select(d => checked((int)d)).ToArray();
        float[] data;
        var type = dataset.Type;
        if (type.Class == H5DataTypeClass.FloatingPoint && type.Size == 8)
            data = dataset.Read<double[]>().Select(v => (float)v).ToArray();
        else if (type.Class == H5DataTypeClass.FloatingPoint && type.Size == 4)
            data = dataset.Read<float[]>();
        else if (type.Class == H5DataTypeClass.FixedPoint && type.Size == 8)
            data = dataset.Read<long[]>().Select(v => (float)v).ToArray(); // counters (Normalization's count)
        else if (type.Class == H5DataTypeClass.FixedPoint && type.Size == 4)
            data = dataset.Read<int[]>().Select(v => (float)v).ToArray();
        else
            throw new ImportException($"Weight '{where}' has HDF5 type {type.Class} of {type.Size} bytes; float32/float64 weights are supported.");
        if (data.Length != TensorOps.Product(shape))
            throw new ImportException($"Weight '{where}' holds {data.Length} values for its shape {TensorOps.ShapeText(shape)} (truncated or corrupt).");
        return (data, shape);
    }

    private static string ReadStringAttribute(IH5Attribute attribute)
    {
        try
        {
            return attribute.Read<string>();
        }
        catch (Exception)
        {
            var bytes = attribute.Read<byte[]>();
            return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
        }
    }

    private static string[] ReadStringsAttribute(IH5Attribute attribute) => attribute.Read<string[]>();

    // ---------------------------------------------------------------- the model configuration

    private sealed record Tensor(string Layer, int[] Shape);

    private static ImportedNetwork Build(JsonElement model, WeightSource weights, string description)
    {
        var network = new ImportedNetwork(description);
        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        List<string> outputs;
        try
        {
            outputs = AddModel(network, model, weights, null, shapes, "");
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new ImportException($"The model configuration is not in the form Keras writes ({e.Message}).", e);
        }
        if (model.GetProperty("class_name").GetString() is not "Sequential")
        {
            network.Outputs.AddRange(outputs);
            Prune(network, outputs);
        }
        network.Notes.Add("Layout: Keras is channels-last like NetGen: weights are used as they are, layer names are kept.");
        return network;
    }

    /// <summary>
    /// Adds a Sequential or Functional model's layers and gives the names of its outputs. A nested model (a model used as a
    /// layer of another) reads <paramref name="outerInputs"/> in place of its own inputs and its layers are declared in line,
    /// their names followed by <paramref name="suffix"/> when it is called more than once. A layer called several times
    /// (shared) is declared once per call, the later ones named <c>name_call1</c>, ..., each with a copy of its weights.
    /// </summary>
    private static List<string> AddModel(ImportedNetwork network, JsonElement model, WeightSource weights, string[]? outerInputs,
        Dictionary<string, int[]> shapes, string suffix)
    {
        string cls = model.GetProperty("class_name").GetString()!;
        var config = model.GetProperty("config");
        // Keras up to 2.2.4 wrote a Sequential model's config as the bare list of its layers.
        bool bare = config.ValueKind == JsonValueKind.Array;
        string modelName = !bare && config.TryGetProperty("name", out var mn) && mn.ValueKind == JsonValueKind.String ? mn.GetString()! : "model";
        var layers = (bare ? config : config.GetProperty("layers")).EnumerateArray().ToList();
        // (layer, call) -> the NetGen layer standing for that call's output.
        var declared = new Dictionary<(string, int), string>();
        var calls = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstNode = new Dictionary<string, int>(StringComparer.Ordinal);
        string Resolve(string layer, int node)
        {
            int n = calls.GetValueOrDefault(layer, 1);
            int call = n == 1 ? 0 : node - firstNode.GetValueOrDefault(layer, 0);
            if (call < 0 || call >= n) throw new ImportException($"Model '{modelName}' reads call {node} of layer '{layer}', which has {n} calls.");
            return declared.TryGetValue((layer, call), out var d) ? d : layer + suffix;
        }
        if (cls == "Sequential")
        {
            string? previous = outerInputs is null ? null : outerInputs.Length == 1 ? outerInputs[0]
                : throw new ImportException($"The nested Sequential model '{modelName}' is called on {outerInputs.Length} tensors; a Sequential model takes one.");
            foreach (var layer in layers)
            {
                var lc = layer.GetProperty("config");
                bool isInput = layer.GetProperty("class_name").GetString() == "InputLayer";
                if (isInput && outerInputs is not null) continue;
                if (previous is null && !isInput)
                {
                    var shape = BatchShape(lc) ?? (!bare && config.TryGetProperty("build_input_shape", out var b) && b.ValueKind == JsonValueKind.Array ? ShapeWithoutBatch(b) : null)
                        ?? throw new ImportException("The Sequential model has no input shape (no InputLayer and no batch_input_shape).");
                    previous = AddInput(network, "input_layer" + suffix, shape, shapes).Name;
                }
                previous = AddAny(layer, previous is null ? Array.Empty<string>() : new[] { previous }, 0, 1);
            }
            return new List<string> { previous ?? throw new ImportException($"The Sequential model '{modelName}' has no layers.") };
        }
        if (cls is "Functional" or "Model")
        {
            var inputRefs = config.TryGetProperty("input_layers", out var il) ? TensorRefs(il) : new List<(string Layer, int Node)>();
            if (outerInputs is not null)
            {
                if (inputRefs.Count != outerInputs.Length)
                    throw new ImportException($"The nested model '{modelName}' has {inputRefs.Count} inputs but is called on {outerInputs.Length} tensors.");
                for (int i = 0; i < inputRefs.Count; i++) declared[(inputRefs[i].Layer, 0)] = outerInputs[i];
            }
            foreach (var layer in layers)
            {
                string layerName = layer.GetProperty("config").GetProperty("name").GetString()!;
                string layerCls = layer.GetProperty("class_name").GetString()!;
                if (outerInputs is not null && layerCls == "InputLayer") continue;
                var nodes = InboundCalls(layer);
                calls[layerName] = Math.Max(nodes.Count, 1);
                // Keras numbers a nested model's calls from 1 (its node 0 is its own construction): Keras 3 Functional, and Keras 2
                // models that start with an InputLayer.
                if (layerCls is "Functional" or "Model" || layerCls == "Sequential" && s_keras2HardSigmoid
                    && layer.GetProperty("config") is var nc && (nc.ValueKind == JsonValueKind.Array ? nc : nc.TryGetProperty("layers", out var nl) ? nl : default) is
                        { ValueKind: JsonValueKind.Array } nested && nested.GetArrayLength() > 0 && nested[0].GetProperty("class_name").GetString() == "InputLayer")
                    firstNode[layerName] = 1;
                if (nodes.Count == 0) nodes.Add(new List<(string, int)>());
                for (int k = 0; k < nodes.Count; k++)
                    AddAny(layer, nodes[k].Select(r => Resolve(r.Item1, r.Item2)).ToArray(), k, nodes.Count);
                if (nodes.Count > 1)
                    network.Notes.Add($"Layer '{layerName}' is shared (called {nodes.Count} times): declared once per call ({string.Join(", ", Enumerable.Range(0, nodes.Count).Select(k => declared[(layerName, k)]))}) "
                        + "with copies of its weights; Predict is the same, but training updates the copies separately.");
            }
            if (outerInputs is null)
            {
                // The model's inputs in Keras' order (input_layers), which is the order Predict takes them in.
                var inputs = network.Layers.Where(l => l.Kind == "Input").ToList();
                var order = inputRefs.Select(r => Resolve(r.Layer, r.Node)).ToList();
                if (order.Count == inputs.Count && order.All(n => inputs.Any(d => d.Name == n)))
                {
                    network.Layers.RemoveAll(l => l.Kind == "Input");
                    network.Layers.InsertRange(0, order.Select(n => inputs.First(d => d.Name == n)));
                }
            }
            return TensorRefs(config.GetProperty("output_layers")).Select(r => Resolve(r.Layer, r.Node)).ToList();
        }
        throw new ImportException($"Model class '{cls}' is not supported: Sequential and Functional models are (a subclassed model has no configuration to read).");

        string AddAny(JsonElement layer, string[] inputs, int call, int callCount)
        {
            string layerCls = layer.GetProperty("class_name").GetString()!;
            string original = layer.GetProperty("config").GetProperty("name").GetString()!;
            string name = original + suffix + (call == 0 ? "" : "_call" + call.ToString(System.Globalization.CultureInfo.InvariantCulture));
            string result;
            if (layerCls is "Sequential" or "Functional" or "Model")
            {
                var outs = AddModel(network, layer, inner => weights(s_nestedWeights!(original, inner)), inputs, shapes,
                    suffix + (call == 0 ? "" : "_call" + call.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                if (outs.Count != 1) throw new ImportException($"The nested model '{original}' has {outs.Count} outputs; the importer maps nested models of one output.");
                result = outs[0];
            }
            else
            {
                if (name != original && layerCls is "TimeDistributed" or "Bidirectional")
                    throw new ImportException($"Layer '{original}' ({layerCls}) is shared or inside a model called more than once; the importer does not duplicate wrappers.");
                if (shapes.ContainsKey(name))
                    throw new ImportException($"Layer name '{name}' is used twice (a nested model's layer named like an outer one); rename one of them in Keras.");
                var saved = (s_call, s_resolve);
                s_call = call;
                s_resolve = r => Resolve(r.Layer, r.Node);
                try
                {
                    result = AddLayer(network, layer, inputs, shapes, _ => weights(original), name == original ? null : name).Name;
                }
                finally
                {
                    (s_call, s_resolve) = saved;
                }
            }
            declared[(original, call)] = result;
            return result;
        }
    }

    private static void Prune(ImportedNetwork network, List<string> outputs)
    {
        var needed = new HashSet<string>(outputs, StringComparer.Ordinal);
        for (int i = network.Layers.Count - 1; i >= 0; i--)
        {
            var l = network.Layers[i];
            if (!needed.Contains(l.Name))
            {
                if (l.Kind != "Input") network.Layers.RemoveAt(i);
                continue;
            }
            foreach (var input in l.Inputs.Concat(l.Reads)) needed.Add(input);
        }
        if (outputs.Count == 1 && outputs[0] == network.Layers[^1].Name) network.Outputs.Clear();
    }

    /// <summary>
    /// The tensors of <c>input_layers</c> / <c>output_layers</c> as (layer, node): one <c>["name", node, tensor]</c>, a list of
    /// them, or (Keras 3 models built on dicts) an object of them, in its order.
    /// </summary>
    private static List<(string Layer, int Node)> TensorRefs(JsonElement outputs)
    {
        if (outputs.ValueKind == JsonValueKind.Object) return outputs.EnumerateObject().SelectMany(p => TensorRefs(p.Value)).ToList();
        if (outputs.ValueKind == JsonValueKind.Array && outputs.GetArrayLength() > 0 && outputs[0].ValueKind == JsonValueKind.String)
            return new List<(string, int)> { Ref(outputs) };
        return outputs.EnumerateArray().SelectMany(TensorRefs).ToList();
    }

    /// <summary>A <c>["name", node, tensor, ...]</c> reference; a layer's second output (tensor ≠ 0) is refused.</summary>
    private static (string Layer, int Node) Ref(JsonElement r)
    {
        string layer = r[0].GetString()!;
        int node = r.GetArrayLength() > 1 && r[1].ValueKind == JsonValueKind.Number ? r[1].GetInt32() : 0;
        if (r.GetArrayLength() > 2 && r[2].ValueKind == JsonValueKind.Number && r[2].GetInt32() != 0)
            throw new ImportException($"The model reads output {r[2].GetInt32()} of layer '{layer}'; the importer maps layers of one output.");
        return (layer, node);
    }

    /// <summary>
    /// The tensors feeding each call of a functional layer: Keras 2 <c>[[["name", node, 0, {}], ...], ...]</c> or Keras 3
    /// <c>keras_history</c>.
    /// </summary>
    private static List<List<(string, int)>> InboundCalls(JsonElement layer)
    {
        var calls = new List<List<(string, int)>>();
        if (!layer.TryGetProperty("inbound_nodes", out var nodes)) return calls;
        foreach (var node in nodes.EnumerateArray())
        {
            var result = new List<(string, int)>();
            calls.Add(result);
            if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    result.Add(Ref(item));
                    // Keras 2 keeps the tensors passed after the first in the call's kwargs: mha(x, y) is [["x", 0, 0, {"value": ["y", 0, 0]}]].
                    if (item.GetArrayLength() > 3 && item[3].ValueKind == JsonValueKind.Object)
                        foreach (var key in new[] { "value", "key" })
                            if (item[3].TryGetProperty(key, out var t) && t.ValueKind == JsonValueKind.Array && t.GetArrayLength() > 0 && t[0].ValueKind == JsonValueKind.String)
                                result.Add(Ref(t));
                }
                continue;
            }
            void Walk(JsonElement e)
            {
                if (e.ValueKind == JsonValueKind.Object)
                {
                    if (e.TryGetProperty("keras_history", out var h)) result.Add(Ref(h));
                    else foreach (var p in e.EnumerateObject()) Walk(p.Value);
                }
                else if (e.ValueKind == JsonValueKind.Array)
                    foreach (var x in e.EnumerateArray()) Walk(x);
            }
            if (node.TryGetProperty("args", out var args)) Walk(args);
            // Attention layers also take their tensors by keyword: mha(query=x, value=y) or mha(x, y, key=z).
            if (node.TryGetProperty("kwargs", out var kwargs) && kwargs.ValueKind == JsonValueKind.Object)
                foreach (var key in new[] { "query", "value", "key" })
                    if (kwargs.TryGetProperty(key, out var t)) Walk(t);
        }
        return calls;
    }

    /// <summary>The layer a tensor argument comes from: Keras 2 <c>["name", 0, 0]</c> or Keras 3 <c>{..., "keras_history": ["name", 0, 0]}</c>.</summary>
    private static string? TensorLayer(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0 && e[0].ValueKind == JsonValueKind.String)
            return s_resolve is { } resolve ? resolve(Ref(e)) : e[0].GetString();
        if (e.ValueKind != JsonValueKind.Object) return null;
        if (e.TryGetProperty("keras_history", out var h)) return TensorLayer(h);
        foreach (var p in e.EnumerateObject())
            if (TensorLayer(p.Value) is { } found) return found;
        return null;
    }

    /// <summary>The keyword arguments of a layer's (single) call: Keras 3 <c>{"args": ..., "kwargs": {...}}</c> or Keras 2 <c>[["x", 0, 0, {...}]]</c>.</summary>
    private static JsonElement? CallKwargs(JsonElement layer)
    {
        if (!layer.TryGetProperty("inbound_nodes", out var nodes) || nodes.GetArrayLength() <= s_call) return null;
        var node = nodes[s_call];
        if (node.ValueKind == JsonValueKind.Object)
            return node.TryGetProperty("kwargs", out var kw) && kw.ValueKind == JsonValueKind.Object ? kw : null;
        if (node.ValueKind == JsonValueKind.Array && node.GetArrayLength() > 0 && node[0].ValueKind == JsonValueKind.Array
            && node[0].GetArrayLength() > 3 && node[0][3].ValueKind == JsonValueKind.Object)
            return node[0][3];
        return null;
    }

    /// <summary>The layer whose input shape is being read, for messages.</summary>
    [ThreadStatic] private static string? s_inputName;

    private static int[]? BatchShape(JsonElement config)
    {
        s_inputName = config.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        foreach (var key in new[] { "batch_shape", "batch_input_shape" })
            if (config.TryGetProperty(key, out var s) && s.ValueKind == JsonValueKind.Array)
                return ShapeWithoutBatch(s);
        return null;
    }

    private static int[] ShapeWithoutBatch(JsonElement shape)
    {
        var dims = shape.EnumerateArray().Skip(1).ToArray();
        for (int i = 0; i < dims.Length; i++)
            if (dims[i].ValueKind != JsonValueKind.Number)
                throw new ImportException($"The input shape {shape.GetRawText()}{(shape.ValueKind == JsonValueKind.Array && s_inputName is { } n ? " of '" + n + "'" : "")} has a dynamic axis {i + 1}: "
                    + "only the batch axis (0) may be dynamic; NetGen's shapes are fixed, so save the model with a fixed size there "
                    + "(keras.Input(shape=(steps, ...))).");
        return dims.Select(d => d.GetInt32()).ToArray();
    }

    private static ImportedLayer AddInput(ImportedNetwork network, string name, int[] shape, Dictionary<string, int[]> shapes)
    {
        var layer = new ImportedLayer("Input", name);
        layer.Arguments.AddRange(shape.Select(Invariant));
        layer.OutputShape = shape;
        network.Layers.Add(layer);
        shapes[name] = shape;
        return layer;
    }

    /// <summary>
    /// Keras <c>TimeDistributed(layer)</c>: the wrapped layer's configuration imported for one step's shape, under the
    /// wrapper's name and with the wrapper's weights (Keras 2: <c>time_distributed/kernel:0</c>; Keras 3: the wrapped
    /// layer's variables), declared with <c>TimeDistributed = true</c>.
    /// </summary>
    private static ImportedLayer AddTimeDistributed(ImportedNetwork network, JsonElement layer, string[] inputs, Dictionary<string, int[]> shapes, WeightSource weights)
    {
        var c = layer.GetProperty("config");
        string name = c.GetProperty("name").GetString()!;
        if (inputs.Length != 1) throw new ImportException($"Layer '{name}' (TimeDistributed) reads {inputs.Length} inputs; it wraps a layer of one input.");
        if (!shapes.TryGetValue(inputs[0], out var inShape)) throw new ImportException($"Layer '{name}' reads '{inputs[0]}', which is not an earlier layer.");
        if (inShape.Length < 2)
            throw new ImportException($"Layer '{name}' (TimeDistributed) reads a tensor of shape {TensorOps.ShapeText(inShape)}; it needs (steps, ...).");
        var inner = c.GetProperty("layer");
        string innerCls = inner.GetProperty("class_name").GetString()!;
        if (innerCls is "TimeDistributed" or "Masking" or "InputLayer")
            throw new ImportException($"Layer '{name}' wraps a {innerCls} layer in TimeDistributed; NetGen cannot time-distribute it.");
        var step = new Dictionary<string, int[]>(StringComparer.Ordinal) { ["(step)"] = inShape.Skip(1).ToArray() };
        var l = AddLayer(new ImportedNetwork(network.SourceDescription), inner, new[] { "(step)" }, step, _ => weights(name), name);
        if (l.IsMerge) throw new ImportException($"Layer '{name}' wraps the merge layer {innerCls} in TimeDistributed; NetGen cannot time-distribute it.");
        l.Inputs = new List<string>(inputs);
        l.Set("TimeDistributed", "true");
        if (innerCls == "BatchNormalization")
        {
            // Keras takes a time-distributed BatchNormalization's training statistics per step, which NetGen does not (NG0052).
            l.Set("Trainable", "false");
            network.Notes.Add($"Layer '{name}': TimeDistributed(BatchNormalization) is declared Trainable = false (moving statistics); "
                + "NetGen cannot train it with Keras' per-step batch statistics.");
        }
        l.Sources.Clear();
        l.Sources.Add($"TimeDistributed '{name}' ({innerCls})");
        l.OutputShape = new[] { inShape[0] }.Concat(l.OutputShape).ToArray();
        shapes[name] = l.OutputShape;
        network.Layers.Add(l);
        return l;
    }

    /// <summary>
    /// Keras <c>Bidirectional(layer, merge_mode)</c> around SimpleRNN, LSTM or GRU: the wrapped layer's configuration under the
    /// wrapper's name with <c>Bidirectional = BidirectionalMerge.X</c>; its weights are the forward copy's, then the backward
    /// copy's, named as NetGen names them (<c>forward_lstm/kernel</c>, ..., <c>backward_lstm/kernel</c>, ...).
    /// </summary>
    private static ImportedLayer AddBidirectional(ImportedNetwork network, JsonElement layer, string[] inputs, Dictionary<string, int[]> shapes, WeightSource weights)
    {
        var c = layer.GetProperty("config");
        string name = c.GetProperty("name").GetString()!;
        var inner = c.GetProperty("layer");
        string innerCls = inner.GetProperty("class_name").GetString()!;
        if (innerCls is not ("SimpleRNN" or "LSTM" or "GRU" or "ConvLSTM1D" or "ConvLSTM2D" or "ConvLSTM3D"))
            throw new ImportException($"Layer '{name}' (Bidirectional) wraps a {innerCls} layer; NetGen's Bidirectional takes SimpleRNN, LSTM, GRU or ConvLSTM1D/2D/3D.");
        string? mode = c.TryGetProperty("merge_mode", out var mm) && mm.ValueKind == JsonValueKind.String ? mm.GetString() : null;
        string merge = mode switch
        {
            "concat" => "Concat",
            "sum" => "Sum",
            "mul" => "Mul",
            "ave" => "Ave",
            _ => throw new ImportException($"Layer '{name}' (Bidirectional) has merge_mode {(mode is null ? "None" : "'" + mode + "'")}; "
                + "the importer maps concat, sum, mul and ave (NetGen's BidirectionalMerge.Separate has no Keras file mapping yet)."),
        };
        if (c.TryGetProperty("backward_layer", out var back) && back.ValueKind == JsonValueKind.Object)
        {
            // A custom backward layer must be the forward one reading backwards: same class and size.
            var fc = inner.GetProperty("config");
            var bc = back.GetProperty("config");
            string size = innerCls.StartsWith("ConvLSTM", StringComparison.Ordinal) ? "filters" : "units";
            bool same = back.GetProperty("class_name").GetString() == innerCls
                && bc.TryGetProperty(size, out var bu) && fc.TryGetProperty(size, out var fu) && bu.GetInt32() == fu.GetInt32();
            if (!same) throw new ImportException($"Layer '{name}' (Bidirectional) has a backward layer unlike its forward layer; NetGen's two directions share one configuration.");
        }
        var all = weights(name);
        if (all.Count % 2 != 0)
            throw new ImportException($"Layer '{name}' (Bidirectional): {all.Count} weights found; the two directions need the same number each.");
        string stem = innerCls switch
        {
            "LSTM" => "lstm",
            "GRU" => "gru",
            "SimpleRNN" => "simple_rnn",
            _ => "conv_lstm" + innerCls.Substring("ConvLSTM".Length).ToLowerInvariant(), // conv_lstm1d, conv_lstm2d, conv_lstm3d
        };
        ImportedLayer Direction(List<(float[], int[])> half)
            => AddLayer(new ImportedNetwork(network.SourceDescription), inner, inputs, new Dictionary<string, int[]>(shapes, StringComparer.Ordinal), _ => half, name);
        var forward = Direction(all.Take(all.Count / 2).ToList());
        var backward = Direction(all.Skip(all.Count / 2).ToList());
        var l = forward;
        var forwardWeights = l.Weights.ToList();
        l.Weights.Clear();
        foreach (var (t, d) in forwardWeights.Select(t => (t, "forward_")).Concat(backward.Weights.Select(t => (t, "backward_"))))
            l.Weights.Add(t with { Name = name + "/" + d + stem + "/" + t.Name.Substring(name.Length + 1) });
        l.Set("Bidirectional", "BidirectionalMerge." + merge);
        l.Sources.Clear();
        l.Sources.Add($"Bidirectional '{name}' ({innerCls}, merge_mode '{mode}')");
        if (merge == "Concat") l.OutputShape = l.OutputShape.Take(l.OutputShape.Length - 1).Append(2 * l.OutputShape[^1]).ToArray();
        shapes[name] = l.OutputShape;
        network.Layers.Add(l);
        return l;
    }

    private static ImportedLayer AddLayer(ImportedNetwork network, JsonElement layer, string[] inputs, Dictionary<string, int[]> shapes, WeightSource weights, string? nameOverride = null)
    {
        string cls = layer.GetProperty("class_name").GetString()!;
        var c = layer.GetProperty("config");
        string name = nameOverride ?? c.GetProperty("name").GetString()!;
        if (!SupportedLayers.Contains(cls) || cls is "Sequential" or "Functional" or "Model")
            throw new ImportException($"Layer '{name}' (class {cls}) cannot be mapped to NetGen layers.\nSupported layers: {string.Join(", ", SupportedLayers)}.");
        CheckFields(network, cls, name, c);
        if (cls == "TimeDistributed") return AddTimeDistributed(network, layer, inputs, shapes, weights);
        if (cls == "Bidirectional") return AddBidirectional(network, layer, inputs, shapes, weights);
        if (cls == "InputLayer")
            return AddInput(network, name, BatchShape(c) ?? throw new ImportException($"InputLayer '{name}' has no shape."), shapes);
        try
        {
            return AddMappedLayer(network, layer, cls, c, name, inputs, shapes, weights);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            // A field missing or of an unexpected JSON type: say which layer, not "corrupt file".
            throw new ImportException($"Layer '{name}' ({cls}): its configuration is not in the form Keras writes ({e.Message}).", e);
        }
    }

    private static ImportedLayer AddMappedLayer(ImportedNetwork network, JsonElement layer, string cls, JsonElement c, string name, string[] inputs,
        Dictionary<string, int[]> shapes, WeightSource weights)
    {
        foreach (var i in inputs)
            if (!shapes.ContainsKey(i)) throw new ImportException($"Layer '{name}' reads '{i}', which is not an earlier layer.");
        var inShape = inputs.Length > 0 ? shapes[inputs[0]] : throw new ImportException($"Layer '{name}' has no input.");
        string? dataFormat = c.TryGetProperty("data_format", out var df) && df.ValueKind == JsonValueKind.String ? df.GetString() : null;
        if (dataFormat is "channels_first")
            throw new ImportException($"Layer '{name}' ({cls}) uses data_format 'channels_first'; NetGen is channels-last.");

        bool merge = cls is "Add" or "Subtract" or "Multiply" or "Average" or "Maximum" or "Minimum" or "Concatenate";
        var kind = cls switch
        {
            "ReLU" when IsPlainRelu(c) => "Activation",
            "Softmax" when SoftmaxAxis(c) is -1 || SoftmaxAxis(c) == shapes.GetValueOrDefault(inputs.FirstOrDefault() ?? "")?.Length => "Activation",
            "ThresholdedReLU" => "ReLU",
            "SpatialDropout1D" or "SpatialDropout2D" => "Dropout",
            "Rescaling" or "Normalization" => "BatchNormalization",
            _ => cls,
        };
        var l = new ImportedLayer(kind, name) { IsMerge = merge, InputsInArguments = cls == "Dot", ExplicitName = cls is "Dot" or "Attention" or "AdditiveAttention" || kind != cls || kind is "LeakyReLU" or "ELU" or "PReLU" or "ReLU" or "Softmax" or "GaussianDropout" or "GaussianNoise" or "AlphaDropout" or "Embedding" or "RepeatVector" or "GroupNormalization" };
        l.Inputs.AddRange(inputs);
        string configName = c.TryGetProperty("name", out var cn) && cn.ValueKind == JsonValueKind.String ? cn.GetString()! : name;
        l.Sources.Add(configName == name ? $"{cls} '{name}'" : $"{cls} '{configName}' (a further call)");
        var w = weights(name);
        int[] outShape;
        int wi = 0;
        (float[] Data, int[] Shape) Take(string variable, int[] expected)
        {
            if (wi >= w.Count) throw new ImportException($"Layer '{name}' ({cls}): weight '{variable}' {TensorOps.ShapeText(expected)} is missing from the weights ({w.Count} found).");
            var t = w[wi++];
            if (!t.Shape.SequenceEqual(expected))
                throw new ImportException($"Layer '{name}' ({cls}): weight '{variable}' has shape {TensorOps.ShapeText(t.Shape)} in the file, but the configuration needs {TensorOps.ShapeText(expected)}.");
            return t;
        }
        void Weight(string variable, int[] expected) => l.AddWeight(variable, expected, Take(variable, expected).Data);
        void State(string variable, int[] expected) => l.AddState(variable, expected, Take(variable, expected).Data);
        bool useBias = !c.TryGetProperty("use_bias", out var ub) || ub.GetBoolean();
        if (!useBias) l.Set("UseBias", "false");
        KerasWeightOptions.Apply(l, c, name, cls);

        switch (cls)
        {
            case "Dense":
            {
                int units = c.GetProperty("units").GetInt32();
                l.Arguments.Add(Invariant(units));
                SetActivation(l, c, name);
                Weight("kernel", new[] { inShape[^1], units });
                if (useBias) Weight("bias", new[] { units });
                outShape = inShape.Take(inShape.Length - 1).Append(units).ToArray();
                break;
            }
            case "Activation":
                l.Arguments.Add("Activation." + ActivationName(ActivationKey(c.GetProperty("activation"), name), name));
                outShape = inShape;
                break;
            case "ReLU":
            case "ThresholdedReLU":
            {
                // Keras: x if x >= max_value -> max_value; x > threshold -> x; else negative_slope * (x - threshold).
                double? max = c.TryGetProperty("max_value", out var mv) && mv.ValueKind == JsonValueKind.Number ? mv.GetDouble() : null;
                double slope = c.TryGetProperty("negative_slope", out var ns) && ns.ValueKind == JsonValueKind.Number ? ns.GetDouble() : 0;
                double threshold = cls == "ThresholdedReLU" ? (c.TryGetProperty("theta", out var tt) ? tt.GetDouble() : 1.0)
                    : c.TryGetProperty("threshold", out var th) && th.ValueKind == JsonValueKind.Number ? th.GetDouble() : 0;
                foreach (var (field, value) in new[] { ("max_value", max ?? 0), ("negative_slope", slope), (cls == "ThresholdedReLU" ? "theta" : "threshold", threshold) })
                    if (value < 0) throw new ImportException($"Layer '{name}' ({cls}): {field} = {Invariant(value)} is negative; Keras and NetGen need it at least 0.");
                if (kind == "Activation") l.Arguments.Add("Activation.Relu");
                else
                {
                    if (max is { } m && m < float.MaxValue) l.Set("MaxValue", Invariant(m));
                    if (slope != 0) l.Set("NegativeSlope", Invariant(slope));
                    if (threshold != 0) l.Set("Threshold", Invariant(threshold));
                }
                outShape = inShape;
                break;
            }
            case "LeakyReLU":
            {
                // Keras 3 names the slope negative_slope, Keras 2 and tfjs alpha; both default to 0.3.
                double slope = c.TryGetProperty("negative_slope", out var ns) && ns.ValueKind == JsonValueKind.Number ? ns.GetDouble()
                    : c.TryGetProperty("alpha", out var al) && al.ValueKind == JsonValueKind.Number ? al.GetDouble() : 0.3;
                if (slope < 0) throw new ImportException($"Layer '{name}' (LeakyReLU): negative_slope = {Invariant(slope)} is negative; NetGen's LeakyReLU needs it at least 0.");
                l.Set("NegativeSlope", Invariant(slope));
                outShape = inShape;
                break;
            }
            case "ELU":
            {
                double alpha = c.TryGetProperty("alpha", out var al) && al.ValueKind == JsonValueKind.Number ? al.GetDouble() : 1.0;
                if (alpha != 1.0) l.Set("Alpha", Invariant(alpha));
                outShape = inShape;
                break;
            }
            case "PReLU":
            {
                var shared = c.TryGetProperty("shared_axes", out var sx) && sx.ValueKind != JsonValueKind.Null
                    ? (sx.ValueKind == JsonValueKind.Number ? new[] { sx.GetInt32() } : sx.EnumerateArray().Select(e => e.GetInt32()).ToArray()) : Array.Empty<int>();
                foreach (var a in shared)
                    if (a < 1 || a > inShape.Length) throw new ImportException($"Layer '{name}' (PReLU): shared axis {a} is outside 1..{inShape.Length} for input {TensorOps.ShapeText(inShape)}.");
                if (shared.Length > 0) l.Set("SharedAxes", "new[] { " + string.Join(", ", shared.Select(Invariant)) + " }");
                Weight("alpha", inShape.Select((d, i) => shared.Contains(i + 1) ? 1 : d).ToArray());
                outShape = inShape;
                break;
            }
            case "Softmax":
            {
                int axis = SoftmaxAxis(c);
                if (kind == "Activation") l.Arguments.Add("Activation.Softmax");
                else
                {
                    if (axis == 0 || axis < -(inShape.Length + 1) || axis > inShape.Length)
                        throw new ImportException($"Layer '{name}' (Softmax): axis {axis} is the batch axis or outside the input {TensorOps.ShapeText(inShape)}.");
                    l.Set("Axis", Invariant(axis < 0 ? axis + inShape.Length + 1 : axis));
                }
                outShape = inShape;
                break;
            }
            case "GaussianDropout":
            case "AlphaDropout":
                l.Arguments.Add(Invariant(c.GetProperty("rate").GetDouble()));
                if (c.TryGetProperty("noise_shape", out var ans) && ans.ValueKind != JsonValueKind.Null)
                    network.Notes.Add($"Layer '{name}' ({cls}): noise_shape {Text(ans)} is not imported; NetGen draws the noise per element while training (Predict is unaffected).");
                outShape = inShape;
                break;
            case "GaussianNoise":
                l.Arguments.Add(Invariant(c.GetProperty("stddev").GetDouble()));
                outShape = inShape;
                break;
            case "Flatten":
                outShape = new[] { TensorOps.Product(inShape) };
                break;
            case "Reshape":
            {
                var target = c.GetProperty("target_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                l.Arguments.AddRange(target.Select(Invariant));
                int known = target.Where(d => d != -1).Aggregate(1, (a, b) => a * b);
                outShape = target.Select(d => d == -1 ? TensorOps.Product(inShape) / known : d).ToArray();
                break;
            }
            case "Permute":
            {
                var dims = c.GetProperty("dims").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                l.Arguments.AddRange(dims.Select(Invariant));
                outShape = dims.Select(d => inShape[d - 1]).ToArray();
                break;
            }
            case "SimpleRNN":
            case "LSTM":
            case "GRU":
            {
                if (inShape.Length != 2) throw new ImportException($"Layer '{name}' ({cls}) reads a tensor of shape {TensorOps.ShapeText(inShape)}; it needs (steps, features).");
                foreach (var flag in new[] { "return_state", "stateful" })
                    if (c.TryGetProperty(flag, out var f) && f.ValueKind == JsonValueKind.True)
                        throw new ImportException($"Layer '{name}' ({cls}) sets {flag}; the importer maps neither state outputs nor stateful layers yet.");
                int units = c.GetProperty("units").GetInt32();
                int gates = cls == "SimpleRNN" ? 1 : cls == "LSTM" ? 4 : 3;
                l.Arguments.Add(Invariant(units));
                var act = RecurrentActivationName(c, "activation", "tanh", name);
                if (act != "Tanh") l.Set("Activation", "RecurrentActivation." + act);
                if (cls != "SimpleRNN")
                {
                    var rec = RecurrentActivationName(c, "recurrent_activation", "sigmoid", name);
                    if (rec != "Sigmoid") l.Set("RecurrentActivation", "RecurrentActivation." + rec);
                }
                bool sequences = c.TryGetProperty("return_sequences", out var rs) && rs.ValueKind == JsonValueKind.True;
                if (sequences) l.Set("ReturnSequences", "true");
                if (c.TryGetProperty("go_backwards", out var gb) && gb.ValueKind == JsonValueKind.True) l.Set("GoBackwards", "true");
                if (c.TryGetProperty("dropout", out var dr) && dr.ValueKind == JsonValueKind.Number && dr.GetDouble() > 0) l.Set("Dropout", Invariant(dr.GetDouble()));
                if (c.TryGetProperty("recurrent_dropout", out var rd) && rd.ValueKind == JsonValueKind.Number && rd.GetDouble() > 0) l.Set("RecurrentDropout", Invariant(rd.GetDouble()));
                // Keras 2 files default reset_after to false for GRU (Keras 3: true); an absent key means the saving version's default.
                bool resetAfter = cls == "GRU" && (c.TryGetProperty("reset_after", out var ra) ? ra.ValueKind == JsonValueKind.True : true);
                if (cls == "GRU" && !resetAfter) l.Set("ResetAfter", "false");
                Weight("kernel", new[] { inShape[1], gates * units });
                Weight("recurrent_kernel", new[] { units, gates * units });
                if (useBias) Weight("bias", resetAfter ? new[] { 2, 3 * units } : new[] { gates * units });
                outShape = sequences ? new[] { inShape[0], units } : new[] { units };
                break;
            }
            case "ConvLSTM1D":
            case "ConvLSTM2D":
            case "ConvLSTM3D":
            {
                int rank = cls[8] - '0';
                string axes = rank switch { 1 => "rows", 2 => "rows, cols", _ => "depth, rows, cols" };
                if (inShape.Length != rank + 2) throw new ImportException($"Layer '{name}' ({cls}) reads a tensor of shape {TensorOps.ShapeText(inShape)}; it needs (steps, {axes}, channels).");
                foreach (var flag in new[] { "return_state", "stateful" })
                    if (c.TryGetProperty(flag, out var f) && f.ValueKind == JsonValueKind.True)
                        throw new ImportException($"Layer '{name}' ({cls}) sets {flag}; the importer maps neither state outputs nor stateful layers yet.");
                int filters = c.GetProperty("filters").GetInt32();
                var k = Ints(c, "kernel_size", rank);
                var strides = Ints(c, "strides", rank);
                var dilation = Ints(c, "dilation_rate", rank);
                string padding = c.TryGetProperty("padding", out var pd) ? pd.GetString()! : "valid";
                if (padding is not ("valid" or "same")) throw new ImportException($"Layer '{name}' ({cls}): padding '{padding}' is not supported (valid, same).");
                l.Arguments.Add(Invariant(filters));
                l.Arguments.AddRange(k.Distinct().Count() == 1 ? new[] { Invariant(k[0]) } : k.Select(Invariant));
                if (strides.Any(v => v != 1)) l.Set(strides.Distinct().Count() == 1 ? "Strides" : "StridesPerAxis", strides.Distinct().Count() == 1 ? Invariant(strides[0]) : "new[] { " + string.Join(", ", strides.Select(Invariant)) + " }");
                if (dilation.Any(v => v != 1)) l.Set(dilation.Distinct().Count() == 1 ? "DilationRate" : "DilationPerAxis", dilation.Distinct().Count() == 1 ? Invariant(dilation[0]) : "new[] { " + string.Join(", ", dilation.Select(Invariant)) + " }");
                if (padding == "same") l.Set("Padding", "Padding.Same");
                var act = RecurrentActivationName(c, "activation", "tanh", name);
                if (act != "Tanh") l.Set("Activation", "RecurrentActivation." + act);
                var rec = RecurrentActivationName(c, "recurrent_activation", "sigmoid", name);
                if (rec != "Sigmoid") l.Set("RecurrentActivation", "RecurrentActivation." + rec);
                bool sequences = c.TryGetProperty("return_sequences", out var rs) && rs.ValueKind == JsonValueKind.True;
                if (sequences) l.Set("ReturnSequences", "true");
                if (c.TryGetProperty("go_backwards", out var gb) && gb.ValueKind == JsonValueKind.True) l.Set("GoBackwards", "true");
                if (c.TryGetProperty("dropout", out var dr) && dr.ValueKind == JsonValueKind.Number && dr.GetDouble() > 0) l.Set("Dropout", Invariant(dr.GetDouble()));
                if (c.TryGetProperty("recurrent_dropout", out var rd) && rd.ValueKind == JsonValueKind.Number && rd.GetDouble() > 0) l.Set("RecurrentDropout", Invariant(rd.GetDouble()));
                var outSpatial = new int[rank];
                for (int i = 0; i < rank; i++)
                {
                    int eff = (k[i] - 1) * dilation[i] + 1;
                    outSpatial[i] = padding == "same" ? (inShape[i + 1] + strides[i] - 1) / strides[i] : (inShape[i + 1] - eff) / strides[i] + 1;
                }
                if (outSpatial.Any(v => v <= 0))
                    throw new ImportException($"Layer '{name}' ({cls}): its kernel does not fit the input {TensorOps.ShapeText(inShape)}.");
                Weight("kernel", k.Append(inShape[rank + 1]).Append(4 * filters).ToArray());
                Weight("recurrent_kernel", k.Append(filters).Append(4 * filters).ToArray());
                if (useBias) Weight("bias", new[] { 4 * filters });
                outShape = (sequences ? new[] { inShape[0] } : System.Array.Empty<int>()).Concat(outSpatial).Append(filters).ToArray();
                break;
            }
            case "Masking":
                if (inShape.Length != 2) throw new ImportException($"Layer '{name}' (Masking) reads a tensor of shape {TensorOps.ShapeText(inShape)}; NetGen's Masking needs (steps, features).");
                if (c.TryGetProperty("mask_value", out var mvalue) && mvalue.ValueKind == JsonValueKind.Number && mvalue.GetDouble() != 0)
                    l.Set("MaskValue", Invariant(mvalue.GetDouble()));
                outShape = inShape;
                break;
            case "Dropout":
            case "SpatialDropout1D":
            case "SpatialDropout2D":
                l.Arguments.Add(Invariant(c.GetProperty("rate").GetDouble()));
                if (cls != "Dropout")
                    network.Notes.Add($"Layer '{name}' ({cls}) is declared as Dropout: while training NetGen drops single elements, not whole channels (Predict is unaffected).");
                else if (c.TryGetProperty("noise_shape", out var dns) && dns.ValueKind != JsonValueKind.Null)
                    network.Notes.Add($"Layer '{name}' (Dropout): noise_shape {Text(dns)} is not imported; NetGen drops single elements while training (Predict is unaffected).");
                outShape = inShape;
                break;
            case "Conv1D":
            case "Conv2D":
            case "Conv3D":
            case "DepthwiseConv2D":
            case "SeparableConv2D":
            case "Conv2DTranspose":
            {
                int spatial = cls == "Conv1D" ? 1 : cls == "Conv3D" ? 3 : 2;
                if (inShape.Length != spatial + 1) throw new ImportException($"Layer '{name}' ({cls}) reads a tensor of shape {TensorOps.ShapeText(inShape)}; it needs rank {spatial + 1}.");
                var k = Ints(c, "kernel_size", spatial);
                var strides = Ints(c, "strides", spatial);
                var dilation = Ints(c, "dilation_rate", spatial);
                string padding = c.TryGetProperty("padding", out var pd) ? pd.GetString()! : "valid";
                if (padding is not ("valid" or "same") && !(padding == "causal" && cls == "Conv1D"))
                    throw new ImportException($"Layer '{name}' ({cls}): padding '{padding}' is not supported (valid, same; causal for Conv1D).");
                if (c.TryGetProperty("groups", out var gr) && gr.GetInt32() != 1) throw new ImportException($"Layer '{name}' ({cls}) has groups = {gr.GetInt32()}; NetGen convolutions have no groups.");
                int cin = inShape[^1];
                int filters = c.TryGetProperty("filters", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetInt32() : 0;
                int multiplier = c.TryGetProperty("depth_multiplier", out var dm) ? dm.GetInt32() : 1;
                if (cls != "DepthwiseConv2D") l.Arguments.Add(Invariant(filters));
                l.Arguments.AddRange(k.Distinct().Count() == 1 ? new[] { Invariant(k[0]) } : k.Select(Invariant));
                if (multiplier != 1 && cls is "DepthwiseConv2D" or "SeparableConv2D") l.Set("DepthMultiplier", Invariant(multiplier));
                if (strides.Any(s => s != 1)) l.Set(strides.Distinct().Count() == 1 ? "Strides" : "StridesPerAxis", strides.Distinct().Count() == 1 ? Invariant(strides[0]) : "new[] { " + string.Join(", ", strides.Select(Invariant)) + " }");
                if (dilation.Any(s => s != 1)) l.Set(dilation.Distinct().Count() == 1 ? "DilationRate" : "DilationPerAxis", dilation.Distinct().Count() == 1 ? Invariant(dilation[0]) : "new[] { " + string.Join(", ", dilation.Select(Invariant)) + " }");
                if (padding == "same") l.Set("Padding", "Padding.Same");
                else if (padding == "causal") l.Set("Padding", "Padding.Causal");
                int outChannels = filters;
                var outSpatial = new int[spatial];
                if (cls == "Conv2DTranspose")
                {
                    var op = c.TryGetProperty("output_padding", out var opv) && opv.ValueKind == JsonValueKind.Array ? opv.EnumerateArray().Select(e => e.GetInt32()).ToArray() : null;
                    if (op is not null) l.Set(op.Distinct().Count() == 1 ? "OutputPadding" : "OutputPaddingPerAxis", op.Distinct().Count() == 1 ? Invariant(op[0]) : "new[] { " + string.Join(", ", op.Select(Invariant)) + " }");
                    for (int i = 0; i < spatial; i++)
                    {
                        int eff = (k[i] - 1) * dilation[i] + 1;
                        int p = op?[i] ?? -1;
                        outSpatial[i] = padding == "same"
                            ? (p < 0 ? inShape[i] * strides[i] : (inShape[i] - 1) * strides[i] + eff - 2 * ((eff - 1) / 2) + p)
                            : (p < 0 ? inShape[i] * strides[i] + Math.Max(eff - strides[i], 0) : (inShape[i] - 1) * strides[i] + eff + p);
                    }
                    SetActivation(l, c, name);
                    Weight("kernel", k.Concat(new[] { filters, cin }).ToArray());
                }
                else
                {
                    for (int i = 0; i < spatial; i++)
                    {
                        int eff = (k[i] - 1) * dilation[i] + 1;
                        outSpatial[i] = padding is "same" or "causal" ? (inShape[i] + strides[i] - 1) / strides[i] : (inShape[i] - eff) / strides[i] + 1;
                    }
                    SetActivation(l, c, name);
                    if (cls == "DepthwiseConv2D")
                    {
                        outChannels = cin * multiplier;
                        Weight("kernel", k.Concat(new[] { cin, multiplier }).ToArray());
                    }
                    else if (cls == "SeparableConv2D")
                    {
                        Weight("depthwise_kernel", k.Concat(new[] { cin, multiplier }).ToArray());
                        Weight("pointwise_kernel", new[] { 1, 1, cin * multiplier, filters });
                    }
                    else
                        Weight("kernel", k.Concat(new[] { cin, filters }).ToArray());
                }
                if (useBias) Weight("bias", new[] { outChannels });
                outShape = outSpatial.Append(outChannels).ToArray();
                break;
            }
            case "MaxPooling1D":
            case "MaxPooling2D":
            case "MaxPooling3D":
            case "AveragePooling1D":
            case "AveragePooling2D":
            case "AveragePooling3D":
            {
                int spatial = cls[^2] - '0';
                var pool = Ints(c, "pool_size", spatial);
                var strides = c.TryGetProperty("strides", out var st) && st.ValueKind != JsonValueKind.Null ? Ints(c, "strides", spatial) : pool;
                string padding = c.TryGetProperty("padding", out var pd) ? pd.GetString()! : "valid";
                if (padding is not ("valid" or "same")) throw new ImportException($"Layer '{name}' ({cls}): padding '{padding}' is not supported (valid, same).");
                if (!pool.All(v => v == 2)) l.Arguments.AddRange(pool.Distinct().Count() == 1 ? new[] { Invariant(pool[0]) } : pool.Select(Invariant));
                if (!strides.SequenceEqual(pool))
                    l.Set(strides.Distinct().Count() == 1 ? "Strides" : "StridesPerAxis", strides.Distinct().Count() == 1 ? Invariant(strides[0]) : "new[] { " + string.Join(", ", strides.Select(Invariant)) + " }");
                if (padding == "same") l.Set("Padding", "Padding.Same");
                outShape = Enumerable.Range(0, spatial).Select(i => padding == "same" ? (inShape[i] + strides[i] - 1) / strides[i] : (inShape[i] - pool[i]) / strides[i] + 1).Append(inShape[^1]).ToArray();
                break;
            }
            case "GlobalMaxPooling1D":
            case "GlobalMaxPooling2D":
            case "GlobalMaxPooling3D":
            case "GlobalAveragePooling1D":
            case "GlobalAveragePooling2D":
            case "GlobalAveragePooling3D":
            {
                bool keep = c.TryGetProperty("keepdims", out var kd) && kd.GetBoolean();
                if (keep) l.Set("KeepDims", "true");
                outShape = keep ? Enumerable.Repeat(1, inShape.Length - 1).Append(inShape[^1]).ToArray() : new[] { inShape[^1] };
                break;
            }
            case "ZeroPadding1D":
            case "ZeroPadding2D":
            case "ZeroPadding3D":
            case "Cropping1D":
            case "Cropping2D":
            case "Cropping3D":
            {
                int spatial = cls[^2] - '0';
                bool pad = cls.StartsWith("Zero", StringComparison.Ordinal);
                var amounts = Pairs(c.GetProperty(pad ? "padding" : "cropping"), spatial);
                l.Arguments.AddRange(amounts.SelectMany(p => new[] { p.Item1, p.Item2 }).Select(Invariant));
                outShape = inShape.ToArray();
                for (int i = 0; i < spatial; i++) outShape[i] += (pad ? 1 : -1) * (amounts[i].Item1 + amounts[i].Item2);
                break;
            }
            case "UpSampling1D":
            case "UpSampling2D":
            case "UpSampling3D":
            {
                int spatial = cls[^2] - '0';
                if (c.TryGetProperty("interpolation", out var ip) && ip.GetString() is { } mode && mode != "nearest")
                {
                    if (spatial != 2 || mode != "bilinear")
                        throw new ImportException($"Layer '{name}' ({cls}) uses '{mode}' interpolation; NetGen's UpSampling is nearest-neighbour, and UpSampling2D also bilinear.");
                    l.Set("Interpolation", "Interpolation.Bilinear");
                }
                var size = Ints(c, spatial == 1 ? "size" : "size", spatial);
                l.Arguments.AddRange(size.Distinct().Count() == 1 ? new[] { Invariant(size[0]) } : size.Select(Invariant));
                outShape = inShape.ToArray();
                for (int i = 0; i < spatial; i++) outShape[i] *= size[i];
                break;
            }
            case "Rescaling":
            {
                // x·scale + offset, per channel: exactly a frozen BatchNormalization with mean 0, variance 1 and a negligible
                // epsilon (sqrt(1 + 1e-30) is 1 in float and double), gamma = scale, beta = offset.
                int ch = inShape[^1];
                var scale = PerChannel(c, "scale", 1.0, ch, name);
                var offset = PerChannel(c, "offset", 0.0, ch, name);
                FrozenAffine(l, scale, offset, new float[ch], Enumerable.Repeat(1f, ch).ToArray(), -1);
                l.Sources.Clear();
                l.Sources.Add($"Rescaling '{name}' as a frozen BatchNormalization (gamma = scale, beta = offset)");
                outShape = inShape;
                break;
            }
            case "Normalization":
            {
                // (x − mean) / sqrt(variance), per feature of one axis: a frozen BatchNormalization (Keras divides by
                // max(sqrt(variance), 1e-7); the same unless a variance is below 1e-14). invert: x·sqrt(variance) + mean.
                var ax = c.TryGetProperty("axis", out var nax) ? nax : default;
                int axis = ax.ValueKind == JsonValueKind.Number ? ax.GetInt32()
                    : ax.ValueKind == JsonValueKind.Array && ax.GetArrayLength() == 1 ? ax[0].GetInt32()
                    : throw new ImportException($"Layer '{name}' (Normalization): axis = {(ax.ValueKind == JsonValueKind.Undefined ? "missing" : Text(ax))}; the importer maps one feature axis.");
                int rank = inShape.Length + 1;
                int a = axis < 0 ? axis + rank : axis;
                if (a < 1 || a >= rank) throw new ImportException($"Layer '{name}' (Normalization): axis {axis} is the batch axis or outside the input {TensorOps.ShapeText(inShape)}.");
                int ch = inShape[a - 1];
                float[] mean, variance;
                if (c.TryGetProperty("mean", out var cm) && cm.ValueKind != JsonValueKind.Null)
                {
                    mean = PerChannel(c, "mean", 0, ch, name).Select(v => (float)v).ToArray();
                    variance = PerChannel(c, "variance", 1, ch, name).Select(v => (float)v).ToArray();
                }
                else
                {
                    mean = Take("mean", new[] { ch }).Data;
                    variance = Take("variance", new[] { ch }).Data;
                    if (wi < w.Count && w[wi].Shape.Length == 0) wi++; // Keras 2's count
                }
                bool invert = c.TryGetProperty("invert", out var inv) && inv.ValueKind == JsonValueKind.True;
                var sd = variance.Select(v => Math.Max(Math.Sqrt(v), 1e-7)).ToArray();
                if (invert) FrozenAffine(l, sd, mean.Select(v => (double)v).ToArray(), new float[ch], Enumerable.Repeat(1f, ch).ToArray(), a - rank);
                else FrozenAffine(l, Enumerable.Repeat(1.0, ch).ToArray(), new double[ch], mean, sd.Select(v => (float)(v * v)).ToArray(), a - rank);
                l.Sources.Clear();
                l.Sources.Add($"Normalization '{name}'{(invert ? " (invert)" : "")} as a frozen BatchNormalization");
                outShape = inShape;
                break;
            }
            case "Embedding":
            {
                int inputDim = c.GetProperty("input_dim").GetInt32();
                int outputDim = c.GetProperty("output_dim").GetInt32();
                l.Arguments.Add(Invariant(inputDim));
                l.Arguments.Add(Invariant(outputDim));
                if (c.TryGetProperty("mask_zero", out var mz) && mz.ValueKind == JsonValueKind.True) l.Set("MaskZero", "true");
                // NetGen's Embedding reads token ids straight from an input declared TokenIds = true.
                var source = network.Layers.FirstOrDefault(x => x.Name == inputs[0]);
                if (source is not { Kind: "Input" })
                    throw new ImportException($"Layer '{name}' (Embedding) reads '{inputs[0]}'; NetGen's Embedding must read token ids straight from a model input.");
                source.Set("TokenIds", "true");
                Weight("embeddings", new[] { inputDim, outputDim });
                outShape = inShape.Append(outputDim).ToArray();
                break;
            }
            case "RepeatVector":
            {
                if (inShape.Length != 1) throw new ImportException($"Layer '{name}' (RepeatVector) reads a tensor of shape {TensorOps.ShapeText(inShape)}; it needs a flat (features) input.");
                int n = c.GetProperty("n").GetInt32();
                l.Arguments.Add(Invariant(n));
                outShape = new[] { n, inShape[0] };
                break;
            }
            case "Dot":
            {
                // Keras: axes (int or [a, b], counting the batch axis, negative from the end) and normalize.
                if (inputs.Length != 2) throw new ImportException($"Layer '{name}' (Dot) reads {inputs.Length} tensors; it takes two.");
                var a = shapes[inputs[0]];
                var b = shapes[inputs[1]];
                var ax = c.GetProperty("axes");
                var pair = ax.ValueKind == JsonValueKind.Number ? new[] { ax.GetInt32(), ax.GetInt32() } : ax.EnumerateArray().Select(e => e.GetInt32()).ToArray();
                if (pair.Length != 2) throw new ImportException($"Layer '{name}' (Dot): axes = {Text(ax)}; expected one axis or two.");
                int a0 = pair[0] < 0 ? pair[0] + a.Length + 1 : pair[0];
                int a1 = pair[1] < 0 ? pair[1] + b.Length + 1 : pair[1];
                if (a0 < 1 || a0 > a.Length || a1 < 1 || a1 > b.Length || a[a0 - 1] != b[a1 - 1])
                    throw new ImportException($"Layer '{name}' (Dot): axes {Text(ax)} do not pair {TensorOps.ShapeText(a)} with {TensorOps.ShapeText(b)}.");
                l.Arguments.AddRange(a0 == a1 ? new[] { Invariant(a0) } : new[] { Invariant(a0), Invariant(a1) });
                l.Arguments.AddRange(inputs.Select(DeclarationWriter.Quote));
                if (c.TryGetProperty("normalize", out var nz) && nz.ValueKind == JsonValueKind.True) l.Set("Normalize", "true");
                var rest = a.Where((_, i) => i != a0 - 1).Concat(b.Where((_, i) => i != a1 - 1)).ToArray();
                outShape = rest.Length == 0 ? new[] { 1 } : rest;
                break;
            }
            case "Attention":
            case "AdditiveAttention":
            {
                // Keras calls it on [query, value] or [query, value, key]; key defaults to value.
                if (inputs.Length is < 2 or > 3) throw new ImportException($"Layer '{name}' ({cls}) reads {inputs.Length} tensors; it takes query, value and an optional key.");
                var q = shapes[inputs[0]];
                var v = shapes[inputs[1]];
                bool additive = cls == "AdditiveAttention";
                bool useScale = c.TryGetProperty("use_scale", out var us) ? us.ValueKind == JsonValueKind.True : additive;
                if (useScale != additive) l.Set("UseScale", useScale ? "true" : "false");
                string mode = c.TryGetProperty("score_mode", out var sm) && sm.ValueKind == JsonValueKind.String ? sm.GetString()! : "dot";
                if (additive && mode != "dot" || mode is not ("dot" or "concat"))
                    throw new ImportException($"Layer '{name}' ({cls}): score_mode '{mode}' is not supported (dot, concat for Attention).");
                if (mode == "concat") l.Set("ScoreMode", "AttentionScore.Concat");
                bool causal = c.TryGetProperty("causal", out var ca) && ca.ValueKind == JsonValueKind.True; // Keras 2's config flag
                if (CallKwargs(layer) is { } kw)
                {
                    if (kw.TryGetProperty("use_causal_mask", out var uc) && uc.ValueKind == JsonValueKind.True) causal = true;
                    if (kw.TryGetProperty("return_attention_scores", out var r) && r.ValueKind == JsonValueKind.True)
                        throw new ImportException($"Layer '{name}' ({cls}) is called with return_attention_scores; the importer does not map the scores output.");
                }
                if (causal) l.Set("UseCausalMask", "true");
                if (c.TryGetProperty("dropout", out var dp) && dp.ValueKind == JsonValueKind.Number && dp.GetDouble() > 0) l.Set("Dropout", Invariant(dp.GetDouble()));
                if (useScale) Weight("scale", additive ? new[] { q[^1] } : Array.Empty<int>());
                if (mode == "concat") Weight("concat_score_weight", Array.Empty<int>());
                outShape = q.Take(q.Length - 1).Append(v[^1]).ToArray();
                break;
            }
            case "GroupNormalization":
            {
                int groups = c.TryGetProperty("groups", out var gg) ? gg.GetInt32() : 32;
                int axis = c.TryGetProperty("axis", out var gax) ? gax.GetInt32() : -1;
                int rank = inShape.Length + 1;
                if ((axis < 0 ? axis + rank : axis) != rank - 1) throw new ImportException($"Layer '{name}' (GroupNormalization): axis {axis}; NetGen's GroupNormalization groups the last axis.");
                int ch = inShape[^1];
                l.Arguments.Add(Invariant(groups));
                double eps = c.TryGetProperty("epsilon", out var ge) ? ge.GetDouble() : 1e-3;
                if (eps != 1e-3) l.Set("Epsilon", Invariant(eps));
                bool center = !c.TryGetProperty("center", out var gce) || gce.ValueKind != JsonValueKind.False;
                bool scale = !c.TryGetProperty("scale", out var gsc) || gsc.ValueKind != JsonValueKind.False;
                if (!center) l.Set("Center", "false");
                if (!scale) l.Set("Scale", "false");
                if (scale) Weight("gamma", new[] { ch });
                if (center) Weight("beta", new[] { ch });
                outShape = inShape;
                break;
            }
            case "BatchNormalization":
            case "LayerNormalization":
            {
                var axes = c.GetProperty("axis");
                int axis = axes.ValueKind == JsonValueKind.Array
                    ? (axes.GetArrayLength() == 1 ? axes[0].GetInt32() : throw new ImportException($"Layer '{name}' ({cls}) normalizes over several axes; NetGen normalizes one."))
                    : axes.GetInt32();
                int rank = inShape.Length + 1;
                int a = axis < 0 ? axis + rank : axis;
                if (a != rank - 1) l.Set("Axis", Invariant(a - rank));
                int ch = inShape[a - 1];
                double eps = c.GetProperty("epsilon").GetDouble();
                l.Set("Epsilon", Invariant(eps));
                bool center = !c.TryGetProperty("center", out var ce) || ce.GetBoolean();
                bool scale = !c.TryGetProperty("scale", out var sc) || sc.GetBoolean();
                if (!center) l.Set("Center", "false");
                if (!scale) l.Set("Scale", "false");
                if (cls == "BatchNormalization" && c.TryGetProperty("momentum", out var mo) && Math.Abs(mo.GetDouble() - 0.99) > 1e-12) l.Set("Momentum", Invariant(mo.GetDouble()));
                if (scale) Weight("gamma", new[] { ch });
                if (center) Weight("beta", new[] { ch });
                if (cls == "BatchNormalization")
                {
                    State("moving_mean", new[] { ch });
                    State("moving_variance", new[] { ch });
                }
                outShape = inShape;
                break;
            }
            case "MultiHeadAttention":
            {
                // Keras calls it as mha(query, value[, key]); key defaults to value.
                if (inputs.Length is < 1 or > 3) throw new ImportException($"Layer '{name}' (MultiHeadAttention) reads {inputs.Length} tensors; it takes query, value and an optional key.");
                var q = shapes[inputs[0]];
                var v = shapes[inputs.Length > 1 ? inputs[1] : inputs[0]];
                var k = shapes[inputs.Length > 2 ? inputs[2] : inputs.Length > 1 ? inputs[1] : inputs[0]];
                if (c.TryGetProperty("attention_axes", out var aa) && aa.ValueKind == JsonValueKind.Array
                    && !(aa.GetArrayLength() == 1 && (aa[0].GetInt32() == q.Length - 1 || aa[0].GetInt32() == -2) && q.Length == 2))
                    throw new ImportException($"Layer '{name}' (MultiHeadAttention) sets attention_axes; the importer maps the default (the axes before the features) only.");
                if (CallKwargs(layer) is { } kw)
                {
                    if (kw.TryGetProperty("return_attention_scores", out var r) && r.ValueKind is not (JsonValueKind.Null or JsonValueKind.False))
                        throw new ImportException($"Layer '{name}' (MultiHeadAttention) is called with return_attention_scores; the importer does not map the scores output.");
                    if (kw.TryGetProperty("use_causal_mask", out var causal) && causal.ValueKind == JsonValueKind.True) l.Set("UseCausalMask", "true");
                    // attention_mask=tensor: the layer that computes it becomes AttentionMask (the generator checks its shape).
                    if (kw.TryGetProperty("attention_mask", out var am) && am.ValueKind is not (JsonValueKind.Null or JsonValueKind.False))
                    {
                        var mask = TensorLayer(am) ?? throw new ImportException($"Layer '{name}' (MultiHeadAttention) is called with an attention_mask that is not a tensor of the model.");
                        l.Set("AttentionMask", DeclarationWriter.Quote(mask));
                        l.Reads.Add(mask);
                    }
                }
                int heads = c.GetProperty("num_heads").GetInt32();
                int keyDim = c.GetProperty("key_dim").GetInt32();
                int valueDim = c.TryGetProperty("value_dim", out var vd) && vd.ValueKind == JsonValueKind.Number ? vd.GetInt32() : keyDim;
                int outDim = q[^1];
                if (c.TryGetProperty("output_shape", out var os) && os.ValueKind != JsonValueKind.Null)
                {
                    var dims = os.ValueKind == JsonValueKind.Array ? os.EnumerateArray().Select(e => e.GetInt32()).ToArray() : new[] { os.GetInt32() };
                    if (dims.Length != 1) throw new ImportException($"Layer '{name}' (MultiHeadAttention) has output_shape {TensorOps.ShapeText(dims)}; NetGen's output_shape is one size.");
                    outDim = dims[0];
                }
                l.Arguments.Add(Invariant(heads));
                l.Arguments.Add(Invariant(keyDim));
                if (valueDim != keyDim) l.Set("ValueDim", Invariant(valueDim));
                if (outDim != q[^1]) l.Set("OutputShape", Invariant(outDim));
                if (c.TryGetProperty("dropout", out var dp) && dp.ValueKind == JsonValueKind.Number && dp.GetDouble() > 0) l.Set("Dropout", Invariant(dp.GetDouble()));
                // Self-attention (query = value = key) reads one tensor.
                if (inputs.All(i => i == inputs[0])) l.Inputs = new List<string> { inputs[0] };
                foreach (var (proj, shape, dim) in new[] { ("query", q, keyDim), ("key", k, keyDim), ("value", v, valueDim) })
                {
                    Weight(proj + "/kernel", new[] { shape[^1], heads, dim });
                    if (useBias) Weight(proj + "/bias", new[] { heads, dim });
                }
                Weight("attention_output/kernel", new[] { heads, valueDim, outDim });
                if (useBias) Weight("attention_output/bias", new[] { outDim });
                outShape = q.Take(q.Length - 1).Append(outDim).ToArray();
                break;
            }
            case "Concatenate":
            {
                int axis = c.TryGetProperty("axis", out var ax) ? ax.GetInt32() : -1;
                int rank = inShape.Length + 1;
                int a = axis < 0 ? axis + rank : axis;
                if (axis != -1) l.Set("Axis", Invariant(a - rank));
                outShape = inShape.ToArray();
                outShape[a - 1] = inputs.Sum(i => shapes[i][a - 1]);
                break;
            }
            default: // the element-wise merges
                outShape = BroadcastShape(inputs.Select(i => shapes[i]).ToList())
                    ?? throw new ImportException($"Layer '{name}' ({cls}) merges shapes {string.Join(" and ", inputs.Select(n => TensorOps.ShapeText(shapes[n])))}; "
                        + "NetGen broadcasts inputs of one rank whose sizes of 1 are widened along one run of axes only.");
                break;
        }
        if (wi != w.Count)
            throw new ImportException($"Layer '{name}' ({cls}) has {w.Count} weights in the file, but its configuration uses {wi}.");
        // trainable = false freezes the weights (and makes BatchNormalization use its moving statistics while training).
        if (wi > 0 && c.TryGetProperty("trainable", out var tr) && tr.ValueKind == JsonValueKind.False) l.Set("Trainable", "false");
        l.OutputShape = outShape;
        if (outShape.Any(d => d <= 0)) throw new ImportException($"Layer '{name}' ({cls}) gives the empty shape {TensorOps.ShapeText(outShape)} for input {TensorOps.ShapeText(inShape)}.");
        shapes[name] = outShape;
        network.Layers.Add(l);
        return l;
    }

    /// <summary>A frozen BatchNormalization computing <c>(x − mean)·gamma/sqrt(variance + 1e-30) + beta</c> over one axis.</summary>
    private static void FrozenAffine(ImportedLayer l, double[] gamma, double[] beta, float[] mean, float[] variance, int axis)
    {
        int ch = gamma.Length;
        if (axis != -1) l.Set("Axis", Invariant(axis));
        l.Set("Epsilon", "1E-30");
        l.Set("Trainable", "false");
        l.AddWeight("gamma", new[] { ch }, gamma.Select(v => (float)v).ToArray());
        l.AddWeight("beta", new[] { ch }, beta.Select(v => (float)v).ToArray());
        l.AddState("moving_mean", new[] { ch }, mean);
        l.AddState("moving_variance", new[] { ch }, variance);
    }

    /// <summary>A config field that is one number or one per channel.</summary>
    private static double[] PerChannel(JsonElement c, string key, double fallback, int channels, string layer)
    {
        if (!c.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return Enumerable.Repeat(fallback, channels).ToArray();
        if (v.ValueKind == JsonValueKind.Number) return Enumerable.Repeat(v.GetDouble(), channels).ToArray();
        var list = v.ValueKind == JsonValueKind.Array ? Flat(v).ToArray() : throw new ImportException($"Layer '{layer}': {key} = {Text(v)} is not a number or a list.");
        if (list.Length == 1) return Enumerable.Repeat(list[0], channels).ToArray();
        if (list.Length != channels) throw new ImportException($"Layer '{layer}': {key} has {list.Length} values; the input has {channels} channels on the axis.");
        return list;

        static IEnumerable<double> Flat(JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flat) : new[] { e.GetDouble() };
    }

    private static int[] Ints(JsonElement c, string key, int count)
    {
        var v = c.GetProperty(key);
        if (v.ValueKind == JsonValueKind.Number) return Enumerable.Repeat(v.GetInt32(), count).ToArray();
        var list = v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return list.Length == count ? list : throw new ImportException($"'{key}' has {list.Length} values; expected {count}.");
    }

    private static (int, int)[] Pairs(JsonElement v, int spatial)
    {
        if (v.ValueKind == JsonValueKind.Number) return Enumerable.Repeat((v.GetInt32(), v.GetInt32()), spatial).ToArray();
        var items = v.EnumerateArray().ToArray();
        if (spatial == 1 && items.All(i => i.ValueKind == JsonValueKind.Number)) return new[] { (items[0].GetInt32(), items[^1].GetInt32()) };
        return items.Select(i => i.ValueKind == JsonValueKind.Number ? (i.GetInt32(), i.GetInt32()) : (i[0].GetInt32(), i[1].GetInt32())).ToArray();
    }

    private static void SetActivation(ImportedLayer l, JsonElement c, string name)
    {
        if (!c.TryGetProperty("activation", out var a) || a.ValueKind == JsonValueKind.Null) return;
        var mapped = ActivationName(ActivationKey(a, name), name);
        if (mapped != "Linear") l.Set("Activation", "Activation." + mapped);
    }

    /// <summary>
    /// An activation's name as Keras serializes it: a string (<c>"relu"</c>), a Keras 3 function object (<c>{"module":
    /// "keras.activations", "class_name": "function", "config": "relu", ...}</c>) or an object with <c>config.name</c>.
    /// </summary>
    private static string ActivationKey(JsonElement a, string layer)
    {
        // TensorFlow.js writes its own class names for some: hardSigmoid, logSoftmax, gelu_new (GELU's tanh form).
        if (a.ValueKind == JsonValueKind.String)
            return a.GetString() switch { "hardSigmoid" => "hard_sigmoid", "logSoftmax" => "log_softmax", "gelu_new" => "gelu_tanh", var n => n! };
        if (a.ValueKind == JsonValueKind.Null) return "linear";
        // A layer object as activation (Dense(activation=ELU(alpha=0.5))) carries parameters; its config name is only its layer name.
        if (a.ValueKind == JsonValueKind.Object && a.TryGetProperty("class_name", out var acls) && acls.ValueKind == JsonValueKind.String
            && acls.GetString() is { Length: > 0 } acn && char.IsUpper(acn[0]))
            throw new ImportException($"Layer '{layer}': its activation is a layer object, {acn} {Text(a)}; the importer maps activation names "
                + "(use a separate activation layer in Keras).");
        if (a.ValueKind == JsonValueKind.Object && a.TryGetProperty("config", out var ac))
        {
            if (ac.ValueKind == JsonValueKind.String) return ac.GetString()!;
            if (ac.ValueKind == JsonValueKind.Object && ac.TryGetProperty("name", out var an) && an.ValueKind == JsonValueKind.String) return an.GetString()!;
        }
        throw new ImportException($"Layer '{layer}': activation {Text(a)} is not a Keras built-in activation the importer can read.");
    }

    private static bool IsPlainRelu(JsonElement c)
        => !(c.TryGetProperty("max_value", out var mv) && mv.ValueKind == JsonValueKind.Number)
            && !(c.TryGetProperty("negative_slope", out var ns) && ns.ValueKind == JsonValueKind.Number && ns.GetDouble() != 0)
            && !(c.TryGetProperty("threshold", out var th) && th.ValueKind == JsonValueKind.Number && th.GetDouble() != 0);

    private static int SoftmaxAxis(JsonElement c)
    {
        if (!c.TryGetProperty("axis", out var sa) || sa.ValueKind == JsonValueKind.Null) return -1;
        if (sa.ValueKind == JsonValueKind.Number) return sa.GetInt32();
        if (sa.ValueKind == JsonValueKind.Array && sa.GetArrayLength() == 1) return sa[0].GetInt32();
        throw new ImportException($"Softmax over the axes {Text(sa)}: NetGen's Softmax normalizes over one axis.");
    }

    private static string RecurrentActivationName(JsonElement c, string property, string fallback, string layer)
    {
        string keras = !c.TryGetProperty(property, out var a) ? fallback : ActivationKey(a, layer);
        return keras switch
        {
            "tanh" => "Tanh",
            "sigmoid" => "Sigmoid",
            "relu" => "Relu",
            "linear" => "Linear",
            // Keras 1/2 and TensorFlow.js: clip(0.2·x + 0.5, 0, 1); Keras 3: clip(x/6 + 0.5, 0, 1).
            "hard_sigmoid" => s_keras2HardSigmoid ? "HardSigmoidKeras2" : "HardSigmoid",
            _ => throw new ImportException($"Layer '{layer}': {property} '{keras}' is not supported by NetGen's recurrent layers (tanh, sigmoid, relu, linear, hard_sigmoid)."),
        };
    }

    private static string ActivationName(string keras, string layer) => keras switch
    {
        "linear" => "Linear",
        "relu" => "Relu",
        "sigmoid" => "Sigmoid",
        "tanh" => "Tanh",
        "softmax" => "Softmax",
        "leaky_relu" => "LeakyRelu",
        "elu" => "Elu",
        "selu" => "Selu",
        "swish" or "silu" => "Swish",
        "softplus" => "Softplus",
        "gelu" => "Gelu",
        "gelu_tanh" => "GeluTanh",
        "exponential" => "Exponential",
        "hard_silu" or "hard_swish" => "HardSilu",
        "softsign" => "Softsign",
        "relu6" => "Relu6",
        "mish" => "Mish",
        "log_softmax" => "LogSoftmax",
        // Keras 3's hard_sigmoid is relu6(x + 3)/6, NetGen's HardSigmoid; Keras 2 and tfjs files mean 0.2·x + 0.5, which
        // NetGen has only as a recurrent activation.
        "hard_sigmoid" when !s_keras2HardSigmoid => "HardSigmoid",
        "hard_sigmoid" => throw new ImportException($"Layer '{layer}': activation 'hard_sigmoid' of a Keras 2 / TensorFlow.js file means clip(0.2·x + 0.5, 0, 1), "
            + "which NetGen has as a recurrent activation only (Activation.HardSigmoid is Keras 3's clip(x/6 + 0.5, 0, 1))."),
        _ => throw new ImportException($"Layer '{layer}': activation '{keras}' is not supported (linear, relu, sigmoid, tanh, softmax, leaky_relu, elu, selu, swish, silu, softplus, gelu, exponential, hard_sigmoid, hard_silu, softsign, relu6, mish, log_softmax)."),
    };

    /// <summary>
    /// The shape of an element-wise merge of <paramref name="inputs"/> as NetGen's merge layers broadcast them (one rank;
    /// per axis one size or 1; each input's widened axes one run), or null.
    /// </summary>
    private static int[]? BroadcastShape(IReadOnlyList<int[]> inputs)
    {
        int rank = inputs[0].Length;
        if (inputs.Any(x => x.Length != rank)) return null;
        var output = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            output[d] = inputs.Max(x => x[d]);
            if (inputs.Any(x => x[d] != output[d] && x[d] != 1)) return null;
        }
        foreach (var x in inputs)
        {
            int first = -1, last = -1;
            for (int d = 0; d < rank; d++)
                if (x[d] != output[d]) { if (first < 0) first = d; last = d; }
            for (int d = first; first >= 0 && d <= last; d++)
                if (x[d] != 1) return null;
        }
        return output;
    }
}
