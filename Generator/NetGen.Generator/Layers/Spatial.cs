using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>Keras <c>ZeroPadding1D/2D/3D</c>, <c>Cropping1D/2D/3D</c> and <c>UpSampling1D/2D/3D</c>.</summary>
internal sealed class SpatialKind : LayerKind
{
    public enum Op
    {
        ZeroPadding,
        Cropping,
        UpSampling,
    }

    private readonly Op _op;
    private readonly int _rank;

    public SpatialKind(Op op, int rank)
    {
        _op = op;
        _rank = rank;
    }

    public override string AttributeName => $"{_op}{_rank}D";

    public override string DefaultName => _op switch
    {
        Op.ZeroPadding => $"zero_padding{_rank}d",
        Op.Cropping => $"cropping{_rank}d",
        _ => $"up_sampling{_rank}d",
    };

    private string Argument => _op switch
    {
        Op.ZeroPadding => "padding",
        Op.Cropping => "cropping",
        _ => "size",
    };

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        if (!Window.CheckRank(spec, name, input, _rank, context)) return null;
        var label = Window.Label(spec, name);
        var arg = spec.Find(Argument);
        var values = arg?.Items.Select(v => (int)v).ToArray() ?? new int[0];
        var spatial = input.Dims.Take(_rank).ToArray();
        var axes = Window.AxisNames(_rank);
        if (_op == Op.UpSampling)
        {
            var factors = Window.PerAxis(spec, name, Argument, _rank, 2, context);
            if (factors is null) return null;
            // Only UpSampling2D has Interpolation (as in Keras); the others find no such argument and stay nearest.
            double interpolation = BuildContext.Number(spec, "Interpolation", (int)Shared.Interpolation.Nearest);
            if (interpolation is not ((int)Shared.Interpolation.Nearest or (int)Shared.Interpolation.Bilinear))
            {
                context.Report(Descriptors.NumberOutOfRange, spec.Find("Interpolation")?.Location ?? spec.Location, label, "Interpolation",
                    "Interpolation.Nearest or Interpolation.Bilinear", interpolation.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return null;
            }
            bool bilinear = interpolation == (int)Shared.Interpolation.Bilinear;
            var upOut = spatial.Select((n, a) => n * factors[a]).ToArray();
            return new SpatialNode(spec, name, input, new Shape(upOut.Concat(new[] { input.Last }).ToArray()), _op, factors, new int[_rank],
                $"{AttributeName}({Window.Dims(factors)}{(bilinear ? ", bilinear" : "")})", bilinear);
        }

        int fallback = _op == Op.ZeroPadding ? 1 : 0;
        int[] before, after;
        if (values.Length == 0) before = after = Enumerable.Repeat(fallback, _rank).ToArray();
        else if (values.Length == 1) before = after = Enumerable.Repeat(values[0], _rank).ToArray();
        else if (values.Length == _rank) before = after = values;
        else if (values.Length == 2 * _rank)
        {
            before = Enumerable.Range(0, _rank).Select(a => values[2 * a]).ToArray();
            after = Enumerable.Range(0, _rank).Select(a => values[2 * a + 1]).ToArray();
        }
        else
        {
            context.Report(Descriptors.WrongValueCount, arg?.Location ?? spec.Location, label, Argument, _rank == 1 ? "1 or 2" : $"1, {_rank} or {2 * _rank}", values.Length);
            return null;
        }
        if (before.Concat(after).FirstOrDefault(v => v < 0) is var negative && negative < 0)
        {
            context.Report(Descriptors.NonPositive, arg?.Location ?? spec.Location, label, $"every {Argument} amount (≥ 0)", negative);
            return null;
        }
        var output = new int[_rank];
        for (int a = 0; a < _rank; a++)
        {
            output[a] = _op == Op.ZeroPadding ? spatial[a] + before[a] + after[a] : spatial[a] - before[a] - after[a];
            if (output[a] <= 0)
            {
                context.Report(Descriptors.WindowTooLarge, arg?.Location ?? spec.Location, label,
                    $"cropping {before[a]} + {after[a]} along {axes[a]} leaves {output[a]} of the input's {spatial[a]}");
                return null;
            }
        }
        var description = $"{AttributeName}(" + string.Join(", ", Enumerable.Range(0, _rank).Select(a => $"{before[a]}/{after[a]}")) + ")";
        return new SpatialNode(spec, name, input, new Shape(output.Concat(new[] { input.Last }).ToArray()), _op, Enumerable.Repeat(1, _rank).ToArray(), before, description);
    }
}

internal sealed class SpatialNode : LayerNode
{
    private readonly SpatialKind.Op _op;
    private readonly int[] _factors;
    private readonly int[] _before;
    private readonly string _description;
    private readonly bool _bilinear;

    public SpatialNode(LayerSpec spec, string name, Shape input, Shape output, SpatialKind.Op op, int[] factors, int[] before, string description,
        bool bilinear = false)
        : base(spec, name, input, output)
    {
        _op = op;
        _factors = factors;
        _before = before;
        _description = description;
        _bilinear = bilinear;
    }

    public override string KerasClass => Spec.Kind;

    public override string Description => _description;

    private Operand Geometry(LoweringContext c)
    {
        int rank = InputShape.Rank - 1;
        return Window.Geometry(c, InputShape.Dims.Take(rank).ToArray(), InputShape.Last, OutputShape.Dims.Take(rank).ToArray(), OutputShape.Last,
            _factors, Enumerable.Repeat(1, rank).ToArray(), Enumerable.Repeat(1, rank).ToArray(), _before);
    }

    private (Kernel Forward, Kernel Backward) Kernels => _op switch
    {
        SpatialKind.Op.ZeroPadding => (KnownKernels.ZeroPad, KnownKernels.ZeroPadBackward),
        SpatialKind.Op.Cropping => (KnownKernels.Crop, KnownKernels.CropBackward),
        _ when _bilinear => (KnownKernels.UpSampleBilinear, KnownKernels.UpSampleBilinearBackward),
        _ => (KnownKernels.UpSample, KnownKernels.UpSampleBackward),
    };

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
        => c.Call(Kernels.Forward, Geometry(c), xs[0], Out(y), Batch);

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (a.Dx is not null) c.Call(Kernels.Backward, Geometry(c), a.Dy, Out(a.Dx), Batch);
    }
}
