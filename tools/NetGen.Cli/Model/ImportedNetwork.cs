using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen.Cli.Model;

/// <summary>A weight or state tensor of an imported layer, already in NetGen's layout.</summary>
internal sealed record Tensor(string Name, int[] Shape, float[] Values)
{
    public int Length => Values.Length;

    public string ShapeText => string.Join(",", Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>One layer attribute of the generated declaration.</summary>
internal sealed class ImportedLayer
{
    public ImportedLayer(string kind, string name)
    {
        Kind = kind;
        Name = name;
    }

    /// <summary>The attribute name without the suffix: <c>Dense</c>, <c>Conv2D</c>, <c>Input</c>.</summary>
    public string Kind { get; }

    /// <summary>The Keras-style layer name (<c>dense_1</c>).</summary>
    public string Name { get; }

    /// <summary>Constructor arguments as C# source text.</summary>
    public List<string> Arguments { get; } = new();

    /// <summary>Named properties (name, C# source text), in order.</summary>
    public List<(string Name, string Value)> Properties { get; } = new();

    /// <summary>The layers this one reads (empty: the layer declared just above).</summary>
    public List<string> Inputs { get; set; } = new();

    /// <summary>Other layers this one reads by a property (MultiHeadAttention's <c>AttentionMask</c>): kept when pruning.</summary>
    public List<string> Reads { get; } = new();

    /// <summary>Merge layers take their inputs as constructor arguments.</summary>
    public bool IsMerge { get; init; }

    /// <summary>The layer's <see cref="Arguments"/> already name its inputs (<c>Dot(axes, "a", "b")</c>): no <c>Inputs</c> property.</summary>
    public bool InputsInArguments { get; init; }

    /// <summary>The per-sample output shape in NetGen's (channels-last) layout.</summary>
    public int[] OutputShape { get; set; } = Array.Empty<int>();

    /// <summary>Trainable weights in the layer's Keras order.</summary>
    public List<Tensor> Weights { get; } = new();

    /// <summary>Non-trainable state (BatchNormalization's moving statistics).</summary>
    public List<Tensor> State { get; } = new();

    /// <summary>The source node(s) this layer comes from, for the comment.</summary>
    public List<string> Sources { get; } = new();

    /// <summary>For inputs and outputs: NetGen holds this tensor channels-last while the source model has it channels-first.</summary>
    public bool ChannelsLast { get; set; }

    /// <summary>Whether the layer's name must be written (it differs from the Keras default for its position).</summary>
    public bool ExplicitName { get; set; }

    public Tensor AddWeight(string variable, int[] shape, float[] values)
    {
        var t = new Tensor(Name + "/" + variable, shape, values);
        Weights.Add(t);
        return t;
    }

    public Tensor AddState(string variable, int[] shape, float[] values)
    {
        var t = new Tensor(Name + "/" + variable, shape, values);
        State.Add(t);
        return t;
    }

    public int ParameterCount => Weights.Sum(w => w.Length) + State.Sum(w => w.Length);

    public string Property(string name) => Properties.FirstOrDefault(p => p.Name == name).Value ?? "";

    public void Set(string name, string value)
    {
        int i = Properties.FindIndex(p => p.Name == name);
        if (i >= 0) Properties[i] = (name, value);
        else Properties.Add((name, value));
    }
}

/// <summary>What an importer found: the network as NetGen layers, plus notes for the generated file's header.</summary>
internal sealed class ImportedNetwork
{
    public ImportedNetwork(string sourceDescription) => SourceDescription = sourceDescription;

    /// <summary>E.g. "ONNX (pytorch 1.13.1, opset 13)".</summary>
    public string SourceDescription { get; }

    /// <summary>Inputs and layers in declaration order (inputs are layers of kind <c>Input</c>).</summary>
    public List<ImportedLayer> Layers { get; } = new();

    /// <summary>Names of the output layers; empty: the last layer.</summary>
    public List<string> Outputs { get; } = new();

    /// <summary>Lines for the header comment (layout conversions and the like).</summary>
    public List<string> Notes { get; } = new();

    public IEnumerable<ImportedLayer> Inputs => Layers.Where(l => l.Kind == "Input");

    public int ParameterCount => Layers.Sum(l => l.Weights.Sum(w => w.Length));

    public int StateCount => Layers.Sum(l => l.State.Sum(w => w.Length));

    /// <summary>The generated network's <c>WeightSignature</c>: every weight and state tensor in layer order.</summary>
    public string WeightSignature
        => "NetGen/1" + string.Concat(Layers.SelectMany(l => l.Weights.Concat(l.State).OrderBy(t => OrderInLayer(l, t)))
            .Select(t => ";" + t.Name + "(" + t.ShapeText + ")"));

    // Signature order inside a layer is the layer's declaration order of its variables: BatchNormalization lists
    // gamma, beta (trainable), then moving_mean, moving_variance (state).
    private static int OrderInLayer(ImportedLayer layer, Tensor t)
    {
        int i = layer.Weights.IndexOf(t);
        return i >= 0 ? i : layer.Weights.Count + layer.State.IndexOf(t);
    }

    /// <summary>Every trainable value, then every state value: the order of a NetGen weight file.</summary>
    public float[] WeightFileValues()
    {
        var all = new List<float>(ParameterCount + StateCount);
        foreach (var l in Layers)
            foreach (var w in l.Weights) all.AddRange(w.Values);
        foreach (var l in Layers)
            foreach (var s in l.State) all.AddRange(s.Values);
        return all.ToArray();
    }
}
