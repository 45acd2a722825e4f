using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Printing;

/// <summary>Prints the inference entry points (<c>Predict</c> overloads, <c>PackInputs</c>) and the planned <c>PredictChunk</c>.</summary>
internal static class InferencePrinter
{
    private const string ReadOnly = "global::System.ReadOnlySpan<float>";
    private const string Writable = "global::System.Span<float>";

    public static void Print(CodeWriter w, NetworkGraph g, Program program, MemoryPlan plan, IdentifierTable members)
    {
        GuardPrinter.BusyGuard(w);
        int ins = g.Inputs.Count, outs = g.Outputs.Count;
        var xs = NetworkLowering.Spans("x", ins);
        var ys = NetworkLowering.Spans("y", outs);
        PredictEntry(w, g, withMask: false);
        if (g.OutputMask >= 0) PredictEntry(w, g, withMask: true);
        if (ins > 1 || outs > 1) TypedPredict(w, g);
        if (g.TokenIds) TokenPredict(w, g, withMask: false);
        if (g.TokenIds && g.OutputMask >= 0) TokenPredict(w, g, withMask: true);
        var parameters = xs.Select(x => $"global::System.ReadOnlySpan<float> {x}").Concat(ys.Select(y => $"global::System.Span<float> {y}")).ToList();
        if (g.OutputMask >= 0)
        {
            // The entry points without a mask pass none: the mask is written only when PredictWithMask asks for it.
            w.Line($"private void PredictChunk({string.Join(", ", parameters)}, int n) => PredictChunk({string.Join(", ", xs.Concat(ys))}, default, n);");
            w.Line();
            parameters.Add($"global::System.Span<float> {NetworkLowering.OutputMaskSpan}");
        }
        w.Open($"private void PredictChunk({string.Join(", ", parameters)}, int n)");
        w.Line("global::System.ReadOnlySpan<float> p = InferenceParameters;");
        if (g.StateCount > 0) w.Line("global::System.Span<float> st = _state;");
        if (plan.ActivationsPerSample > 0) w.Line("global::System.Span<float> a = _inferenceArena;");
        new OperationPrinter(w, g, program, plan, members, training: false, System.Array.Empty<string>()).PrintBody();
        w.Close();
        w.Line();
    }

    /// <summary>Predict on packed rows; <paramref name="withMask"/>: PredictWithMask, which also writes the output's padding mask.</summary>
    private static void PredictEntry(CodeWriter w, NetworkGraph g, bool withMask)
    {
        int ins = g.Inputs.Count, outs = g.Outputs.Count;
        w.Line("/// <summary>");
        w.Line("/// Inference (training = false): reads <c>batchSize · InputLength</c> floats from <paramref name=\"input\"/> and writes");
        w.Line("/// <c>batchSize · OutputLength</c> floats to <paramref name=\"output\"/>. Allocates nothing.");
        if (withMask)
        {
            w.Line("/// Also writes the output's padding mask, <c>batchSize · OutputMaskLength</c> floats (1 = a real step, 0 = padding),");
            w.Line("/// to <paramref name=\"outputMask\"/>: the steps the losses and metrics skip.");
        }
        if (ins > 1 || outs > 1)
            w.Line("/// Each sample's row holds every input (output) in declaration order, as <see cref=\"PackInputs\"/> lays them out.");
        w.Line("/// </summary>");
        var parameters = new List<(string, string, string?)> { (ReadOnly, "input", null), (Writable, "output", null) };
        if (withMask) parameters.Add((Writable, NetworkLowering.OutputMaskSpan, null));
        parameters.Add(("int", "batchSize", "1"));
        GuardPrinter.OpenGuarded(w, "public", "void", withMask ? "PredictWithMask" : "Predict", parameters.ToArray());
        w.Line("global::NetGen.Guard.BatchSize(batchSize);");
        w.Line("global::NetGen.Guard.Length(input.Length, (long)batchSize * InputLength, nameof(input), \"batchSize × InputLength\");");
        w.Line("global::NetGen.Guard.Length(output.Length, (long)batchSize * OutputLength, nameof(output), \"batchSize × OutputLength\");");
        if (withMask)
            w.Line($"global::NetGen.Guard.Length({NetworkLowering.OutputMaskSpan}.Length, (long)batchSize * OutputMaskLength, nameof({NetworkLowering.OutputMaskSpan}), \"batchSize × OutputMaskLength\");");
        string mask = withMask ? $"{NetworkLowering.OutputMaskSpan}.Slice(start * OutputMaskLength, n * OutputMaskLength), " : "";
        TrainingPrinter.TokenValidation(w, g, "input");
        w.Open("for (int start = 0; start < batchSize; start += InferenceBatchCapacity)");
        w.Line("int n = global::System.Math.Min(InferenceBatchCapacity, batchSize - start);");
        if (ins == 1 && outs == 1)
            w.Line($"PredictChunk(input.Slice(start * InputLength, n * InputLength), output.Slice(start * OutputLength, n * OutputLength), {mask}n);");
        else
        {
            var args = new List<string>();
            if (ins == 1) args.Add("input.Slice(start * InputLength, n * InputLength)");
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
            if (outs == 1) args.Add("output.Slice(start * OutputLength, n * OutputLength)");
            else
            {
                int at = 0;
                for (int k = 0; k < outs; k++)
                {
                    int size = g.ShapeOf(g.Outputs[k]).Size;
                    w.Line($"var y{k} = new global::System.Span<float>(_packedOutput, InferenceBatchCapacity * {at}, n * {size});");
                    args.Add($"y{k}");
                    at += size;
                }
            }
            w.Line($"PredictChunk({string.Join(", ", args)}, {mask}n);");
            if (outs > 1)
            {
                int at = 0;
                for (int k = 0; k < outs; k++)
                {
                    int size = g.ShapeOf(g.Outputs[k]).Size;
                    w.Line($"{KnownKernels.Spell(KnownKernels.ConcatenateInto)}(y{k}, output.Slice(start * OutputLength, n * OutputLength), n, {size}, OutputLength, {at});");
                    at += size;
                }
            }
        }
        w.Close();
        w.Close();
        w.Line();
    }

    private static void TokenPredict(CodeWriter w, NetworkGraph g, bool withMask)
    {
        w.Line(withMask
            ? "/// <summary>PredictWithMask on token ids: <c>batchSize · InputLength</c> ids. Every id is checked before anything is computed.</summary>"
            : "/// <summary>Inference on token ids: <c>batchSize · InputLength</c> ids. Every id is checked before anything is computed.</summary>");
        var parameters = new List<(string, string, string?)> { ("global::System.ReadOnlySpan<int>", "tokens", null), (Writable, "output", null) };
        if (withMask) parameters.Add((Writable, NetworkLowering.OutputMaskSpan, null));
        parameters.Add(("int", "batchSize", "1"));
        GuardPrinter.OpenGuarded(w, "public", "void", withMask ? "PredictWithMask" : "Predict", parameters.ToArray());
        w.Line("global::NetGen.Guard.BatchSize(batchSize);");
        w.Line("global::NetGen.Guard.Length(tokens.Length, (long)batchSize * InputLength, nameof(tokens), \"batchSize × InputLength\");");
        w.Line("global::NetGen.Guard.Length(output.Length, (long)batchSize * OutputLength, nameof(output), \"batchSize × OutputLength\");");
        if (withMask)
            w.Line($"global::NetGen.Guard.Length({NetworkLowering.OutputMaskSpan}.Length, (long)batchSize * OutputMaskLength, nameof({NetworkLowering.OutputMaskSpan}), \"batchSize × OutputMaskLength\");");
        TrainingPrinter.TokenValidation(w, g, "tokens");
        w.Open("for (int start = 0; start < batchSize; start += InferenceBatchCapacity)");
        w.Line("int n = global::System.Math.Min(InferenceBatchCapacity, batchSize - start);");
        w.Line("var chunk = new global::System.Span<float>(_tokenChunk, 0, n * InputLength);");
        w.Line("var ids = tokens.Slice(start * InputLength, n * InputLength);");
        w.Line("for (int i = 0; i < ids.Length; i++) chunk[i] = ids[i];");
        // With several outputs PredictChunk takes one span per output: the packed overload splits them.
        if (withMask) w.Line($"PredictChunk(chunk, output.Slice(start * OutputLength, n * OutputLength), {NetworkLowering.OutputMaskSpan}.Slice(start * OutputMaskLength, n * OutputMaskLength), n);");
        else w.Line(g.Outputs.Count > 1 ? "PredictUnguarded(chunk, output.Slice(start * OutputLength, n * OutputLength), n);" : "PredictChunk(chunk, output.Slice(start * OutputLength, n * OutputLength), n);");
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>Predict on one span per input and per output (a graph with several inputs or outputs).</summary>
    private static void TypedPredict(CodeWriter w, NetworkGraph g)
    {
        var ins = g.Inputs.Select(i => (Name: Parameters.Name(i.Name, ""), Size: i.Shape.Size, Label: i.Name)).ToList();
        var outs = g.Outputs.Select(o => (Name: Parameters.Name(g.NameOf(o), "Output"), Size: g.ShapeOf(o).Size, Label: g.NameOf(o))).ToList();
        w.Line("/// <summary>Inference with one span per input and per output, each holding <c>batchSize</c> samples. Allocates nothing.</summary>");
        foreach (var i in ins) w.Line($"/// <param name=\"{i.Name.TrimStart('@')}\">input '{i.Label}': batchSize × {i.Size} floats</param>");
        foreach (var o in outs) w.Line($"/// <param name=\"{o.Name.TrimStart('@')}\">output '{o.Label}': batchSize × {o.Size} floats</param>");
        w.Line("/// <param name=\"batchSize\">samples</param>");
        var parameters = ins.Select(i => (ReadOnly, i.Name, (string?)null)).Concat(outs.Select(o => (Writable, o.Name, (string?)null))).Concat(new[] { ("int", "batchSize", (string?)"1") });
        GuardPrinter.OpenGuarded(w, "public", "void", "Predict", parameters.ToArray());
        w.Line("global::NetGen.Guard.BatchSize(batchSize);");
        foreach (var i in ins) w.Line($"global::NetGen.Guard.Length({i.Name}.Length, (long)batchSize * {i.Size}, nameof({i.Name}), \"batchSize × {i.Size}\");");
        foreach (var o in outs) w.Line($"global::NetGen.Guard.Length({o.Name}.Length, (long)batchSize * {o.Size}, nameof({o.Name}), \"batchSize × {o.Size}\");");
        w.Open("for (int start = 0; start < batchSize; start += InferenceBatchCapacity)");
        w.Line("int n = global::System.Math.Min(InferenceBatchCapacity, batchSize - start);");
        var args = ins.Select(i => $"{i.Name}.Slice(start * {i.Size}, n * {i.Size})").Concat(outs.Select(o => $"{o.Name}.Slice(start * {o.Size}, n * {o.Size})"));
        w.Line($"PredictChunk({string.Join(", ", args)}, n);");
        w.Close();
        w.Close();
        w.Line();
        Pack(w, g, "PackInputs", "inputs", ins.Select(i => (i.Name, i.Size, i.Label)).ToList(), "InputLength");
    }

    /// <summary>A static helper laying several per-input arrays out as the packed rows the single-span entry points take.</summary>
    public static void Pack(CodeWriter w, NetworkGraph g, string method, string what, IReadOnlyList<(string Name, int Size, string Label)> parts, string total)
    {
        w.Line($"/// <summary>Lays out the {what} of several samples as packed rows (one row per sample, the {what} in declaration order), for <see cref=\"{GuardPrinter.Cref(g, "Fit")}\"/>, <see cref=\"{GuardPrinter.Cref(g, "Evaluate")}\"/> and the single-span overloads.</summary>");
        w.Open($"public static float[] {method}({string.Join(", ", parts.Select(p => $"global::System.ReadOnlySpan<float> {p.Name}"))})");
        w.Line($"int samples = {parts[0].Name}.Length / {parts[0].Size};");
        foreach (var p in parts)
            w.Line($"global::NetGen.Guard.Length({p.Name}.Length, samples * {p.Size}, nameof({p.Name}), \"{p.Size} floats per sample for as many samples as {parts[0].Name.TrimStart('@')} holds\");");
        w.Line($"var rows = new float[samples * {total}];");
        int at = 0;
        foreach (var p in parts)
        {
            w.Line($"{KnownKernels.Spell(KnownKernels.ConcatenateInto)}({p.Name}, rows, samples, {p.Size}, {total}, {at});");
            at += p.Size;
        }
        w.Line("return rows;");
        w.Close();
        w.Line();
    }

}

/// <summary>Public method parameters made from layer names.</summary>
internal static class Parameters
{
    /// <summary>A parameter name made from a layer name (C# identifier, not clashing with the other parameters).</summary>
    public static string Name(string layerName, string suffix)
    {
        var chars = layerName.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!char.IsLetterOrDigit(chars[i])) chars[i] = '_';
        var id = new string(chars) + suffix;
        if (char.IsDigit(id[0])) id = "_" + id;
        if (id is "batchSize" or "loss" or "input" or "output" or "target" or "samples" or "rows" or "n" or "start" or "sparse" or "entered") id += "_";
        return Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(id) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + id : id;
    }
}
