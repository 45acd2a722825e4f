using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Cli.Model;
using Onnx;
using static NetGen.Cli.Model.DeclarationWriter;

namespace NetGen.Cli.Import;

/// <summary>
/// ONNX LSTM, GRU and RNN nodes as PyTorch's exporter writes them for <c>nn.LSTM/GRU/RNN(batch_first=True)</c>: the
/// batch-first input is transposed to ONNX's time-major (steps, batch, features), the node outputs Y (steps, directions,
/// batch, units), and Squeeze (one direction) or Transpose + Reshape (two) and a Transpose bring it back to (batch,
/// steps, directions·units). NetGen's recurrent layers are batch-first, so these views are tracked as
/// <see cref="Sequence"/> bookkeeping, never as layers. Reading only the last step (<c>out[:, -1, :]</c> or
/// <c>h_n[-1]</c>) of a one-direction node makes the layer return its last output; any other step is a
/// <c>Cropping1D</c> + <c>Flatten</c>. Zero initial states (the exporter's ConstantOfShape chains) are dropped.
/// </summary>
internal sealed partial class OnnxImporter
{
    private enum SequenceKind
    {
        /// <summary>(steps, batch, features): the transpose of the batch-first <see cref="Sequence.BatchFirst"/>.</summary>
        TimeMajor,

        /// <summary>A recurrent node's Y: (steps, directions, batch, units).</summary>
        NodeOutput,

        /// <summary>Y transposed to (steps, batch, directions, units), before the Reshape that merges the last two axes.</summary>
        DirectionsLast,
    }

    /// <summary>A view of a sequence that NetGen holds batch-first as <see cref="BatchFirst"/> (steps, features).</summary>
    private sealed record Sequence(SequenceKind Kind, Value BatchFirst, int Directions);

    private readonly Dictionary<string, Sequence> _sequences = new(StringComparer.Ordinal);
    private readonly HashSet<string> _zeroStateTensors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recurrentNotes = new(StringComparer.Ordinal);

    private static readonly string[] RecurrentOperators = { "LSTM", "GRU", "RNN" };

    // ---------------------------------------------------------------- zero initial states

    /// <summary>
    /// The nodes that only compute zero initial states of recurrent nodes: a ConstantOfShape of zeros (and Slices,
    /// Expands, reshapes of it), and every node that only feeds those (the Shape → Gather → Unsqueeze → Concat chain
    /// that reads the batch size).
    /// </summary>
    private static HashSet<NodeProto> ZeroStateNodes(GraphProto graph)
    {
        var zero = new HashSet<NodeProto>();
        if (!graph.Node.Any(n => RecurrentOperators.Contains(n.OpType))) return zero;
        var producer = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var n in graph.Node)
        {
            foreach (var o in n.Output) producer[o] = n;
            foreach (var i in n.Input)
            {
                if (i.Length == 0) continue;
                if (!consumers.TryGetValue(i, out var list)) consumers[i] = list = new List<NodeProto>();
                list.Add(n);
            }
        }
        bool IsZero(string tensor, int depth)
        {
            if (depth > 8 || !producer.TryGetValue(tensor, out var n)) return false;
            bool result = n.OpType switch
            {
                "ConstantOfShape" => n.Attribute.FirstOrDefault(a => a.Name == "value")?.T is not { } t || ToConstant(t).Floats.All(f => f == 0f),
                "Slice" or "Identity" or "Squeeze" or "Unsqueeze" or "Reshape" or "Expand" or "Cast" or "Gather" or "Transpose" => IsZero(n.Input[0], depth + 1),
                _ => false,
            };
            if (result) zero.Add(n);
            return result;
        }
        foreach (var n in graph.Node.Where(n => RecurrentOperators.Contains(n.OpType)))
            for (int i = 5; i <= 6 && i < n.Input.Count; i++)
                if (n.Input[i].Length > 0) IsZero(n.Input[i], 0);
        if (zero.Count == 0) return zero;
        var outputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        for (int k = graph.Node.Count - 1; k >= 0; k--)
        {
            var n = graph.Node[k];
            if (zero.Contains(n) || RecurrentOperators.Contains(n.OpType)) continue;
            if (n.Output.All(o => !outputs.Contains(o) && consumers.TryGetValue(o, out var users) && users.All(zero.Contains)))
                zero.Add(n);
        }
        return zero;
    }

    // ---------------------------------------------------------------- the node

    private void MapRecurrent(NodeProto node, string kind, int gateCount)
    {
        string op = node.OpType;
        if (!_sequences.TryGetValue(node.Input[0], out var xs) || xs.Kind != SequenceKind.TimeMajor)
            throw Unsupported(node, "its input X must be the (steps, batch, features) transpose of a batch-first sequence (nn.LSTM/GRU/RNN with batch_first=True) "
                + "or the output of the recurrent node before it");
        var x = WithLayout(xs.BatchFirst, TensorOps.Identity(2), $"'{NodeName(node)}'");
        int steps = x.Shape[0], features = x.Shape[1];

        string direction = AttrString(node, "direction", "forward");
        int dirs = direction switch
        {
            "forward" => 1,
            "bidirectional" => 2,
            _ => throw Unsupported(node, $"direction '{direction}' (NetGen maps 'forward' and 'bidirectional')"),
        };
        if (AttrInt(node, "layout", 0) != 0) throw Unsupported(node, "layout = 1 (batch-major X and Y); PyTorch's exporter writes layout 0");
        if (Attr(node, "clip") is not null) throw Unsupported(node, "a cell clip threshold ('clip'), which NetGen's recurrent layers do not have");
        if (AttrInt(node, "input_forget", 0) != 0) throw Unsupported(node, "input_forget = 1 (coupled input and forget gates)");
        if (Attr(node, "activation_alpha") is { Floats.Count: > 0 } || Attr(node, "activation_beta") is { Floats.Count: > 0 })
            throw Unsupported(node, "activation_alpha/activation_beta (parameterised activations)");
        string activation = RecurrentActivations(node, op, dirs);
        int units = (int)AttrInt(node, "hidden_size", 0);

        var w = Const(node, 1, "weight W");
        var r = Const(node, 2, "recurrence weight R");
        int g = gateCount * units;
        if (units <= 0 || !w.Dims.SequenceEqual(new[] { dirs, g, features }))
            throw Unsupported(node, $"W of shape {TensorOps.ShapeText(w.Dims)} where hidden_size {units}, {dirs} direction(s) and {features} input features need ({dirs}, {g}, {features})");
        if (!r.Dims.SequenceEqual(new[] { dirs, g, units }))
            throw Unsupported(node, $"R of shape {TensorOps.ShapeText(r.Dims)}; expected ({dirs}, {g}, {units})");
        Constant? b = null;
        if (node.Input.Count > 3 && node.Input[3].Length > 0)
        {
            b = Const(node, 3, "bias B");
            if (!b.Dims.SequenceEqual(new[] { dirs, 2 * g })) throw Unsupported(node, $"B of shape {TensorOps.ShapeText(b.Dims)}; expected ({dirs}, {2 * g})");
        }
        if (node.Input.Count > 4 && node.Input[4].Length > 0)
            throw Unsupported(node, "sequence_lens (per-sample lengths, a packed sequence): NetGen's recurrent layers run every step; pad and use [Masking] instead");
        CheckZeroState(node, 5, "initial hidden state initial_h (h0)");
        if (op == "LSTM")
        {
            CheckZeroState(node, 6, "initial cell state initial_c (c0)");
            if (node.Input.Count > 7 && node.Input[7].Length > 0) throw Unsupported(node, "peephole weights P, which NetGen's LSTM does not have");
        }
        bool linearBeforeReset = op == "GRU" && AttrInt(node, "linear_before_reset", 0) != 0;

        // Which outputs are read, and how.
        string y = node.Output.Count > 0 ? node.Output[0] : "";
        string yh = node.Output.Count > 1 ? node.Output[1] : "";
        string yc = node.Output.Count > 2 ? node.Output[2] : "";
        if (yc.Length > 0 && (_consumers.ContainsKey(yc) || _graphOutputs.Contains(yc)))
            throw Unsupported(node, "the final cell state Y_c (c_n) is read; NetGen's import maps the output sequence Y and, for one direction, the final hidden state h_n");
        var hiddenReaders = new List<NodeProto>();
        if (yh.Length > 0 && (_consumers.ContainsKey(yh) || _graphOutputs.Contains(yh)))
        {
            if (dirs != 1) throw Unsupported(node, "the final hidden states Y_h (h_n) of a bidirectional node are read; read the output sequence (out[:, -1, :]) instead");
            if (_graphOutputs.Contains(yh)) throw Unsupported(node, "its final hidden state Y_h (h_n) is a graph output; return h_n[-1] or out[:, -1, :] instead");
            foreach (var reader in _consumerNodes[yh])
            {
                if (!IsLastHiddenReader(reader))
                    throw Unsupported(node, $"its final hidden state Y_h is read by '{NodeName(reader)}' ({reader.OpType}); NetGen maps h_n[-1] (Gather at 0 or -1, or Squeeze of axis 0)");
                hiddenReaders.Add(reader);
            }
        }
        bool yRead = y.Length > 0 && (_consumers.ContainsKey(y) || _graphOutputs.Contains(y));
        var lastStep = yRead && dirs == 1 ? LastStepChain(y, steps) : null;
        bool lastOnly = dirs == 1 && (!yRead || lastStep is not null);

        var layer = NewLayer(kind, node, x);
        layer.Arguments.Add(Invariant(units));
        if (activation != "Tanh") layer.Set("Activation", "RecurrentActivation." + activation);
        if (!lastOnly) layer.Set("ReturnSequences", "true");
        if (op == "GRU" && !linearBeforeReset) layer.Set("ResetAfter", "false");
        if (dirs == 2) layer.Set("Bidirectional", "BidirectionalMerge.Concat");
        if (b is null) layer.Set("UseBias", "false");
        AddRecurrentWeights(layer, op, units, features, dirs, w, r, b, linearBeforeReset);
        NoteRecurrent(op, linearBeforeReset);

        if (lastOnly)
        {
            var last = new Value { Layer = layer.Name, Shape = new[] { units }, Perm = new[] { 0 } };
            layer.OutputShape = last.NetGenShape;
            _done.Add(node);
            foreach (var n in lastStep ?? new List<NodeProto>())
            {
                _done.Add(n);
                if (n.OpType == "Gather") _values[n.Output[0]] = last;
            }
            foreach (var n in hiddenReaders) Alias(n, n.Output[0], last);
            return;
        }
        var sequence = new Value { Layer = layer.Name, Shape = new[] { steps, dirs * units }, Perm = TensorOps.Identity(2) };
        layer.OutputShape = sequence.NetGenShape;
        _done.Add(node);
        if (y.Length > 0) _sequences[y] = new Sequence(SequenceKind.NodeOutput, sequence, dirs);
        // h_n[-1] next to a sequence that is read otherwise: the sequence's last step.
        if (hiddenReaders.Count > 0)
        {
            var last = SelectStep(hiddenReaders[0], sequence, steps - 1);
            foreach (var n in hiddenReaders)
            {
                _values[n.Output[0]] = last;
                _done.Add(n);
            }
        }
    }

    /// <summary>Keras' activation name for the node's activations; only the defaults map (RNN: Tanh or Relu).</summary>
    private string RecurrentActivations(NodeProto node, string op, int dirs)
    {
        var given = Attr(node, "activations")?.Strings.Select(s => s.ToStringUtf8()).ToArray();
        string[] defaults = op switch { "LSTM" => new[] { "Sigmoid", "Tanh", "Tanh" }, "GRU" => new[] { "Sigmoid", "Tanh" }, _ => new[] { "Tanh" } };
        if (given is null || given.Length == 0) return "Tanh";
        if (op == "RNN" && given.Length == dirs && given.All(a => string.Equals(a, given[0], StringComparison.OrdinalIgnoreCase))
            && (string.Equals(given[0], "Tanh", StringComparison.OrdinalIgnoreCase) || string.Equals(given[0], "Relu", StringComparison.OrdinalIgnoreCase)))
            return string.Equals(given[0], "Relu", StringComparison.OrdinalIgnoreCase) ? "Relu" : "Tanh";
        var expected = Enumerable.Range(0, dirs).SelectMany(_ => defaults).ToArray();
        if (given.Length != expected.Length || !given.Zip(expected, (a, e) => string.Equals(a, e, StringComparison.OrdinalIgnoreCase)).All(ok => ok))
            throw Unsupported(node, $"activations [{string.Join(", ", given)}]; NetGen maps the defaults [{string.Join(", ", expected)}]"
                + (op == "RNN" ? " and Relu (PyTorch's nonlinearity='relu')" : ""));
        return "Tanh";
    }

    private void CheckZeroState(NodeProto node, int index, string what)
    {
        if (index >= node.Input.Count || node.Input[index].Length == 0) return;
        string name = node.Input[index];
        if (_zeroStateTensors.Contains(name)) return;
        if (_constants.TryGetValue(name, out var c))
        {
            if (c.Floats.All(f => f == 0f)) return;
            throw Unsupported(node, $"its {what} '{name}' is a non-zero constant; NetGen's recurrent layers start every sequence from zeros");
        }
        throw Unsupported(node, $"its {what} '{name}' is a graph input or computed by the network; NetGen's recurrent layers start every sequence from zeros "
            + "(call the module without (h0, c0) before exporting)");
    }

    /// <summary>ONNX W (dirs, G·units, in), R (dirs, G·units, units), B (dirs, 2·G·units) → Keras kernel, recurrent_kernel, bias per direction.</summary>
    private static void AddRecurrentWeights(ImportedLayer layer, string op, int units, int features, int dirs, Constant w, Constant r, Constant? b, bool linearBeforeReset)
    {
        // Keras gate block k comes from ONNX block order[k]: LSTM Keras i, f, c, o from ONNX i, o, f, c; GRU z, r, h from z, r, h.
        int[] order = op switch { "LSTM" => new[] { 0, 2, 3, 1 }, "GRU" => new[] { 0, 1, 2 }, _ => new[] { 0 } };
        int gates = order.Length, g = gates * units;
        string stem = op switch { "LSTM" => "lstm", "GRU" => "gru", _ => "simple_rnn" };
        for (int d = 0; d < dirs; d++)
        {
            string prefix = dirs == 1 ? "" : (d == 0 ? "forward_" : "backward_") + stem + "/";
            layer.AddWeight(prefix + "kernel", new[] { features, g }, TransposeGates(w.Floats, d * g * features, features, units, order));
            layer.AddWeight(prefix + "recurrent_kernel", new[] { units, g }, TransposeGates(r.Floats, d * g * units, units, units, order));
            if (b is null) continue;
            int at = d * 2 * g;
            if (op == "GRU" && linearBeforeReset)
            {
                // Keras reset_after bias (2, 3·units): row 0 the input bias Wb, row 1 the recurrent bias Rb (ONNX's order already).
                var bias = new float[2 * g];
                Array.Copy(b.Floats, at, bias, 0, 2 * g);
                layer.AddWeight(prefix + "bias", new[] { 2, g }, bias);
            }
            else
            {
                // One bias: Wb + Rb (the recurrent bias is added outside the reset gate's product in GRU's linear_before_reset = 0 form too).
                var bias = new float[g];
                for (int k = 0; k < gates; k++)
                    for (int u = 0; u < units; u++)
                        bias[k * units + u] = b.Floats[at + order[k] * units + u] + b.Floats[at + g + order[k] * units + u];
                layer.AddWeight(prefix + "bias", new[] { g }, bias);
            }
        }
    }

    /// <summary>Rows (G·units, cols) of one direction starting at <paramref name="offset"/> → (cols, G·units) with gate blocks reordered.</summary>
    private static float[] TransposeGates(float[] source, int offset, int cols, int units, int[] order)
    {
        int g = order.Length * units;
        var result = new float[cols * g];
        for (int k = 0; k < order.Length; k++)
            for (int u = 0; u < units; u++)
            {
                int row = offset + (order[k] * units + u) * cols;
                for (int j = 0; j < cols; j++) result[j * g + k * units + u] = source[row + j];
            }
        return result;
    }

    private void NoteRecurrent(string op, bool linearBeforeReset)
    {
        string note = op switch
        {
            "LSTM" => "LSTM: ONNX gate blocks i, o, f, c were reordered to Keras' i, f, c, o; W and R transposed to kernel and recurrent_kernel; the input and recurrent biases summed.",
            "GRU" when linearBeforeReset => "GRU: linear_before_reset = 1 is Keras' reset_after = true; W and R transposed (gate order z, r, h in both); bias rows are ONNX's Wb and Rb.",
            "GRU" => "GRU: linear_before_reset = 0 is Keras' reset_after = false; W and R transposed (gate order z, r, h in both); the two biases summed.",
            _ => "RNN: W and R transposed to kernel and recurrent_kernel; the input and recurrent biases summed.",
        };
        if (_recurrentNotes.Add(note)) _network.Notes.Add(note);
    }

    // ---------------------------------------------------------------- the patterns around it

    /// <summary>Y → Squeeze(axis 1) → Transpose(1, 0, 2) → Gather(axis 1, last step), each read once: the nodes, or null.</summary>
    private List<NodeProto>? LastStepChain(string y, int steps)
    {
        if (Single(y) is not { OpType: "Squeeze" } squeeze || !SqueezesAxis(squeeze, 1)) return null;
        if (Single(squeeze.Output[0]) is not { OpType: "Transpose" } transpose || !IsPerm(transpose, 1, 0, 2)) return null;
        if (Single(transpose.Output[0]) is not { OpType: "Gather" } gather || AttrInt(gather, "axis", 0) != 1) return null;
        if (TryConst(gather, 1) is not { Dims.Length: 0 } index || (index.IntValues[0] != -1 && index.IntValues[0] != steps - 1)) return null;
        return new List<NodeProto> { squeeze, transpose, gather };
    }

    /// <summary>h_n[-1] of a one-direction node: Gather(axis 0, index 0 or -1) or Squeeze(axis 0) of Y_h (1, batch, units).</summary>
    private bool IsLastHiddenReader(NodeProto reader)
    {
        if (reader.OpType == "Squeeze") return SqueezesAxis(reader, 0);
        return reader.OpType == "Gather" && reader.Input.Count > 1 && AttrInt(reader, "axis", 0) == 0
            && TryConst(reader, 1) is { Dims.Length: 0 } index && index.IntValues[0] is 0 or -1;
    }

    private bool SqueezesAxis(NodeProto squeeze, int axis)
        => (AttrInts(squeeze, "axes") ?? TryConst(squeeze, 1)?.IntValues) is { Length: 1 } axes && axes[0] == axis;

    private static bool IsPerm(NodeProto transpose, params long[] perm) => AttrInts(transpose, "perm") is { } p && p.SequenceEqual(perm);

    private bool TrySequenceTranspose(NodeProto node)
    {
        string input = node.Input[0], output = node.Output[0];
        if (_sequences.TryGetValue(input, out var s))
        {
            if (s.Kind == SequenceKind.TimeMajor && IsPerm(node, 1, 0, 2))
            {
                Alias(node, output, s.BatchFirst);
                return true;
            }
            if (s.Kind == SequenceKind.NodeOutput && s.Directions == 2 && IsPerm(node, 0, 2, 1, 3))
            {
                _sequences[output] = s with { Kind = SequenceKind.DirectionsLast };
                _done.Add(node);
                return true;
            }
            throw Unsupported(node, $"a transpose of a recurrent node's time-major output other than PyTorch's batch_first pattern (perm {TensorOps.ShapeText((AttrInts(node, "perm") ?? Array.Empty<long>()).Select(v => (int)v).ToArray())})");
        }
        if (IsPerm(node, 1, 0, 2) && _values.TryGetValue(input, out var x) && x.Shape.Length == 2 && x.FlatOrder is null)
        {
            // Batch-first (batch, steps, features) to time-major: bookkeeping for the recurrent node that reads it.
            _sequences[output] = new Sequence(SequenceKind.TimeMajor, x, 1);
            _done.Add(node);
            return true;
        }
        return false;
    }

    private bool TrySequenceSqueeze(NodeProto node)
    {
        if (!_sequences.TryGetValue(node.Input[0], out var s)) return false;
        if (node.OpType == "Squeeze" && s.Kind == SequenceKind.NodeOutput && s.Directions == 1 && SqueezesAxis(node, 1))
        {
            _sequences[node.Output[0]] = s with { Kind = SequenceKind.TimeMajor };
            _done.Add(node);
            return true;
        }
        throw Unsupported(node, "a squeeze of a recurrent node's output other than its direction axis (PyTorch's one-direction pattern)");
    }

    private bool TrySequenceReshape(NodeProto node)
    {
        if (!_sequences.TryGetValue(node.Input[0], out var s)) return false;
        var target = TryConst(node, 1)?.IntValues;
        int steps = s.BatchFirst.Shape[0], width = s.BatchFirst.Shape[1];
        // (steps, batch, 2, units) → (steps, batch, 2·units): PyTorch writes (0, 0, -1).
        if (s.Kind == SequenceKind.DirectionsLast && target is { Length: 3 } t && (t[0] == 0 || t[0] == steps) && (t[1] == 0 || t[1] == -1)
            && (t[2] == -1 || t[2] == width) && t.Count(v => v == -1) <= 1)
        {
            _sequences[node.Output[0]] = s with { Kind = SequenceKind.TimeMajor };
            _done.Add(node);
            return true;
        }
        throw Unsupported(node, "a reshape of a recurrent node's output other than merging its two directions (PyTorch's bidirectional pattern)");
    }

    /// <summary>x[:, t, :] of a batch-first (batch, steps, features) tensor: Cropping1D to that step, then Flatten.</summary>
    private void MapGather(NodeProto node)
    {
        var x = Input(node, 0);
        int rank = x.Shape.Length + 1;
        int axis = NormalizeAxis(node, AttrInt(node, "axis", 0), rank);
        var index = Const(node, 1, "indices");
        if (rank != 3 || axis != 1 || index.Dims.Length != 0 || x.FlatOrder is not null)
            throw Unsupported(node, "a Gather other than one time step x[:, t, :] of a (batch, steps, features) tensor (a scalar index on axis 1)");
        int steps = x.Shape[0];
        long t = index.IntValues[0];
        if (t < -steps || t >= steps) throw Unsupported(node, $"index {t} is out of range for {steps} steps");
        var v = SelectStep(node, x, (int)(t < 0 ? t + steps : t));
        _values[node.Output[0]] = v;
        _done.Add(node);
    }

    private Value SelectStep(NodeProto node, Value x, int t)
    {
        x = WithLayout(x, TensorOps.Identity(2), $"'{NodeName(node)}'");
        int steps = x.Shape[0], features = x.Shape[1];
        string from = x.Layer;
        if (steps > 1)
        {
            var crop = NewLayer("Cropping1D", node, x);
            crop.Arguments.Add(Invariant(t));
            crop.Arguments.Add(Invariant(steps - 1 - t));
            crop.OutputShape = new[] { 1, features };
            from = crop.Name;
        }
        var flatten = NewLayer("Flatten");
        flatten.Inputs.Add(from);
        flatten.Sources.Add(NodeName(node));
        var v = new Value { Layer = flatten.Name, Shape = new[] { features }, Perm = new[] { 0 } };
        flatten.OutputShape = v.NetGenShape;
        return v;
    }
}
