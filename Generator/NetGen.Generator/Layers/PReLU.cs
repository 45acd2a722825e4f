using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>PReLU</c>: <c>x</c> for <c>x &gt; 0</c>, else <c>alpha · x</c>; weight <c>alpha</c> of the input's shape with
/// every shared axis reduced to 1 (initializer zeros by default). Shape unchanged.
/// </summary>
internal sealed class PReluKind : LayerKind
{
    public override string AttributeName => "PReLU";

    public override string DefaultName => "p_re_lu";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var arg = spec.Find("SharedAxes");
        var shared = arg?.Items.Select(v => (int)v).ToArray() ?? new int[0];
        foreach (var axis in shared)
        {
            if (axis < 1 || axis > input.Rank)
            {
                context.Report(Descriptors.AxisOutOfRange, arg?.Location ?? spec.Location, $"PReLU '{name}'", axis, input.Rank);
                return null;
            }
        }
        int init = context.Initializer(spec, name, "AlphaInitializer", BuildContext.Zeros);
        var alphaDims = (int[])input.Dims.Clone();
        foreach (var axis in shared) alphaDims[axis - 1] = 1;
        var node = new PReluNode(spec, name, input, shared.Distinct().OrderBy(a => a).ToArray());
        var alpha = new Shape(alphaDims);
        node.Parameters.Add(new ParameterDecl("alpha", alpha, init, alpha.Size, alpha.Size));
        return node;
    }
}

internal sealed class PReluNode : LayerNode
{
    private readonly int[] _shared;

    public PReluNode(LayerSpec spec, string name, Shape input, int[] shared)
        : base(spec, name, input, input) => _shared = shared;

    public override string KerasClass => "PReLU";

    public override string Description => _shared.Length == 0 ? "PReLU" : $"PReLU(shared_axes=[{string.Join(", ", _shared.Select(a => Literals.Int(a)))}])";

    public override MaskUse MaskUse => MaskUse.Propagates;

    public override BufferUse InferenceUse => BufferUse.InPlace;

    private ParameterDecl Alpha => Parameters[0];

    private Operand Shape(LoweringContext c) => c.Ints("PReluShape", InputShape.Dims);

    /// <summary>Row-major strides of alpha over the input's axes, 0 along a shared axis.</summary>
    private Operand Strides(LoweringContext c)
    {
        var dims = Alpha.Shape.Dims;
        var strides = new int[dims.Length];
        int stride = 1;
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            strides[d] = _shared.Contains(d + 1) ? 0 : stride;
            stride *= dims[d];
        }
        return c.Ints("PReluStrides", strides);
    }

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
        => c.Call(KnownKernels.PReluForward, xs[0], Param(Alpha), Out(y), Batch, Shape(c), Strides(c));

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
        => c.Call(KnownKernels.PReluBackward, a.X, Param(Alpha), a.Dy, a.Dx is null ? EmptyOut : Out(a.Dx), Grad(Alpha), Batch, Shape(c), Strides(c));
}
