using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras' element-wise merge layers: <c>Add</c>, <c>Subtract</c> (exactly two inputs), <c>Multiply</c>, <c>Average</c>,
/// <c>Maximum</c>, <c>Minimum</c>, on two or more inputs of equal shape. No weights.
/// </summary>
internal sealed class MergeKind : MultiInputKind
{
    public enum Op
    {
        Add,
        Subtract,
        Multiply,
        Average,
        Maximum,
        Minimum,
    }

    private readonly Op _op;

    public MergeKind(Op op) => _op = op;

    public override string AttributeName => _op.ToString();

    public override string DefaultName => _op.ToString().ToLowerInvariant();

    public override LayerNode? Build(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, BuildContext context)
    {
        var label = $"{_op} '{name}'";
        if (_op == Op.Subtract ? inputs.Count != 2 : inputs.Count < 2)
        {
            context.Report(Descriptors.InputCount, spec.Location, label, _op == Op.Subtract ? "Subtract takes exactly two inputs" : $"{_op} merges two or more inputs", inputs.Count);
            return null;
        }
        if (inputs.Any(s => !s.Equals(inputs[0])))
        {
            context.Report(Descriptors.MergeShapes, spec.Location, label, "have equal shapes", MergeShapesText(inputs));
            return null;
        }
        return new ElementwiseMergeNode(spec, name, inputs, _op);
    }

    /// <summary>The inputs' shapes for a diagnostic: <c>(32), (16)</c>.</summary>
    public static string MergeShapesText(IReadOnlyList<Shape> inputs) => string.Join(", ", inputs.Select(s => s.ToString()));
}

internal sealed class ElementwiseMergeNode : LayerNode
{
    private readonly MergeKind.Op _op;

    public ElementwiseMergeNode(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, MergeKind.Op op)
        : base(spec, name, inputs, inputs[0]) => _op = op;

    public override string KerasClass => _op.ToString();

    public override string Description => _op.ToString();

    private const string Kernels = "global::NetGen.Kernels.Merge";

    // Maximum/Minimum route the gradient through every input in order, so an input that needs no gradient still
    // claims its wins; its share goes to this scratch region and is dropped.
    public override IReadOnlyList<Scratch> TrainingScratch
        => _op is MergeKind.Op.Maximum or MergeKind.Op.Minimum ? new[] { new Scratch("unrouted", OutputShape.Size) } : System.Array.Empty<Scratch>();

    public override void EmitInference(EmitContext c, string x, string y) => EmitInference(c, new[] { x }, y);

    public override void EmitInference(EmitContext c, IReadOnlyList<string> xs, string y)
    {
        var w = c.W;
        string op = _op switch
        {
            MergeKind.Op.Average => "Add",
            var other => other.ToString(),
        };
        w.Line($"{Kernels}.{op}({xs[0]}, {xs[1]}, {y});");
        for (int k = 2; k < xs.Count; k++) w.Line($"{Kernels}.{op}({y}, {xs[k]}, {y});");
        if (_op == MergeKind.Op.Average) w.Line($"{Kernels}.Scale({y}, {EmitContext.Float(1.0 / xs.Count)}, {y});");
    }

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a) => EmitInference(c, a.Xs, a.Y);

    public override void EmitBackward(EmitContext c, BackwardArgs a)
    {
        var w = c.W;
        int count = a.Xs.Count;
        for (int k = 0; k < count; k++)
        {
            var dx = a.Dxs[k];
            switch (_op)
            {
                case MergeKind.Op.Maximum:
                case MergeKind.Op.Minimum:
                    // The first input equal to the output takes the whole gradient (ties: first input wins).
                    if (dx is null && a.Dxs.Skip(k + 1).All(d => d is null)) break;
                    w.Line($"{Kernels}.RouteToWinner({a.Xs[k]}, {a.Y}, {a.Dy}, {dx ?? a["unrouted"]});");
                    break;
                case MergeKind.Op.Add:
                    if (dx is not null) w.Line($"{a.Dy}.CopyTo({dx});");
                    break;
                case MergeKind.Op.Subtract:
                    if (dx is not null) w.Line(k == 0 ? $"{a.Dy}.CopyTo({dx});" : $"{Kernels}.Negate({a.Dy}, {dx});");
                    break;
                case MergeKind.Op.Average:
                    if (dx is not null) w.Line($"{Kernels}.Scale({a.Dy}, {EmitContext.Float(1.0 / count)}, {dx});");
                    break;
                case MergeKind.Op.Multiply:
                    if (dx is null) break;
                    // d/dx_k of the product: dy times every other input.
                    bool first = true;
                    for (int j = 0; j < count; j++)
                    {
                        if (j == k) continue;
                        w.Line($"{Kernels}.Multiply({(first ? a.Dy : dx)}, {a.Xs[j]}, {dx});");
                        first = false;
                    }
                    break;
            }
        }
    }
}

/// <summary>Keras <c>Concatenate(axis)</c>: joins two or more inputs along one axis; every other axis must match. No weights.</summary>
internal sealed class ConcatenateKind : MultiInputKind
{
    public override string AttributeName => "Concatenate";

    public override string DefaultName => "concatenate";

    public override LayerNode? Build(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, BuildContext context)
    {
        var label = $"Concatenate '{name}'";
        if (inputs.Count < 2)
        {
            context.Report(Descriptors.InputCount, spec.Location, label, "Concatenate joins two or more inputs", inputs.Count);
            return null;
        }
        var axisArg = spec.Find("Axis");
        int axis = axisArg is null ? -1 : (int)axisArg.Number;
        int rank = inputs[0].Rank;
        if (axis == 0 || axis < -rank || axis > rank)
        {
            context.Report(Descriptors.AxisOutOfRange, axisArg?.Location ?? spec.Location, label, axis, rank);
            return null;
        }
        int a = axis < 0 ? rank + axis : axis - 1;
        bool match = inputs.All(s => s.Rank == rank && Enumerable.Range(0, rank).All(d => d == a || s.Dims[d] == inputs[0].Dims[d]));
        if (!match)
        {
            context.Report(Descriptors.MergeShapes, spec.Location, label, $"match on every axis but axis {axis}", MergeKind.MergeShapesText(inputs));
            return null;
        }
        var dims = (int[])inputs[0].Dims.Clone();
        dims[a] = inputs.Sum(s => s.Dims[a]);
        return new ConcatenateNode(spec, name, inputs, new Shape(dims), a, axis);
    }
}

internal sealed class ConcatenateNode : LayerNode
{
    private readonly int _axis;
    private readonly int _kerasAxis;

    public ConcatenateNode(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, Shape output, int axis, int kerasAxis)
        : base(spec, name, inputs, output)
    {
        _axis = axis;
        _kerasAxis = kerasAxis;
    }

    public override string KerasClass => "Concatenate";

    public override string Description => $"Concatenate(axis={_kerasAxis})";

    private int Outer => OutputShape.Dims.Take(_axis).Aggregate(1, (p, d) => p * d);

    private int Inner => OutputShape.Dims.Skip(_axis + 1).Aggregate(1, (p, d) => p * d);

    private void Emit(EmitContext c, string kernel, IReadOnlyList<string?> parts, string whole)
    {
        int offset = 0, block = OutputShape.Dims[_axis] * Inner;
        for (int k = 0; k < InputShapes.Count; k++)
        {
            int part = InputShapes[k].Dims[_axis] * Inner;
            if (parts[k] is { } span)
                c.W.Line(kernel == "ConcatenateInto"
                    ? $"global::NetGen.Kernels.Merge.ConcatenateInto({span}, {whole}, {c.Times(Outer)}, {part}, {block}, {offset});"
                    : $"global::NetGen.Kernels.Merge.SplitFrom({whole}, {span}, {c.Times(Outer)}, {part}, {block}, {offset});");
            offset += part;
        }
    }

    public override void EmitInference(EmitContext c, string x, string y) => EmitInference(c, new[] { x }, y);

    public override void EmitInference(EmitContext c, IReadOnlyList<string> xs, string y) => Emit(c, "ConcatenateInto", xs, y);

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a) => Emit(c, "ConcatenateInto", a.Xs, a.Y);

    public override void EmitBackward(EmitContext c, BackwardArgs a) => Emit(c, "SplitFrom", a.Dxs, a.Dy);
}
