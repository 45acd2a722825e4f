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
/// Keras <c>Conv1D</c>/<c>Conv2D</c>/<c>Conv3D</c>: <c>(spatial..., Cin) → (spatial'..., filters)</c>; weights kernel
/// <c>(k..., Cin, filters)</c> then bias; valid, same or (1D) causal padding, strides, dilation.
/// </summary>
internal sealed class ConvolutionKind : LayerKind
{
    private readonly int _rank;

    public ConvolutionKind(int rank) => _rank = rank;

    public override string AttributeName => $"Conv{_rank}D";

    public override string DefaultName => $"conv{_rank}d";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        int filters = context.PositiveInt(spec, name, "filters", 0);
        var args = context.Affine(spec, name);
        var window = WindowSpec.Read(spec, name, input, _rank, context, allowCausal: _rank == 1, requireKernel: true);
        if (filters <= 0 || window is null) return null;
        int channels = input.Last;
        var node = new ConvolutionNode(spec, name, input, window.OutputShape(filters), args.Activation, args.UseBias, window, filters);
        int receptive = window.Kernel.Aggregate(1, (a, k) => a * k);
        node.Parameters.Add(new ParameterDecl("kernel", new Shape(window.Kernel.Concat(new[] { channels, filters }).ToArray()), args.KernelInitializer, receptive * channels, receptive * filters));
        node.AddBias(filters, args.BiasInitializer);
        return node;
    }
}

internal sealed class ConvolutionNode : AffineNode
{
    private readonly WindowSpec _window;
    private readonly int _filters;

    public ConvolutionNode(LayerSpec spec, string name, Shape input, Shape output, int activation, bool useBias, WindowSpec window, int filters)
        : base(spec, name, input, output, activation, useBias)
    {
        _window = window;
        _filters = filters;
    }

    public override string KerasClass => Spec.Kind;

    public override string Description => $"{Spec.Kind}({_filters}, {Window.Dims(_window.Kernel)}{_window.Options}{ActivationSuffix}{BiasSuffix})";

    private Operand Geometry(LoweringContext c) => _window.Geometry(c, InputShape.Last, _filters);

    private Operand Workspace(LoweringContext c) => c.Workspace(KnownKernels.ConvolutionWorkspaceLength, Geometry(c));

    protected override void LowerLinear(LoweringContext c, Tensor x, Tensor y)
        => c.Call(KnownKernels.ConvolutionForward, Geometry(c), x, Param(Parameters[0]), Bias, Out(y), Batch, Workspace(c));

    protected override void LowerLinearBackwardWeights(LoweringContext c, BackwardArgs a, Tensor dz)
        => c.Call(KnownKernels.ConvolutionBackwardWeights, Geometry(c), a.X, dz, Grad(Parameters[0]), BiasGrad, Batch, Workspace(c));

    protected override void LowerLinearBackwardInput(LoweringContext c, BackwardArgs a, Tensor dz, Tensor dx)
        => c.Call(KnownKernels.ConvolutionBackwardInput, Geometry(c), dz, Param(Parameters[0]), Out(dx), Batch, Workspace(c));
}

/// <summary>
/// The validated window of a convolution or pooling layer: kernel (or pool) size, strides, dilation,
/// padding mode, and the resulting output lengths and padding before, per spatial axis.
/// </summary>
internal sealed class WindowSpec
{
    public int[] Input { get; private set; } = new int[0];
    public int[] Kernel { get; private set; } = new int[0];
    public int[] Strides { get; private set; } = new int[0];
    public int[] Dilation { get; private set; } = new int[0];
    public int[] Output { get; private set; } = new int[0];
    public int[] Before { get; private set; } = new int[0];
    public int Padding { get; private set; }

    /// <summary>Non-default options for descriptions: <c>, strides 2, same</c>.</summary>
    public string Options
        => (Strides.Any(s => s != 1) ? ", strides " + Window.Dims(Strides) : "")
        + (Dilation.Any(d => d != 1) ? ", dilation " + Window.Dims(Dilation) : "")
        + (Padding == Window.Same ? ", same" : Padding == Window.Causal ? ", causal" : "");

    public Shape OutputShape(int channels) => new(Output.Concat(new[] { channels }).ToArray());

    /// <summary>The layer's <c>WindowGeometry</c> operand.</summary>
    public Operand Geometry(LoweringContext c, int inChannels, int outChannels)
        => Window.Geometry(c, Input, inChannels, Output, outChannels, Kernel, Strides, Dilation, Before);

    /// <summary>
    /// Reads <c>kernelSize</c>/<c>poolSize</c>, <c>Strides</c>, <c>DilationRate</c> and <c>Padding</c> and computes the
    /// output lengths; reports and returns null on any error. Pooling passes <paramref name="windowArgument"/>
    /// <c>poolSize</c>, whose strides default to the pool size.
    /// </summary>
    public static WindowSpec? Read(LayerSpec spec, string name, Shape input, int rank, BuildContext context,
        bool allowCausal = false, bool requireKernel = true, string windowArgument = "kernelSize", int defaultWindow = 2, bool dilation = true, string windowWord = "kernel")
    {
        if (!Window.CheckRank(spec, name, input, rank, context)) return null;
        var label = Window.Label(spec, name);
        if (requireKernel && spec.Find(windowArgument) is { Kind: ArgKind.Array, Items.Count: 0 })
        {
            context.Report(Descriptors.WrongValueCount, spec.Find(windowArgument)!.Location ?? spec.Location, label, windowArgument, rank == 1 ? "1" : $"1 or {rank}", 0);
            return null;
        }
        var kernel = Window.PerAxis(spec, name, windowArgument, rank, defaultWindow, context);
        var strides = Window.Uniform(spec, name, "Strides", "StridesPerAxis", rank, windowArgument == "poolSize" ? 0 : 1, context);
        var dilations = dilation ? Window.Uniform(spec, name, "DilationRate", "DilationPerAxis", rank, 1, context) : Enumerable.Repeat(1, rank).ToArray();
        int padding = Window.Padding(spec);
        if (kernel is null || strides is null || dilations is null) return null;
        if (strides.All(s => s == 0)) strides = (int[])kernel.Clone();
        if (padding == Window.Causal && !allowCausal)
        {
            context.Report(Descriptors.PaddingNotAllowed, spec.Find("Padding")?.Location ?? spec.Location, label, "causal", "only Conv1D supports causal padding");
            return null;
        }
        if (padding is < Window.Valid or > Window.Causal)
        {
            context.Report(Descriptors.PaddingNotAllowed, spec.Find("Padding")?.Location ?? spec.Location, label, padding, "use Padding.Valid or Padding.Same");
            return null;
        }
        if (strides.Any(s => s > 1) && dilations.Any(d => d > 1))
        {
            context.Report(Descriptors.StridesWithDilation, spec.Location, label, Window.Dims(strides), Window.Dims(dilations));
            return null;
        }
        var axes = Window.AxisNames(rank);
        var output = new int[rank];
        var before = new int[rank];
        for (int a = 0; a < rank; a++)
        {
            var length = Window.Length(input.Dims[a], kernel[a], strides[a], dilations[a], padding, axes[a], spec, name, windowWord, context);
            if (length is null) return null;
            (output[a], before[a]) = length.Value;
        }
        return new WindowSpec
        {
            Input = input.Dims.Take(rank).ToArray(),
            Kernel = kernel,
            Strides = strides,
            Dilation = dilations,
            Output = output,
            Before = before,
            Padding = padding,
        };
    }
}
