using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;
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
        // Keras broadcasts merge inputs of one rank whose sizes are 1 where the others' are not (a squeeze-and-excitation
        // gate (1, 1, C) times an (H, W, C) map): supported when each input's broadcast axes form one run of axes.
        var output = Broadcast.OutputShape(inputs);
        if (output is null || inputs.Any(x => Broadcast.Runs(x, output) is null))
        {
            context.Report(Descriptors.MergeShapes, spec.Location, label,
                "have equal shapes, or one rank with sizes of 1 broadcast along one run of axes", MergeShapesText(inputs));
            return null;
        }
        return new ElementwiseMergeNode(spec, name, inputs, output, _op);
    }

    /// <summary>The inputs' shapes for a diagnostic: <c>(32), (16)</c>.</summary>
    public static string MergeShapesText(IReadOnlyList<Shape> inputs) => string.Join(", ", inputs.Select(s => s.ToString()));
}

internal sealed class ElementwiseMergeNode : LayerNode
{
    private readonly MergeKind.Op _op;

    public ElementwiseMergeNode(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, Shape output, MergeKind.Op op)
        : base(spec, name, inputs, output) => _op = op;

    /// <summary>Input <paramref name="k"/> as the output's size: itself, or broadcast into a scratch tensor (kept for the backward).</summary>
    private Tensor Full(LoweringContext c, IReadOnlyList<Tensor> xs, int k)
    {
        if (Broadcast.Runs(InputShapes[k], OutputShape) is not { } run || run.Repeat == 1) return xs[k];
        // Training: the backward reads the forward's broadcast copy.
        if (c.ScratchOf(this, "broadcast" + k) is { } kept) return kept;
        var full = c.Scratch("broadcast" + k, OutputShape.Size);
        c.Call(KnownKernels.MergeBroadcast, xs[k], Out(full), Times(run.Outer), Int(run.Repeat), Int(run.Inner));
        return full;
    }

    public override string KerasClass => _op.ToString();

    public override string Description => _op.ToString();

    /// <summary>Over (steps, ...) inputs a padding mask goes on (when every input carries the same one: GraphBuilder.PlanMask).</summary>
    public override MaskUse MaskUse => InputShapes.All(s => s.Rank >= 2) ? MaskUse.Propagates : MaskUse.Drops;

    private Kernel Combine => _op switch
    {
        MergeKind.Op.Add or MergeKind.Op.Average => KnownKernels.MergeAdd,
        MergeKind.Op.Subtract => KnownKernels.MergeSubtract,
        MergeKind.Op.Multiply => KnownKernels.MergeMultiply,
        MergeKind.Op.Maximum => KnownKernels.MergeMaximum,
        _ => KnownKernels.MergeMinimum,
    };

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        c.Call(Combine, Full(c, xs, 0), Full(c, xs, 1), Out(y));
        for (int k = 2; k < xs.Count; k++) c.Call(Combine, y, Full(c, xs, k), Out(y));
        if (_op == MergeKind.Op.Average) c.Call(KnownKernels.MergeScale, y, Float(1.0 / xs.Count), Out(y));
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        int count = a.Xs.Count;
        // Broadcast inputs: their full-size inputs (the forward's scratch) and, for a gradient, a full-size temporary that
        // is then summed over the repeated axes.
        var xs = Enumerable.Range(0, count).Select(k => Full(c, a.Xs, k)).ToList();
        for (int k = 0; k < count; k++)
        {
            var run = Broadcast.Runs(InputShapes[k], OutputShape);
            bool repeated = run is { Repeat: > 1 };
            var target = a.Dxs[k];
            var dx = repeated && target is not null ? c.Scratch("full_gradient" + k, OutputShape.Size) : target;
            LowerGradient(c, a, xs, k, dx);
            if (repeated && target is not null)
                c.Call(KnownKernels.MergeSumRepeats, dx!, Out(target), Times(run!.Value.Outer), Int(run.Value.Repeat), Int(run.Value.Inner));
        }
    }

    /// <summary>The gradient of input <paramref name="k"/> at the output's size into <paramref name="dx"/> (null: none wanted).</summary>
    private void LowerGradient(LoweringContext c, BackwardArgs a, IReadOnlyList<Tensor> xs, int k, Tensor? dx)
    {
        int count = xs.Count;
        switch (_op)
        {
            case MergeKind.Op.Maximum:
            case MergeKind.Op.Minimum:
                // The first input equal to the output takes the whole gradient (ties: first input wins), so an input
                // that needs no gradient still claims its wins; its share goes to a temporary and is dropped.
                if (dx is null && a.Dxs.Skip(k + 1).All(d => d is null)) break;
                c.Call(KnownKernels.MergeRouteToWinner, xs[k], a.Y, a.Dy, Out(dx ?? c.Scratch("unrouted", OutputShape.Size)));
                break;
            case MergeKind.Op.Add:
                if (dx is not null) c.Copy(a.Dy, dx);
                break;
            case MergeKind.Op.Subtract:
                if (dx is null) break;
                if (k == 0) c.Copy(a.Dy, dx);
                else c.Call(KnownKernels.MergeNegate, a.Dy, Out(dx));
                break;
            case MergeKind.Op.Average:
                if (dx is not null) c.Call(KnownKernels.MergeScale, a.Dy, Float(1.0 / count), Out(dx));
                break;
            case MergeKind.Op.Multiply:
                if (dx is null) break;
                // d/dx_k of the product: dy times every other input.
                bool first = true;
                for (int j = 0; j < count; j++)
                {
                    if (j == k) continue;
                    c.Call(KnownKernels.MergeMultiply, first ? a.Dy : dx, xs[j], Out(dx));
                    first = false;
                }
                break;
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

    public override string Description => $"Concatenate(axis={Literals.Int(_kerasAxis)})";

    /// <summary>Joined along an axis after the time axis, the positions stay: a padding mask goes on (as for the elementwise merges).</summary>
    public override MaskUse MaskUse => _axis > 0 && OutputShape.Rank >= 2 ? MaskUse.Propagates : MaskUse.Drops;

    private int Outer => OutputShape.Dims.Take(_axis).Aggregate(1, (p, d) => p * d);

    private int Inner => OutputShape.Dims.Skip(_axis + 1).Aggregate(1, (p, d) => p * d);

    private void Lower(LoweringContext c, bool concatenate, IReadOnlyList<Tensor?> parts, Tensor whole)
    {
        int offset = 0, block = OutputShape.Dims[_axis] * Inner;
        for (int k = 0; k < InputShapes.Count; k++)
        {
            int part = InputShapes[k].Dims[_axis] * Inner;
            if (parts[k] is { } span)
            {
                if (concatenate) c.Call(KnownKernels.ConcatenateInto, span, Out(whole), Times(Outer), Int(part), Int(block), Int(offset));
                else c.Call(KnownKernels.SplitFrom, whole, Out(span), Times(Outer), Int(part), Int(block), Int(offset));
            }
            offset += part;
        }
    }

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => Lower(c, true, xs, y);

    public override void LowerBackward(LoweringContext c, BackwardArgs a) => Lower(c, false, a.Dxs, a.Dy);
}

/// <summary>Keras' broadcasting of merge inputs, restricted to what one Broadcast kernel call expresses.</summary>
internal static class Broadcast
{
    /// <summary>The merged shape: every input of one rank, each axis of one size or 1 (the largest wins); null otherwise.</summary>
    public static Shape? OutputShape(IReadOnlyList<Shape> inputs)
    {
        int rank = inputs[0].Rank;
        if (inputs.Any(x => x.Rank != rank)) return null;
        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            dims[d] = inputs.Max(x => x.Dims[d]);
            if (inputs.Any(x => x.Dims[d] != dims[d] && x.Dims[d] != 1)) return null;
        }
        return new Shape(dims);
    }

    /// <summary>
    /// How <paramref name="input"/> repeats into <paramref name="output"/>: (per-sample outer size, repeat, inner size) when
    /// its axes of size 1 that the output widens form one run (Repeat 1: equal sizes); null when they do not.
    /// </summary>
    public static (int Outer, int Repeat, int Inner)? Runs(Shape input, Shape output)
    {
        int rank = output.Rank, first = -1, last = -1;
        for (int d = 0; d < rank; d++)
            if (input.Dims[d] != output.Dims[d])
            {
                if (first < 0) first = d;
                last = d;
            }
        if (first < 0) return (input.Size, 1, 1);
        // Between the first and last widened axes every axis must be widened too (or be 1 in the output as well).
        for (int d = first; d <= last; d++)
            if (input.Dims[d] != 1) return null;
        int outer = 1, repeat = 1, inner = 1;
        for (int d = 0; d < first; d++) outer = checked(outer * output.Dims[d]);
        for (int d = first; d <= last; d++) repeat = checked(repeat * output.Dims[d]);
        for (int d = last + 1; d < rank; d++) inner = checked(inner * output.Dims[d]);
        return (outer, repeat, inner);
    }
}
