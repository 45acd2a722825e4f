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

/// <summary>The three built-in recurrent cells (LAYERS.md §8.3–8.5).</summary>
internal enum Cell
{
    SimpleRnn,
    Lstm,
    Gru,
}

/// <summary>
/// Keras <c>SimpleRNN</c>, <c>LSTM</c> and <c>GRU</c>: input <c>(steps, features)</c>, output <c>(units)</c> or
/// <c>(steps, units)</c> with <c>ReturnSequences</c>; <c>ReturnState</c> adds the ports <c>name:h</c> (and
/// <c>name:c</c>). Weights in Keras order and layout: kernel (features, G·units), recurrent_kernel (units, G·units),
/// bias. The time loop runs inside the runtime's sequence kernels (one input-projection GEMM before it, one recurrent
/// GEMM per step); what backpropagation through time reads is kept in planned scratch tensors.
/// </summary>
internal sealed class RecurrentKind : LayerKind
{
    private readonly Cell _cell;

    public RecurrentKind(Cell cell) => _cell = cell;

    public override string AttributeName => _cell switch { Cell.SimpleRnn => "SimpleRNN", Cell.Lstm => "LSTM", _ => "GRU" };

    public override string DefaultName => _cell switch { Cell.SimpleRnn => "simple_rnn", Cell.Lstm => "lstm", _ => "gru" };

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var label = Window.Label(spec, name);
        int units = context.PositiveInt(spec, name, "units", 0);
        var activation = RecurrentActivation(spec, label, "Activation", (int)Shared.RecurrentActivation.Tanh, context);
        var recurrentActivation = _cell == Cell.SimpleRnn ? (int)Shared.RecurrentActivation.Sigmoid
            : RecurrentActivation(spec, label, "RecurrentActivation", (int)Shared.RecurrentActivation.Sigmoid, context);
        int kernelInit = context.Initializer(spec, name, "KernelInitializer", BuildContext.GlorotUniform);
        int recurrentInit = context.Initializer(spec, name, "RecurrentInitializer", (int)Shared.Initializer.Orthogonal);
        int biasInit = context.Initializer(spec, name, "BiasInitializer", BuildContext.Zeros);
        double dropout = Rate(spec, label, "Dropout", context);
        double recurrentDropout = Rate(spec, label, "RecurrentDropout", context);
        if (input.Rank != 2)
        {
            context.Report(Descriptors.WrongRank, spec.Location, label, 2, "(steps, features)", input.ToString(), input.Rank);
            return null;
        }
        if (units <= 0 || context.HasErrors) return null;
        long seed = spec.Find("Seed") is { } s ? (s.Text is { } t ? long.Parse(t, CultureInfo.InvariantCulture) : (long)s.Number) : -1;
        var options = new RecurrentOptions(_cell, units, activation, recurrentActivation,
            BuildContext.Bool(spec, "UseBias", true),
            BuildContext.Bool(spec, "ReturnSequences", false),
            BuildContext.Bool(spec, "ReturnState", false),
            BuildContext.Bool(spec, "GoBackwards", false),
            _cell == Cell.Gru && BuildContext.Bool(spec, "ResetAfter", true),
            dropout, seed) { Bidirectional = Merge(spec, label, context), RecurrentDropout = recurrentDropout };
        int steps = input.Dims[0], features = input.Dims[1];
        int width = options.Bidirectional == (int)Shared.BidirectionalMerge.Concat ? 2 * units : units;
        var output = options.ReturnSequences ? new Shape(steps, width) : new Shape(width);
        var node = new RecurrentNode(spec, name, input, output, options);
        int gates = options.Gates * units;
        // Bidirectional: Keras' forward_<layer>/... weights, then backward_<layer>/... (its get_weights() order).
        var prefixes = options.Bidirectional == 0 ? new[] { "" } : new[] { "forward_" + DefaultName + "/", "backward_" + DefaultName + "/" };
        foreach (var prefix in prefixes)
        {
            node.Parameters.Add(new ParameterDecl(prefix + "kernel", new Shape(features, gates), kernelInit, features, gates));
            node.Parameters.Add(new ParameterDecl(prefix + "recurrent_kernel", new Shape(units, gates), recurrentInit, units, gates));
            if (options.UseBias)
            {
                var bias = options.ResetAfter ? new Shape(2, gates) : new Shape(gates);
                var decl = new ParameterDecl(prefix + "bias", bias, biasInit, gates, gates);
                if (_cell == Cell.Lstm && BuildContext.Bool(spec, "UnitForgetBias", true)) decl.OnesAfterFill = (units, units);
                node.Parameters.Add(decl);
            }
        }
        return node;
    }

    private static int RecurrentActivation(LayerSpec spec, string label, string argument, int fallback, BuildContext context)
    {
        if (spec.Find(argument) is not { } arg) return fallback;
        if (arg.Number == (int)arg.Number && System.Enum.IsDefined(typeof(Shared.RecurrentActivation), (int)arg.Number)) return (int)arg.Number;
        context.Report(Descriptors.NumberOutOfRange, arg.Location ?? spec.Location, label, argument, "a NetGen.RecurrentActivation value",
            arg.Number.ToString("R", CultureInfo.InvariantCulture));
        return fallback;
    }

    internal static int Merge(LayerSpec spec, string label, BuildContext context)
    {
        if (spec.Find("Bidirectional") is not { } arg) return 0;
        if (arg.Number == (int)arg.Number && System.Enum.IsDefined(typeof(Shared.BidirectionalMerge), (int)arg.Number)) return (int)arg.Number;
        context.Report(Descriptors.NumberOutOfRange, arg.Location ?? spec.Location, label, "Bidirectional", "a NetGen.BidirectionalMerge value",
            arg.Number.ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }

    internal static double Rate(LayerSpec spec, string label, string argument, BuildContext context)
    {
        if (spec.Find(argument) is not { } arg) return 0;
        if (arg.Number >= 0 && arg.Number < 1) return arg.Number;
        context.Report(Descriptors.RateOutOfRange, arg.Location ?? spec.Location, $"{label} ({argument})", arg.Number.ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }
}

/// <summary>A recurrent layer's options, as read from its attribute.</summary>
internal sealed record RecurrentOptions(Cell Cell, int Units, int Activation, int RecurrentActivation, bool UseBias,
    bool ReturnSequences, bool ReturnState, bool GoBackwards, bool ResetAfter, double Dropout, long Seed)
{
    /// <summary>The <c>NetGen.BidirectionalMerge</c> value: 0 for one direction.</summary>
    public int Bidirectional { get; init; }

    /// <summary>Keras' <c>recurrent_dropout</c> (training only; <see cref="Layers.RecurrentNode"/> then runs the RecurrentDropout kernels).</summary>
    public double RecurrentDropout { get; init; }

    /// <summary>Gate blocks in the kernels: SimpleRNN 1, LSTM 4 (i f c o), GRU 3 (z r h).</summary>
    public int Gates => Cell switch { Cell.SimpleRnn => 1, Cell.Lstm => 4, _ => 3 };
}

internal sealed class RecurrentNode : LayerNode, IStreamingLayer
{
    public RecurrentNode(LayerSpec spec, string name, Shape input, Shape output, RecurrentOptions options)
        : base(spec, name, input, output) => Options = options;

    public RecurrentOptions Options { get; }

    private int Steps => InputShape.Dims[0];

    private int Features => InputShape.Dims[1];

    private int Units => Options.Units;

    private bool Lstm => Options.Cell == Cell.Lstm;

    public override string KerasClass => Options.Cell switch { Cell.SimpleRnn => "SimpleRNN", Cell.Lstm => "LSTM", _ => "GRU" };

    public override string Description
    {
        get
        {
            var parts = new List<string> { Units.ToString(CultureInfo.InvariantCulture) };
            if (Options.Activation != (int)Shared.RecurrentActivation.Tanh) parts.Add(((Shared.RecurrentActivation)Options.Activation).ToString().ToLowerInvariant());
            if (Options.Cell != Cell.SimpleRnn && Options.RecurrentActivation != (int)Shared.RecurrentActivation.Sigmoid)
                parts.Add("recurrent " + ((Shared.RecurrentActivation)Options.RecurrentActivation).ToString().ToLowerInvariant());
            if (Options.ReturnSequences) parts.Add("sequences");
            if (Options.ReturnState) parts.Add("state");
            if (Options.GoBackwards) parts.Add("backwards");
            if (Options.Cell == Cell.Gru && !Options.ResetAfter) parts.Add("reset before");
            if (!Options.UseBias) parts.Add("no bias");
            if (Options.Dropout > 0) parts.Add("dropout " + Options.Dropout.ToString("R", CultureInfo.InvariantCulture));
            if (Options.RecurrentDropout > 0) parts.Add("recurrent dropout " + Options.RecurrentDropout.ToString("R", CultureInfo.InvariantCulture));
            if (Options.Bidirectional != 0) parts.Add("bidirectional " + ((Shared.BidirectionalMerge)Options.Bidirectional).ToString().ToLowerInvariant());
            return $"{KerasClass}({string.Join(", ", parts)})";
        }
    }

    /// <summary>Keras: the output mask is the input mask with return_sequences, none otherwise.</summary>
    public override MaskUse MaskUse => Options.ReturnSequences ? MaskUse.ConsumesAndPropagates : MaskUse.Consumes;

    /// <summary>
    /// The extra outputs: with <c>ReturnState</c> the final states <c>h</c> (and <c>c</c>), per direction for a bidirectional
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
                var shape = Options.ReturnSequences ? new Shape(Steps, Units) : new Shape(Units);
                ports.Add(("forward", shape));
                ports.Add(("backward", shape));
            }
            if (Options.ReturnState)
            {
                for (int d = 0; d < (Bidirectional ? 2 : 1); d++)
                {
                    ports.Add((N(d, "h"), new Shape(Units)));
                    if (Lstm) ports.Add((N(d, "c"), new Shape(Units)));
                }
            }
            return ports;
        }
    }

    public override string PortsHint => Ports.Count > 0 ? "its extra outputs are " + string.Join(", ", Ports.Select(p => "'" + p.Port + "'"))
        : "its final states are outputs only with ReturnState = true"
            + (Bidirectional ? ", and its two directions' outputs only with Bidirectional = BidirectionalMerge.Separate" : "");

    /// <summary>Keras' merge_mode=None: the directions stay two outputs (ports <c>forward</c>, <c>backward</c>).</summary>
    private bool Separate => Options.Bidirectional == (int)Shared.BidirectionalMerge.Separate;

    // Per-sample sizes of the runtime's buffers (Recurrent.*Size with batch 1; the batch-independent part of a GRU's
    // scratch is counted per sample, which over-allocates by (batch − 1) times it and never under-allocates).
    private int CachePerSample => Options.Cell switch
    {
        Cell.SimpleRnn => Steps * Units,
        Cell.Lstm => 5 * Steps * Units,
        _ => (Options.ResetAfter ? 4 : 3) * Steps * Units,
    };

    private int ForwardScratchPerSample => Options.Cell switch
    {
        Cell.SimpleRnn => Units,
        Cell.Lstm => 4 * Units,
        _ => Options.ResetAfter ? 3 * Units : 4 * Units + 3 * Units * Units,
    };

    private int BackwardScratchPerSample => Options.Cell switch
    {
        Cell.SimpleRnn => (Steps + 3) * Units,
        Cell.Lstm => (Steps + 7) * Units,
        _ => Options.ResetAfter ? (Steps + 5) * Units + Units * Units : (3 * Steps + 6) * Units + 4 * Units * Units,
    };

    /// <summary>Floats of the streaming step's scratch for a batch of one (Recurrent.*StepScratchSize).</summary>
    public int StepScratch => Options.Cell switch
    {
        Cell.SimpleRnn => 2 * Units,
        Cell.Lstm => 8 * Units,
        _ => 3 * Units + ForwardScratchPerSample,
    };

    private Operand Act => new RecurrentActivationArg(Options.Activation);

    private Operand RecAct => new RecurrentActivationArg(Options.RecurrentActivation);

    private Operand Bias => DirectionBias(0);

    private Operand Mask(LoweringContext c) => UsesMask ? c.MaskOf(this) : Empty;

    /// <summary>The running and final state h (batch, units): the port <c>name:h</c>.</summary>
    public Tensor FinalH(LoweringContext c) => c.Scratch("h", Units, new Shape(Units));

    /// <summary>The LSTM's running and final cell state c (batch, units): the port <c>name:c</c>.</summary>
    public Tensor FinalC(LoweringContext c) => c.Scratch("c", Units, new Shape(Units));

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => Forward(c, xs[0], y);

    public bool CanStream => !Options.GoBackwards && !Bidirectional;

    public bool StreamsSequences => Options.ReturnSequences;

    /// <summary>h, and c for the LSTM, each (units).</summary>
    public IReadOnlyList<(string Name, Shape Shape)> StreamStates
        => Lstm ? new[] { ("h", new Shape(Units)), ("c", new Shape(Units)) } : new[] { ("h", new Shape(Units)) };

    public Shape StepOutputShape => new(Units);

    /// <summary>One streaming step: <paramref name="x"/> (n, features) advances h (and c) in place; the output is a copy of h.</summary>
    public void LowerStep(LoweringContext c, Tensor x, IReadOnlyList<Tensor> states, Tensor y)
    {
        var h = states[0];
        var scratch = c.Scratch("step_scratch", StepScratch);
        var head = new List<Operand> { x, Param(Parameters[0]), Param(Parameters[1]), Bias, Out(h) };
        var sizes = new[] { Batch, Int(Features), Int(Units) };
        switch (Options.Cell)
        {
            case Cell.SimpleRnn:
                c.Call(KnownKernels.SimpleRnnStep, head.Append(Out(scratch)).Concat(sizes).Append(Act).ToArray());
                break;
            case Cell.Lstm:
                c.Call(KnownKernels.LstmStep, head.Append(Out(states[1])).Append(Out(scratch)).Concat(sizes).Append(Act).Append(RecAct).ToArray());
                break;
            default:
                c.Call(KnownKernels.GruStep, head.Append(Out(scratch)).Concat(sizes).Append(Act).Append(RecAct).Append(BoolArg.Of(Options.ResetAfter)).ToArray());
                break;
        }
        c.Copy(h, y);
    }

    /// <summary>Dropout is off in inference mode (gradients with <c>training: false</c> too).</summary>
    public override bool DependsOnTrainingMode => Options.Dropout > 0 || Options.RecurrentDropout > 0;

    /// <summary>
    /// Training with <c>recurrent_dropout</c>: the RecurrentDropout kernels, with masks drawn once per call (per direction):
    /// per gate block for the LSTM and GRU, the input's included (Keras 3.8+ and Keras 2).
    /// </summary>
    private bool RecurrentDropping(LoweringContext c) => Options.RecurrentDropout > 0 && !c.InferenceMode;

    private Tensor DropoutMasks(LoweringContext c, int d) => c.Scratch(N(d, "dropout_masks"), Options.Gates * (Features + Units));

    private Tensor DropoutCache(LoweringContext c, int d) => c.Scratch(N(d, "dropout_cache"), Steps * (Options.Gates + 3) * Units);

    private Operand[] DropoutTail => new Operand[] { Batch, Int(Steps), Int(Features), Int(Units), Int(Options.Gates), Act, RecAct, BoolArg.Of(Options.ResetAfter) };

    public override void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        var x = xs[0];
        if (RecurrentDropping(c))
        {
            Forward(c, x, y, dropping: true);
            return;
        }
        if (Options.Dropout > 0 && !c.InferenceMode)
        {
            var dropped = c.Scratch("dropped", InputShape.Size, InputShape);
            c.Call(KnownKernels.RecurrentInputDropoutForward, x, Out(dropped), Out(c.Scratch("dropout_mask", Features)),
                Batch, Int(Steps), Int(Features), Float(Options.Dropout), c.Rng(Options.Seed));
            x = dropped;
        }
        Forward(c, x, y);
    }

    private bool Bidirectional => Options.Bidirectional != 0;

    private Operand MergeMode => new BidirectionalMergeArg(Options.Bidirectional);

    /// <summary>Bidirectional forces Keras' zero_output_for_mask = return_sequences on both directions (LAYERS.md §8.1).</summary>
    private Operand ZeroOutputForMask => BoolArg.Of(Bidirectional && Options.ReturnSequences);

    /// <summary>Direction <paramref name="d"/>'s weight (0 kernel, 1 recurrent_kernel, 2 bias): the backward direction's follow the forward's.</summary>
    private ParameterDecl Weight(int d, int k) => Parameters[d * (Options.UseBias ? 3 : 2) + k];

    private Operand DirectionBias(int d) => Options.UseBias ? Param(Weight(d, 2)) : Empty;

    /// <summary>Scratch names of direction <paramref name="d"/>: the plain names for a one-direction layer (its ports read <c>h</c>, <c>c</c>).</summary>
    private string N(int d, string name) => !Bidirectional ? name : (d == 0 ? "forward_" : "backward_") + name;

    private Tensor DirectionOutputs(LoweringContext c, int d, Tensor y)
        => !Bidirectional && Options.ReturnSequences ? y
            : c.Scratch(Separate && d == 0 && Options.ReturnSequences ? "forward" : N(d, "outputs"), Steps * Units, new Shape(Steps, Units));

    /// <summary>Where direction <paramref name="d"/>'s last output goes (return_sequences = false): the ports' tensors when separate.</summary>
    private Tensor DirectionLast(LoweringContext c, int d, Tensor y)
        => !Bidirectional ? y : c.Scratch(Separate ? (d == 0 ? "forward" : "backward") : N(d, "last"), Units, new Shape(Units));

    private bool GoesBackwards(int d) => d == 0 ? Options.GoBackwards : !Options.GoBackwards;

    private void Forward(LoweringContext c, Tensor x, Tensor y, bool dropping = false)
    {
        int directions = Bidirectional ? 2 : 1;
        for (int d = 0; d < directions; d++)
        {
            var outputs = DirectionOutputs(c, d, y);
            if (dropping)
            {
                var masks = DropoutMasks(c, d);
                c.Call(KnownKernels.RecurrentDropoutMasks, Out(masks), Batch, Int(Features), Int(Units), Int(Options.Gates),
                    Float(Options.Dropout), Float(Options.RecurrentDropout), c.Rng(Options.Seed));
                var state = c.Scratch(N(d, "h"), Units, new Shape(Units));
                Operand cell = Lstm ? Out(c.Scratch(N(d, "c"), Units, new Shape(Units))) : EmptyOut;
                c.Call(KnownKernels.RecurrentDropoutForward, new Operand[] { x, Param(Weight(d, 0)), Param(Weight(d, 1)), DirectionBias(d), Mask(c), masks,
                    Out(outputs), Out(state), cell, Out(DropoutCache(c, d)), Out(c.Scratch("dropout_forward_scratch", 2 * Options.Gates * Units)) }
                    .Concat(DropoutTail).Append(BoolArg.Of(GoesBackwards(d))).Append(ZeroOutputForMask).ToArray());
                if (!Options.ReturnSequences)
                    c.Call(KnownKernels.RecurrentLastOutput, outputs, Out(DirectionLast(c, d, y)), Batch, Int(Steps), Int(Units));
                continue;
            }
            // Predict's LSTM keeps no cache (an empty one: no backward pass follows, the kernel skips writing the gates).
            bool cached = !(Options.Cell == Cell.Lstm && !c.Training);
            var cache = cached ? c.Scratch(N(d, "cache"), CachePerSample) : null;
            var scratch = c.Scratch("forward_scratch", ForwardScratchPerSample);
            var h = c.Scratch(N(d, "h"), Units, new Shape(Units));
            var sizes = new[] { Batch, Int(Steps), Int(Features), Int(Units) };
            var flags = new[] { BoolArg.Of(GoesBackwards(d)), ZeroOutputForMask };
            var head = new List<Operand> { x, Param(Weight(d, 0)), Param(Weight(d, 1)), DirectionBias(d), Mask(c) };
            switch (Options.Cell)
            {
                case Cell.SimpleRnn:
                    head.AddRange(new Operand[] { Empty, Out(outputs), Out(h), Out(cache!), Out(scratch) });
                    c.Call(KnownKernels.SimpleRnnForward, head.Concat(sizes).Append(Act).Concat(flags).ToArray());
                    break;
                case Cell.Lstm:
                    head.AddRange(new Operand[] { Empty, Empty, Out(outputs), Out(h), Out(c.Scratch(N(d, "c"), Units, new Shape(Units))), cache is null ? EmptyOut : Out(cache), Out(scratch) });
                    c.Call(KnownKernels.LstmForward, head.Concat(sizes).Append(Act).Append(RecAct).Concat(flags).ToArray());
                    break;
                default:
                    head.AddRange(new Operand[] { Empty, Out(outputs), Out(h), Out(cache!), Out(scratch) });
                    c.Call(KnownKernels.GruForward, head.Concat(sizes).Append(Act).Append(RecAct).Append(BoolArg.Of(Options.ResetAfter)).Concat(flags).ToArray());
                    break;
            }
            if (!Options.ReturnSequences)
                c.Call(KnownKernels.RecurrentLastOutput, outputs, Out(DirectionLast(c, d, y)), Batch, Int(Steps), Int(Units));
        }
        if (!Bidirectional) return;
        if (Separate)
        {
            // Keras returns (forward, backward) with the backward sequence flipped back into input time order.
            if (Options.ReturnSequences)
                c.Call(KnownKernels.ReverseSteps, DirectionOutputs(c, 1, y), Out(c.Scratch("backward", Steps * Units, new Shape(Steps, Units))), Batch, Int(Steps), Int(Units));
            c.Copy(Options.ReturnSequences ? DirectionOutputs(c, 0, y) : DirectionLast(c, 0, y), y);
            return;
        }
        if (Options.ReturnSequences)
            c.Call(KnownKernels.RecurrentMergeDirections, DirectionOutputs(c, 0, y), DirectionOutputs(c, 1, y), Out(y), Batch, Int(Steps), Int(Units), MergeMode, BoolArg.True);
        else
            c.Call(KnownKernels.RecurrentMergeDirections, c.Scratch(N(0, "last"), Units), c.Scratch(N(1, "last"), Units), Out(y), Batch, Int(1), Int(Units), MergeMode, BoolArg.False);
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        bool dropping = RecurrentDropping(c);
        bool dropout = Options.Dropout > 0 && !c.InferenceMode && !dropping;
        var x = dropout ? c.Scratch("dropped", InputShape.Size, InputShape) : a.X;
        Tensor? dx = a.Dx is null ? null : dropout ? c.Scratch("d_dropped", InputShape.Size, InputShape) : a.Dx;
        // The upstream gradient of each direction: the layer's own, or split by the merge.
        var upstream = new Tensor?[2];
        if (!Bidirectional) upstream[0] = a.Dy;
        else if (Separate) upstream = BidirectionalLowering.SeparateUpstream(c, this, a.Dy, Options.ReturnSequences ? new Shape(Steps, Units) : null);
        else
        {
            int rows = Options.ReturnSequences ? Steps : 1;
            for (int d = 0; d < 2; d++) upstream[d] = c.Scratch(N(d, "d_output"), rows * Units, new Shape(rows * Units));
            var f = Options.ReturnSequences ? DirectionOutputs(c, 0, a.Y) : c.Scratch(N(0, "last"), Units);
            var r = Options.ReturnSequences ? DirectionOutputs(c, 1, a.Y) : c.Scratch(N(1, "last"), Units);
            c.Call(KnownKernels.RecurrentMergeDirectionsBackward, f, r, a.Dy, Out(upstream[0]!), Out(upstream[1]!), Batch, Int(rows), Int(Units), MergeMode,
                BoolArg.Of(Options.ReturnSequences));
        }
        for (int d = 0; d < (Bidirectional ? 2 : 1); d++)
        {
            var outputs = DirectionOutputs(c, d, a.Y);
            Tensor? dxd = d == 0 || dx is null ? dx : c.Scratch("d_input_backward", InputShape.Size, InputShape);
            // The gradients of the final states come from the ports (name:h, name:c) when a later layer reads them.
            Operand dFinalH = c.ScratchOf(this, "d_" + N(d, "h")) is { } dh ? dh : Empty;
            Operand dFinalC = c.ScratchOf(this, "d_" + N(d, "c")) is { } dcs ? dcs : Empty;
            var sizes = new[] { Batch, Int(Steps), Int(Features), Int(Units) };
            var flags = new[] { BoolArg.Of(GoesBackwards(d)), ZeroOutputForMask };
            Operand up = upstream[d] is { } u ? u : Empty;
            Operand dOutputs = Options.ReturnSequences ? up : Empty;
            Operand dLast = Options.ReturnSequences ? Empty : up;
            Operand dxArg = dxd is null ? EmptyOut : Out(dxd);
            Operand dBias = Options.UseBias ? Grad(Weight(d, 2)) : EmptyOut;
            if (dropping)
            {
                c.Call(KnownKernels.RecurrentDropoutBackward, new Operand[] { x, Param(Weight(d, 0)), Param(Weight(d, 1)), Mask(c), DropoutMasks(c, d),
                    DropoutCache(c, d), dOutputs, dLast, dFinalH, dFinalC, dxArg, Grad(Weight(d, 0)), Grad(Weight(d, 1)), dBias,
                    Out(c.Scratch("dropout_backward_scratch", 3 * Units + 3 * Options.Gates * Units)) }
                    .Concat(DropoutTail).Append(BoolArg.Of(GoesBackwards(d))).Append(ZeroOutputForMask).ToArray());
                if (d == 1 && dx is not null && dxd is not null) c.Accumulate(dx, dxd);
                continue;
            }
            var cache = c.Scratch(N(d, "cache"), CachePerSample);
            var scratch = c.Scratch("backward_scratch", BackwardScratchPerSample);
            var head = new List<Operand> { x, Param(Weight(d, 0)), Param(Weight(d, 1)), Mask(c) };
            var grads = new Operand[] { Grad(Weight(d, 0)), Grad(Weight(d, 1)), dBias };
            switch (Options.Cell)
            {
                case Cell.SimpleRnn:
                    head.AddRange(new Operand[] { Empty, outputs, Out(cache), dOutputs, dLast, dFinalH, dxArg }.Concat(grads).Concat(new[] { EmptyOut, Out(scratch) }));
                    c.Call(KnownKernels.SimpleRnnBackward, head.Concat(sizes).Append(Act).Concat(flags).ToArray());
                    break;
                case Cell.Lstm:
                    head.AddRange(new Operand[] { Empty, Empty, outputs, Out(cache), dOutputs, dLast, dFinalH, dFinalC, dxArg }.Concat(grads).Concat(new[] { EmptyOut, EmptyOut, Out(scratch) }));
                    c.Call(KnownKernels.LstmBackward, head.Concat(sizes).Append(Act).Append(RecAct).Concat(flags).ToArray());
                    break;
                default:
                    head.AddRange(new Operand[] { Empty, outputs, Out(cache), dOutputs, dLast, dFinalH, dxArg }.Concat(grads).Concat(new[] { EmptyOut, Out(scratch) }));
                    c.Call(KnownKernels.GruBackward, head.Concat(sizes).Append(Act).Append(RecAct).Append(BoolArg.Of(Options.ResetAfter)).Concat(flags).ToArray());
                    break;
            }
            if (d == 1 && dx is not null && dxd is not null) c.Accumulate(dx, dxd);
        }
        if (dropout && a.Dx is not null && dx is not null)
            c.Call(KnownKernels.RecurrentInputDropoutBackward, dx, c.Scratch("dropout_mask", Features), Out(a.Dx), Batch, Int(Steps), Int(Features));
    }
}

/// <summary>
/// An extra output of a layer, read by name as <c>"owner:port"</c> (a recurrent layer's final state with
/// <c>return_state</c>). It holds no floats of its own: its value is the owner's state tensor under the port's name,
/// and its gradient is handed to the owner's backward (which runs after it).
/// </summary>
internal sealed class PortNode : LayerNode
{
    public PortNode(LayerNode owner, string port, Shape shape)
        : base(owner.Spec, owner.Name + ":" + port, owner.OutputShape, shape)
    {
        Owner = owner;
        Port = port;
    }

    public LayerNode Owner { get; }

    public string Port { get; }

    public override string KerasClass => "(state " + Port + ")";

    public override string Description => $"state '{Port}' of '{Owner.Name}'";

    /// <summary>A state carries no mask (Keras); the owner's mask stops here without a warning.</summary>
    public override MaskUse MaskUse => MaskUse.Consumes;

    private Tensor OwnerState(LoweringContext c) => c.ScratchOf(Owner, Port)
        ?? throw new System.InvalidOperationException($"port {Name} lowered before its owner");

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => c.Alias(OwnerState(c), y);

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        // The owner's backward reads this gradient as dFinalH/dFinalC; the owner's main output gets none from here.
        c.Copy(a.Dy, c.ScratchFor(Owner, "d_" + Port, OutputShape.Size, OutputShape));
        if (a.Dx is not null) c.Call(KnownKernels.MaskingZero, Out(a.Dx), Times(InputShape.Size));
    }
}

/// <summary>
/// Keras <c>Masking(mask_value)</c>: input <c>(steps, features)</c>; padded steps (every feature equal to the mask
/// value) become zeros and the layer starts a padding mask that the recurrent layers (and GlobalAveragePooling1D) read.
/// </summary>
internal sealed class MaskingKind : LayerKind
{
    public override string AttributeName => "Masking";

    public override string DefaultName => "masking";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        if (input.Rank != 2)
        {
            context.Report(Descriptors.WrongRank, spec.Location, Window.Label(spec, name), 2, "(steps, features)", input.ToString(), input.Rank);
            return null;
        }
        return new MaskingNode(spec, name, input, BuildContext.Number(spec, "MaskValue", 0));
    }
}

internal sealed class MaskingNode : LayerNode
{
    private readonly double _value;

    public MaskingNode(LayerSpec spec, string name, Shape input, double value)
        : base(spec, name, input, input) => _value = value;

    public override string KerasClass => "Masking";

    public override string Description => $"Masking({_value.ToString("R", CultureInfo.InvariantCulture)})";

    public override bool ProducesMask => true;

    public override BufferUse InferenceUse => BufferUse.InPlace;

    private Tensor MaskTensor(LoweringContext c) => c.Scratch("mask", InputShape.Dims[0], new Shape(InputShape.Dims[0]));

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        var mask = MaskTensor(c);
        c.Call(KnownKernels.MaskingForward, xs[0], Out(y), Out(mask), Batch, Int(InputShape.Dims[0]), Int(InputShape.Dims[1]), Float(_value));
        c.SetMask(mask);
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (a.Dx is not null)
            c.Call(KnownKernels.MaskingBackward, a.Dy, MaskTensor(c), Out(a.Dx), Batch, Int(InputShape.Dims[0]), Int(InputShape.Dims[1]));
    }
}

/// <summary>Lowering shared by the bidirectional recurrent layers (built-in, user cells, ConvLSTM).</summary>
internal static class BidirectionalLowering
{
    /// <summary>
    /// The two directions' upstream gradients of a layer with <see cref="Shared.BidirectionalMerge.Separate"/>: forward,
    /// the layer's own output gradient plus the <c>forward</c> port's; backward, the <c>backward</c> port's if a later layer
    /// reads it (flipped back into processing order with sequences), else null. <paramref name="sequence"/> is one
    /// direction's (steps, per step) output shape when sequences are returned, null otherwise.
    /// </summary>
    public static Tensor?[] SeparateUpstream(LoweringContext c, LayerNode layer, Tensor dy, Shape? sequence)
    {
        var upstream = new Tensor?[2];
        if (c.ScratchOf(layer, "d_forward") is { } dForward) c.Accumulate(dy, dForward);
        upstream[0] = dy;
        if (c.ScratchOf(layer, "d_backward") is { } dBackward)
        {
            if (sequence is { } shape)
            {
                upstream[1] = c.Scratch("d_backward_outputs", shape.Size, shape);
                c.Call(KnownKernels.ReverseSteps, dBackward, Out(upstream[1]!), Batch, Int(shape.Dims[0]), Int(shape.Size / shape.Dims[0]));
            }
            else upstream[1] = dBackward;
        }
        return upstream;
    }
}
