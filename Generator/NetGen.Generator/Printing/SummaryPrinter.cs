using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Printing;

/// <summary>The descriptive members: the parameter and state layouts, the output segments, and the Keras-style summary.</summary>
internal static class SummaryPrinter
{
    /// <summary>A static table of <c>ParameterInfo</c> for the variables <paramref name="select"/> picks from each layer.</summary>
    public static void Layout(CodeWriter w, NetworkGraph g, string name, string summary, System.Func<LayerNode, List<ParameterDecl>> select)
    {
        w.Line($"/// <summary>{summary}</summary>");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<global::NetGen.ParameterInfo> {name} {{ get; }} = new global::NetGen.ParameterInfo[]");
        w.Line("{");
        using (w.Indented())
        {
        foreach (var l in g.Layers)
            foreach (var p in select(l))
                w.Line($"new global::NetGen.ParameterInfo({Literals.String(l.Name + "/" + p.Name)}, {Literals.Int(p.Offset)}, {Literals.Int(p.Length)}, new int[] {{ {string.Join(", ", p.Shape.Dims.Select(d => Literals.Int(d)))} }}){Initializers(p)},");
        }
        w.Line("};");
        w.Line();
    }

    /// <summary>The object initializer of a weight's ParameterInfo: frozen, its regularizer and constraint (empty when none).</summary>
    private static string Initializers(ParameterDecl p)
    {
        var parts = new List<string>();
        if (p.Frozen) parts.Add("DeclaredTrainable = false");
        if (p.Regularizer is { } r)
            parts.Add($"Regularizer = new global::NetGen.WeightRegularizer({Literals.Float(r.L1)}, {Literals.Float(r.L2)})");
        if (p.Constraint is { } c)
        {
            string axes = $"new int[] {{ {string.Join(", ", c.Axes.Select(a => Literals.Int(a)))} }}";
            parts.Add("Constraint = global::NetGen.WeightConstraint." + c.Kind switch
            {
                0 => $"MaxNorm({Literals.Float(c.Max)}, {axes})",
                1 => "NonNeg()",
                2 => $"UnitNorm({axes})",
                _ => $"MinMaxNorm({Literals.Float(c.Min)}, {Literals.Float(c.Max)}, {Literals.Float(c.Rate)}, {axes})",
            });
        }
        return parts.Count == 0 ? "" : " { " + string.Join(", ", parts) + " }";
    }

    public static void Summary(CodeWriter w, NetworkGraph g, MemoryPlan inference, MemoryPlan training)
    {
        // A graph also lists its inputs and, as Keras' functional summary does, what each layer is connected to.
        bool graph = !g.IsSequential;
        var rows = new List<(string Layer, string Shape, string Params, string Connected)>();
        string N(long v) => Literals.Count(v);
        if (graph)
            foreach (var i in g.Inputs) rows.Add(($"{i.Name} (InputLayer)", i.Shape.ToKerasString(), "0", "-"));
        foreach (var l in g.Layers)
            rows.Add(($"{l.Name} ({l.KerasClass})", l.OutputShape.ToKerasString(), N(l.Parameters.Sum(p => p.Length) + l.State.Sum(p => p.Length)),
                string.Join(", ", l.Sources.Select(g.NameOf))));
        int w0 = System.Math.Max(31, rows.Select(r => r.Layer.Length).DefaultIfEmpty(0).Max());
        int w1 = System.Math.Max(22, rows.Select(r => r.Shape.Length).DefaultIfEmpty(0).Max());
        int w2 = 13;
        int w3 = System.Math.Max(20, rows.Select(r => r.Connected.Length).DefaultIfEmpty(0).Max());
        string Bar(char left, char fill, char mid, char right)
            => left + new string(fill, w0 + 2) + mid + new string(fill, w1 + 2) + mid + new string(fill, w2 + 2)
               + (graph ? mid + new string(fill, w3 + 2) : "") + right;
        var lines = new List<string>
        {
            $"Model: \"{g.Spec.ClassName}\"",
            Bar('┏', '━', '┳', '┓'),
            $"┃ {"Layer (type)".PadRight(w0)} ┃ {"Output Shape".PadRight(w1)} ┃ {"Param #".PadLeft(w2)} ┃" + (graph ? $" {"Connected to".PadRight(w3)} ┃" : ""),
            Bar('┡', '━', '╇', '┩'),
        };
        foreach (var r in rows)
            lines.Add($"│ {r.Layer.PadRight(w0)} │ {r.Shape.PadRight(w1)} │ {r.Params.PadLeft(w2)} │" + (graph ? $" {r.Connected.PadRight(w3)} │" : ""));
        lines.Add(Bar('└', '─', '┴', '┘'));
        // Keras counts the weights of a frozen layer as non-trainable, with the state.
        int frozen = g.Layers.Where(l => !l.Trainable).Sum(l => l.Parameters.Sum(p => p.Length));
        int trainable = g.ParameterCount - frozen, state = g.StateCount + frozen, total = trainable + state;
        lines.Add($" Total params: {N(total)} ({Literals.Bytes(total * 4L)})");
        lines.Add($" Trainable params: {N(trainable)} ({Literals.Bytes(trainable * 4L)})");
        lines.Add($" Non-trainable params: {N(state)} ({Literals.Bytes(state * 4L)})");
        int capacity = g.Spec.InferenceBatchCapacity;
        // In long: a large batch capacity times a large plan is still a figure to print (the arena itself is checked at run time).
        lines.Add($" Inference arena: {N((long)capacity * inference.ActivationsPerSample)} floats ({Literals.Bytes((long)capacity * inference.ActivationsPerSample * 4L)}) for {capacity} samples");
        lines.Add($" Training memory per sample: {N(training.ActivationsPerSample)} activation + {N(training.GradientsPerSample)} gradient floats ({Literals.Bytes(((long)training.ActivationsPerSample + training.GradientsPerSample) * 4L)})");
        lines.Add($" Training memory besides: weights and gradients {Literals.Bytes(2L * trainable * 4)}, plus the optimizer's slots (Adam: {Literals.Bytes(2L * trainable * 4)})");
        w.Line("/// <summary>The Keras-style summary table: layers, output shapes, parameter counts and totals, and the memory plan.</summary>");
        w.Line("public const string SummaryText =");
        using (w.Indented())
        {
            for (int i = 0; i < lines.Count; i++)
                w.Line(Literals.String(lines[i] + "\n") + (i == lines.Count - 1 ? ";" : " +"));
        }
        w.Line();
    }

    /// <summary>The per-output segments of the packed rows, for the training loop (networks with several inputs or outputs).</summary>
    public static void Segments(CodeWriter w, NetworkGraph g)
    {
        w.Line("/// <summary>The outputs in packed-row order: name, floats per sample, loss rows per sample.</summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::NetGen.OutputInfo> Outputs { get; } = new global::NetGen.OutputInfo[]");
        w.Line("{");
        using (w.Indented())
        {
        foreach (var o in g.Outputs)
            w.Line($"new global::NetGen.OutputInfo({Literals.String(g.NameOf(o))}, {Literals.Int(g.ShapeOf(o).Size)}, {Literals.Int(g.ShapeOf(o).LeadingSize)}),");
        }
        w.Line("};");
        w.Line();
    }

    internal static string WeightSignature(NetworkGraph g)
        => "NetGen/1;" + string.Join(";", g.Layers.SelectMany(l => l.Parameters.Concat(l.State).Select(p => $"{l.Name}/{p.Name}{p.Shape}")).Select(s => s.Replace(" ", "")));
}
