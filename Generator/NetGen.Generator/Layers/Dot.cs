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
/// Keras <c>Dot(axes, normalize)</c> of exactly two inputs: per sample, contracts one axis of each (axes count the batch
/// axis). Output: the first shape without its axis, then the second without its axis, or (1). No weights.
/// </summary>
internal sealed class DotKind : MultiInputKind
{
    public override string AttributeName => "Dot";

    public override string DefaultName => "dot";

    public override LayerNode? Build(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, BuildContext context)
    {
        var label = $"Dot '{name}'";
        if (inputs.Count != 2)
        {
            context.Report(Descriptors.InputCount, spec.Location, label, "Dot takes exactly two inputs", inputs.Count);
            return null;
        }
        var first = spec.Find("axes") ?? spec.Find("axis0");
        var second = spec.Find("axes") ?? spec.Find("axis1");
        int axis0 = (int)first!.Number, axis1 = (int)second!.Number;
        // The diagnostic marks the axes as written: one argument, or both of the two-axis form.
        var location = first.Location is { } l0 && second.Location is { } l1 && l0 != l1 && l0.FilePath == l1.FilePath
            ? new LocationInfo(l0.FilePath, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(l0.Span.Start, l1.Span.End),
                new Microsoft.CodeAnalysis.Text.LinePositionSpan(l0.LineSpan.Start, l1.LineSpan.End))
            : first.Location ?? spec.Location;
        int? a0 = Axis(axis0, inputs[0], label, location, context);
        int? a1 = Axis(axis1, inputs[1], label, location, context);
        if (a0 is null || a1 is null) return null;
        if (inputs[0].Dims[a0.Value] != inputs[1].Dims[a1.Value])
        {
            context.Report(Descriptors.DotAxes, location, label, axis0, inputs[0], inputs[0].Dims[a0.Value], axis1, inputs[1], inputs[1].Dims[a1.Value]);
            return null;
        }
        var dims = inputs[0].Dims.Where((_, d) => d != a0).Concat(inputs[1].Dims.Where((_, d) => d != a1)).ToArray();
        if (dims.Length == 0) dims = new[] { 1 };
        return new DotNode(spec, name, inputs, new Shape(dims), a0.Value, a1.Value, axis0, axis1, BuildContext.Bool(spec, "Normalize", false));
    }

    private static int? Axis(int axis, Shape input, string label, LocationInfo? location, BuildContext context)
    {
        if (axis == 0 || axis < -input.Rank || axis > input.Rank)
        {
            context.Report(Descriptors.AxisOutOfRange, location, label, axis, input.Rank);
            return null;
        }
        return axis < 0 ? input.Rank + axis : axis - 1;
    }
}

internal sealed class DotNode : LayerNode
{
    private readonly int _a0, _a1, _k0, _k1;
    private readonly bool _normalize;

    public DotNode(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, Shape output, int a0, int a1, int kerasAxis0, int kerasAxis1, bool normalize)
        : base(spec, name, inputs, output)
    {
        _a0 = a0;
        _a1 = a1;
        _k0 = kerasAxis0;
        _k1 = kerasAxis1;
        _normalize = normalize;
    }

    public override string KerasClass => "Dot";

    public override string Description => $"Dot(axes=({Literals.Int(_k0)}, {Literals.Int(_k1)}){(_normalize ? ", normalize" : "")})";

    /// <summary>(p, k, q): the products of the axes before the contracted one, its length, the product after it.</summary>
    private static (int P, int K, int Q) Split(Shape s, int axis)
        => (s.Dims.Take(axis).Aggregate(1, (p, d) => p * d), s.Dims[axis], s.Dims.Skip(axis + 1).Aggregate(1, (p, d) => p * d));

    private Operand[] Sizes
    {
        get
        {
            var (p0, k, q0) = Split(InputShapes[0], _a0);
            var (p1, _, q1) = Split(InputShapes[1], _a1);
            return new[] { Batch, Int(p0), Int(k), Int(q0), Int(p1), Int(q1) };
        }
    }

    private Operand[] Fibres(int input)
    {
        var (p, k, q) = Split(InputShapes[input], input == 0 ? _a0 : _a1);
        return new[] { Times(p), Int(k), Int(q) };
    }

    private static Operand[] Args(Operand[] first, Operand[] rest)
    {
        var all = new Operand[first.Length + rest.Length];
        first.CopyTo(all, 0);
        rest.CopyTo(all, first.Length);
        return all;
    }

    /// <summary>The normalised input <paramref name="k"/> (kept for training's backward pass).</summary>
    private Tensor Normalized(LoweringContext c, int k) => c.Scratch("xn" + k, InputShapes[k].Size, InputShapes[k]);

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        var x0 = xs[0];
        var x1 = xs[1];
        if (_normalize)
        {
            var xn0 = Normalized(c, 0);
            var xn1 = Normalized(c, 1);
            c.Call(KnownKernels.DotNormalize, Args(new Operand[] { x0, Out(xn0) }, Fibres(0)));
            c.Call(KnownKernels.DotNormalize, Args(new Operand[] { x1, Out(xn1) }, Fibres(1)));
            (x0, x1) = (xn0, xn1);
        }
        c.Call(KnownKernels.DotForward, Args(new Operand[] { x0, x1, Out(y) }, Sizes));
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (!_normalize)
        {
            c.Call(KnownKernels.DotBackward, Args(new[] { a.Xs[0], a.Xs[1], a.Dy, Gradient(a.Dxs[0]), Gradient(a.Dxs[1]) }, Sizes));
            return;
        }
        var dxn = new Tensor?[2];
        for (int k = 0; k < 2; k++)
            if (a.Dxs[k] is not null) dxn[k] = c.Scratch("dxn" + k, InputShapes[k].Size, InputShapes[k]);
        c.Call(KnownKernels.DotBackward, Args(new[] { Normalized(c, 0), Normalized(c, 1), a.Dy, Gradient(dxn[0]), Gradient(dxn[1]) }, Sizes));
        for (int k = 0; k < 2; k++)
            if (a.Dxs[k] is { } dx)
                c.Call(KnownKernels.DotNormalizeBackward, Args(new Operand[] { a.Xs[k], Normalized(c, k), dxn[k]!, Out(dx) }, Fibres(k)));
    }

    private static Operand Gradient(Tensor? dx) => dx is null ? EmptyOut : Out(dx);
}
