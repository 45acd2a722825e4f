using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;
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

    private Operand Geometry(LoweringContext c) => _window.Geometry(c, InputShape.Last, InputShape.Last);

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
        => c.Call(_max ? KnownKernels.MaxPoolingForward : KnownKernels.AveragePoolingForward, Geometry(c), xs[0], Out(y), Batch);

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (a.Dx is null) return;
        if (_max) c.Call(KnownKernels.MaxPoolingBackward, Geometry(c), a.X, a.Y, a.Dy, Out(a.Dx), Batch);
        else c.Call(KnownKernels.AveragePoolingBackward, Geometry(c), a.Dy, Out(a.Dx), Batch);
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

    private Operand[] Sizes => new[] { Batch, Int(InputShape.LeadingSize), Int(InputShape.Last) };

    private static Operand[] Args(Operand[] first, Operand[] sizes)
    {
        var all = new Operand[first.Length + sizes.Length];
        first.CopyTo(all, 0);
        sizes.CopyTo(all, first.Length);
        return all;
    }

    /// <summary>The token ids the padding mask comes from (an ordinary operand).</summary>
    private Tensor Mask(LoweringContext c) => c.MaskOf(this);

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        if (UsesMask) c.Call(KnownKernels.GlobalMaskedAverageForward, Args(new Operand[] { xs[0], Mask(c), Out(y) }, Sizes));
        else c.Call(_max ? KnownKernels.GlobalMaxForward : KnownKernels.GlobalAverageForward, Args(new Operand[] { xs[0], Out(y) }, Sizes));
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (a.Dx is null) return;
        if (_max) c.Call(KnownKernels.GlobalMaxBackward, Args(new Operand[] { a.X, a.Y, a.Dy, Out(a.Dx) }, Sizes));
        else if (UsesMask) c.Call(KnownKernels.GlobalMaskedAverageBackward, Args(new Operand[] { Mask(c), a.Dy, Out(a.Dx) }, Sizes));
        else c.Call(KnownKernels.GlobalAverageBackward, Args(new Operand[] { a.Dy, Out(a.Dx) }, Sizes));
    }
}
