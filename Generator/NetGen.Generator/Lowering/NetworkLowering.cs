using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Layers;
using NetGen.Generator.Printing;

namespace NetGen.Generator.Lowering;

/// <summary>
/// Lowers a network graph to two programs: Predict's chunk (inference) and the training step (forward, loss,
/// backward). It wires the layers' tensors together (aliases, in-place hints, gradient sums) and lets each layer
/// lower itself; it never asks which kind a layer is. The backward part asks for every input gradient a layer can
/// give; the dead-gradient pass drops the ones nobody reads.
/// </summary>
internal static class NetworkLowering
{
    /// <summary>Names of the per-input and per-output spans of the chunk and training methods.</summary>
    public static IReadOnlyList<string> Spans(string stem, int count) => count == 1 ? new[] { stem } : Enumerable.Range(0, count).Select(i => stem + i).ToArray();

    /// <summary>The name of the output mask span of <c>PredictChunk</c> (a network whose output carries a padding mask).</summary>
    public const string OutputMaskSpan = "outputMask";

    /// <summary>The name of layer <paramref name="index"/>'s output span in <c>PredictLayersChunk</c>.</summary>
    public static string Tap(int index) => "tap" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Predict's chunk (inference), or with <paramref name="taps"/> the chunk of <c>PredictLayers</c>: after each layer
    /// its output is copied to the caller's span for that layer (<see cref="Tap"/>) when one was given, and the network
    /// outputs are not written.
    /// </summary>
    public static Program Inference(NetworkGraph g, Resources resources, bool taps = false)
    {
        var program = new Program();
        var c = new LoweringContext(program, resources, training: false);
        var xs = Spans("x", g.Inputs.Count);
        var ys = Spans("y", g.Outputs.Count);
        var values = new Dictionary<int, Tensor>();
        foreach (var i in g.Inputs) values[i.Id] = c.External(xs[i.Index], i.Shape, i.Id, writable: false);
        c.NetworkInputs = g.Inputs.Select(i => values[i.Id]).ToList();
        for (int index = 0; index < g.Layers.Count; index++)
        {
            var l = g.Layers[index];
            c.Layer = l;
            c.LayerIndex = index;
            bool alias = l.InferenceUse == BufferUse.Alias;
            c.Add(new LayerStart(l, alias ? "(no computation: the output is the input's floats)" : null));
            var y = c.NewTensor(l.Name, l.OutputShape.Size, Arena.Activations, l.OutputShape, l.Id);
            values[l.Id] = y;
            if (alias)
            {
                c.Alias(values[l.Sources[0]], y);
                if (taps) Tap(c, y, l, index);
                continue;
            }
            // An element-wise layer may overwrite its input when nothing reads the input later (the planner decides).
            if (l.InferenceUse == BufferUse.InPlace && l.Sources.Length == 1) y.ReuseOf = values[l.Sources[0]];
            l.LowerInference(c, l.Sources.Select(s => values[s]).ToList(), y);
            if (taps) Tap(c, y, l, index);
        }
        c.Layer = null;
        if (taps) return program;
        for (int k = 0; k < g.Outputs.Count; k++)
        {
            var o = g.Outputs[k];
            var output = values[o];
            program.Outputs.Add(output);
            c.Copy(output, c.External(ys[k], g.ShapeOf(o), -1, writable: true));
        }
        if (g.OutputMask >= 0)
        {
            // PredictWithMask: the output's padding mask as 1 (real step) and 0 (padding), when the caller asks for it.
            var sink = c.External(OutputMaskSpan, new Shape(g.OutputMaskSteps), -1, writable: true);
            c.Add(new KernelCall(KnownKernels.MaskingIndicator, new Operand[] { new TensorArg(c.MaskStartedBy(g.OutputMask), false), LoweringContext.Out(sink), LoweringContext.Times(g.OutputMaskSteps) }) { OnlyWhenGiven = new[] { sink } });
        }
        return program;
    }

    private static void Tap(LoweringContext c, Tensor y, LayerNode l, int index)
    {
        var tap = c.External(Tap(index), l.OutputShape, -1, writable: true);
        c.Add(new CopyOp(y, tap) { OnlyWhenGiven = new[] { tap } });
    }

    /// <summary>
    /// The training step: forward in training mode, loss, backward. With <paramref name="inferenceMode"/> the forward is
    /// the inference one (Keras <c>training=False</c> under a gradient tape): layers that are the identity at inference
    /// (dropout, noise) pass through, and layers that read <see cref="LoweringContext.InferenceMode"/> (BatchNormalization)
    /// lower their inference form and its backward.
    /// </summary>
    public static Program Training(NetworkGraph g, Resources resources, bool inferenceMode = false)
    {
        var program = new Program { InferenceMode = inferenceMode };
        var c = new LoweringContext(program, resources, training: true) { InferenceMode = inferenceMode };
        bool Identity(LayerNode l) => inferenceMode && l.InferenceUse == BufferUse.Alias;
        var inputs = Spans("input", g.Inputs.Count);
        var values = new Dictionary<int, Tensor>();
        foreach (var i in g.Inputs) values[i.Id] = c.External(inputs[i.Index], i.Shape, i.Id, writable: false);
        c.NetworkInputs = g.Inputs.Select(i => values[i.Id]).ToList();
        var blocked = Blocked(g);
        if (blocked is not null)
        {
            program.Blocked = $"Lambda '{blocked.Name}' is inference-only, but training needs the gradient through it; give it a Backward method.";
            return program;
        }

        // ---- forward
        c.Add(new SectionOp(Section.Forward));
        for (int index = 0; index < g.Layers.Count; index++)
        {
            var l = g.Layers[index];
            c.Layer = l;
            c.LayerIndex = index;
            bool alias = l.TrainingUse == BufferUse.Alias || Identity(l);
            c.Add(new LayerStart(l, alias ? "(no computation: the output is the input's floats)" : null));
            var y = c.NewTensor(l.Name, l.OutputShape.Size, Arena.Activations, l.OutputShape, l.Id);
            values[l.Id] = y;
            if (alias) c.Alias(values[l.Sources[0]], y);
            else l.LowerTrainingForward(c, l.Sources.Select(s => values[s]).ToList(), y);
        }
        c.Layer = null;
        // An output that is a network input (only reinterpreting layers in between) gets a copy, so TrainingOutput has a home.
        var outputs = new List<Tensor>();
        foreach (var o in g.Outputs)
        {
            var t = values[o];
            if (IsExternal(program, t))
            {
                var copy = outputs.FirstOrDefault(x => x.Value == o && x != t) ?? c.NewTensor(g.NameOf(o) + "_output", t.PerSample, Arena.Activations, g.ShapeOf(o), o);
                if (!outputs.Contains(copy)) c.Copy(t, copy);
                t = copy;
            }
            t.LiveOut = true;
            outputs.Add(t);
        }
        program.Outputs.AddRange(outputs);

        // Gradients with respect to the float inputs: computed into the gradient arena and copied to the caller's span
        // when one is given (the dead-gradient pass makes the operations that serve only them conditional).
        var inputGradients = InputGradientSpans(g);
        bool Differentiable(int value) => !g.IsInput(value) || inputGradients.Count > 0;

        // ---- loss
        c.Add(new SectionOp(Section.Loss));
        // A masked output: the mask as 1 (real step) and 0 (padding) in a field, which the loss reads and TrainingOutputMask shows.
        Tensor? outputMask = null;
        if (g.OutputMask >= 0)
        {
            outputMask = c.External($"new global::System.Span<float>(_trainingOutputMask, 0, n * {Literals.Int(g.OutputMaskSteps)})", new Shape(g.OutputMaskSteps), -1, writable: true);
            c.Call(KnownKernels.MaskingIndicator, c.MaskStartedBy(g.OutputMask), LoweringContext.Out(outputMask), LoweringContext.Times(g.OutputMaskSteps));
        }
        var gradients = new Dictionary<int, Tensor>();
        for (int k = 0; k < g.Outputs.Count; k++)
        {
            int o = g.Outputs[k];
            var shape = g.ShapeOf(o);
            Tensor? gradient = null;
            if (Differentiable(GraphBuilder.AliasRoot(g, o, training: true)))
            {
                if (!gradients.TryGetValue(o, out var existing)) gradient = gradients[o] = c.NewTensor("d_" + g.NameOf(o), shape.Size, Arena.Gradients, shape, o);
                else gradient = c.NewTensor("d_" + g.NameOf(o) + "_loss" + k, shape.Size, Arena.Gradients, shape, o);
            }
            c.Add(new LossOp(k, outputs[k], gradient, shape.LeadingSize, shape.Last) { Mask = outputMask is null ? null : new TensorArg(outputMask, false) });
            if (gradient is not null && gradients[o] != gradient) c.Accumulate(gradients[o], gradient);
        }
        if (g.Outputs.Count > 1)
        {
            var all = c.External("_trainingOutputs", new Shape(g.OutputLength), -1, writable: true);
            int at = 0;
            for (int k = 0; k < g.Outputs.Count; k++)
            {
                int size = g.ShapeOf(g.Outputs[k]).Size;
                c.Call(KnownKernels.ConcatenateInto, outputs[k], LoweringContext.Out(all), LoweringContext.Batch, LoweringContext.Int(size), LoweringContext.Int(g.OutputLength), LoweringContext.Int(at));
                at += size;
            }
        }

        // ---- backward
        c.Add(new SectionOp(Section.Backward));
        c.Backward = true;
        for (int index = g.Layers.Count - 1; index >= 0; index--)
        {
            var l = g.Layers[index];
            if (!gradients.TryGetValue(l.Id, out var dy)) continue;
            c.Layer = l;
            c.LayerIndex = index;
            bool passThrough = l.TrainingUse == BufferUse.Alias || l.BackwardUse == BufferUse.Alias || Identity(l);
            c.Add(new LayerStart(l, passThrough ? "(no code: the input gradient is the output gradient)" : null));
            if (passThrough)
            {
                Pass(c, g, gradients, dy, l.Sources[0], Differentiable);
                continue;
            }
            var dxs = new Tensor?[l.Sources.Length];
            var sums = new List<(Tensor Target, Tensor Addend)>();
            bool inPlace = l.BackwardUse == BufferUse.InPlace && l.Sources.Length == 1;
            for (int k = 0; k < l.Sources.Length; k++)
            {
                int s = l.Sources[k];
                if (!Differentiable(s)) continue; // nothing reads a network input's gradient
                if (inPlace) dxs[k] = dy;
                else if (!gradients.TryGetValue(s, out var target))
                    dxs[k] = gradients[s] = c.NewTensor("d_" + g.NameOf(s), g.ShapeOf(s).Size, Arena.Gradients, g.ShapeOf(s), s);
                else
                {
                    var part = c.NewTensor("d_" + g.NameOf(s) + "_from_" + l.Name, g.ShapeOf(s).Size, Arena.Gradients, g.ShapeOf(s), s);
                    dxs[k] = part;
                    sums.Add((target, part));
                }
            }
            var forwardOutput = values[l.Id];
            l.LowerBackward(c, new BackwardArgs(l.Sources.Select(s => values[s]).ToList(), forwardOutput, dy, dxs));
            foreach (var (target, addend) in sums) c.Accumulate(target, addend);
            if (inPlace && dxs[0] is not null) Pass(c, g, gradients, dy, l.Sources[0], Differentiable);
        }
        c.Layer = null;
        for (int k = 0; k < inputGradients.Count; k++)
        {
            var input = g.Inputs[k];
            var sink = c.External(inputGradients[k], input.Shape, -1, writable: true);
            program.InputGradients.Add(sink);
            var through = InferenceOnlyAfter(g, input.Id);
            program.InputGradientBlocked.Add(through is null ? null
                : $"Lambda '{through.Name}' is inference-only, but the gradient with respect to input '{input.Name}' passes through it; give it a Backward method.");
            Operation op = gradients.TryGetValue(input.Id, out var d) ? new CopyOp(d, sink) : new ClearOp(sink);
            op.OnlyWhenGiven = new[] { sink };
            c.Add(op);
        }
        return program;
    }

    /// <summary>
    /// The names of the spans receiving d(loss)/d(input) in the training method, one per input; none when an input holds
    /// token ids (integers have no gradient).
    /// </summary>
    public static IReadOnlyList<string> InputGradientSpans(NetworkGraph g)
        => g.TokenIds ? System.Array.Empty<string>() : Spans("inputGradient", g.Inputs.Count);

    /// <summary>Hands <paramref name="gradient"/> on as the gradient of <paramref name="source"/>: a new name for it, or a sum.</summary>
    private static void Pass(LoweringContext c, NetworkGraph g, Dictionary<int, Tensor> gradients, Tensor gradient, int source, System.Func<int, bool> differentiable)
    {
        if (!differentiable(source)) return;
        if (gradients.TryGetValue(source, out var target))
        {
            c.Accumulate(target, gradient);
            return;
        }
        var named = c.NewTensor("d_" + g.NameOf(source), gradient.PerSample, Arena.Gradients, g.ShapeOf(source), source);
        c.Alias(gradient, named);
        gradients[source] = named;
    }

    private static bool IsExternal(Program program, Tensor t)
    {
        // An alias of an external tensor is external too.
        if (t.Arena == Arena.External) return true;
        foreach (var op in program.Operations)
            if (op is AliasOp a && a.To.Tensor == t) return IsExternal(program, a.From.Tensor);
        return false;
    }

    /// <summary>An inference-only Lambda that reads (through any layers) the value <paramref name="input"/>, or null.</summary>
    private static LayerNode? InferenceOnlyAfter(NetworkGraph g, int input)
    {
        var reached = new HashSet<int> { input };
        foreach (var l in g.Layers)
            if (l.Sources.Any(reached.Contains))
            {
                if (l is LambdaNode { InferenceOnly: true }) return l;
                reached.Add(l.Id);
            }
        return null;
    }

    /// <summary>An inference-only Lambda the gradient must pass through (it depends on a weight), or null.</summary>
    private static LayerNode? Blocked(NetworkGraph g)
    {
        var needs = new HashSet<int>();
        foreach (var l in g.Layers)
            if (l.Parameters.Count > 0 || l.Sources.Any(needs.Contains)) needs.Add(l.Id);
        // The gradient reaches a layer when some output depends on it.
        var reached = new HashSet<int>(g.Outputs);
        for (int i = g.Layers.Count - 1; i >= 0; i--)
            if (reached.Contains(g.Layers[i].Id))
                foreach (var s in g.Layers[i].Sources) reached.Add(s);
        return g.Layers.FirstOrDefault(l => l is LambdaNode { InferenceOnly: true } && reached.Contains(l.Id) && l.Sources.Any(needs.Contains));
    }
}
