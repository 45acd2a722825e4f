using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>RNN(cell)</c> over a cell written in C# (LAYERS.md §8.2): a struct implementing <c>NetGen.IRecurrentCell</c>,
/// checked by the parser (<see cref="RnnCells"/>: methods, size constants, <c>[CellWeight]</c>s). Input
/// <c>(steps, InputSize)</c>, output <c>(OutputSize)</c> or <c>(steps, OutputSize)</c> with <c>ReturnSequences</c>;
/// <c>ReturnState</c> adds the port <c>name:state</c> <c>(StateSize)</c>. The weights are the cell's, named
/// <c>layer/weight</c>. The time loop runs in the runtime's generic <c>RecurrentCells</c> kernels, specialised for the cell.
/// </summary>
internal sealed class RnnKind : LayerKind
{
    public override string AttributeName => "RNN";

    public override string DefaultName => "rnn";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var label = Window.Label(spec, name);
        var cellArg = spec.Find("cell");
        var at = cellArg?.Location ?? spec.Location;
        if (spec.Find(RnnCells.Problem)?.Text is { } problem)
        {
            var kind = (RnnCells.ProblemKind)(int)(spec.Find(RnnCells.ProblemKindArgument)?.Number ?? 0);
            var descriptor = kind switch
            {
                RnnCells.ProblemKind.Method => Descriptors.CellMethod,
                RnnCells.ProblemKind.Sizes => Descriptors.CellSizes,
                RnnCells.ProblemKind.Weight => Descriptors.CellWeight,
                _ => Descriptors.CellType,
            };
            context.Report(descriptor, at, label, problem);
            return null;
        }
        if (spec.Find(RnnCells.TypeArgument)?.Text is not { } type || spec.Find(RnnCells.SizesArgument) is not { Items.Count: 4 } sizes) return null;
        if (input.Rank != 2)
        {
            context.Report(Descriptors.WrongRank, spec.Location, label, 2, "(steps, features)", input.ToString(), input.Rank);
            return null;
        }
        int inputSize = (int)sizes.Items[0], stateSize = (int)sizes.Items[1], outputSize = (int)sizes.Items[2], cacheSize = (int)sizes.Items[3];
        if (input.Dims[1] != inputSize)
        {
            context.Report(Descriptors.CellInput, at, label, type.Replace("global::", ""), inputSize, input.ToString(), input.Dims[1]);
            return null;
        }
        double dropout = RecurrentKind.Rate(spec, label, "Dropout", context);
        int merge = RecurrentKind.Merge(spec, label, context);
        if (context.HasErrors) return null;
        long seed = spec.Find("Seed") is { } sd ? (sd.Text is { } st ? long.Parse(st, CultureInfo.InvariantCulture) : (long)sd.Number) : -1;
        var options = new RnnCellOptions(type, inputSize, stateSize, outputSize, cacheSize,
            BuildContext.Bool(spec, "ReturnSequences", false), BuildContext.Bool(spec, "ReturnState", false), BuildContext.Bool(spec, "GoBackwards", false))
        {
            Dropout = dropout, Seed = seed, Bidirectional = merge,
        };
        int steps = input.Dims[0];
        int width = merge == (int)Shared.BidirectionalMerge.Concat ? 2 * outputSize : outputSize;
        var node = new RnnCellNode(spec, name, input, options.ReturnSequences ? new Shape(steps, width) : new Shape(width), options);
        // Bidirectional: Keras' forward_rnn/... weights, then backward_rnn/... (its get_weights() order).
        var prefixes = merge == 0 ? new[] { "" } : new[] { "forward_" + DefaultName + "/", "backward_" + DefaultName + "/" };
        foreach (var prefix in prefixes)
        {
            foreach (var weight in spec.Find(RnnCells.WeightsArgument)?.Texts ?? default)
            {
                var parts = weight.Split('|');
                var dims = parts[2].Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
                int fanOut = dims[dims.Length - 1], fanIn = dims.Length == 1 ? dims[0] : dims.Take(dims.Length - 1).Aggregate(1, (a, b) => a * b);
                node.Parameters.Add(new ParameterDecl(prefix + parts[0], new Shape(dims), int.Parse(parts[1], CultureInfo.InvariantCulture), fanIn, fanOut));
            }
        }
        return node;
    }
}

/// <summary>An RNN layer's cell and options: the cell's <c>global::</c> name and its size constants.</summary>
internal sealed record RnnCellOptions(string CellType, int InputSize, int StateSize, int OutputSize, int CacheSize,
    bool ReturnSequences, bool ReturnState, bool GoBackwards)
{
    /// <summary>Keras' cell <c>dropout</c> on the inputs (training only): one mask per sequence, reused at every step.</summary>
    public double Dropout { get; init; }

    /// <summary>The dropout stream's seed; negative derives it from the network's seed.</summary>
    public long Seed { get; init; } = -1;

    /// <summary>The <c>NetGen.BidirectionalMerge</c> value: 0 for one direction.</summary>
    public int Bidirectional { get; init; }
}

internal sealed class RnnCellNode : LayerNode, IStreamingLayer
{
    private Kernel? _forward, _backward, _step;

    public RnnCellNode(LayerSpec spec, string name, Shape input, Shape output, RnnCellOptions options)
        : base(spec, name, input, output) => Options = options;

    public RnnCellOptions Options { get; }

    private int Steps => InputShape.Dims[0];

    /// <summary>The cell's name without <c>global::</c> and namespace, for descriptions.</summary>
    private string CellName => Options.CellType.Substring(Options.CellType.LastIndexOf('.') + 1).Replace("global::", "");

    public override string KerasClass => "RNN";

    public override string Description
    {
        get
        {
            var parts = new List<string> { CellName };
            if (Options.ReturnSequences) parts.Add("sequences");
            if (Options.ReturnState) parts.Add("state");
            if (Options.GoBackwards) parts.Add("backwards");
            if (Options.Dropout > 0) parts.Add("dropout " + Options.Dropout.ToString("R", CultureInfo.InvariantCulture));
            if (Bidirectional) parts.Add("bidirectional " + ((Shared.BidirectionalMerge)Options.Bidirectional).ToString().ToLowerInvariant());
            return $"RNN({string.Join(", ", parts)})";
        }
    }

    /// <summary>
    /// The extra outputs: with <c>ReturnState</c> the final state <c>state</c> (a bidirectional layer's <c>forward_state</c>
    /// and <c>backward_state</c>); with <see cref="Shared.BidirectionalMerge.Separate"/> the two directions' outputs
    /// <c>forward</c> and <c>backward</c>.
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
                for (int d = 0; d < Directions; d++) ports.Add((N(d, "state"), new Shape(Options.StateSize)));
            return ports;
        }
    }

    public override string PortsHint => Ports.Count > 0 ? "its extra outputs are " + string.Join(", ", Ports.Select(p => "'" + p.Port + "'"))
        : "its final state is an output only with ReturnState = true"
            + (Bidirectional ? ", and its two directions' outputs only with Bidirectional = BidirectionalMerge.Separate" : "");

    // The time-loop kernels, instantiated for this cell (the printer spells Family.Method as it is).
    private Kernel ForwardKernel => _forward ??= new Kernel("RecurrentCells", "Forward<" + Options.CellType + ">");

    private Kernel BackwardKernel => _backward ??= new Kernel("RecurrentCells", "Backward<" + Options.CellType + ">");

    private Kernel StepKernel => _step ??= new Kernel("RecurrentCells", "Step<" + Options.CellType + ">");

    /// <summary>
    /// The cell's weights as one span: the layer's parameters are consecutive in the parameter buffer (the graph builder
    /// lays out a layer's weights in order), so one declaration covering all of them names that span. Null without weights.
    /// </summary>
    private ParameterDecl? AllWeights(int d = 0)
    {
        if (Parameters.Count == 0) return null;
        int per = Parameters.Count / Directions;
        var mine = Parameters.Skip(d * per).Take(per).ToList();
        var first = mine[0];
        int length = mine.Sum(p => p.Length);
        if (mine[mine.Count - 1].Offset + mine[mine.Count - 1].Length != first.Offset + length)
            throw new System.InvalidOperationException($"the weights of '{Name}' are not consecutive");
        return new ParameterDecl(N(d, "weights"), new Shape(length), first.Initializer, first.FanIn, first.FanOut) { Offset = first.Offset, Frozen = first.Frozen };
    }

    private int CachePerSample => Steps * Options.InputSize + (Steps + 1) * Options.StateSize + Steps * Options.CacheSize;

    private Operand[] Sizes(int d) => new[] { Batch, Int(Steps), Int(Options.InputSize), Int(Options.StateSize), Int(Options.OutputSize), Int(Options.CacheSize),
        BoolArg.Of(GoesBackwards(d)), ZeroOutputForMask };

    private bool Bidirectional => Options.Bidirectional != 0;

    /// <summary>Keras' merge_mode=None: the directions stay two outputs (ports <c>forward</c>, <c>backward</c>).</summary>
    private bool Separate => Options.Bidirectional == (int)Shared.BidirectionalMerge.Separate;

    private int Directions => Bidirectional ? 2 : 1;

    private bool GoesBackwards(int d) => d == 0 ? Options.GoBackwards : !Options.GoBackwards;

    /// <summary>Bidirectional forces Keras' zero_output_for_mask = return_sequences on both directions (LAYERS.md §8.1).</summary>
    private Operand ZeroOutputForMask => BoolArg.Of(Bidirectional && Options.ReturnSequences);

    private Operand Mask(LoweringContext c) => UsesMask ? c.MaskOf(this) : Empty;

    /// <summary>Keras: the output mask is the input mask with return_sequences, none otherwise.</summary>
    public override MaskUse MaskUse => Options.ReturnSequences ? MaskUse.ConsumesAndPropagates : MaskUse.Consumes;

    public override bool DependsOnTrainingMode => Options.Dropout > 0;

    /// <summary>A direction's tensor name: as is for one direction, <c>forward_</c>/<c>backward_</c> for two.</summary>
    private string N(int d, string name) => !Bidirectional ? name : (d == 0 ? "forward_" : "backward_") + name;

    private Shape DirectionShape => Options.ReturnSequences ? new Shape(Steps, Options.OutputSize) : new Shape(Options.OutputSize);

    /// <summary>Where direction <paramref name="d"/>'s output goes (in processing order): the layer's output for one direction.</summary>
    private Tensor DirectionOutput(LoweringContext c, int d, Tensor y)
        => !Bidirectional ? y
            : c.Scratch(Separate && (d == 0 || !Options.ReturnSequences) ? (d == 0 ? "forward" : "backward") : N(d, "outputs"), DirectionShape.Size, DirectionShape);

    private Tensor FinalState(LoweringContext c, int d) => c.Scratch(N(d, "state"), Options.StateSize, new Shape(Options.StateSize));

    private void Forward(LoweringContext c, Tensor x, Tensor y)
    {
        for (int d = 0; d < Directions; d++)
        {
            var weights = AllWeights(d);
            var output = DirectionOutput(c, d, y);
            c.Call(ForwardKernel, new Operand[]
            {
                x, weights is null ? Empty : Param(weights), Mask(c),
                Options.ReturnSequences ? Out(output) : EmptyOut, Options.ReturnSequences ? EmptyOut : Out(output),
                Options.ReturnState ? Out(FinalState(c, d)) : EmptyOut, Out(c.Scratch(N(d, "cache"), CachePerSample)),
            }.Concat(Sizes(d)).ToArray());
        }
        if (!Bidirectional) return;
        int rows = Options.ReturnSequences ? Steps : 1;
        if (Separate)
        {
            // Keras returns (forward, backward) with the backward sequence flipped back into input time order.
            if (Options.ReturnSequences)
                c.Call(KnownKernels.ReverseSteps, DirectionOutput(c, 1, y), Out(c.Scratch("backward", DirectionShape.Size, DirectionShape)), Batch, Int(Steps), Int(Options.OutputSize));
            c.Copy(DirectionOutput(c, 0, y), y);
            return;
        }
        c.Call(KnownKernels.RecurrentMergeDirections, DirectionOutput(c, 0, y), DirectionOutput(c, 1, y), Out(y), Batch, Int(rows), Int(Options.OutputSize),
            new BidirectionalMergeArg(Options.Bidirectional), BoolArg.Of(Options.ReturnSequences));
    }

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => Forward(c, xs[0], y);

    private bool Dropping(LoweringContext c) => Options.Dropout > 0 && !c.InferenceMode;

    public override void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        var x = xs[0];
        if (Dropping(c))
        {
            var dropped = c.Scratch("dropped", InputShape.Size, InputShape);
            c.Call(KnownKernels.RecurrentInputDropoutForward, x, Out(dropped), Out(c.Scratch("dropout_mask", Options.InputSize)),
                Batch, Int(Steps), Int(Options.InputSize), Float(Options.Dropout), c.Rng(Options.Seed));
            x = dropped;
        }
        Forward(c, x, y);
    }

    public bool CanStream => !Options.GoBackwards && !Bidirectional;

    public bool StreamsSequences => Options.ReturnSequences;

    /// <summary>The cell's whole state, (StateSize).</summary>
    public IReadOnlyList<(string Name, Shape Shape)> StreamStates => new[] { ("state", new Shape(Options.StateSize)) };

    public Shape StepOutputShape => new(Options.OutputSize);

    /// <summary>One streaming step: the cell's Forward on (n, InputSize), the state advanced in place, the output its first OutputSize floats.</summary>
    public void LowerStep(LoweringContext c, Tensor x, IReadOnlyList<Tensor> states, Tensor y)
    {
        var weights = AllWeights();
        c.Call(StepKernel, x, weights is null ? Empty : Param(weights), Out(states[0]), Out(y),
            Out(c.Scratch("step_scratch", Options.StateSize + Options.CacheSize)),
            Batch, Int(Options.InputSize), Int(Options.StateSize), Int(Options.OutputSize), Int(Options.CacheSize));
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        bool dropping = Dropping(c);
        Tensor? dx = a.Dx is null ? null : dropping ? c.Scratch("d_dropped", InputShape.Size, InputShape) : a.Dx;
        // The upstream gradient of each direction: the layer's own, or split by the merge.
        var upstream = new Tensor?[2];
        if (!Bidirectional) upstream[0] = a.Dy;
        else if (Separate) upstream = BidirectionalLowering.SeparateUpstream(c, this, a.Dy, Options.ReturnSequences ? DirectionShape : null);
        else
        {
            int rows = Options.ReturnSequences ? Steps : 1;
            for (int d = 0; d < 2; d++) upstream[d] = c.Scratch(N(d, "d_output"), DirectionShape.Size, DirectionShape);
            c.Call(KnownKernels.RecurrentMergeDirectionsBackward, DirectionOutput(c, 0, a.Y), DirectionOutput(c, 1, a.Y), a.Dy, Out(upstream[0]!), Out(upstream[1]!),
                Batch, Int(rows), Int(Options.OutputSize), new BidirectionalMergeArg(Options.Bidirectional), BoolArg.Of(Options.ReturnSequences));
        }
        var scratch = c.Scratch("backward_scratch", Steps * Options.InputSize + (UsesMask ? 3 : 2) * Options.StateSize);
        for (int d = 0; d < Directions; d++)
        {
            var weights = AllWeights(d);
            Tensor? dxd = d == 0 || dx is null ? dx : c.Scratch("d_input_backward", InputShape.Size, InputShape);
            // The final state's gradient comes from the port (name:state, or name:forward_state...) when a later layer reads it.
            Operand dFinal = c.ScratchOf(this, "d_" + N(d, "state")) is { } ds ? ds : Empty;
            Operand up = upstream[d] is { } u ? u : Empty;
            c.Call(BackwardKernel, new Operand[]
            {
                weights is null ? Empty : Param(weights), Mask(c), c.Scratch(N(d, "cache"), CachePerSample),
                Options.ReturnSequences ? up : Empty, Options.ReturnSequences ? Empty : up, dFinal,
                dxd is null ? EmptyOut : Out(dxd), weights is null ? EmptyOut : Grad(weights), Out(scratch),
            }.Concat(Sizes(d)).ToArray());
            if (d == 1 && dx is not null && dxd is not null) c.Accumulate(dx, dxd);
        }
        if (dropping && a.Dx is not null && dx is not null)
            c.Call(KnownKernels.RecurrentInputDropoutBackward, dx, c.Scratch("dropout_mask", Options.InputSize), Out(a.Dx), Batch, Int(Steps), Int(Options.InputSize));
    }
}
