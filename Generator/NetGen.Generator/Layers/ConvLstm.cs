using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>ConvLSTM1D</c>, <c>ConvLSTM2D</c> and <c>ConvLSTM3D</c> (LAYERS.md §8.6, the same cell over 1, 2 or 3 spatial
/// axes): input <c>(steps, spatial..., channels)</c>, output <c>(spatial'..., filters)</c> or <c>(steps, spatial'...,
/// filters)</c> with <c>ReturnSequences</c>; <c>ReturnState</c> adds the ports <c>name:h</c> and <c>name:c</c>. The input
/// convolution has the layer's kernel, strides, padding and dilation (its output size is the state's); the recurrent
/// convolution the same kernel size, stride 1 and "same" padding. Weights in Keras order and layout: kernel (k...,
/// channels, 4·filters), recurrent_kernel (k..., filters, 4·filters), bias (4·filters), gates [i, f, c, o]. The time loop
/// runs in the runtime's <c>ConvLstm</c> kernels, whose geometries take every rank.
/// </summary>
internal sealed class ConvLstmKind : LayerKind
{
    private readonly int _rank;

    public ConvLstmKind(int rank) => _rank = rank;

    public override string AttributeName => $"ConvLSTM{_rank}D";

    public override string DefaultName => $"conv_lstm{_rank}d";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var label = Window.Label(spec, name);
        int filters = context.PositiveInt(spec, name, "filters", 0);
        var activation = ReadEnum(spec, label, "Activation", typeof(Shared.RecurrentActivation), (int)Shared.RecurrentActivation.Tanh, "a NetGen.RecurrentActivation value", context);
        var recurrentActivation = ReadEnum(spec, label, "RecurrentActivation", typeof(Shared.RecurrentActivation), (int)Shared.RecurrentActivation.Sigmoid, "a NetGen.RecurrentActivation value", context);
        int kernelInit = context.Initializer(spec, name, "KernelInitializer", BuildContext.GlorotUniform);
        int recurrentInit = context.Initializer(spec, name, "RecurrentInitializer", (int)Shared.Initializer.Orthogonal);
        int biasInit = context.Initializer(spec, name, "BiasInitializer", BuildContext.Zeros);
        int merge = ReadEnum(spec, label, "Bidirectional", typeof(Shared.BidirectionalMerge), 0, "a NetGen.BidirectionalMerge value", context);
        double dropout = 0;
        if (spec.Find("Dropout") is { } rate)
        {
            if (rate.Number >= 0 && rate.Number < 1) dropout = rate.Number;
            else context.Report(Descriptors.RateOutOfRange, rate.Location ?? spec.Location, $"{label} (Dropout)", rate.Number.ToString("R", CultureInfo.InvariantCulture));
        }
        double recurrentDropout = 0;
        if (spec.Find("RecurrentDropout") is { } recurrentRate)
        {
            if (recurrentRate.Number >= 0 && recurrentRate.Number < 1) recurrentDropout = recurrentRate.Number;
            else context.Report(Descriptors.RateOutOfRange, recurrentRate.Location ?? spec.Location, $"{label} (RecurrentDropout)", recurrentRate.Number.ToString("R", CultureInfo.InvariantCulture));
        }
        if (input.Rank != _rank + 2)
        {
            var axes = _rank switch { 1 => "rows", 2 => "rows, cols", _ => "depth, rows, cols" };
            context.Report(Descriptors.WrongRank, spec.Location, label, _rank + 2, $"(steps, {axes}, channels)", input.ToString(), input.Rank);
            return null;
        }
        int steps = input.Dims[0], channels = input.Dims[_rank + 1];
        var window = WindowSpec.Read(spec, name, new Shape(input.Dims.Skip(1).ToArray()), _rank, context);
        if (filters <= 0 || window is null || context.HasErrors) return null;
        long seed = spec.Find("Seed") is { } s ? (s.Text is { } t ? long.Parse(t, CultureInfo.InvariantCulture) : (long)s.Number) : -1;
        var options = new ConvLstmOptions(filters, activation, recurrentActivation,
            BuildContext.Bool(spec, "UseBias", true),
            BuildContext.Bool(spec, "ReturnSequences", false),
            BuildContext.Bool(spec, "ReturnState", false),
            BuildContext.Bool(spec, "GoBackwards", false),
            dropout, seed) { Bidirectional = merge, RecurrentDropout = recurrentDropout };
        var state = window.OutputShape(merge == (int)Shared.BidirectionalMerge.Concat ? 2 * filters : filters);
        var output = options.ReturnSequences ? new Shape(new[] { steps }.Concat(state.Dims).ToArray()) : state;
        var node = new ConvLstmNode(spec, _rank, name, input, output, options, window);
        int receptive = window.Kernel.Aggregate(1, (a, k) => a * k), gates = 4 * filters;
        // Bidirectional: Keras' forward_<layer>/... weights, then backward_<layer>/... (its get_weights() order).
        var prefixes = merge == 0 ? new[] { "" } : new[] { "forward_" + DefaultName + "/", "backward_" + DefaultName + "/" };
        foreach (var prefix in prefixes)
        {
            node.Parameters.Add(new ParameterDecl(prefix + "kernel", new Shape(window.Kernel.Concat(new[] { channels, gates }).ToArray()), kernelInit, receptive * channels, receptive * gates));
            // Orthogonal sees the recurrent kernel as a (k...·filters, 4·filters) matrix, as Keras' initializer flattens it.
            node.Parameters.Add(new ParameterDecl(prefix + "recurrent_kernel", new Shape(window.Kernel.Concat(new[] { filters, gates }).ToArray()), recurrentInit, receptive * filters, receptive * gates));
            if (options.UseBias)
            {
                var bias = new ParameterDecl(prefix + "bias", new Shape(gates), biasInit, gates, gates);
                if (BuildContext.Bool(spec, "UnitForgetBias", true)) bias.OnesAfterFill = (filters, filters);
                node.Parameters.Add(bias);
            }
        }
        return node;
    }

    /// <summary>An enum-valued argument that must name a member of <paramref name="type"/> (a cast integer might not).</summary>
    internal static int ReadEnum(LayerSpec spec, string label, string argument, System.Type type, int fallback, string expected, BuildContext context)
    {
        if (spec.Find(argument) is not { } arg) return fallback;
        if (arg.Number == (int)arg.Number && System.Enum.IsDefined(type, (int)arg.Number)) return (int)arg.Number;
        context.Report(Descriptors.NumberOutOfRange, arg.Location ?? spec.Location, label, argument, expected, arg.Number.ToString("R", CultureInfo.InvariantCulture));
        return fallback;
    }
}

/// <summary>A ConvLSTM layer's options, as read from its attribute.</summary>
internal sealed record ConvLstmOptions(int Filters, int Activation, int RecurrentActivation, bool UseBias,
    bool ReturnSequences, bool ReturnState, bool GoBackwards, double Dropout, long Seed)
{
    /// <summary>The <c>NetGen.BidirectionalMerge</c> value: 0 for one direction.</summary>
    public int Bidirectional { get; init; }

    /// <summary>Keras' <c>recurrent_dropout</c> (training only): four masks per sample over the state, one per gate, per call.</summary>
    public double RecurrentDropout { get; init; }
}

internal sealed class ConvLstmNode : LayerNode, IStreamingLayer
{
    private readonly WindowSpec _window;
    private readonly int _rank;

    public ConvLstmNode(LayerSpec spec, int rank, string name, Shape input, Shape output, ConvLstmOptions options, WindowSpec window)
        : base(spec, name, input, output)
    {
        Options = options;
        _rank = rank;
        _window = window;
    }

    public ConvLstmOptions Options { get; }

    private int Steps => InputShape.Dims[0];

    /// <summary>Floats of one step's input (spatial·channels).</summary>
    private int StepInput => InputShape.Size / Steps;

    private int Filters => Options.Filters;

    /// <summary>The state's shape (spatial'..., filters).</summary>
    private Shape StateShape => _window.OutputShape(Filters);

    private int Positions => _window.Output.Aggregate(1, (a, n) => a * n);

    /// <summary>Floats of one state (h or c) per sample.</summary>
    private int StateFloats => Positions * Filters;

    public override string KerasClass => $"ConvLSTM{_rank}D";

    public override string Description
    {
        get
        {
            var parts = new List<string> { Filters.ToString(CultureInfo.InvariantCulture) + ", " + Window.Dims(_window.Kernel) + _window.Options };
            if (Options.Activation != (int)Shared.RecurrentActivation.Tanh) parts.Add(((Shared.RecurrentActivation)Options.Activation).ToString().ToLowerInvariant());
            if (Options.RecurrentActivation != (int)Shared.RecurrentActivation.Sigmoid)
                parts.Add("recurrent " + ((Shared.RecurrentActivation)Options.RecurrentActivation).ToString().ToLowerInvariant());
            if (Options.ReturnSequences) parts.Add("sequences");
            if (Options.ReturnState) parts.Add("state");
            if (Options.GoBackwards) parts.Add("backwards");
            if (!Options.UseBias) parts.Add("no bias");
            if (Options.Bidirectional != 0) parts.Add("bidirectional " + ((Shared.BidirectionalMerge)Options.Bidirectional).ToString().ToLowerInvariant());
            if (Options.Dropout > 0) parts.Add("dropout " + Options.Dropout.ToString("R", CultureInfo.InvariantCulture));
            if (Options.RecurrentDropout > 0) parts.Add("recurrent dropout " + Options.RecurrentDropout.ToString("R", CultureInfo.InvariantCulture));
            return $"{KerasClass}({string.Join(", ", parts)})";
        }
    }

    /// <summary>
    /// The extra outputs: with <c>ReturnState</c> the final states <c>h</c> and <c>c</c>, per direction for a bidirectional
    /// layer (<c>forward_h</c>, <c>forward_c</c>, <c>backward_h</c>, <c>backward_c</c>: Keras' order); with
    /// <see cref="Shared.BidirectionalMerge.Separate"/> the two directions' outputs <c>forward</c> and <c>backward</c>.
    /// </summary>
    public override IReadOnlyList<(string Port, Shape Shape)> Ports
    {
        get
        {
            var ports = new List<(string, Shape)>();
            if (Separate)
            {
                ports.Add(("forward", DirectionShape));
                ports.Add(("backward", DirectionShape));
            }
            if (Options.ReturnState)
                for (int d = 0; d < (Bidirectional ? 2 : 1); d++)
                {
                    ports.Add((N(d, "h"), StateShape));
                    ports.Add((N(d, "c"), StateShape));
                }
            return ports;
        }
    }

    public override string PortsHint => Ports.Count > 0 ? "its extra outputs are " + string.Join(", ", Ports.Select(p => "'" + p.Port + "'"))
        : "its final states are outputs only with ReturnState = true"
            + (Bidirectional ? ", and its two directions' outputs only with Bidirectional = BidirectionalMerge.Separate" : "");

    private bool Bidirectional => Options.Bidirectional != 0;

    /// <summary>Keras' merge_mode=None: the directions stay two outputs (ports <c>forward</c>, <c>backward</c>).</summary>
    private bool Separate => Options.Bidirectional == (int)Shared.BidirectionalMerge.Separate;

    private Operand MergeMode => new BidirectionalMergeArg(Options.Bidirectional);

    /// <summary>One direction's output: (steps, spatial'..., filters) with ReturnSequences, else (spatial'..., filters).</summary>
    private Shape DirectionShape => Options.ReturnSequences ? SequenceShape : StateShape;

    private Shape SequenceShape => new(new[] { Steps }.Concat(StateShape.Dims).ToArray());

    /// <summary>Direction <paramref name="d"/>'s weight (0 kernel, 1 recurrent_kernel, 2 bias): the backward direction's follow the forward's.</summary>
    private ParameterDecl Weight(int d, int k) => Parameters[d * (Options.UseBias ? 3 : 2) + k];

    private Operand DirectionBias(int d) => Options.UseBias ? Param(Weight(d, 2)) : Empty;

    /// <summary>Scratch names of direction <paramref name="d"/>: the plain names for a one-direction layer (its ports read <c>h</c>, <c>c</c>).</summary>
    private string N(int d, string name) => !Bidirectional ? name : (d == 0 ? "forward_" : "backward_") + name;

    private bool GoesBackwards(int d) => d == 0 ? Options.GoBackwards : !Options.GoBackwards;

    /// <summary>Input and recurrent dropout are off in inference mode (gradients with <c>training: false</c> too).</summary>
    public override bool DependsOnTrainingMode => Options.Dropout > 0 || Options.RecurrentDropout > 0;

    /// <summary>
    /// Training with <c>recurrent_dropout</c>: the ConvLstm dropout kernels, with four masks per sample over the state (one per
    /// gate) drawn once per call and per direction.
    /// </summary>
    private bool RecurrentDropping(LoweringContext c) => Options.RecurrentDropout > 0 && !c.InferenceMode;

    /// <summary>Direction <paramref name="d"/>'s recurrent dropout masks (gate, positions, filters) per sample.</summary>
    private Tensor RecurrentMasks(LoweringContext c, int d) => c.Scratch(N(d, "recurrent_masks"), 4 * StateFloats, new Shape(new[] { 4 }.Concat(StateShape.Dims).ToArray()));

    private Operand Act => new RecurrentActivationArg(Options.Activation);

    private Operand RecAct => new RecurrentActivationArg(Options.RecurrentActivation);

    private Operand Bias => DirectionBias(0);

    /// <summary>The input convolution's geometry: one step's input to (spatial'..., 4·filters).</summary>
    private Operand InputGeometry(LoweringContext c) => _window.Geometry(c, InputShape.Dims[_rank + 1], 4 * Filters);

    /// <summary>The recurrent convolution's geometry: (spatial'..., filters) to (spatial'..., 4·filters), stride 1, "same" (padding before ⌊(k − 1)/2⌋).</summary>
    private Operand RecurrentGeometry(LoweringContext c)
    {
        var ones = Enumerable.Repeat(1, _rank).ToArray();
        var before = _window.Kernel.Select(k => (k - 1) / 2).ToArray();
        var values = Window.GeometryValues(_window.Output, Filters, _window.Output, 4 * Filters, _window.Kernel, ones, ones, before);
        return new GeometryArg(c.Resources.Geometry(c.Layer!.Name + ":recurrent", values));
    }

    private Operand Workspace(LoweringContext c, Operand input, Operand recurrent)
    {
        c.Workspace(KnownKernels.ConvolutionWorkspaceLength, input);
        return c.Workspace(KnownKernels.ConvolutionWorkspaceLength, recurrent);
    }

    /// <summary>The dropout kernels' workspace: the gate-by-gate recurrent kernel, then the convolutions' own.</summary>
    private static Operand DropoutWorkspace(LoweringContext c, Operand input, Operand recurrent)
        => c.Workspace(KnownKernels.ConvLstmDropoutWorkspaceLength, input, recurrent);

    /// <summary>Direction <paramref name="d"/>'s every-step outputs in processing order (the layer's output itself for one direction with ReturnSequences).</summary>
    private Tensor Outputs(LoweringContext c, int d, Tensor y)
        => !Bidirectional && Options.ReturnSequences ? y
            : c.Scratch(Separate && d == 0 && Options.ReturnSequences ? "forward" : N(d, "outputs"), Steps * StateFloats, SequenceShape);

    /// <summary>Where direction <paramref name="d"/>'s last output goes (return_sequences = false): the ports' tensors when separate.</summary>
    private Tensor Last(LoweringContext c, int d, Tensor y)
        => !Bidirectional ? y : c.Scratch(Separate ? (d == 0 ? "forward" : "backward") : N(d, "last"), StateFloats, StateShape);

    /// <summary>The backward direction's outputs flipped into input time order (merged sequences).</summary>
    private Tensor Reversed(LoweringContext c) => c.Scratch("backward_reversed", Steps * StateFloats, SequenceShape);

    private Tensor Cache(LoweringContext c, int d) => c.Scratch(N(d, "cache"), 5 * Steps * StateFloats);

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => Forward(c, xs[0], y);

    public bool CanStream => !Options.GoBackwards && !Bidirectional;

    public bool StreamsSequences => Options.ReturnSequences;

    /// <summary>h and c, each (spatial'..., filters).</summary>
    public IReadOnlyList<(string Name, Shape Shape)> StreamStates => new[] { ("h", StateShape), ("c", StateShape) };

    public Shape StepOutputShape => StateShape;

    /// <summary>One streaming step: one step's image per stream advances h and c in place (ConvLstm.Step); the output is a copy of h.</summary>
    public void LowerStep(LoweringContext c, Tensor x, IReadOnlyList<Tensor> states, Tensor y)
    {
        var input = InputGeometry(c);
        var recurrent = RecurrentGeometry(c);
        c.Call(KnownKernels.ConvLstmStep, input, recurrent, x, Param(Parameters[0]), Param(Parameters[1]), Bias,
            Out(states[0]), Out(states[1]), Out(c.Scratch("step_scratch", 8 * StateFloats)), Workspace(c, input, recurrent),
            Batch, Act, RecAct);
        c.Copy(states[0], y);
    }

    public override void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        var x = xs[0];
        if (Options.Dropout > 0 && !c.InferenceMode)
        {
            var dropped = c.Scratch("dropped", InputShape.Size, InputShape);
            c.Call(KnownKernels.RecurrentInputDropoutForward, x, Out(dropped), Out(c.Scratch("dropout_mask", StepInput)),
                Batch, Int(Steps), Int(StepInput), Float(Options.Dropout), c.Rng(Options.Seed));
            x = dropped;
        }
        Forward(c, x, y, RecurrentDropping(c));
    }

    private void Forward(LoweringContext c, Tensor x, Tensor y, bool dropping = false)
    {
        var input = InputGeometry(c);
        var recurrent = RecurrentGeometry(c);
        for (int d = 0; d < (Bidirectional ? 2 : 1); d++)
        {
            var outputs = Outputs(c, d, y);
            if (dropping)
            {
                var masks = RecurrentMasks(c, d);
                c.Call(KnownKernels.ConvLstmRecurrentMasks, Out(masks), Batch, Int(Positions), Int(Filters), Float(Options.RecurrentDropout), c.Rng(Options.Seed));
                c.Call(KnownKernels.ConvLstmDropoutForward, input, recurrent, x, Param(Weight(d, 0)), Param(Weight(d, 1)), DirectionBias(d), masks,
                    Out(outputs), Out(c.Scratch(N(d, "h"), StateFloats, StateShape)), Out(c.Scratch(N(d, "c"), StateFloats, StateShape)), Out(Cache(c, d)),
                    Out(c.Scratch("dropout_forward_scratch", 6 * StateFloats)), DropoutWorkspace(c, input, recurrent),
                    Batch, Int(Steps), Act, RecAct, BoolArg.Of(GoesBackwards(d)));
            }
            else
            {
                c.Call(KnownKernels.ConvLstmForward, input, recurrent, x, Param(Weight(d, 0)), Param(Weight(d, 1)), DirectionBias(d),
                    Out(outputs), Out(c.Scratch(N(d, "h"), StateFloats, StateShape)), Out(c.Scratch(N(d, "c"), StateFloats, StateShape)), Out(Cache(c, d)),
                    Out(c.Scratch("forward_scratch", 4 * StateFloats)), Workspace(c, input, recurrent),
                    Batch, Int(Steps), Act, RecAct, BoolArg.Of(GoesBackwards(d)));
            }
            if (!Options.ReturnSequences)
                c.Call(KnownKernels.RecurrentLastOutput, outputs, Out(Last(c, d, y)), Batch, Int(Steps), Int(StateFloats));
        }
        if (!Bidirectional) return;
        // Keras flips the backward direction's sequence back into input time order before merging (or returning it).
        if (Options.ReturnSequences)
            c.Call(KnownKernels.ReverseSteps, Outputs(c, 1, y), Out(Separate ? c.Scratch("backward", Steps * StateFloats, SequenceShape) : Reversed(c)),
                Batch, Int(Steps), Int(StateFloats));
        if (Separate)
        {
            c.Copy(Options.ReturnSequences ? Outputs(c, 0, y) : Last(c, 0, y), y);
            return;
        }
        // Merged position by position along the filters axis (Concat: forward's filters, then backward's).
        int rows = (Options.ReturnSequences ? Steps : 1) * Positions;
        var forward = Options.ReturnSequences ? Outputs(c, 0, y) : Last(c, 0, y);
        var backward = Options.ReturnSequences ? Reversed(c) : Last(c, 1, y);
        c.Call(KnownKernels.RecurrentMergeDirections, forward, backward, Out(y), Batch, Int(rows), Int(Filters), MergeMode, BoolArg.False);
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        bool dropout = Options.Dropout > 0 && !c.InferenceMode;
        bool dropping = RecurrentDropping(c);
        var x = dropout ? c.Scratch("dropped", InputShape.Size, InputShape) : a.X;
        Tensor? dx = a.Dx is null ? null : dropout ? c.Scratch("d_dropped", InputShape.Size, InputShape) : a.Dx;
        var input = InputGeometry(c);
        var recurrent = RecurrentGeometry(c);
        // The upstream gradient of each direction (in its processing order): the layer's own, or split by the merge.
        var upstream = new Tensor?[2];
        if (!Bidirectional) upstream[0] = a.Dy;
        else if (Separate) upstream = BidirectionalLowering.SeparateUpstream(c, this, a.Dy, Options.ReturnSequences ? SequenceShape : null);
        else
        {
            int rows = (Options.ReturnSequences ? Steps : 1) * Positions;
            var shape = Options.ReturnSequences ? SequenceShape : StateShape;
            var forward = Options.ReturnSequences ? Outputs(c, 0, a.Y) : Last(c, 0, a.Y);
            var backward = Options.ReturnSequences ? Reversed(c) : Last(c, 1, a.Y);
            var dForward = c.Scratch(N(0, "d_output"), rows * Filters, shape);
            var dBackward = c.Scratch(N(1, "d_output"), rows * Filters, shape);
            c.Call(KnownKernels.RecurrentMergeDirectionsBackward, forward, backward, a.Dy, Out(dForward), Out(dBackward), Batch, Int(rows), Int(Filters),
                MergeMode, BoolArg.False);
            upstream[0] = dForward;
            upstream[1] = dBackward;
            if (Options.ReturnSequences)
            {
                // Back into the backward direction's processing order.
                upstream[1] = c.Scratch("d_backward_outputs", Steps * StateFloats, SequenceShape);
                c.Call(KnownKernels.ReverseSteps, dBackward, Out(upstream[1]!), Batch, Int(Steps), Int(StateFloats));
            }
        }
        for (int d = 0; d < (Bidirectional ? 2 : 1); d++)
        {
            Tensor? dxd = d == 0 || dx is null ? dx : c.Scratch("d_input_backward", InputShape.Size, InputShape);
            // The gradients of the final states come from the ports (name:h, name:c) when a later layer reads them.
            Operand dFinalH = c.ScratchOf(this, "d_" + N(d, "h")) is { } dh ? dh : Empty;
            Operand dFinalC = c.ScratchOf(this, "d_" + N(d, "c")) is { } dcs ? dcs : Empty;
            Operand up = upstream[d] is { } u ? u : Empty;
            if (dropping)
            {
                c.Call(KnownKernels.ConvLstmDropoutBackward, input, recurrent, x, Param(Weight(d, 0)), Param(Weight(d, 1)), RecurrentMasks(c, d), Outputs(c, d, a.Y), Out(Cache(c, d)),
                    Options.ReturnSequences ? up : Empty, Options.ReturnSequences ? Empty : up, dFinalH, dFinalC,
                    dxd is null ? EmptyOut : Out(dxd), Grad(Weight(d, 0)), Grad(Weight(d, 1)), Options.UseBias ? Grad(Weight(d, 2)) : EmptyOut,
                    Out(c.Scratch("dropout_backward_scratch", (3 * Steps + 6) * StateFloats)), DropoutWorkspace(c, input, recurrent),
                    Batch, Int(Steps), Act, RecAct, BoolArg.Of(GoesBackwards(d)));
            }
            else
            {
                c.Call(KnownKernels.ConvLstmBackward, input, recurrent, x, Param(Weight(d, 0)), Param(Weight(d, 1)), Outputs(c, d, a.Y), Out(Cache(c, d)),
                    Options.ReturnSequences ? up : Empty, Options.ReturnSequences ? Empty : up, dFinalH, dFinalC,
                    dxd is null ? EmptyOut : Out(dxd), Grad(Weight(d, 0)), Grad(Weight(d, 1)), Options.UseBias ? Grad(Weight(d, 2)) : EmptyOut,
                    Out(c.Scratch("backward_scratch", (Steps + 6) * StateFloats)), Workspace(c, input, recurrent),
                    Batch, Int(Steps), Act, RecAct, BoolArg.Of(GoesBackwards(d)));
            }
            if (d == 1 && dx is not null && dxd is not null) c.Accumulate(dx, dxd);
        }
        if (dropout && a.Dx is not null && dx is not null)
            c.Call(KnownKernels.RecurrentInputDropoutBackward, dx, c.Scratch("dropout_mask", StepInput), Out(a.Dx), Batch, Int(Steps), Int(StepInput));
    }
}
