using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Graph;

/// <summary>One <c>[Input(...)]</c> of a network.</summary>
internal sealed class InputDecl
{
    public InputDecl(string name, Shape shape, bool tokenIds, LocationInfo? location)
    {
        Name = name;
        Shape = shape;
        TokenIds = tokenIds;
        Location = location;
    }

    public string Name { get; }

    public Shape Shape { get; }

    public bool TokenIds { get; }

    public LocationInfo? Location { get; }

    /// <summary>This input's value number.</summary>
    public int Id { get; set; }

    /// <summary>Position among the network's inputs.</summary>
    public int Index { get; set; }
}

/// <summary>
/// A network after shape inference and parameter layout: what the emitter writes. Inputs and layers are the graph's
/// values, numbered together in declaration order (which is a topological order: a layer reads only earlier values).
/// </summary>
internal sealed class NetworkGraph
{
    private readonly Dictionary<int, InputDecl> _inputs;
    private readonly Dictionary<int, LayerNode> _layers;

    public NetworkGraph(NetworkSpec spec, List<InputDecl> inputs, List<LayerNode> layers, List<int> outputs)
    {
        Spec = spec;
        Inputs = inputs;
        Layers = layers;
        Outputs = outputs;
        _inputs = inputs.ToDictionary(i => i.Id);
        _layers = layers.ToDictionary(l => l.Id);
    }

    public NetworkSpec Spec { get; }

    public List<InputDecl> Inputs { get; }

    /// <summary>The layers every output depends on, in a topological (declaration) order.</summary>
    public List<LayerNode> Layers { get; }

    /// <summary>The value numbers of the outputs, in order.</summary>
    public List<int> Outputs { get; }

    /// <summary>A plain chain: one input, one output, every layer reading the one before it.</summary>
    public bool IsSequential
    {
        get
        {
            if (Inputs.Count != 1 || Outputs.Count != 1) return false;
            int previous = Inputs[0].Id;
            foreach (var l in Layers)
            {
                if (l.Sources.Length != 1 || l.Sources[0] != previous) return false;
                previous = l.Id;
            }
            return Outputs[0] == previous;
        }
    }

    public string InputName => Inputs[0].Name;

    public Shape InputShape => Inputs[0].Shape;

    public Shape OutputShape => ShapeOf(Outputs[0]);

    public int InputLength => Inputs.Sum(i => i.Shape.Size);

    public int OutputLength => Outputs.Sum(o => ShapeOf(o).Size);

    public bool IsInput(int value) => _inputs.ContainsKey(value);

    public InputDecl Input(int value) => _inputs[value];

    public LayerNode? Layer(int value) => _layers.TryGetValue(value, out var l) ? l : null;

    public Shape ShapeOf(int value) => _layers.TryGetValue(value, out var l) ? l.OutputShape : _inputs[value].Shape;

    public string NameOf(int value) => _layers.TryGetValue(value, out var l) ? l.Name : _inputs[value].Name;

    /// <summary>The layers reading <paramref name="value"/>.</summary>
    public IEnumerable<LayerNode> Readers(int value) => Layers.Where(l => l.Sources.Contains(value));

    public IEnumerable<ParameterDecl> Parameters => Layers.SelectMany(l => l.Parameters);

    public int ParameterCount => Parameters.Sum(p => p.Length);

    public IEnumerable<ParameterDecl> StateVariables => Layers.SelectMany(l => l.State);

    public int StateCount => StateVariables.Sum(p => p.Length);

    /// <summary>
    /// For a network of one output that carries a padding mask: the value number of the layer that starts the mask (its
    /// lowering registers the mask tensor); -1 otherwise. The losses then skip the padded steps, as Keras' do.
    /// </summary>
    public int OutputMask { get; set; } = -1;

    /// <summary>Mask values per sample of <see cref="OutputMask"/> (the time steps); each covers the output rows of its step.</summary>
    public int OutputMaskSteps { get; set; }

    /// <summary>Whether any input holds token ids (only single-input token networks are supported).</summary>
    public bool TokenIds => Inputs.Any(i => i.TokenIds);
}

/// <summary>
/// Resolves the declared inputs and layers into a <see cref="NetworkGraph"/>: names, connections, shapes, validation,
/// reachability from the outputs and parameter offsets.
/// </summary>
internal static class GraphBuilder
{
    public static NetworkGraph? Build(NetworkSpec spec, BuildContext context, CancellationToken cancellationToken)
    {
        if (spec.HasAttributeErrors) return null;
        var label = spec.ClassName;
        if (spec.InferenceBatchCapacity <= 0)
            context.Report(Descriptors.CapacityNotPositive, spec.InferenceBatchCapacityLocation ?? spec.NetworkAttributeLocation, label, spec.InferenceBatchCapacity);

        int firstInput = -1;
        for (int i = 0; i < spec.Layers.Count && firstInput < 0; i++)
            if (spec.Layers[i].Kind == "Input") firstInput = i;
        if (firstInput < 0)
        {
            context.Report(Descriptors.NoInput, spec.NetworkAttributeLocation, label);
            return null;
        }
        for (int i = 0; i < firstInput; i++)
            context.Report(Descriptors.InputPlacement, spec.Layers[i].Location, $"{spec.Layers[i].Kind} in '{label}'",
                "this layer is declared before [Input]; declare the input first, then the layers in order");

        // Names first (Keras' defaults: dense, dense_1, ...), so that a reference to a later layer can be told from a typo.
        var names = new string[spec.Layers.Count];
        var kinds = new LayerKind?[spec.Layers.Count];
        var index = new Dictionary<string, int>();
        var counters = new Dictionary<string, int>();
        var identifiers = new Dictionary<string, string>();
        for (int i = firstInput; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            string stem = "input_layer";
            if (layer.Kind != "Input")
            {
                kinds[i] = LayerRegistry.Find(layer.Kind);
                if (kinds[i] is null)
                {
                    context.Report(Descriptors.UnsupportedLayer, layer.Location, $"Network '{label}'", layer.Kind);
                    return null;
                }
                stem = TimeDistributed.Requested(layer) ? TimeDistributed.DefaultName : kinds[i]!.DefaultName;
            }
            string name;
            if (layer.Find("Name")?.Text is { Length: > 0 } given) name = given;
            else
            {
                do
                {
                    counters.TryGetValue(stem, out int count);
                    counters[stem] = count + 1;
                    name = count == 0 ? stem : stem + "_" + count;
                }
                while (spec.Layers.Any(l => l.Find("Name")?.Text == name));
            }
            names[i] = name;
            if (!Names.IsValid(name))
                context.Report(Descriptors.InvalidName, layer.Find("Name")?.Location ?? layer.Location, $"{layer.Kind} in '{label}'", Names.Printable(name));
            else if (index.ContainsKey(name)) context.Report(Descriptors.DuplicateName, layer.Find("Name")?.Location ?? layer.Location, name);
            else
            {
                index[name] = i;
                var key = Names.IdentifierKey(name);
                if (identifiers.TryGetValue(key, out var other))
                    context.Report(Descriptors.NameCollision, layer.Find("Name")?.Location ?? layer.Location, other, name, key);
                else identifiers[key] = name;
            }
        }
        if (context.HasErrors) return null;
        CheckNumbers(spec, firstInput, names, context);
        if (context.HasErrors) return null;

        var inputs = new List<InputDecl>();
        var layers = new List<LayerNode>();
        var shapes = new Dictionary<int, Shape>();
        // Extra outputs read as "layer:port" (a recurrent layer's states): a port node after its owner, numbered after every declared value.
        var built = new Dictionary<int, LayerNode>();
        var portNodes = new Dictionary<string, PortNode>();
        var ports = new PortResolver(spec, index, built, portNodes, layers, shapes, context);
        for (int i = firstInput; i < spec.Layers.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layerSpec = spec.Layers[i];
            if (layerSpec.Kind == "Input")
            {
                var input = BuildInput(layerSpec, names[i], context);
                if (input is null) return null;
                input.Id = i;
                input.Index = inputs.Count;
                inputs.Add(input);
                shapes[i] = input.Shape;
                continue;
            }
            var kind = kinds[i]!;
            var sources = Sources(spec, layerSpec, i, kind, names, index, context, ports);
            if (sources is null) return null;
            var inShapes = sources.Select(s => shapes[s]).ToList();
            LayerNode? node;
            // TimeDistributed = true, a property of every layer attribute (LayerAttribute), read here for every kind.
            bool timeDistributed = TimeDistributed.Requested(layerSpec);
            if (kind is not MultiInputKind && sources.Length != 1)
            {
                context.Report(Descriptors.InputCount, layerSpec.Location, $"{layerSpec.Kind} '{names[i]}'", "it reads exactly one input",
                    $"{sources.Length} ({string.Join(", ", sources.Select(s => names[s]))})");
                return null;
            }
            try
            {
                // The generator compiles with checked arithmetic: a shape or weight count beyond 32 bits throws here.
                node = timeDistributed ? TimeDistributed.Build(kind, layerSpec, names[i], inShapes, context)
                    : kind is MultiInputKind merge ? merge.Build(layerSpec, names[i], inShapes, context) : kind.Build(layerSpec, names[i], inShapes[0], context);
            }
            catch (System.OverflowException)
            {
                context.Report(Descriptors.TooLarge, layerSpec.Location, $"{layerSpec.Kind} '{names[i]}'",
                    $"its output or weights for the input {string.Join(" and ", inShapes)}", "the arithmetic overflows 32 bits");
                return null;
            }
            catch (System.DivideByZeroException)
            {
                context.Report(Descriptors.TooLarge, layerSpec.Location, $"{layerSpec.Kind} '{names[i]}'",
                    $"a size derived from its arguments for the input {string.Join(" and ", inShapes)}", "a step or size wraps to zero");
                return null;
            }
            if (node is null)
            {
                // A kind may return no node only after reporting why; silence would be a generator bug.
                if (!context.HasErrors)
                    context.Report(Descriptors.InternalError, layerSpec.Location, spec.ClassName, $"layer kind {layerSpec.Kind} returned no layer for '{names[i]}' without reporting an error");
                return null;
            }
            if (!CheckShape(node.OutputShape, $"{layerSpec.Kind} '{names[i]}'", "its output shape", layerSpec.Location, context)) return null;
            foreach (var p in node.Parameters.Concat(node.State))
                if (!CheckShape(p.Shape, $"{layerSpec.Kind} '{names[i]}'", $"its weight '{p.Name}'", layerSpec.Location, context)) return null;
            node.Id = i;
            node.Sources = sources;
            // Trainable = false, a property of every layer attribute (LayerAttribute), read here for every kind.
            if (layerSpec.Find("Trainable") is { Kind: ArgKind.Bool, Number: 0 })
            {
                node.Trainable = false;
                foreach (var p in node.Parameters) p.Frozen = true;
            }
            // Regularizers and constraints (KernelRegularizer, KernelConstraint, ...), properties of every layer attribute.
            if (!WeightOptions.Apply(layerSpec, node, names[i], context)) return null;
            layers.Add(node);
            shapes[i] = node.OutputShape;
            built[i] = node;
        }
        if (context.HasErrors) return null;

        var outputs = new List<int>();
        if (spec.Outputs.Count == 0) outputs.Add(spec.Layers.Count - 1);
        foreach (var name in spec.Outputs)
        {
            if (spec.Outputs.Count(o => o == name) > 1)
            {
                context.Report(Descriptors.DuplicateOutput, spec.OutputsLocation, label, name);
                return null;
            }
            int value;
            if (Names.IsPortReference(name, index))
            {
                var port = ports.Resolve(name, spec.OutputsLocation, $"Output of '{label}'");
                if (port is null) return null;
                value = port.Value.Value;
            }
            else if (!index.TryGetValue(name, out value))
            {
                context.Report(Descriptors.UnknownInputName, spec.OutputsLocation, $"Output of '{label}'", name, string.Join(", ", index.Keys));
                return null;
            }
            outputs.Add(value);
        }

        // Reachability: only what an output depends on is part of the network.
        var needed = new HashSet<int>(outputs);
        for (int l = layers.Count - 1; l >= 0; l--)
            if (needed.Contains(layers[l].Id))
                foreach (var s in layers[l].Sources) needed.Add(s);
        foreach (var input in inputs.Where(x => !needed.Contains(x.Id)))
            context.Report(Descriptors.UnusedInput, input.Location, input.Name, label);
        foreach (var layer in layers.Where(x => !needed.Contains(x.Id)))
            context.Report(Descriptors.UnusedLayer, layer.Spec.Location, $"{layer.Spec.Kind} '{layer.Name}'", label);
        layers = layers.Where(x => needed.Contains(x.Id)).ToList();

        var graph = new NetworkGraph(spec, inputs, layers, outputs);
        CheckTokenIds(graph, context);
        if (context.HasErrors) return null;
        PlanMask(graph, context);
        if (context.HasErrors) return null;

        if (!CheckTotals(graph, context)) return null;
        int offset = 0;
        foreach (var p in layers.SelectMany(l => l.Parameters))
        {
            p.Offset = offset;
            offset += p.Length;
        }
        offset = 0;
        foreach (var p in layers.SelectMany(l => l.State))
        {
            p.Offset = offset;
            offset += p.Length;
        }
        return graph;
    }

    private static InputDecl? BuildInput(LayerSpec inputSpec, string name, BuildContext context)
    {
        var shapeArg = inputSpec.Find("shape");
        var dims = shapeArg?.Items.Select(d => (int)d).ToArray() ?? new int[0];
        if (dims.All(d => d > 0) && !CheckShape(new Shape(dims), $"Input '{name}'", "the sample shape", shapeArg?.Location ?? inputSpec.Location, context)) return null;
        if (dims.Length == 0)
            context.Report(Descriptors.NonPositive, shapeArg?.Location ?? inputSpec.Location, $"Input '{name}'", "the number of dimensions", 0);
        for (int d = 0; d < dims.Length; d++)
            if (dims[d] <= 0)
                context.Report(Descriptors.NonPositive, shapeArg?.Location ?? inputSpec.Location, $"Input '{name}'", $"dimension {d + 1}", dims[d]);
        if (context.HasErrors) return null;
        return new InputDecl(name, new Shape(dims), BuildContext.Bool(inputSpec, "TokenIds", false), inputSpec.Location);
    }

    /// <summary>Largest count of floats any one size may reach: sizes are 32-bit ints in the generated code.</summary>
    internal const long MaxFloats = int.MaxValue;

    /// <summary>NG0004 for an empty axis, NG0046 for a shape holding more than <see cref="MaxFloats"/> floats.</summary>
    private static bool CheckShape(Shape shape, string label, string what, LocationInfo? location, BuildContext context)
    {
        for (int d = 0; d < shape.Rank; d++)
        {
            if (shape.Dims[d] <= 0)
            {
                context.Report(Descriptors.NonPositive, location, label, $"{what} {shape}: dimension {d + 1}", shape.Dims[d]);
                return false;
            }
        }
        long size = 1;
        foreach (var d in shape.Dims)
        {
            size *= d;
            if (size > MaxFloats)
            {
                context.Report(Descriptors.TooLarge, location, label, $"{what} {shape}",
                    $"{string.Join(" × ", shape.Dims)} = {shape.Dims.Aggregate(1.0, (a, x) => a * x):G6} floats, at most {MaxFloats}");
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The network-wide counts the generated code keeps in 32-bit constants: weights, state, and (bounding the arenas)
    /// the sum of all tensor sizes times the inference batch capacity.
    /// </summary>
    private static bool CheckTotals(NetworkGraph g, BuildContext context)
    {
        var label = $"Network '{g.Spec.ClassName}'";
        long parameters = g.Layers.SelectMany(l => l.Parameters).Sum(p => (long)p.Length);
        long state = g.Layers.SelectMany(l => l.State).Sum(p => (long)p.Length);
        long values = g.Inputs.Sum(i => (long)i.Shape.Size) + g.Layers.Sum(l => (long)l.OutputShape.Size + l.InputShapes.Sum(s => (long)s.Size));
        long capacity = System.Math.Max(1, g.Spec.InferenceBatchCapacity);
        string? what = parameters > MaxFloats ? $"the weight count {parameters}"
            : state > MaxFloats ? $"the state count {state}"
            : 4 * values > MaxFloats ? $"the activations of one sample (about {values} floats)"
            : 4 * values * capacity > MaxFloats ? $"the inference arena for InferenceBatchCapacity = {capacity} samples of about {values} floats"
            : null;
        if (what is null) return true;
        context.Report(Descriptors.TooLarge, g.Spec.NetworkAttributeLocation, label, what, $"at most {MaxFloats} floats in all, with room for the work buffers");
        return false;
    }

    /// <summary>NG0047 for a NaN or infinite number argument: no layer has a use for one, and it would print as <c>NaNf</c>.</summary>
    private static void CheckNumbers(NetworkSpec spec, int firstInput, string[] names, BuildContext context)
    {
        for (int i = firstInput; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            foreach (var a in layer.Arguments)
            {
                if (a.Kind == ArgKind.Number && !(System.Math.Abs(a.Number) <= float.MaxValue))
                    context.Report(Descriptors.NumberOutOfRange, a.Location ?? layer.Location, $"{layer.Kind} '{names[i]}'", a.Name,
                        "a finite number within float range", a.Number.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>The values a layer reads: its named inputs, or the value declared just above it.</summary>
    private static int[]? Sources(NetworkSpec spec, LayerSpec layer, int position, LayerKind kind, string[] names, Dictionary<string, int> index, BuildContext context, PortResolver ports)
    {
        var sources = NamedSources(layer, position, kind, names, index, context, ports);
        // MultiHeadAttention's AttentionMask names one more value it reads, after its query, value and key.
        if (sources is null || layer.Find("AttentionMask") is not { Text: { } maskName } maskArg) return sources;
        var mask = Resolve(layer, maskArg, maskName, position, names, index, context, ports);
        return mask is null ? null : sources.Concat(new[] { mask.Value }).ToArray();
    }

    private static int[]? NamedSources(LayerSpec layer, int position, LayerKind kind, string[] names, Dictionary<string, int> index, BuildContext context, PortResolver ports)
    {
        var arg = layer.Find("inputs") ?? layer.Find("Inputs");
        var label = $"{layer.Kind} '{names[position]}'";
        if (arg is null || arg.Texts.Count == 0)
        {
            if (kind is MultiInputKind { ReadsPreviousByDefault: false })
            {
                context.Report(Descriptors.InputCount, layer.Location, label, "a merge layer names the layers it merges, e.g. [Add(\"a\", \"b\")]", "none");
                return null;
            }
            return new[] { position - 1 };
        }
        var sources = new int[arg.Texts.Count];
        for (int k = 0; k < sources.Length; k++)
        {
            var value = Resolve(layer, arg, arg.Texts[k], position, names, index, context, ports);
            if (value is null) return null;
            sources[k] = value.Value;
        }
        return sources;
    }

    /// <summary>The value a layer or port name read by <paramref name="layer"/> stands for; null after reporting an unknown or later name.</summary>
    private static int? Resolve(LayerSpec layer, ArgValue arg, string name, int position, string[] names, Dictionary<string, int> index, BuildContext context, PortResolver ports)
    {
        var label = $"{layer.Kind} '{names[position]}'";
        if (Names.IsPortReference(name, index))
        {
            // "owner:port": the owner is declared earlier (else NG0030), and has that port (else NG0051).
            var owner = name.Substring(0, name.LastIndexOf(':'));
            if (index[owner] >= position)
            {
                context.Report(Descriptors.ReadsLaterLayer, arg.Location ?? layer.Location, label, name);
                return null;
            }
            var port = ports.Resolve(name, arg.Location ?? layer.Location, label);
            return port?.Value;
        }
        if (!index.TryGetValue(name, out int value))
        {
            context.Report(Descriptors.UnknownInputName, arg.Location ?? layer.Location, label, name,
                string.Join(", ", names.Take(position).Where(n => n is not null)));
            return null;
        }
        if (value >= position)
        {
            context.Report(Descriptors.ReadsLaterLayer, arg.Location ?? layer.Location, label, name);
            return null;
        }
        return value;
    }

    /// <summary>The value a tensor's memory comes from: itself, or the value a chain of reinterpreting layers (Flatten, Reshape) starts at.</summary>
    public static int AliasRoot(NetworkGraph g, int value, bool training)
    {
        while (g.Layer(value) is { } l && (training ? l.TrainingUse : l.InferenceUse) == BufferUse.Alias) value = l.Sources[0];
        return value;
    }

    /// <summary>An Embedding must read token ids straight from a token input; any other computing layer must not.</summary>
    private static void CheckTokenIds(NetworkGraph g, BuildContext context)
    {
        bool IsTokens(int value)
        {
            while (g.Layer(value) is { } l && l.TrainingUse == BufferUse.Alias && l.Parameters.Count == 0) value = l.Sources[0];
            return g.IsInput(value) && g.Input(value).TokenIds;
        }
        if (g.TokenIds && g.Inputs.Count > 1)
        {
            var tokens = g.Inputs.First(i => i.TokenIds);
            context.Report(Descriptors.TokenIdMismatch, tokens.Location, $"Input '{tokens.Name}'",
                "token-id inputs are supported in single-input networks only (this network has several inputs)");
            return;
        }
        foreach (var l in g.Layers)
        {
            for (int k = 0; k < l.Sources.Length; k++)
            {
                bool tokens = IsTokens(l.Sources[k]);
                if (l.ReadsTokenIds && !tokens)
                    context.Report(Descriptors.TokenIdMismatch, l.Spec.Location, $"Embedding '{l.Name}'",
                        $"its input must be token ids straight from an [Input(..., TokenIds = true)], but it reads {(g.IsInput(l.Sources[k]) ? "a float input" : $"the float output of '{g.NameOf(l.Sources[k])}'")}");
                if (!l.ReadsTokenIds && tokens && l.TrainingUse != BufferUse.Alias)
                    context.Report(Descriptors.TokenIdMismatch, l.Spec.Location, $"{l.Spec.Kind} '{l.Name}'",
                        $"it reads the token ids of input '{g.NameOf(AliasRoot(g, l.Sources[k], true))}' directly; token ids must go through an Embedding first");
            }
        }
    }

    /// <summary>
    /// Follows each padding mask from an Embedding with MaskZero through the layers that pass it on to the layers that
    /// use it; warns (NG0028) where a layer, or an output, would silently drop it.
    /// </summary>
    private static void PlanMask(NetworkGraph g, BuildContext context)
    {
        var source = new Dictionary<int, LayerNode>();
        foreach (var layer in g.Layers)
        {
            if (layer.ProducesMask)
            {
                source[layer.Id] = layer;
                continue;
            }
            var masked = layer.Sources.Where(source.ContainsKey).Select(s => source[s]).FirstOrDefault();
            if (masked is null) continue;
            // A layer of several inputs that consumes masks (attention) learns which of its inputs carry one (SourceMasks).
            switch (layer.MaskUse)
            {
                case MaskUse.Propagates when layer.Sources.Length > 1:
                    // A merge: Keras' output mask combines the inputs' masks when every input has one, and there is none
                    // otherwise (LAYERS.md §10). Inputs carrying one and the same mask (a residual connection around
                    // layers that pass it on) give that mask; different masks would need combining, which NetGen does not do.
                    var masks = layer.Sources.Select(s => source.TryGetValue(s, out var m) ? m : null).ToList();
                    if (masks.Any(m => m is null)) break;
                    if (masks.All(m => ReferenceEquals(m, masked)))
                    {
                        source[layer.Id] = masked;
                        break;
                    }
                    context.Report(Descriptors.MaskDropped, layer.Spec.Location, $"{layer.Spec.Kind} '{layer.Name}'", masked.Name,
                        "its inputs carry different padding masks, which NetGen does not combine yet, so padded steps count as data");
                    break;
                case MaskUse.Propagates:
                    source[layer.Id] = masked;
                    break;
                case MaskUse.Consumes:
                case MaskUse.ConsumesAndPropagates:
                    layer.UsesMask = true;
                    layer.MaskSource = masked.Id;
                    layer.SourceMasks = layer.Sources.Select(s => source.TryGetValue(s, out var m) ? m.Id : -1).ToArray();
                    for (int k = 0; k < layer.Sources.Length; k++)
                    {
                        if (layer.SourceMasks[k] < 0) continue;
                        // The mask holds one value per position of the layer that starts it: (steps, features) → steps.
                        int length = g.ShapeOf(layer.SourceMasks[k]).LeadingSize, positions = g.ShapeOf(layer.Sources[k]).LeadingSize;
                        if (positions != length)
                            context.Report(Descriptors.MaskDoesNotApply, layer.Spec.Location, $"{layer.Spec.Kind} '{layer.Name}'", g.NameOf(layer.SourceMasks[k]), length,
                                $"input '{g.NameOf(layer.Sources[k])}' {g.ShapeOf(layer.Sources[k])}", positions);
                    }
                    if (g.IsInput(AliasRoot(g, masked.Sources[0], true))) layer.MaskInput = g.Input(AliasRoot(g, masked.Sources[0], true)).Index;
                    // The output carries the first input's mask (a recurrent layer's; attention's query mask, as Keras).
                    if (layer.MaskUse == MaskUse.ConsumesAndPropagates && source.TryGetValue(layer.Sources[0], out var first)) source[layer.Id] = first;
                    break;
                default:
                    context.Report(Descriptors.MaskDropped, layer.Spec.Location, $"{layer.Spec.Kind} '{layer.Name}'", masked.Name,
                        "this layer does not use masks yet, so padded steps count as data");
                    break;
            }
        }
        foreach (var output in g.Outputs)
        {
            if (!source.TryGetValue(output, out var masked)) continue;
            // The mask holds one value per time step (the first axis of the layer that starts it); the loss rows of the
            // output are its shape without the last axis, so each step covers the same number of consecutive rows.
            var shape = g.ShapeOf(output);
            var mask = masked.MaskShape;
            bool leading = shape.Rank > mask.Rank && mask.Dims.Select((d, i) => shape.Dims[i] == d).All(x => x);
            if (g.Outputs.Count == 1 && leading)
            {
                g.OutputMask = masked.Id;
                g.OutputMaskSteps = mask.Size;
                continue;
            }
            string why = g.Outputs.Count > 1
                ? "it reaches one of several outputs, and NetGen's losses skip padded steps only for a network of one output"
                : $"it reaches the output, whose shape {shape} does not start with the mask's {mask}, so the loss cannot tell the padded rows";
            var layer = g.Layer(output);
            context.Report(Descriptors.MaskDropped, (layer ?? masked).Spec.Location, $"{(layer ?? masked).Spec.Kind} '{g.NameOf(output)}'", masked.Name, why);
        }
    }
}

/// <summary>
/// Resolves <c>"owner:port"</c> names to port nodes (<see cref="Layers.PortNode"/>): one per port, created when first read,
/// placed right after everything built so far (so after its owner: the layer list stays in a topological order) and
/// numbered after every declared value.
/// </summary>
internal sealed class PortResolver
{
    private readonly NetworkSpec _spec;
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<int, LayerNode> _built;
    private readonly Dictionary<string, Layers.PortNode> _ports;
    private readonly List<LayerNode> _layers;
    private readonly Dictionary<int, Shape> _shapes;
    private readonly BuildContext _context;

    public PortResolver(NetworkSpec spec, Dictionary<string, int> index, Dictionary<int, LayerNode> built, Dictionary<string, Layers.PortNode> ports,
        List<LayerNode> layers, Dictionary<int, Shape> shapes, BuildContext context)
    {
        _spec = spec;
        _index = index;
        _built = built;
        _ports = ports;
        _layers = layers;
        _shapes = shapes;
        _context = context;
    }

    /// <summary>The port node of <paramref name="name"/>, or null after NG0051.</summary>
    public (int Value, Layers.PortNode Node)? Resolve(string name, LocationInfo? location, string label)
    {
        if (_ports.TryGetValue(name, out var known)) return (known.Id, known);
        int cut = name.LastIndexOf(':');
        string ownerName = name.Substring(0, cut), port = name.Substring(cut + 1);
        if (!_built.TryGetValue(_index[ownerName], out var owner))
        {
            _context.Report(Descriptors.UnknownOutputPort, location, label, ownerName, port, "an input has no extra outputs");
            return null;
        }
        foreach (var (p, shape) in owner.Ports)
        {
            if (p != port) continue;
            var node = new Layers.PortNode(owner, p, shape) { Id = _spec.Layers.Count + _ports.Count, Sources = new[] { owner.Id } };
            _ports[name] = node;
            _layers.Add(node);
            _shapes[node.Id] = shape;
            return (node.Id, node);
        }
        _context.Report(Descriptors.UnknownOutputPort, location, label, ownerName, port, owner.PortsHint);
        return null;
    }
}
