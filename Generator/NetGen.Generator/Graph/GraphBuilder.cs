using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Graph;

/// <summary>A network after shape inference and parameter layout: what the emitter writes.</summary>
internal sealed class NetworkGraph
{
    public NetworkGraph(NetworkSpec spec, string inputName, Shape inputShape, List<LayerNode> layers)
    {
        Spec = spec;
        InputName = inputName;
        InputShape = inputShape;
        Layers = layers;
    }

    public NetworkSpec Spec { get; }

    public string InputName { get; }

    public Shape InputShape { get; }

    public List<LayerNode> Layers { get; }

    public Shape OutputShape => Layers.Count == 0 ? InputShape : Layers[Layers.Count - 1].OutputShape;

    public IEnumerable<ParameterDecl> Parameters => Layers.SelectMany(l => l.Parameters);

    public int ParameterCount => Parameters.Sum(p => p.Length);

    public IEnumerable<ParameterDecl> StateVariables => Layers.SelectMany(l => l.State);

    public int StateCount => StateVariables.Sum(p => p.Length);

    public bool TokenIds { get; set; }
}

/// <summary>Resolves the declared layers into a <see cref="NetworkGraph"/>: names, shapes, validation, parameter offsets.</summary>
internal static class GraphBuilder
{
    /// <summary>
    /// Follows a padding mask from an Embedding with MaskZero through the layers that pass it on to the layer that
    /// uses it; warns (NG0028) where a layer would silently drop it.
    /// </summary>
    private static void PlanMask(List<LayerNode> layers, BuildContext context)
    {
        LayerNode? source = null;
        foreach (var layer in layers)
        {
            if (source is null)
            {
                if (layer.ProducesMask) source = layer;
                continue;
            }
            switch (layer.MaskUse)
            {
                case MaskUse.Propagates:
                    continue;
                case MaskUse.Consumes:
                    layer.UsesMask = true;
                    source = null;
                    continue;
                default:
                    context.Report(Descriptors.MaskDropped, layer.Spec.Location, $"{layer.Spec.Kind} '{layer.Name}'", source.Name,
                        "this layer does not use masks yet, so padded steps count as data");
                    source = null;
                    continue;
            }
        }
        if (source is not null)
            context.Report(Descriptors.MaskDropped, source.Spec.Location, $"Embedding '{source.Name}'", source.Name,
                "it reaches the output, and losses do not skip padded steps yet");
    }

    public static NetworkGraph? Build(NetworkSpec spec, BuildContext context, CancellationToken cancellationToken)
    {
        if (spec.HasAttributeErrors) return null;
        var label = spec.ClassName;
        if (spec.InferenceBatchCapacity <= 0)
            context.Report(Descriptors.CapacityNotPositive, spec.InferenceBatchCapacityLocation ?? spec.NetworkAttributeLocation, label, spec.InferenceBatchCapacity);

        int inputIndex = -1;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            if (spec.Layers[i].Kind != "Input") continue;
            if (inputIndex < 0) inputIndex = i;
            else context.Report(Descriptors.InputPlacement, spec.Layers[i].Location, $"Input in '{label}'",
                "several inputs are not supported yet; a network has exactly one [Input]");
        }
        if (inputIndex < 0)
        {
            context.Report(Descriptors.NoInput, spec.NetworkAttributeLocation, label);
            return null;
        }
        for (int i = 0; i < inputIndex; i++)
            context.Report(Descriptors.InputPlacement, spec.Layers[i].Location, $"{spec.Layers[i].Kind} in '{label}'",
                "this layer is declared before [Input]; declare the input first, then the layers in order");

        var names = new HashSet<string>();
        var counters = new Dictionary<string, int>();
        string NameOf(LayerSpec layer, string stem)
        {
            string name;
            if (layer.Find("Name")?.Text is { Length: > 0 } given) name = given;
            else
            {
                counters.TryGetValue(stem, out int count);
                counters[stem] = count + 1;
                name = count == 0 ? stem : stem + "_" + count;
            }
            if (!names.Add(name)) context.Report(Descriptors.DuplicateName, layer.Find("Name")?.Location ?? layer.Location, name);
            return name;
        }

        var inputSpec = spec.Layers[inputIndex];
        var inputName = NameOf(inputSpec, "input_layer");
        var shapeArg = inputSpec.Find("shape");
        var dims = shapeArg?.Items.Select(d => (int)d).ToArray() ?? new int[0];
        if (dims.Length == 0)
            context.Report(Descriptors.NonPositive, shapeArg?.Location ?? inputSpec.Location, $"Input '{inputName}'", "the number of dimensions", 0);
        for (int d = 0; d < dims.Length; d++)
            if (dims[d] <= 0)
                context.Report(Descriptors.NonPositive, shapeArg?.Location ?? inputSpec.Location, $"Input '{inputName}'", $"dimension {d + 1}", dims[d]);
        if (context.HasErrors) return null;

        var inputShape = new Shape(dims);
        var layers = new List<LayerNode>();
        var current = inputShape;
        for (int i = inputIndex + 1; i < spec.Layers.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var layerSpec = spec.Layers[i];
            if (layerSpec.Kind == "Input") continue;
            var kind = LayerRegistry.Find(layerSpec.Kind);
            if (kind is null)
            {
                context.Report(Descriptors.UnsupportedLayer, layerSpec.Location, $"Network '{label}'", layerSpec.Kind);
                return null;
            }
            var node = kind.Build(layerSpec, NameOf(layerSpec, kind.DefaultName), current, context);
            if (node is null) return null;
            layers.Add(node);
            current = node.OutputShape;
        }
        if (context.HasErrors) return null;

        bool tokenIds = BuildContext.Bool(inputSpec, "TokenIds", false);
        for (int i = 0; i < layers.Count; i++)
        {
            bool fedByTokens = tokenIds && (i == 0 || layers.Take(i).All(l => l.TrainingUse == BufferUse.Alias && l.Parameters.Count == 0));
            if (layers[i].ReadsTokenIds && !fedByTokens)
                context.Report(Descriptors.TokenIdMismatch, layers[i].Spec.Location, $"Embedding '{layers[i].Name}'",
                    $"its input must be token ids straight from an [Input(..., TokenIds = true)], but it reads {(i == 0 ? "a float input" : $"the float output of '{layers[i - 1].Name}'")}");
            if (!layers[i].ReadsTokenIds && fedByTokens && layers[i].TrainingUse != BufferUse.Alias)
                context.Report(Descriptors.TokenIdMismatch, layers[i].Spec.Location, $"{layers[i].Spec.Kind} '{layers[i].Name}'",
                    $"it reads the token ids of input '{inputName}' directly; token ids must go through an Embedding first");
        }
        if (context.HasErrors) return null;
        PlanMask(layers, context);

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
        return new NetworkGraph(spec, inputName, inputShape, layers) { TokenIds = tokenIds };
    }
}
