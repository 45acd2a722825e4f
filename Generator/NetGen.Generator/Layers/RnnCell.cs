using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
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
        var options = new RnnCellOptions(type, inputSize, stateSize, outputSize, cacheSize,
            BuildContext.Bool(spec, "ReturnSequences", false), BuildContext.Bool(spec, "ReturnState", false), BuildContext.Bool(spec, "GoBackwards", false));
        int steps = input.Dims[0];
        var node = new RnnCellNode(spec, name, input, options.ReturnSequences ? new Shape(steps, outputSize) : new Shape(outputSize), options);
        foreach (var weight in spec.Find(RnnCells.WeightsArgument)?.Texts ?? default)
        {
            var parts = weight.Split('|');
            var dims = parts[2].Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
            int fanOut = dims[dims.Length - 1], fanIn = dims.Length == 1 ? dims[0] : dims.Take(dims.Length - 1).Aggregate(1, (a, b) => a * b);
            node.Parameters.Add(new ParameterDecl(parts[0], new Shape(dims), int.Parse(parts[1], CultureInfo.InvariantCulture), fanIn, fanOut));
        }
        return node;
    }
}

/// <summary>An RNN layer's cell and options: the cell's <c>global::</c> name and its size constants.</summary>
internal sealed record RnnCellOptions(string CellType, int InputSize, int StateSize, int OutputSize, int CacheSize,
    bool ReturnSequences, bool ReturnState, bool GoBackwards);

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
            return $"RNN({string.Join(", ", parts)})";
        }
    }

    public override IReadOnlyList<(string Port, Shape Shape)> Ports => Options.ReturnState
        ? new[] { ("state", new Shape(Options.StateSize)) }
        : System.Array.Empty<(string, Shape)>();

    public override string PortsHint => Options.ReturnState ? "its extra output is 'state'" : "its final state is an output only with ReturnState = true";

    // The time-loop kernels, instantiated for this cell (the printer spells Family.Method as it is).
    private Kernel Forward => _forward ??= new Kernel("RecurrentCells", "Forward<" + Options.CellType + ">");

    private Kernel Backward => _backward ??= new Kernel("RecurrentCells", "Backward<" + Options.CellType + ">");

    private Kernel StepKernel => _step ??= new Kernel("RecurrentCells", "Step<" + Options.CellType + ">");

    /// <summary>
    /// The cell's weights as one span: the layer's parameters are consecutive in the parameter buffer (the graph builder
    /// lays out a layer's weights in order), so one declaration covering all of them names that span. Null without weights.
    /// </summary>
    private ParameterDecl? AllWeights()
    {
        if (Parameters.Count == 0) return null;
        var first = Parameters[0];
        int length = Parameters.Sum(p => p.Length);
        if (Parameters[Parameters.Count - 1].Offset + Parameters[Parameters.Count - 1].Length != first.Offset + length)
            throw new System.InvalidOperationException($"the weights of '{Name}' are not consecutive");
        return new ParameterDecl("weights", new Shape(length), first.Initializer, first.FanIn, first.FanOut) { Offset = first.Offset, Frozen = first.Frozen };
    }

    private int CachePerSample => Steps * Options.InputSize + (Steps + 1) * Options.StateSize + Steps * Options.CacheSize;

    private Operand[] Sizes => new[] { Batch, Int(Steps), Int(Options.InputSize), Int(Options.StateSize), Int(Options.OutputSize), Int(Options.CacheSize),
        BoolArg.Of(Options.GoBackwards) };

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        var weights = AllWeights();
        Operand finalState = Options.ReturnState ? Out(c.Scratch("state", Options.StateSize, new Shape(Options.StateSize))) : EmptyOut;
        c.Call(Forward, new Operand[]
        {
            xs[0], weights is null ? Empty : Param(weights),
            Options.ReturnSequences ? Out(y) : EmptyOut, Options.ReturnSequences ? EmptyOut : Out(y), finalState,
            Out(c.Scratch("cache", CachePerSample)),
        }.Concat(Sizes).ToArray());
    }

    public bool CanStream => !Options.GoBackwards;

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
        var weights = AllWeights();
        // The final state's gradient comes from the port (name:state) when a later layer reads it.
        Operand dFinal = c.ScratchOf(this, "d_state") is { } d ? d : Empty;
        var scratch = c.Scratch("backward_scratch", Steps * Options.InputSize + 2 * Options.StateSize);
        c.Call(Backward, new Operand[]
        {
            weights is null ? Empty : Param(weights), c.Scratch("cache", CachePerSample),
            Options.ReturnSequences ? a.Dy : Empty, Options.ReturnSequences ? Empty : a.Dy, dFinal,
            a.Dx is null ? EmptyOut : Out(a.Dx), weights is null ? EmptyOut : Grad(weights), Out(scratch),
        }.Concat(Sizes).ToArray());
    }
}
