using System.Linq;
using NetGen.Generator.Emit;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>MaxPooling1D/2D/3D</c> and <c>AveragePooling1D/2D/3D</c>: per channel, pool size (default 2),
/// strides (default the pool size), valid or same padding (padded cells never win a max and are not counted
/// by an average).
/// </summary>
internal sealed class PoolingKind : LayerKind
{
    private readonly bool _max;
    private readonly int _rank;

    public PoolingKind(bool max, int rank)
    {
        _max = max;
        _rank = rank;
    }

    public override string AttributeName => $"{(_max ? "Max" : "Average")}Pooling{_rank}D";

    public override string DefaultName => $"{(_max ? "max" : "average")}_pooling{_rank}d";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var window = WindowSpec.Read(spec, name, input, _rank, context, requireKernel: false, windowArgument: "poolSize", dilation: false, windowWord: "pool window");
        return window is null ? null : new PoolingNode(spec, name, input, window.OutputShape(input.Last), window, _max);
    }
}

internal sealed class PoolingNode : LayerNode
{
    private readonly WindowSpec _window;
    private readonly bool _max;

    public PoolingNode(LayerSpec spec, string name, Shape input, Shape output, WindowSpec window, bool max)
        : base(spec, name, input, output)
    {
        _window = window;
        _max = max;
    }

    public override string KerasClass => Spec.Kind;

    public override string Description => $"{Spec.Kind}({Window.Dims(_window.Kernel)}{_window.Options})";

    private string Geometry => "in " + Window.GeometryField(Name);

    private string Kind => _max ? "Max" : "Average";

    public override void EmitFields(EmitContext c) => _window.EmitGeometry(c, Name, InputShape.Last, InputShape.Last);

    public override void EmitInference(EmitContext c, string x, string y)
        => c.W.Line($"global::NetGen.Kernels.Pooling.{Kind}Forward({Geometry}, {x}, {y}, {c.Batch});");

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a) => EmitInference(c, a.X, a.Y);

    public override void EmitBackward(EmitContext c, BackwardArgs a)
    {
        if (a.Dx is null) return;
        c.W.Line(_max
            ? $"global::NetGen.Kernels.Pooling.MaxBackward({Geometry}, {a.X}, {a.Y}, {a.Dy}, {a.Dx}, {c.Batch});"
            : $"global::NetGen.Kernels.Pooling.AverageBackward({Geometry}, {a.Dy}, {a.Dx}, {c.Batch});");
    }
}

/// <summary>Keras <c>GlobalMaxPooling1D/2D/3D</c> and <c>GlobalAveragePooling1D/2D/3D</c> (with <c>keepdims</c>).</summary>
internal sealed class GlobalPoolingKind : LayerKind
{
    private readonly bool _max;
    private readonly int _rank;

    public GlobalPoolingKind(bool max, int rank)
    {
        _max = max;
        _rank = rank;
    }

    public override string AttributeName => $"Global{(_max ? "Max" : "Average")}Pooling{_rank}D";

    public override string DefaultName => $"global_{(_max ? "max" : "average")}_pooling{_rank}d";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        if (!Window.CheckRank(spec, name, input, _rank, context)) return null;
        bool keep = BuildContext.Bool(spec, "KeepDims", false);
        var output = keep ? new Shape(Enumerable.Repeat(1, _rank).Concat(new[] { input.Last }).ToArray()) : new Shape(input.Last);
        return new GlobalPoolingNode(spec, name, input, output, _max);
    }
}

internal sealed class GlobalPoolingNode : LayerNode
{
    private readonly bool _max;

    public GlobalPoolingNode(LayerSpec spec, string name, Shape input, Shape output, bool max)
        : base(spec, name, input, output) => _max = max;

    public override string KerasClass => Spec.Kind;

    // Keras: GlobalAveragePooling1D honours a mask (mean over unmasked steps).
    public override MaskUse MaskUse => !_max && InputShape.Rank == 2 ? MaskUse.Consumes : MaskUse.Drops;

    public override string Description => Spec.Kind + (OutputShape.Rank > 1 ? "(keepdims)" : "");

    private string Sizes(EmitContext c) => $"{c.Batch}, {InputShape.LeadingSize}, {InputShape.Last}";

    public override void EmitInference(EmitContext c, string x, string y)
        => c.W.Line(UsesMask
            ? $"global::NetGen.Kernels.GlobalPooling.MaskedAverageForward({x}, {c.NetworkInput}, {y}, {Sizes(c)});"
            : $"global::NetGen.Kernels.GlobalPooling.{(_max ? "Max" : "Average")}Forward({x}, {y}, {Sizes(c)});");

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a) => EmitInference(c, a.X, a.Y);

    public override void EmitBackward(EmitContext c, BackwardArgs a)
    {
        if (a.Dx is null) return;
        c.W.Line(_max
            ? $"global::NetGen.Kernels.GlobalPooling.MaxBackward({a.X}, {a.Y}, {a.Dy}, {a.Dx}, {Sizes(c)});"
            : UsesMask
                ? $"global::NetGen.Kernels.GlobalPooling.MaskedAverageBackward({c.NetworkInput}, {a.Dy}, {a.Dx}, {Sizes(c)});"
                : $"global::NetGen.Kernels.GlobalPooling.AverageBackward({a.Dy}, {a.Dx}, {Sizes(c)});");
    }
}
