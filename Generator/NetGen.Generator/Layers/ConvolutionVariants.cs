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
/// Keras <c>Conv2DTranspose</c>: kernel <c>(kh, kw, filters, Cin)</c>; output length and placement per
/// LAYERS.md §1.2 (the geometry's padding holds <c>crop_before</c>).
/// </summary>
internal sealed class TransposedConvolutionKind : LayerKind
{
    public override string AttributeName => "Conv2DTranspose";

    public override string DefaultName => "conv2d_transpose";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        const int rank = 2;
        var label = Window.Label(spec, name);
        int filters = context.PositiveInt(spec, name, "filters", 0);
        var args = context.Affine(spec, name);
        if (!Window.CheckRank(spec, name, input, rank, context)) return null;
        var kernel = Window.PerAxis(spec, name, "kernelSize", rank, 0, context);
        var strides = Window.Uniform(spec, name, "Strides", "StridesPerAxis", rank, 1, context);
        var dilation = Window.Uniform(spec, name, "DilationRate", "DilationPerAxis", rank, 1, context);
        int padding = Window.Padding(spec);
        if (filters <= 0 || kernel is null || strides is null || dilation is null) return null;
        if (kernel.Any(k => k <= 0))
        {
            context.Report(Descriptors.WrongValueCount, spec.Find("kernelSize")?.Location ?? spec.Location, label, "kernelSize", "1 or 2", 0);
            return null;
        }
        if (padding != Window.Valid && padding != Window.Same)
        {
            context.Report(Descriptors.PaddingNotAllowed, spec.Find("Padding")?.Location ?? spec.Location, label, padding == Window.Causal ? "causal" : padding.ToString(), "use Padding.Valid or Padding.Same");
            return null;
        }
        if (strides.Any(s => s > 1) && dilation.Any(d => d > 1))
        {
            context.Report(Descriptors.StridesWithDilation, spec.Location, label, Window.Dims(strides), Window.Dims(dilation));
            return null;
        }
        int[]? outputPadding = null;
        if (spec.Find("OutputPaddingPerAxis") is { Kind: ArgKind.Array })
            outputPadding = Window.PerAxis(spec, name, "OutputPaddingPerAxis", rank, 0, context, min: 0);
        else if (spec.Find("OutputPadding") is { } op && op.Number >= 0)
            outputPadding = Enumerable.Repeat((int)op.Number, rank).ToArray();
        var axes = Window.AxisNames(rank);
        var output = new int[rank];
        var crop = new int[rank];
        for (int a = 0; a < rank; a++)
        {
            int n = input.Dims[a], k = kernel[a], s = strides[a];
            int kEff = dilation[a] * (k - 1) + 1;
            if (outputPadding is not null && outputPadding[a] >= s)
            {
                var location = (spec.Find("OutputPaddingPerAxis") ?? spec.Find("OutputPadding"))?.Location ?? spec.Location;
                context.Report(Descriptors.OutputPaddingTooLarge, location, label, outputPadding[a], axes[a], s);
                return null;
            }
            if (padding == Window.Valid)
            {
                output[a] = outputPadding is null ? (n - 1) * s + System.Math.Max(kEff, s) : (n - 1) * s + kEff + outputPadding[a];
                crop[a] = 0;
            }
            else
            {
                output[a] = outputPadding is null ? n * s : (n - 1) * s + kEff % 2 + outputPadding[a];
                int padLength = outputPadding is null ? s + kEff - 2 : kEff + kEff % 2 - 2 + outputPadding[a];
                int left = System.Math.Min((padLength + 1) / 2, kEff - 1);
                crop[a] = kEff - 1 - left;
            }
        }
        int channels = input.Last;
        var node = new TransposedConvolutionNode(spec, name, input, new Shape(output.Concat(new[] { filters }).ToArray()), args.Activation, args.UseBias,
            input.Dims.Take(rank).ToArray(), output, kernel, strides, dilation, crop, filters, padding);
        int receptive = kernel[0] * kernel[1];
        node.Parameters.Add(new ParameterDecl("kernel", new Shape(kernel[0], kernel[1], filters, channels), args.KernelInitializer, receptive * filters, receptive * channels));
        node.AddBias(filters, args.BiasInitializer);
        return node;
    }
}

internal sealed class TransposedConvolutionNode : AffineNode
{
    private readonly int[] _in, _out, _kernel, _strides, _dilation, _crop;
    private readonly int _filters, _padding;

    public TransposedConvolutionNode(LayerSpec spec, string name, Shape input, Shape output, int activation, bool useBias,
        int[] inSpatial, int[] outSpatial, int[] kernel, int[] strides, int[] dilation, int[] crop, int filters, int padding)
        : base(spec, name, input, output, activation, useBias)
    {
        (_in, _out, _kernel, _strides, _dilation, _crop, _filters, _padding) = (inSpatial, outSpatial, kernel, strides, dilation, crop, filters, padding);
    }

    public override string KerasClass => "Conv2DTranspose";

    public override string Description
        => $"Conv2DTranspose({_filters}, {Window.Dims(_kernel)}" + (_strides.Any(s => s != 1) ? ", strides " + Window.Dims(_strides) : "")
        + (_padding == Window.Same ? ", same" : "") + ActivationSuffix + BiasSuffix + ")";

    private Operand Geometry(LoweringContext c) => Window.Geometry(c, _in, InputShape.Last, _out, _filters, _kernel, _strides, _dilation, _crop);

    private Operand Workspace(LoweringContext c) => c.Workspace(KnownKernels.TransposedConvolutionWorkspaceLength, Geometry(c));

    protected override void LowerLinear(LoweringContext c, Tensor x, Tensor y)
        => c.Call(KnownKernels.TransposedConvolutionForward, Geometry(c), x, Param(Parameters[0]), Bias, Out(y), Batch, Workspace(c));

    protected override void LowerLinearBackwardWeights(LoweringContext c, BackwardArgs a, Tensor dz)
        => c.Call(KnownKernels.TransposedConvolutionBackwardWeights, Geometry(c), a.X, dz, Grad(Parameters[0]), BiasGrad, Batch, Workspace(c));

    protected override void LowerLinearBackwardInput(LoweringContext c, BackwardArgs a, Tensor dz, Tensor dx)
        => c.Call(KnownKernels.TransposedConvolutionBackwardInput, Geometry(c), dz, Param(Parameters[0]), Out(dx), Batch, Workspace(c));
}

/// <summary>Keras <c>DepthwiseConv2D</c>: kernel <c>(kh, kw, C, M)</c>, output channel <c>c·M + m</c>, bias <c>(C·M)</c>.</summary>
internal sealed class DepthwiseConvolutionKind : LayerKind
{
    public override string AttributeName => "DepthwiseConv2D";

    public override string DefaultName => "depthwise_conv2d";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        int multiplier = context.PositiveInt(spec, name, "DepthMultiplier", 1);
        if (spec.Find("DepthMultiplier") is { } m && m.Number <= 0) return null;
        var args = context.Affine(spec, name, "DepthwiseInitializer");
        var window = WindowSpec.Read(spec, name, input, 2, context);
        if (window is null) return null;
        int channels = input.Last;
        var node = new DepthwiseNode(spec, name, input, window.OutputShape(channels * multiplier), args.Activation, args.UseBias, window, multiplier);
        int receptive = window.Kernel[0] * window.Kernel[1];
        node.Parameters.Add(new ParameterDecl("kernel", new Shape(window.Kernel[0], window.Kernel[1], channels, multiplier), args.KernelInitializer, receptive * channels, receptive * multiplier));
        node.AddBias(channels * multiplier, args.BiasInitializer);
        return node;
    }
}

internal sealed class DepthwiseNode : AffineNode
{
    private readonly WindowSpec _window;
    private readonly int _multiplier;

    public DepthwiseNode(LayerSpec spec, string name, Shape input, Shape output, int activation, bool useBias, WindowSpec window, int multiplier)
        : base(spec, name, input, output, activation, useBias)
    {
        _window = window;
        _multiplier = multiplier;
    }

    public override string KerasClass => "DepthwiseConv2D";

    public override string Description
        => $"DepthwiseConv2D({Window.Dims(_window.Kernel)}" + (_multiplier != 1 ? $", depth multiplier {_multiplier}" : "") + $"{_window.Options}{ActivationSuffix}{BiasSuffix})";

    private Operand Geometry(LoweringContext c) => _window.Geometry(c, InputShape.Last, OutputShape.Last);

    protected override void LowerLinear(LoweringContext c, Tensor x, Tensor y)
        => c.Call(KnownKernels.DepthwiseForward, Geometry(c), x, Param(Parameters[0]), Bias, Out(y), Batch);

    protected override void LowerLinearBackwardWeights(LoweringContext c, BackwardArgs a, Tensor dz)
        => c.Call(KnownKernels.DepthwiseBackwardWeights, Geometry(c), a.X, dz, Grad(Parameters[0]), BiasGrad, Batch);

    protected override void LowerLinearBackwardInput(LoweringContext c, BackwardArgs a, Tensor dz, Tensor dx)
        => c.Call(KnownKernels.DepthwiseBackwardInput, Geometry(c), dz, Param(Parameters[0]), Out(dx), Batch);
}

/// <summary>
/// Keras <c>SeparableConv2D</c>: a depthwise convolution (no bias), then a 1×1 convolution to <c>filters</c>
/// channels, bias, activation. Weights: depthwise kernel <c>(kh, kw, C, M)</c>, pointwise kernel <c>(1, 1, C·M, F)</c>, bias.
/// The 1×1 convolution is a Dense over the channel axis of every position.
/// </summary>
internal sealed class SeparableConvolutionKind : LayerKind
{
    public override string AttributeName => "SeparableConv2D";

    public override string DefaultName => "separable_conv2d";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        int filters = context.PositiveInt(spec, name, "filters", 0);
        int multiplier = context.PositiveInt(spec, name, "DepthMultiplier", 1);
        if (spec.Find("DepthMultiplier") is { } m && m.Number <= 0) return null;
        var args = context.Affine(spec, name, "DepthwiseInitializer");
        int pointwiseInit = context.Initializer(spec, name, "PointwiseInitializer", BuildContext.GlorotUniform);
        var window = WindowSpec.Read(spec, name, input, 2, context);
        if (filters <= 0 || window is null) return null;
        int channels = input.Last, inner = channels * multiplier;
        var node = new SeparableNode(spec, name, input, window.OutputShape(filters), args.Activation, args.UseBias, window, multiplier, filters);
        int receptive = window.Kernel[0] * window.Kernel[1];
        node.Parameters.Add(new ParameterDecl("depthwise_kernel", new Shape(window.Kernel[0], window.Kernel[1], channels, multiplier), args.KernelInitializer, receptive * channels, receptive * multiplier));
        node.Parameters.Add(new ParameterDecl("pointwise_kernel", new Shape(1, 1, inner, filters), pointwiseInit, inner, filters));
        node.AddBias(filters, args.BiasInitializer);
        return node;
    }
}

internal sealed class SeparableNode : AffineNode
{
    private readonly WindowSpec _window;
    private readonly int _multiplier, _filters;

    public SeparableNode(LayerSpec spec, string name, Shape input, Shape output, int activation, bool useBias, WindowSpec window, int multiplier, int filters)
        : base(spec, name, input, output, activation, useBias)
    {
        _window = window;
        _multiplier = multiplier;
        _filters = filters;
    }

    private int Inner => InputShape.Last * _multiplier;

    private int Positions => _window.Output.Aggregate(1, (a, o) => a * o);

    public override string KerasClass => "SeparableConv2D";

    public override string Description
        => $"SeparableConv2D({_filters}, {Window.Dims(_window.Kernel)}" + (_multiplier != 1 ? $", depth multiplier {_multiplier}" : "") + $"{_window.Options}{ActivationSuffix}{BiasSuffix})";

    private Operand Geometry(LoweringContext c) => _window.Geometry(c, InputShape.Last, Inner);

    /// <summary>The depthwise result (kept for training's backward pass); its gradient is a backward temporary.</summary>
    private Tensor Depthwise(LoweringContext c) => c.Scratch("depthwise", Positions * Inner);

    private Tensor DDepthwise(LoweringContext c) => c.Scratch("d_depthwise", Positions * Inner);

    protected override void LowerLinear(LoweringContext c, Tensor x, Tensor y)
    {
        var depthwise = Depthwise(c);
        c.Call(KnownKernels.DepthwiseForward, Geometry(c), x, Param(Parameters[0]), Empty, Out(depthwise), Batch);
        c.Call(KnownKernels.DenseForward, depthwise, Param(Parameters[1]), Bias, Out(y), Times(Positions), Int(Inner), Int(_filters));
    }

    protected override void LowerLinearBackwardWeights(LoweringContext c, BackwardArgs a, Tensor dz)
    {
        var depthwise = Depthwise(c);
        var dDepthwise = DDepthwise(c);
        c.Call(KnownKernels.DenseBackwardWeights, depthwise, dz, Grad(Parameters[1]), BiasGrad, Times(Positions), Int(Inner), Int(_filters));
        c.Call(KnownKernels.DenseBackwardInput, dz, Param(Parameters[1]), Out(dDepthwise), Times(Positions), Int(Inner), Int(_filters));
        c.Call(KnownKernels.DepthwiseBackwardWeights, Geometry(c), a.X, dDepthwise, Grad(Parameters[0]), EmptyOut, Batch);
    }

    protected override void LowerLinearBackwardInput(LoweringContext c, BackwardArgs a, Tensor dz, Tensor dx)
        => c.Call(KnownKernels.DepthwiseBackwardInput, Geometry(c), DDepthwise(c), Param(Parameters[0]), Out(dx), Batch);
}

/// <summary>
/// Keras 2 <c>LocallyConnected1D/2D</c> (implementation 1): valid windows with unshared weights; kernel
/// <c>(positions, window·Cin, filters)</c>, bias <c>(out..., filters)</c>.
/// </summary>
internal sealed class LocallyConnectedKind : LayerKind
{
    private readonly int _rank;

    public LocallyConnectedKind(int rank) => _rank = rank;

    public override string AttributeName => $"LocallyConnected{_rank}D";

    public override string DefaultName => $"locally_connected{_rank}d";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        int filters = context.PositiveInt(spec, name, "filters", 0);
        var args = context.Affine(spec, name);
        var window = WindowSpec.Read(spec, name, input, _rank, context, dilation: false);
        if (filters <= 0 || window is null) return null;
        int positions = window.Output.Aggregate(1, (a, o) => a * o);
        int patch = window.Kernel.Aggregate(1, (a, k) => a * k) * input.Last;
        var node = new LocallyConnectedNode(spec, name, input, window.OutputShape(filters), args.Activation, args.UseBias, window, filters);
        node.Parameters.Add(new ParameterDecl("kernel", new Shape(positions, patch, filters), args.KernelInitializer, positions * patch, positions * filters));
        // Keras 2 stores this bias as (out..., filters): the same floats as (positions, filters).
        if (node.UseBias) node.Parameters.Add(new ParameterDecl("bias", new Shape(window.Output.Concat(new[] { filters }).ToArray()), args.BiasInitializer, positions * filters, positions * filters));
        return node;
    }
}

internal sealed class LocallyConnectedNode : AffineNode
{
    private readonly WindowSpec _window;
    private readonly int _filters;

    public LocallyConnectedNode(LayerSpec spec, string name, Shape input, Shape output, int activation, bool useBias, WindowSpec window, int filters)
        : base(spec, name, input, output, activation, useBias)
    {
        _window = window;
        _filters = filters;
    }

    public override string KerasClass => Spec.Kind;

    public override string Description => $"{Spec.Kind}({_filters}, {Window.Dims(_window.Kernel)}{_window.Options}{ActivationSuffix}{BiasSuffix})";

    private Operand Geometry(LoweringContext c) => _window.Geometry(c, InputShape.Last, _filters);

    protected override void LowerLinear(LoweringContext c, Tensor x, Tensor y)
        => c.Call(KnownKernels.LocallyConnectedForward, Geometry(c), x, Param(Parameters[0]), Bias, Out(y), Batch);

    protected override void LowerLinearBackwardWeights(LoweringContext c, BackwardArgs a, Tensor dz)
        => c.Call(KnownKernels.LocallyConnectedBackwardWeights, Geometry(c), a.X, dz, Grad(Parameters[0]), BiasGrad, Batch);

    protected override void LowerLinearBackwardInput(LoweringContext c, BackwardArgs a, Tensor dz, Tensor dx)
        => c.Call(KnownKernels.LocallyConnectedBackwardInput, Geometry(c), dz, Param(Parameters[0]), Out(dx), Batch);
}
