using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
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

    public override string Description => $"Dot(axes=({_k0}, {_k1}){(_normalize ? ", normalize" : "")})";

    /// <summary>(p, k, q): the products of the axes before the contracted one, its length, the product after it.</summary>
    private static (int P, int K, int Q) Split(Shape s, int axis)
        => (s.Dims.Take(axis).Aggregate(1, (p, d) => p * d), s.Dims[axis], s.Dims.Skip(axis + 1).Aggregate(1, (p, d) => p * d));

    private string Sizes(EmitContext c)
    {
        var (p0, k, q0) = Split(InputShapes[0], _a0);
        var (p1, _, q1) = Split(InputShapes[1], _a1);
        return $"{c.Batch}, {p0}, {k}, {q0}, {p1}, {q1}";
    }

    private string Fibres(EmitContext c, int input)
    {
        var (p, k, q) = Split(InputShapes[input], input == 0 ? _a0 : _a1);
        return $"{c.Times(p)}, {k}, {q}";
    }

    private IReadOnlyList<Scratch> Normalized => _normalize
        ? new[] { new Scratch("xn0", InputShapes[0].Size), new Scratch("xn1", InputShapes[1].Size) }
        : System.Array.Empty<Scratch>();

    public override IReadOnlyList<Scratch> InferenceScratch => Normalized;

    public override IReadOnlyList<Scratch> TrainingScratch => _normalize
        ? Normalized.Concat(new[] { new Scratch("dxn0", InputShapes[0].Size), new Scratch("dxn1", InputShapes[1].Size) }).ToArray()
        : System.Array.Empty<Scratch>();

    private void EmitForward(EmitContext c, IReadOnlyList<string> xs, string y, IReadOnlyDictionary<string, string> scratch)
    {
        var w = c.W;
        string x0 = xs[0], x1 = xs[1];
        if (_normalize)
        {
            w.Line($"global::NetGen.Kernels.Dot.Normalize({x0}, {scratch["xn0"]}, {Fibres(c, 0)});");
            w.Line($"global::NetGen.Kernels.Dot.Normalize({x1}, {scratch["xn1"]}, {Fibres(c, 1)});");
            x0 = scratch["xn0"];
            x1 = scratch["xn1"];
        }
        w.Line($"global::NetGen.Kernels.Dot.Forward({x0}, {x1}, {y}, {Sizes(c)});");
    }

    public override void EmitInference(EmitContext c, string x, string y) => EmitInference(c, new[] { x }, y);

    public override void EmitInference(EmitContext c, IReadOnlyList<string> xs, string y) => EmitForward(c, xs, y, c.Scratch);

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a) => EmitForward(c, a.Xs, a.Y, a.ScratchRegions);

    public override void EmitBackward(EmitContext c, BackwardArgs a)
    {
        var w = c.W;
        const string empty = "global::System.Span<float>.Empty";
        if (!_normalize)
        {
            w.Line($"global::NetGen.Kernels.Dot.Backward({a.Xs[0]}, {a.Xs[1]}, {a.Dy}, {a.Dxs[0] ?? empty}, {a.Dxs[1] ?? empty}, {Sizes(c)});");
            return;
        }
        w.Line($"global::NetGen.Kernels.Dot.Backward({a["xn0"]}, {a["xn1"]}, {a.Dy}, {(a.Dxs[0] is null ? empty : a["dxn0"])}, {(a.Dxs[1] is null ? empty : a["dxn1"])}, {Sizes(c)});");
        for (int k = 0; k < 2; k++)
            if (a.Dxs[k] is { } dx)
                w.Line($"global::NetGen.Kernels.Dot.NormalizeBackward({a.Xs[k]}, {a[$"xn{k}"]}, {a[$"dxn{k}"]}, {dx}, {Fibres(c, k)});");
    }
}
