using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Printing;

/// <summary>Prints the training entry points (<c>ComputeGradients</c> overloads, <c>PackTargets</c>) and the planned training step.</summary>
internal static class TrainingPrinter
{
    /// <summary>Checks every token id before anything is computed, so a bad id writes nothing.</summary>
    public static void TokenValidation(CodeWriter w, NetworkGraph g, string span)
    {
        int vocabulary = g.Layers.Select(l => l.TokenVocabulary).FirstOrDefault(v => v > 0);
        if (g.TokenIds && vocabulary > 0) w.Line($"{KnownKernels.Spell(KnownKernels.EmbeddingValidate)}({span}, {Literals.Int(vocabulary)});");
    }

    private const string ReadOnly = "global::System.ReadOnlySpan<float>";

    private const string Writable = "global::System.Span<float>";

    public static void Print(CodeWriter w, NetworkGraph g, Program program, MemoryPlan plan, IdentifierTable members)
    {
        int ins = g.Inputs.Count, outs = g.Outputs.Count;
        bool inputGradients = NetworkLowering.InputGradientSpans(g).Count > 0;
        SampleWeighted(w, g);
        w.Line("/// <summary>");
        w.Line("/// Training step without the update: forward pass in training mode, the loss (Keras reduction: per-sample loss,");
        w.Line("/// mean over the batch) and the full backward pass. Fills <see cref=\"Gradients\"/>; returns the mean loss.");
        w.Line("/// <paramref name=\"target\"/> holds <c>batchSize · OutputLength</c> floats, or one class id per output row for");
        w.Line("/// <see cref=\"global::NetGen.Loss.SparseCategoricalCrossentropy\"/> and <see cref=\"global::NetGen.Loss.SparseCategoricalCrossentropyFromLogits\"/>.");
        if (outs > 1) w.Line("/// With several outputs each row holds every output's target in order, and the loss is the sum of the outputs' losses.");
        w.Line("/// </summary>");
        var packed = new List<(string, string, string?)> { (ReadOnly, "input", null), (ReadOnly, "target", null), ("int", "batchSize", null), ("global::NetGen.Loss", "loss", null) };
        if (inputGradients)
        {
            w.Line("public float ComputeGradients(global::System.ReadOnlySpan<float> input, global::System.ReadOnlySpan<float> target, int batchSize, global::NetGen.Loss loss)");
            w.Line("    => ComputeGradients(input, target, batchSize, loss, default);");
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Training step without the update (see the overload without <paramref name=\"inputGradient\"/>) that also writes");
            w.Line("/// d(loss)/d(input) to <paramref name=\"inputGradient\"/>, <c>batchSize · InputLength</c> floats laid out as");
            w.Line("/// <paramref name=\"input\"/> (saliency maps, adversarial examples, chaining networks); the weight gradients are the");
            w.Line("/// same as without it. An empty span asks for nothing and costs nothing. Allocates nothing.");
            w.Line("/// </summary>");
            packed.Add((Writable, "inputGradient", null));
        }
        GuardPrinter.OpenGuarded(w, "public", "float", "ComputeGradients", packed.ToArray(), restoreState: g.StateCount > 0);
        if (Entry(w, g, program, plan, members, "ComputeGradientsCore", inputGradients, trainingMode: true)) return;

        TypedComputeGradients(w, g, inputGradients);
        var xs = NetworkLowering.Spans("input", ins);
        var ts = NetworkLowering.Spans("target", outs);
        var dxs = inputGradients ? NetworkLowering.InputGradientSpans(g) : System.Array.Empty<string>();
        var parameters = xs.Concat(ts).Select(x => $"global::System.ReadOnlySpan<float> {x}").Concat(dxs.Select(d => $"global::System.Span<float> {d}"));
        w.Open($"private float ComputeGradientsCore({string.Join(", ", parameters)}, int batchSize, global::NetGen.Loss loss)");
        Body(w, g, program, plan, members, xs, ts, dxs);
    }

    /// <summary>
    /// <c>ComputeWeightedGradients(input, target, sampleWeight, batchSize, loss)</c>: the training step with one weight per sample
    /// (Keras <c>sample_weight</c>), which the loss kernels read from <see cref="LossPrinter.SampleWeights"/> while it runs.
    /// </summary>
    private static void SampleWeighted(CodeWriter w, NetworkGraph g)
    {
        w.Line("/// <summary>");
        w.Line($"/// <see cref=\"{GuardPrinter.Cref(g, "ComputeGradients")}\"/> with one weight per sample (Keras <c>sample_weight</c>):");
        w.Line("/// each sample's loss is multiplied by its weight and the sum divided by the batch size (Keras' \"sum over batch size\"");
        w.Line("/// reduction), and so are the gradients. <paramref name=\"sampleWeight\"/> holds <c>batchSize</c> floats, or is empty");
        w.Line("/// (unweighted). Allocates only when the batch is larger than any before.");
        w.Line("/// </summary>");
        using (w.Open("public float ComputeWeightedGradients(global::System.ReadOnlySpan<float> input, global::System.ReadOnlySpan<float> target, global::System.ReadOnlySpan<float> sampleWeight, int batchSize, global::NetGen.Loss loss)"))
        {
            w.Line("if (sampleWeight.IsEmpty) return ComputeGradients(input, target, batchSize, loss);");
            w.Line("global::NetGen.Guard.BatchSize(batchSize);");
            w.Line("global::NetGen.Guard.Length(sampleWeight.Length, batchSize, nameof(sampleWeight), \"batchSize weights, one per sample\");");
            w.Line("bool entered = EnterBusy();  // the weights below belong to this call alone");
            using (w.Open("try"))
            {
                w.Line("if (_sampleWeight.Length < batchSize) _sampleWeight = new float[batchSize];");
                w.Line("sampleWeight.CopyTo(_sampleWeight);");
                w.Line("_sampleWeightCount = batchSize;");
                w.Line("return ComputeGradients(input, target, batchSize, loss);");
            }
            using (w.Open("finally"))
            {
                w.Line("_sampleWeightCount = 0;");
                w.Line("if (entered) global::System.Threading.Volatile.Write(ref _busy, 0);");
            }
        }
        w.Line();
    }

    /// <summary>
    /// <c>ComputeGradients(..., inputGradient, training)</c>: with <c>training: false</c> the gradients of the inference-mode
    /// forward (Keras <c>training=False</c> under a gradient tape), from <paramref name="program"/> (null: no layer
    /// depends on the mode, and both are the same step).
    /// </summary>
    public static void InferenceMode(CodeWriter w, NetworkGraph g, Program? program, MemoryPlan? plan, IdentifierTable members)
    {
        if (NetworkLowering.InputGradientSpans(g).Count == 0) return;
        const string signature = "public float ComputeGradients(global::System.ReadOnlySpan<float> input, global::System.ReadOnlySpan<float> target, int batchSize, global::NetGen.Loss loss, global::System.Span<float> inputGradient, bool training)";
        w.Line("/// <summary>");
        w.Line("/// Training step without the update (see the overload without <paramref name=\"training\"/>); <c>training: false</c>");
        w.Line("/// differentiates the inference-mode forward instead (Keras <c>training=False</c> under a gradient tape): dropout and");
        w.Line("/// noise off, BatchNormalization with its moving statistics, which it leaves unchanged.");
        w.Line("/// </summary>");
        if (program is null || plan is null)
        {
            w.Line(signature);
            w.Line("    => ComputeGradients(input, target, batchSize, loss, inputGradient);  // no layer of this network depends on the mode");
            w.Line();
            return;
        }
        using (w.Open(signature))
        {
            w.Line("if (training) return ComputeGradients(input, target, batchSize, loss, inputGradient);");
            w.Line("return ComputeInferenceGradients(input, target, batchSize, loss, inputGradient);");
        }
        w.Line();
        var packed = new (string, string, string?)[] { (ReadOnly, "input", null), (ReadOnly, "target", null), ("int", "batchSize", null), ("global::NetGen.Loss", "loss", null), (Writable, "inputGradient", null) };
        GuardPrinter.OpenGuarded(w, "private", "float", "ComputeInferenceGradients", packed, restoreState: false);
        if (Entry(w, g, program, plan, members, "ComputeInferenceGradientsCore", inputGradients: true, trainingMode: false)) return;
        var xs = NetworkLowering.Spans("input", g.Inputs.Count);
        var ts = NetworkLowering.Spans("target", g.Outputs.Count);
        var dxs = NetworkLowering.InputGradientSpans(g);
        var parameters = xs.Concat(ts).Select(x => $"global::System.ReadOnlySpan<float> {x}").Concat(dxs.Select(d => $"global::System.Span<float> {d}"));
        w.Open($"private float ComputeInferenceGradientsCore({string.Join(", ", parameters)}, int batchSize, global::NetGen.Loss loss)");
        Body(w, g, program, plan, members, xs, ts, dxs, trainingMode: false);
    }

    /// <summary>
    /// The body of a packed-span training entry point (its guard already open): argument checks, then the step itself
    /// (one input and output: returns true) or the split into per-input and per-target spans and a call of
    /// <paramref name="core"/> (returns false: the caller prints the core).
    /// </summary>
    private static bool Entry(CodeWriter w, NetworkGraph g, Program program, MemoryPlan plan, IdentifierTable members, string core, bool inputGradients, bool trainingMode)
    {
        int ins = g.Inputs.Count, outs = g.Outputs.Count;
        bool plain = ins == 1 && outs == 1;
        w.Line("global::NetGen.Guard.BatchSize(batchSize);");
        w.Line("global::NetGen.Guard.Length(input.Length, (long)batchSize * InputLength, nameof(input), \"batchSize × InputLength\");");
        w.Line("if (global::NetGen.Kernels.Losses.IsSparse(loss))");
        w.Line("    global::NetGen.Guard.Length(target.Length, (long)batchSize * OutputRowsPerSample, nameof(target), \"batchSize × OutputRowsPerSample class ids\");");
        w.Line("else");
        w.Line("    global::NetGen.Guard.Length(target.Length, (long)batchSize * OutputLength, nameof(target), \"batchSize × OutputLength\");");
        if (inputGradients)
            w.Line("if (!inputGradient.IsEmpty) global::NetGen.Guard.Length(inputGradient.Length, (long)batchSize * InputLength, nameof(inputGradient), \"batchSize × InputLength (or empty: no input gradient)\");");
        TokenValidation(w, g, "input");
        if (plain)
        {
            Body(w, g, program, plan, members, new[] { "input" }, new[] { "target" }, inputGradients ? new[] { "inputGradient" } : System.Array.Empty<string>(), trainingMode);
            return true;
        }
        w.Line("int n = batchSize;");
        w.Line("bool sparse = global::NetGen.Kernels.Losses.IsSparse(loss);");
        w.Line("int targetRow = sparse ? OutputRowsPerSample : OutputLength;");
        w.Line("if (_packedTraining.Length < n * (InputLength + OutputLength)) _packedTraining = new float[n * (InputLength + OutputLength)];");
        var args = new List<string>();
        if (ins == 1) args.Add("input");
        else
        {
            int at = 0;
            foreach (var i in g.Inputs)
            {
                w.Line($"var x{i.Index} = new global::System.Span<float>(_packedTraining, n * {at}, n * {i.Shape.Size});");
                w.Line($"{KnownKernels.Spell(KnownKernels.SplitFrom)}(input, x{i.Index}, n, {i.Shape.Size}, InputLength, {at});");
                args.Add($"x{i.Index}");
                at += i.Shape.Size;
            }
        }
        if (outs == 1) args.Add("target");
        else
        {
            w.Line("int targetAt = 0;");
            for (int k = 0; k < outs; k++)
            {
                var shape = g.ShapeOf(g.Outputs[k]);
                w.Line($"int targetLength{k} = sparse ? {shape.LeadingSize} : {shape.Size};");
                w.Line($"var t{k} = new global::System.Span<float>(_packedTraining, n * (InputLength + targetAt), n * targetLength{k});");
                w.Line($"{KnownKernels.Spell(KnownKernels.SplitFrom)}(target, t{k}, n, targetLength{k}, targetRow, targetAt);");
                w.Line($"targetAt += targetLength{k};");
                args.Add($"t{k}");
            }
        }
        if (inputGradients && ins == 1) args.Add("inputGradient");
        else if (inputGradients)
        {
            // Each input's gradient goes to its own region first, then into the caller's packed rows.
            w.Line("bool wanted = !inputGradient.IsEmpty;");
            w.Line("if (wanted && _packedInputGradient.Length < n * InputLength) _packedInputGradient = new float[n * InputLength];");
            int at = 0;
            foreach (var i in g.Inputs)
            {
                w.Line($"var dx{i.Index} = wanted ? new global::System.Span<float>(_packedInputGradient, n * {at}, n * {i.Shape.Size}) : default;");
                args.Add($"dx{i.Index}");
                at += i.Shape.Size;
            }
        }
        w.Line($"{(inputGradients && ins > 1 ? "float lossValue = " : "return ")}{core}({string.Join(", ", args)}, n, loss);");
        if (inputGradients && ins > 1)
        {
            using (w.Open("if (wanted)"))
            {
                int at = 0;
                foreach (var i in g.Inputs)
                {
                    w.Line($"{KnownKernels.Spell(KnownKernels.ConcatenateInto)}(dx{i.Index}, inputGradient, n, {i.Shape.Size}, InputLength, {at});");
                    at += i.Shape.Size;
                }
            }
            w.Line("return lossValue;");
        }
        w.Close();
        w.Line();
        return false;
    }

    /// <summary>ComputeGradients on one span per input and per target (a graph with several inputs or outputs).</summary>
    private static void TypedComputeGradients(CodeWriter w, NetworkGraph g, bool inputGradients)
    {
        var ins = g.Inputs.Select(i => (Name: Parameters.Name(i.Name, ""), Size: i.Shape.Size, Label: i.Name, Gradient: Parameters.Name(i.Name, "Gradient"))).ToList();
        var outs = g.Outputs.Select(o => (Name: Parameters.Name(g.NameOf(o), "Target"), Shape: g.ShapeOf(o), Label: g.NameOf(o))).ToList();
        var parameters = ins.Select(i => (ReadOnly, i.Name, (string?)null)).Concat(outs.Select(o => (ReadOnly, o.Name, (string?)null)))
            .Concat(new[] { ("int", "batchSize", (string?)null), ("global::NetGen.Loss", "loss", (string?)null) }).ToList();
        w.Line("/// <summary>Training step (see the packed overload) with one span per input and one target span per output.</summary>");
        if (inputGradients)
        {
            string plainArgs = string.Join(", ", parameters.Select(p => p.Item1 + " " + p.Item2));
            w.Line($"public float ComputeGradients({plainArgs})");
            w.Line($"    => ComputeGradients({string.Join(", ", parameters.Select(p => p.Item2))}{string.Concat(ins.Select(_ => ", default"))});");
            w.Line();
            w.Line("/// <summary>Training step (see the packed overload) with one span per input and per target, writing d(loss)/d(input) to each non-empty input-gradient span (one per input, laid out as that input).</summary>");
            parameters.AddRange(ins.Select(i => (Writable, i.Gradient, (string?)null)));
        }
        GuardPrinter.OpenGuarded(w, "public", "float", "ComputeGradients", parameters.ToArray(), restoreState: g.StateCount > 0);
        w.Line("global::NetGen.Guard.BatchSize(batchSize);");
        w.Line("bool sparse = global::NetGen.Kernels.Losses.IsSparse(loss);");
        foreach (var i in ins) w.Line($"global::NetGen.Guard.Length({i.Name}.Length, (long)batchSize * {i.Size}, nameof({i.Name}), \"batchSize × {i.Size}\");");
        foreach (var o in outs)
            w.Line($"global::NetGen.Guard.Length({o.Name}.Length, batchSize * (sparse ? {o.Shape.LeadingSize} : {o.Shape.Size}), nameof({o.Name}), sparse ? \"batchSize × {o.Shape.LeadingSize} class ids\" : \"batchSize × {o.Shape.Size}\");");
        if (inputGradients)
            foreach (var i in ins)
                w.Line($"if (!{i.Gradient}.IsEmpty) global::NetGen.Guard.Length({i.Gradient}.Length, (long)batchSize * {i.Size}, nameof({i.Gradient}), \"batchSize × {i.Size} (or empty: no gradient for {i.Label})\");");
        var args = ins.Select(i => i.Name).Concat(outs.Select(o => o.Name));
        if (inputGradients) args = args.Concat(ins.Select(i => i.Gradient));
        w.Line($"return ComputeGradientsCore({string.Join(", ", args)}, batchSize, loss);");
        w.Close();
        w.Line();
        if (g.Outputs.Count > 1)
            InferencePrinter.Pack(w, g, "PackTargets", "targets", outs.Select(o => (o.Name, o.Shape.Size, o.Label)).ToList(), "OutputLength");
    }

    /// <summary>The training forward pass, the loss and the backward pass, reading <paramref name="inputs"/> and <paramref name="targets"/>.</summary>
    private static void Body(CodeWriter w, NetworkGraph g, Program program, MemoryPlan plan, IdentifierTable members, IReadOnlyList<string> inputs, IReadOnlyList<string> targets, IReadOnlyList<string> inputGradients, bool trainingMode = true)
    {
        int outs = g.Outputs.Count;
        for (int k = 0; k < inputGradients.Count && k < program.InputGradientBlocked.Count; k++)
            if (program.InputGradientBlocked[k] is { } why)
                w.Line($"if (!{inputGradients[k]}.IsEmpty) throw new global::System.NotSupportedException({Literals.String(why)});");
        if (program.Blocked is not null)
        {
            w.Line("_trainingBatch = 0;  // TrainingOutput stays empty: this network cannot train");
            w.Line($"throw new global::System.NotSupportedException({Literals.String(program.Blocked)});");
            w.Close();
            w.Line();
            return;
        }
        w.Line("int n = batchSize;");
        // The buffers only an input gradient uses lie after the others: the arena covers them only when one is asked for.
        string gradientFloats = "GradientFloatsPerSample";
        if (plan.InputGradientExtraPerSample > 0 && inputGradients.Count > 0)
        {
            w.Line($"int gradientFloatsPerSample = {string.Join(" && ", inputGradients.Select(d => d + ".IsEmpty"))} ? GradientFloatsPerSample : GradientFloatsPerSample + InputGradientFloatsPerSample;");
            gradientFloats = "gradientFloatsPerSample";
        }
        string maskGrows = g.OutputMask >= 0 ? " || _trainingOutputMask.Length < n * OutputMaskLength" : "";
        using (w.Open($"if (_trainingArena.Length < (long)n * TrainingFloatsPerSample || _gradientArena.Length < (long)n * {gradientFloats}{maskGrows})"))
        {
            w.Line("// Grows only when a larger batch arrives; steady-state training allocates nothing.");
            w.Line("_trainingArena = new float[global::NetGen.Guard.ArenaFloats((long)n * TrainingFloatsPerSample, nameof(batchSize), \"batchSize × TrainingFloatsPerSample\")];");
            w.Line($"_gradientArena = new float[global::NetGen.Guard.ArenaFloats((long)n * {gradientFloats}, nameof(batchSize), \"batchSize × GradientFloatsPerSample\")];");
            if (outs > 1) w.Line("_trainingOutputs = new float[n * OutputLength];");
            if (g.OutputMask >= 0) w.Line("_trainingOutputMask = new float[n * OutputMaskLength];");
        }
        w.Line(trainingMode ? "_trainingBatch = n;" : "_trainingBatch = 0;  // TrainingOutput holds the outputs of training-mode steps only");
        w.Line("global::System.ReadOnlySpan<float> p = _parameters;");
        w.Line("global::System.Span<float> dp = _gradients;");
        if (g.StateCount > 0) w.Line("global::System.Span<float> st = _state;");
        if (plan.ActivationsPerSample > 0) w.Line("global::System.Span<float> t = _trainingArena;");
        if (plan.GradientsPerSample + plan.InputGradientExtraPerSample > 0) w.Line("global::System.Span<float> g = _gradientArena;");
        w.Line();
        new OperationPrinter(w, g, program, plan, members, training: true, targets).PrintBody();
        if (g.Layers.Any(l => l.Parameters.Any(p => p.Regularizer is not null)))
        {
            w.Line();
            w.Line("// ---------------- regularization (kernel_regularizer, ...: ParameterLayout) ----------------");
            w.Line("lossValue += global::NetGen.Training.Regularization.Apply(ParameterLayout, _trainable, p, dp);");
        }
        w.Line("return lossValue;");
        w.Close();
        w.Line();
    }

    /// <summary>
    /// Int-typed training entry points for token-id inputs: a training step copies the ids into a buffer it reuses; Fit
    /// and Evaluate copy the whole data set to floats once per call.
    /// </summary>
    public static void TokenTraining(CodeWriter w)
    {
        w.Line("private static float[] TokensAsFloats(global::System.ReadOnlySpan<int> tokens)");
        w.Line("{");
        w.Line("    var values = new float[tokens.Length];");
        w.Line("    for (int i = 0; i < tokens.Length; i++) values[i] = tokens[i];");
        w.Line("    return values;");
        w.Line("}");
        w.Line();
        w.Line("/// <summary>Training step on token ids (see the float overload).</summary>");
        w.Open("public float ComputeGradients(global::System.ReadOnlySpan<int> tokens, global::System.ReadOnlySpan<float> target, int batchSize, global::NetGen.Loss loss)");
        w.Line("bool entered = EnterBusy();  // the float copy below belongs to this call");
        using (w.Open("try"))
        {
            w.Line("// A buffer reused from call to call (grows only with a larger batch): a training step on ids allocates nothing.");
            w.Line("if (_tokenTraining.Length < tokens.Length) _tokenTraining = new float[tokens.Length];");
            w.Line("var ids = new global::System.Span<float>(_tokenTraining, 0, tokens.Length);");
            w.Line("for (int i = 0; i < tokens.Length; i++) ids[i] = tokens[i];");
            w.Line("return ComputeGradients(ids, target, batchSize, loss);");
        }
        w.Line("finally { if (entered) global::System.Threading.Volatile.Write(ref _busy, 0); }");
        w.Close();
        w.Line();
        w.Line("/// <summary>Keras <c>fit</c> on token ids (see the float overload, an extension method in <see cref=\"global::NetGen.NetworkTrainingExtensions\"/>).</summary>");
        w.Line("public global::NetGen.Training.History Fit(global::System.ReadOnlySpan<int> x, global::System.ReadOnlySpan<float> y, int epochs = 1, int batchSize = 32, double validationSplit = 0.0, bool shuffle = true, global::System.Action<global::NetGen.Training.TrainingProgress>? callback = null)");
        w.Line("    => global::NetGen.NetworkTrainingExtensions.Fit(this, TokensAsFloats(x), y, epochs, batchSize, validationSplit, shuffle, callback);");
        w.Line();
        w.Line("/// <summary>Keras <c>evaluate</c> on token ids.</summary>");
        w.Line("public global::NetGen.Training.Evaluation Evaluate(global::System.ReadOnlySpan<int> x, global::System.ReadOnlySpan<float> y, int batchSize = 32)");
        w.Line("    => global::NetGen.NetworkTrainingExtensions.Evaluate(this, TokensAsFloats(x), y, batchSize);");
        w.Line();
    }

    /// <summary>
    /// What the runtime's training API (<c>NetGen.NetworkTrainingExtensions</c>: Compile, Fit, Evaluate, TrainOnBatch, Summary,
    /// extension methods over <c>INetwork</c>) needs from the network: its seed, a slot for the compiled trainer and the busy
    /// guard; then Save and Load, and the static Summary of the compile-time table.
    /// </summary>
    public static void TrainingApi(CodeWriter w, bool hasState)
    {
        w.Line("// Compile, Fit, Evaluate and TrainOnBatch are extension methods over INetwork (global::NetGen.NetworkTrainingExtensions);");
        w.Line("// the network keeps their trainer and lends them its busy guard.");
        w.Line("int global::NetGen.INetwork.Seed => _seed;");
        w.Line("global::NetGen.Training.Trainer? global::NetGen.INetwork.CompiledTrainer { get => _trainer; set => _trainer = value; }");
        w.Line("bool global::NetGen.INetwork.EnterBusy() => EnterBusy();");
        w.Line("void global::NetGen.INetwork.ExitBusy() => global::System.Threading.Volatile.Write(ref _busy, 0);");
        w.Line();
        if (!hasState)
        {
            w.Line("/// <summary>Writes the weights to <paramref name=\"path\"/> (a temporary file, then an atomic rename).</summary>");
            w.Line("public void Save(string path) => global::NetGen.Training.WeightFile.Save(path, WeightSignature, _parameters);");
            w.Line();
            w.Line("/// <summary>Reads weights written by <see cref=\"Save\"/>; on any error throws and leaves the current weights untouched.</summary>");
            w.Line("public void Load(string path) => global::NetGen.Training.WeightFile.Load(path, WeightSignature, _parameters);");
        }
        else
        {
            w.Line("/// <summary>Writes the weights, then the state, to <paramref name=\"path\"/> (a temporary file, then an atomic rename).</summary>");
            w.Open("public void Save(string path)");
            w.Line("var all = new float[ParameterCount + StateCount];");
            w.Line("_parameters.CopyTo(all, 0);");
            w.Line("_state.CopyTo(all, ParameterCount);");
            w.Line("global::NetGen.Training.WeightFile.Save(path, WeightSignature, all);");
            w.Close();
            w.Line();
            w.Line("/// <summary>Reads weights and state written by <see cref=\"Save\"/>; on any error throws and leaves both untouched.</summary>");
            w.Open("public void Load(string path)");
            w.Line("var all = new float[ParameterCount + StateCount];");
            w.Line("global::NetGen.Training.WeightFile.Load(path, WeightSignature, all);");
            w.Line("global::System.Array.Copy(all, 0, _parameters, 0, ParameterCount);");
            w.Line("global::System.Array.Copy(all, ParameterCount, _state, 0, StateCount);");
            w.Close();
        }
        w.Line();
        w.Line("/// <summary>Prints <see cref=\"SummaryText\"/> (Keras <c>model.summary()</c>).</summary>");
        w.Line("public static void Summary(global::System.IO.TextWriter? writer = null) => (writer ?? global::System.Console.Out).Write(SummaryText);");
    }
}
