using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Printing;

/// <summary>
/// Prints the intermediate-output API (Keras <c>Model(inputs, layer.output)</c>): the <c>Layers</c> table,
/// <c>PredictLayers</c> with one optional span per layer, <c>PredictLayer</c> by name, and their planned chunk.
/// </summary>
internal static class LayerOutputsPrinter
{
    private const string ReadOnly = "global::System.ReadOnlySpan<float>";
    private const string Writable = "global::System.Span<float>";

    /// <summary>The static <c>Layers</c> table.</summary>
    public static void Layers(CodeWriter w, NetworkGraph g)
    {
        w.Line("/// <summary>Every layer in declaration order with its Keras class and output shape (Keras <c>model.layers</c>); <see cref=\"PredictLayers\"/> writes their outputs.</summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::NetGen.LayerInfo> Layers { get; } = new global::NetGen.LayerInfo[]");
        w.Line("{");
        foreach (var l in g.Layers)
            w.Line($"    new global::NetGen.LayerInfo({Literals.String(l.Name)}, {Literals.String(l.KerasClass)}, new int[] {{ {string.Join(", ", l.OutputShape.Dims.Select(d => Literals.Int(d)))} }}{(l.Trainable ? "" : ", declaredTrainable: false")}),");
        w.Line("};");
        w.Line();
    }

    public static void Print(CodeWriter w, NetworkGraph g, Program program, MemoryPlan plan, IdentifierTable members)
    {
        var names = new IdentifierTable(new[] { "input", "batchSize", "layer", "output", "entered", "start", "n", "rows", "chunk", "ids" }.Concat(NetworkLowering.Spans("x", g.Inputs.Count)).Concat(NetworkPrinter.ReservedMembers));
        var spans = g.Layers.Select(l => names.Of(l, l.Name)).ToList();
        string first = spans.Count > 0 ? spans[spans.Count - 1] : "";
        w.Line("/// <summary>");
        w.Line("/// Inference (training = false) that writes the outputs of the layers you give a span for (Keras");
        w.Line("/// <c>Model(inputs, layer.output)</c>): each span holds <c>batchSize</c> times that layer's output floats (see");
        w.Line("/// <see cref=\"Layers\"/>); a layer left out (an empty span) is computed but not copied. Name the spans:");
        w.Line($"/// <c>PredictLayers(input, batchSize, {first}: features)</c>. <paramref name=\"input\"/> is laid out as for Predict. Allocates nothing.");
        w.Line("/// </summary>");
        var parameters = new List<(string, string, string?)> { (ReadOnly, "input", null), ("int", "batchSize", null) };
        parameters.AddRange(spans.Select(s => (Writable, s, (string?)"default")));
        GuardPrinter.OpenGuarded(w, "public", "void", "PredictLayers", parameters.ToArray());
        w.Line("global::NetGen.Guard.BatchSize(batchSize);");
        w.Line("global::NetGen.Guard.Length(input.Length, (long)batchSize * InputLength, nameof(input), \"batchSize × InputLength\");");
        for (int i = 0; i < g.Layers.Count; i++)
        {
            var l = g.Layers[i];
            w.Line($"if (!{spans[i]}.IsEmpty) global::NetGen.Guard.Length({spans[i]}.Length, (long)batchSize * {Literals.Int(l.OutputShape.Size)}, nameof({spans[i]}), {Literals.String($"batchSize × {l.OutputShape.Size} (the output {l.OutputShape} of layer '{l.Name}')")});");
        }
        TrainingPrinter.TokenValidation(w, g, "input");
        using (w.Open("for (int start = 0; start < batchSize; start += InferenceBatchCapacity)"))
        {
            w.Line("int n = global::System.Math.Min(InferenceBatchCapacity, batchSize - start);");
            var args = new List<string>();
            if (g.Inputs.Count == 1) args.Add("input.Slice(start * InputLength, n * InputLength)");
            else
            {
                w.Line("var rows = input.Slice(start * InputLength, n * InputLength);");
                int at = 0;
                foreach (var i in g.Inputs)
                {
                    w.Line($"var x{i.Index} = new global::System.Span<float>(_packedInput, InferenceBatchCapacity * {at}, n * {i.Shape.Size});");
                    w.Line($"{KnownKernels.Spell(KnownKernels.SplitFrom)}(rows, x{i.Index}, n, {i.Shape.Size}, InputLength, {at});");
                    args.Add($"x{i.Index}");
                    at += i.Shape.Size;
                }
            }
            for (int i = 0; i < g.Layers.Count; i++)
            {
                int size = g.Layers[i].OutputShape.Size;
                args.Add($"{spans[i]}.IsEmpty ? default : {spans[i]}.Slice(start * {Literals.Int(size)}, n * {Literals.Int(size)})");
            }
            w.Line("PredictLayersChunk(");
            using (w.Indented())
                for (int i = 0; i < args.Count; i++) w.Line(args[i] + ",");
            w.Line("    n);");
        }
        w.Close();
        w.Line();

        w.Line("/// <summary>");
        w.Line("/// Inference that writes the output of the layer named <paramref name=\"layer\"/> (see <see cref=\"Layers\"/>) to");
        w.Line("/// <paramref name=\"output\"/>, <c>batchSize</c> times that layer's output floats. Allocates nothing.");
        w.Line("/// </summary>");
        using (w.Open($"public void PredictLayer(string layer, {ReadOnly} input, {Writable} output, int batchSize = 1)"))
        {
            w.Line("global::NetGen.Guard.BatchSize(batchSize);  // before the output's size, which it multiplies");
            using (w.Open("switch (layer)"))
            {
                for (int i = 0; i < g.Layers.Count; i++)
                {
                    var l = g.Layers[i];
                    w.Line($"case {Literals.String(l.Name)}:");
                    using (w.Indented())
                    {
                        w.Line($"global::NetGen.Guard.Length(output.Length, (long)batchSize * {Literals.Int(l.OutputShape.Size)}, nameof(output), {Literals.String($"batchSize × {l.OutputShape.Size} (the output {l.OutputShape} of layer '{l.Name}')")});");
                        w.Line($"PredictLayers(input, batchSize, {spans[i]}: output);");
                        w.Line("return;");
                    }
                }
                w.Line("default:");
                w.Line("    throw global::NetGen.Training.LayerLookup.Unknown(layer, Layers, nameof(layer));");
            }
        }
        w.Line();

        var xs = NetworkLowering.Spans("x", g.Inputs.Count).Select(x => $"{ReadOnly} {x}");
        var taps = g.Layers.Select((_, i) => $"{Writable} {NetworkLowering.Tap(i)}");
        w.Open($"private void PredictLayersChunk({string.Join(", ", xs.Concat(taps))}, int n)");
        w.Line("global::System.ReadOnlySpan<float> p = InferenceParameters;");
        if (g.StateCount > 0) w.Line("global::System.Span<float> st = _state;");
        if (plan.ActivationsPerSample > 0) w.Line("global::System.Span<float> a = _inferenceArena;");
        new OperationPrinter(w, g, program, plan, members, training: false, System.Array.Empty<string>()).PrintBody();
        w.Close();
        w.Line();
    }
}
