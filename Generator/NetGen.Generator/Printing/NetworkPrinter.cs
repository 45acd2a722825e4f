using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Passes;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Printing;

/// <summary>
/// Prints the generated partial class of one network: the shell (header, layer table, constants, fields, constructor,
/// properties) here, then the inference, training, summary and diagram parts through their printers. It first runs the
/// rest of the flow: lowering, passes and planning.
/// </summary>
internal static class NetworkPrinter
{
    public const string Version = BuildInfo.Version; // <Version> of Directory.Build.props

    /// <summary>
    /// Members of the generated class (and of <c>INetwork</c>): generated field names must not take them, and a user's
    /// member of one of these names clashes (the parser's <c>GeneratedMembers</c> reads this list).
    /// </summary>
    internal static readonly string[] ReservedMembers =
    {
        "InputLength", "OutputLength", "OutputRowsPerSample", "ParameterCount", "StateCount", "InferenceBatchCapacity", "InferenceArenaFloats",
        "InferenceArenaBytes", "TrainingFloatsPerSample", "GradientFloatsPerSample", "InputGradientFloatsPerSample", "TrainingFloats", "WeightSignature", "InputShape", "OutputShape",
        "Outputs", "Diagram", "MermaidDiagram", "TrainableWeights", "SetTrainable", "_trainable", "ParameterLayout", "StateLayout", "SummaryText", "Parameters", "Gradients", "State", "TrainingOutput", "Predict",
        "PredictChunk", "ComputeGradients", "ComputeGradientsCore", "Compile", "Fit", "Evaluate", "TrainOnBatch", "Save", "Load", "Summary",
        "PackInputs", "PackTargets", "Layers", "PredictLayers", "PredictLayersUnguarded", "PredictLayersChunk", "PredictLayer", "TokensAsFloats", "_busy", "EnterBusy", "PredictUnguarded", "ComputeGradientsUnguarded", "ComputeInferenceGradients", "ComputeInferenceGradientsUnguarded", "ComputeInferenceGradientsCore", "_parameters", "_parameterArray", "_bakedParameters", "InferenceParameters", "_gradients", "_inferenceArena", "_state", "_stateBeforeCall", "_tokenChunk", "_tokenTraining", "_packedInput",
        "_packedOutput", "_packedTraining", "_packedInputGradient", "_trainingOutputs", "_trainingArena", "_gradientArena", "_trainingBatch", "_seed", "_trainer", "_workspace",
        "ComputeWeightedGradients", "_sampleWeight", "_sampleWeightCount", LossPrinter.SampleWeights, "StepInputLength", "StepOutputLength", "StepStateFloats", "_stepState", "_stepArena", "ResetState", "Step", "StepUnguarded", "_folded",
        "OutputMaskLength", "TrainingOutputMask", "_trainingOutputMask", "PredictWithMask", "PredictWithMaskUnguarded",
    };

    public static string Print(NetworkGraph g, PassOptions options)
    {
        // Lower, run the passes, plan: plain C# over operations, no text until here.
        var resources = new Resources();
        var inferenceProgram = NetworkLowering.Inference(g, resources);
        var trainingProgram = NetworkLowering.Training(g, resources);
        var tapsProgram = NetworkLowering.Inference(g, resources, taps: true);
        // Gradients of the inference-mode forward, when some layer computes differently in the two modes.
        bool modes = !g.TokenIds && g.Layers.Any(l => l.DependsOnTrainingMode);
        var inferenceModeProgram = modes ? NetworkLowering.Training(g, resources, inferenceMode: true) : null;
        PassPipeline.Run(inferenceProgram, trainingProgram, options, resources);
        if (inferenceModeProgram is not null) PassPipeline.Run(new Program(), inferenceModeProgram, options);
        // PredictLayers' chunk copies every layer's output as it is made: only the within-layer epilogue fusion applies
        // (a pass that fuses across layers would drop outputs it must copy).
        if (options.Epilogues) Epilogues.Run(tapsProgram);
        var inference = Planner.Plan(inferenceProgram);
        var training = Planner.Plan(trainingProgram);
        var taps = Planner.Plan(tapsProgram);
        var inferenceMode = inferenceModeProgram is null ? null : Planner.Plan(inferenceModeProgram);
        // The arena's size is an int constant. GraphBuilder.CheckTotals bounds it from the layers' inputs and outputs; a layer's
        // own scratch (attention scores, ...) can still take the plan past it at a large InferenceBatchCapacity.
        long arenaFloats = (long)System.Math.Max(1, g.Spec.InferenceBatchCapacity) * System.Math.Max(inference.ActivationsPerSample, taps.ActivationsPerSample);
        if (arenaFloats > GraphBuilder.MaxFloats)
            throw new PlanTooLargeException($"the inference arena for InferenceBatchCapacity = {g.Spec.InferenceBatchCapacity} samples of "
                + $"{System.Math.Max(inference.ActivationsPerSample, taps.ActivationsPerSample)} floats ({arenaFloats} in all)");
        // Streaming (Step/ResetState) for a network whose recurrent layers can advance one step at a time.
        var streamChain = StreamingLowering.Chain(g);
        var stepProgram = streamChain is null ? null : StreamingLowering.Lower(g, streamChain, resources);
        if (stepProgram is not null && options.Epilogues) Epilogues.Run(stepProgram);
        var stepPlan = stepProgram is null ? null : Planner.Plan(stepProgram);
        var members = new IdentifierTable(ReservedMembers);
        var w = new CodeWriter();
        var spec = g.Spec;
        var className = spec.ClassName;
        int inputLength = g.InputLength;
        int outputLength = g.OutputLength;
        int capacity = spec.InferenceBatchCapacity;
        bool several = g.Inputs.Count > 1 || g.Outputs.Count > 1;

        w.Line("// <auto-generated/>");
        w.Line($"// Generated by NetGen {Version} from the attributes on {className}. Do not edit.");
        w.Line("#nullable enable");
        w.Line("#pragma warning disable CS1591 // members of user-declared partial types may be undocumented");
        w.Line();
        if (spec.Namespace is not null)
        {
            w.Line($"namespace {spec.Namespace};");
            w.Line();
        }
        foreach (var outer in spec.ContainingTypes)
            w.Open($"partial {outer.Keyword} {outer.Name}");

        w.Line("/// <remarks>");
        w.Line("/// NetGen network. Layers (output shapes without the batch axis):");
        w.Line("/// <list type=\"table\">");
        foreach (var i in g.Inputs)
            w.Line($"/// <item><term>{i.Name}</term><description>Input {i.Shape}</description></item>");
        foreach (var l in g.Layers)
            w.Line($"/// <item><term>{l.Name}</term><description>{Literals.Xml(l.Description)} → {l.OutputShape}, {l.Parameters.Sum(p => p.Length)} params</description></item>");
        w.Line("/// </list>");
        w.Line("/// </remarks>");
        w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"NetGen\", \"{Version}\")]");
        w.Open($"partial class {className} : global::NetGen.INetwork");

        // ---- constants
        w.Line($"/// <summary>Floats in one input sample: {string.Join(" + ", g.Inputs.Select(i => i.Shape.ToString()))}.</summary>");
        w.Line($"public const int InputLength = {inputLength};");
        w.Line($"/// <summary>Floats in one output sample: {string.Join(" + ", g.Outputs.Select(o => g.ShapeOf(o).ToString()))}.</summary>");
        w.Line($"public const int OutputLength = {outputLength};");
        w.Line("/// <summary>Rows the loss sees per sample (every output axis but the last).</summary>");
        w.Line($"public const int OutputRowsPerSample = {g.Outputs.Sum(o => g.ShapeOf(o).LeadingSize)};");
        if (g.OutputMask >= 0)
        {
            w.Line($"/// <summary>Padding-mask values per sample of the output (its first {Literals.Int(g.OutputMaskSteps)} positions): the losses skip the padded steps (see <see cref=\"PredictWithMask\"/>).</summary>");
            w.Line($"public const int OutputMaskLength = {Literals.Int(g.OutputMaskSteps)};");
        }
        w.Line("/// <summary>Number of trainable parameters.</summary>");
        w.Line($"public const int ParameterCount = {g.ParameterCount};");
        bool hasState = g.StateCount > 0;
        if (hasState)
        {
            w.Line("/// <summary>Number of non-trainable state floats (e.g. moving statistics), saved with the weights.</summary>");
            w.Line($"public const int StateCount = {g.StateCount};");
        }
        w.Line("/// <summary>Samples Predict processes at once; larger batches are split into chunks of this size.</summary>");
        w.Line($"public const int InferenceBatchCapacity = {capacity};");
        w.Line("/// <summary>Floats of the inference arena, allocated once by the constructor (the build-time plan reuses a tensor's region once its last reader has run).</summary>");
        w.Line($"public const int InferenceArenaFloats = InferenceBatchCapacity * {System.Math.Max(inference.ActivationsPerSample, taps.ActivationsPerSample)};");
        w.Line("/// <summary>Bytes of the inference arena.</summary>");
        w.Line("public const long InferenceArenaBytes = InferenceArenaFloats * 4L;");
        w.Line("/// <summary>Floats per sample of the training arena (activations kept for the backward pass).</summary>");
        w.Line($"public const int TrainingFloatsPerSample = {System.Math.Max(training.ActivationsPerSample, inferenceMode?.ActivationsPerSample ?? 0)};");
        w.Line("/// <summary>Floats per sample of the backward pass' gradient buffers.</summary>");
        int gradientFloats = System.Math.Max(training.GradientsPerSample, inferenceMode?.GradientsPerSample ?? 0);
        int inputGradientFloats = System.Math.Max(training.GradientsPerSample + training.InputGradientExtraPerSample,
            inferenceMode is null ? 0 : inferenceMode.GradientsPerSample + inferenceMode.InputGradientExtraPerSample) - gradientFloats;
        w.Line($"public const int GradientFloatsPerSample = {gradientFloats};");
        w.Line("/// <summary>Extra floats per sample of the gradient buffers when a gradient with respect to an input is asked for (the buffers only that gradient uses).</summary>");
        w.Line($"public const int InputGradientFloatsPerSample = {System.Math.Max(0, inputGradientFloats)};");
        w.Line("/// <summary>Floats of the whole training footprint for a batch: activations kept for backward and gradient buffers (per sample), the weights and their gradients, and the optimizer's slots.</summary>");
        w.Line("public static long TrainingFloats(int batchSize, global::NetGen.Optimizers.Optimizer optimizer)");
        w.Line("    => (long)batchSize * (TrainingFloatsPerSample + GradientFloatsPerSample) + (2L + optimizer.SlotsPerWeight) * ParameterCount;");
        w.Line("/// <summary>Identifies the parameter layout; weight files record it.</summary>");
        w.Line($"public const string WeightSignature = {Literals.String(SummaryPrinter.WeightSignature(g))};");
        w.Line();
        w.Line($"/// <summary>Shape of one {(g.Inputs.Count > 1 ? "sample of the first input" : "input sample")}: {g.InputShape}.</summary>");
        w.Line($"public static global::System.ReadOnlySpan<int> InputShape => new int[] {{ {string.Join(", ", g.InputShape.Dims)} }};");
        w.Line($"/// <summary>Shape of one {(g.Outputs.Count > 1 ? "sample of the first output" : "output sample")}: {g.OutputShape}.</summary>");
        w.Line($"public static global::System.ReadOnlySpan<int> OutputShape => new int[] {{ {string.Join(", ", g.OutputShape.Dims)} }};");
        w.Line();
        if (several) SummaryPrinter.Segments(w, g);
        DiagramPrinter.Print(w, g);
        SummaryPrinter.Layout(w, g, "ParameterLayout", "Every weight with its Keras name, shape and place in <see cref=\"Parameters\"/>, in Keras <c>get_weights()</c> order.", l => l.Parameters);
        if (hasState)
            SummaryPrinter.Layout(w, g, "StateLayout", "Every non-trainable state variable with its Keras name, shape and place in <see cref=\"State\"/>.", l => l.State);
        SummaryPrinter.Summary(w, g, inference, training);
        LayerOutputsPrinter.Layers(w, g);

        // ---- fields and constructor
        w.Line("private float[]? _parameterArray;  // the writable parameters; null while a baked network reads its weights in place");
        w.Line("private readonly global::NetGen.BakedWeightsView _bakedParameters = default;  // FromBakedWeights(): the baked values in the binary's read-only data");
        w.Line("/// <summary>The writable parameters; a baked network copies its weights here when they are first needed (Parameters, Load, training).</summary>");
        w.Line("private float[] _parameters => _parameterArray ??= _bakedParameters.ToArray(ParameterCount);");
        w.Line("/// <summary>The parameters as inference reads them: in place when baked and not yet copied (no copy before the first prediction).</summary>");
        w.Line("private global::System.ReadOnlySpan<float> InferenceParameters => _parameterArray is { } array ? array : _bakedParameters.IsReadable ? _bakedParameters.Values : _parameters;");
        w.Line("private readonly float[] _gradients = new float[ParameterCount];");
        w.Line("private readonly float[] _inferenceArena = new float[InferenceArenaFloats];");
        if (hasState) w.Line("private readonly float[] _state = new float[StateCount];");
        if (hasState) w.Line("private readonly float[] _stateBeforeCall = new float[StateCount];  // ComputeGradients puts the state back from here when it throws");
        if (g.TokenIds) w.Line("private readonly float[] _tokenChunk = new float[InferenceBatchCapacity * InputLength];");
        if (g.TokenIds) w.Line("private float[] _tokenTraining = global::System.Array.Empty<float>();  // the ids of a training step, as floats");
        if (g.Inputs.Count > 1) w.Line("private readonly float[] _packedInput = new float[InferenceBatchCapacity * InputLength];");
        if (g.Outputs.Count > 1) w.Line("private readonly float[] _packedOutput = new float[InferenceBatchCapacity * OutputLength];");
        if (several) w.Line("private float[] _packedTraining = global::System.Array.Empty<float>();");
        if (g.Inputs.Count > 1 && !g.TokenIds) w.Line("private float[] _packedInputGradient = global::System.Array.Empty<float>();");
        if (g.Outputs.Count > 1) w.Line("private float[] _trainingOutputs = global::System.Array.Empty<float>();");
        if (g.OutputMask >= 0) w.Line("private float[] _trainingOutputMask = global::System.Array.Empty<float>();  // the output's padding mask of the last training step, 1 or 0");
        w.Line("private float[] _trainingArena = global::System.Array.Empty<float>();");
        w.Line("private float[] _gradientArena = global::System.Array.Empty<float>();");
        w.Line("private int _trainingBatch;");
        w.Line("private float[] _sampleWeight = global::System.Array.Empty<float>();");
        w.Line("private int _sampleWeightCount;  // non-zero only inside ComputeWeightedGradients");
        w.Line($"private global::System.ReadOnlySpan<float> {LossPrinter.SampleWeights} => new(_sampleWeight, 0, _sampleWeightCount);  // empty: the loss is unweighted");
        w.Line("private readonly bool[] _trainable = global::NetGen.Training.Trainability.Initial(ParameterLayout);");
        w.Line("private readonly int _seed;");
        w.Line("private global::NetGen.Training.Trainer? _trainer;");
        var workspaces = resources.WorkspaceLengths;
        if (workspaces.Count > 0) w.Line("private readonly float[] _workspace;");
        int folded = Passes.BatchNormFolding.FoldedFloats(inferenceProgram);
        if (folded > 0) w.Line($"private readonly float[] _folded = new float[{Literals.Int(folded)}];  // weights prepared for Predict: BatchNormalization folded into the layer before it (per call), Winograd-transformed kernels (cached)");
        ResourcesPrinter.Fields(w, resources, members);
        w.Line();
        w.Line("/// <summary>Creates the network with Keras' default initialisation, deterministic for a given <paramref name=\"seed\"/>.</summary>");
        w.Line($"public {className}(int seed = 0)");
        w.Line("    : this(seed, initializeWeights: true)");
        w.Line("{");
        w.Line("}");
        w.Line();
        w.Line("/// <summary>Everything a new network needs; the weights are initialised unless they are about to be overwritten (baked weights).</summary>");
        w.Open($"private {className}(int seed, bool initializeWeights)");
        w.Line("_seed = seed;");
        if (g.ParameterCount + g.StateCount > 0) w.Open("if (initializeWeights)");
        if (g.ParameterCount + g.StateCount > 0) w.Line("_parameterArray = new float[ParameterCount];  // FromBakedWeights() reads its weights in place instead");
        int paramIndex = 0;
        foreach (var l in g.Layers)
        {
            foreach (var p in l.Parameters)
            {
                w.Line($"{KnownKernels.Spell(KnownKernels.InitializerFill)}(global::NetGen.Initializer.{(Shared.Initializer)p.Initializer}, new global::System.Span<float>(_parameters, {Literals.Int(p.Offset)}, {Literals.Int(p.Length)}), {Literals.Int(p.FanIn)}, {Literals.Int(p.FanOut)}, new global::NetGen.Rng(global::NetGen.Rng.DeriveSeed(unchecked((ulong)seed), {Literals.Int(paramIndex)})));  // {l.Name}/{p.Name} {p.Shape}");
                if (p.OnesAfterFill is { } ones)
                    w.Line($"new global::System.Span<float>(_parameters, {Literals.Int(p.Offset + ones.Start)}, {Literals.Int(ones.Count)}).Fill(1f);  // {l.Name}/{p.Name}: unit_forget_bias");
                paramIndex++;
            }
        }
        foreach (var l in g.Layers)
            foreach (var p in l.State)
                w.Line($"{KnownKernels.Spell(KnownKernels.InitializerFill)}(global::NetGen.Initializer.{(Shared.Initializer)p.Initializer}, new global::System.Span<float>(_state, {Literals.Int(p.Offset)}, {Literals.Int(p.Length)}), {Literals.Int(p.FanIn)}, {Literals.Int(p.FanOut)}, new global::NetGen.Rng(0));  // {l.Name}/{p.Name} {p.Shape}");
        if (g.ParameterCount + g.StateCount > 0) w.Close();
        ResourcesPrinter.Constructor(w, resources, members);
        if (workspaces.Count > 0)
        {
            var names = new OperationPrinter(w, g, inferenceProgram, inference, members, training: false, System.Array.Empty<string>());
            w.Line("int workspace = 0;");
            foreach (var e in workspaces) w.Line($"workspace = global::System.Math.Max(workspace, {names.Call(e)});");
            w.Line("_workspace = new float[workspace];");
        }
        using (w.Open("if (!initializeWeights)"))
        {
            w.Line("// FromBakedWeights(), the embedded start-up: the buffers the first prediction writes get their pages in one system call");
            w.Line("// each instead of a page fault per page (expensive on a VM).");
            w.Line("global::NetGen.BakedWeights.Populate(_inferenceArena);");
            if (workspaces.Count > 0) w.Line("global::NetGen.BakedWeights.Populate(_workspace);");
            if (folded > 0) w.Line("global::NetGen.BakedWeights.Populate(_folded);");
        }
        w.Close();
        w.Line();

        // ---- properties
        w.Line("/// <summary>All trainable parameters in one buffer, Keras <c>get_weights()</c> order and layout (see <see cref=\"ParameterLayout\"/>).</summary>");
        w.Line("public global::System.Span<float> Parameters => _parameters;");
        w.Line($"/// <summary>Gradients of the mean batch loss from the last <see cref=\"{GuardPrinter.Cref(g, "ComputeGradients")}\"/> call, laid out as <see cref=\"Parameters\"/>.</summary>");
        w.Line("public global::System.ReadOnlySpan<float> Gradients => _gradients;");
        if (hasState)
        {
            w.Line("/// <summary>Non-trainable state (e.g. moving statistics), laid out as <see cref=\"StateLayout\"/>; updated by training, read by Predict.</summary>");
            w.Line("public global::System.Span<float> State => _state;");
        }
        w.Line($"/// <summary>Outputs (training mode) of the last <see cref=\"{GuardPrinter.Cref(g, "ComputeGradients")}\"/> call.</summary>");
        if (g.Outputs.Count == 1)
            w.Line($"public global::System.ReadOnlySpan<float> TrainingOutput => new global::System.ReadOnlySpan<float>(_trainingArena, {Literals.Times("_trainingBatch", trainingProgram.Outputs.Count > 0 ? training.Offset(trainingProgram.Outputs[0]) : 0)}, _trainingBatch * OutputLength);");
        else
            w.Line("public global::System.ReadOnlySpan<float> TrainingOutput => new global::System.ReadOnlySpan<float>(_trainingOutputs, 0, _trainingBatch * OutputLength);");
        if (g.OutputMask >= 0)
        {
            w.Line($"/// <summary>The output's padding mask (1 = real step, 0 = padding) of the last training-mode <see cref=\"{GuardPrinter.Cref(g, "ComputeGradients")}\"/> call, <c>OutputMaskLength</c> per sample.</summary>");
            w.Line("public global::System.ReadOnlySpan<float> TrainingOutputMask => new global::System.ReadOnlySpan<float>(_trainingOutputMask, 0, _trainingBatch * OutputMaskLength);");
        }
        w.Line();
        w.Line("/// <summary>Per weight of <see cref=\"ParameterLayout\"/>: whether the optimizer updates it now (see <see cref=\"SetTrainable\"/>).</summary>");
        w.Line("public global::System.ReadOnlySpan<bool> TrainableWeights => _trainable;");
        w.Line("/// <summary>Freezes (false) or unfreezes the weights of the layer named <paramref name=\"layer\"/> for fine-tuning: the optimizer skips frozen weights; a layer declared <c>Trainable = false</c> cannot be unfrozen.</summary>");
        w.Line("public void SetTrainable(string layer, bool trainable) => global::NetGen.Training.Trainability.Set(Layers, ParameterLayout, _trainable, layer, trainable);");
        w.Line();
        w.Line("int global::NetGen.INetwork.InputLength => InputLength;");
        w.Line("int global::NetGen.INetwork.OutputLength => OutputLength;");
        w.Line("int global::NetGen.INetwork.OutputRowsPerSample => OutputRowsPerSample;");
        if (g.OutputMask >= 0) w.Line("int global::NetGen.INetwork.OutputMaskLength => OutputMaskLength;");
        w.Line("int global::NetGen.INetwork.ParameterCount => ParameterCount;");
        w.Line("string global::NetGen.INetwork.WeightSignature => WeightSignature;");
        w.Line("global::System.Collections.Generic.IReadOnlyList<global::NetGen.ParameterInfo> global::NetGen.INetwork.ParameterLayout => ParameterLayout;");
        if (hasState) w.Line("global::System.Collections.Generic.IReadOnlyList<global::NetGen.ParameterInfo> global::NetGen.INetwork.StateLayout => StateLayout;");
        w.Line("global::System.Collections.Generic.IReadOnlyList<global::NetGen.LayerInfo> global::NetGen.INetwork.Layers => Layers;");
        w.Line("string global::NetGen.INetwork.SummaryText => SummaryText;");
        w.Line("string global::NetGen.INetwork.Diagram => Diagram;");
        w.Line("string global::NetGen.INetwork.MermaidDiagram => MermaidDiagram;");
        if (several) w.Line("global::System.Collections.Generic.IReadOnlyList<global::NetGen.OutputInfo> global::NetGen.INetwork.Outputs => Outputs;");
        w.Line();

        InferencePrinter.Print(w, g, inferenceProgram, inference, members);
        LayerOutputsPrinter.Print(w, g, tapsProgram, taps, members);
        if (stepProgram is not null) StreamingPrinter.Print(w, g, stepProgram, stepPlan!, streamChain!, members);
        TrainingPrinter.Print(w, g, trainingProgram, training, members);
        TrainingPrinter.InferenceMode(w, g, inferenceModeProgram, inferenceMode, members);
        TrainingPrinter.TrainingApi(w, g.StateCount > 0);
        if (g.TokenIds)
        {
            w.Line();
            TrainingPrinter.TokenTraining(w);
        }

        w.Close();
        foreach (var _ in spec.ContainingTypes) w.Close();
        return w.ToString();
    }


}

/// <summary>A memory plan beyond the int sizes of the generated code: reported as NG0046-style TooLarge, not as an internal error.</summary>
internal sealed class PlanTooLargeException : System.Exception
{
    public PlanTooLargeException(string what)
        : base(what) => What = what;

    public string What { get; }
}
