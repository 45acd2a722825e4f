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
        c.Call(Combine, xs[0], xs[1], Out(y));
        for (int k = 2; k < xs.Count; k++) c.Call(Combine, y, xs[k], Out(y));
        if (_op == MergeKind.Op.Average) c.Call(KnownKernels.MergeScale, y, Float(1.0 / xs.Count), Out(y));
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        int count = a.Xs.Count;
        for (int k = 0; k < count; k++)
        {
            var dx = a.Dxs[k];
            switch (_op)
            {
                case MergeKind.Op.Maximum:
                case MergeKind.Op.Minimum:
                    // The first input equal to the output takes the whole gradient (ties: first input wins), so an input
                    // that needs no gradient still claims its wins; its share goes to a temporary and is dropped.
                    if (dx is null && a.Dxs.Skip(k + 1).All(d => d is null)) break;
                    c.Call(KnownKernels.MergeRouteToWinner, a.Xs[k], a.Y, a.Dy, Out(dx ?? c.Scratch("unrouted", OutputShape.Size)));
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
                        c.Call(KnownKernels.MergeMultiply, first ? a.Dy : dx, a.Xs[j], Out(dx));
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
