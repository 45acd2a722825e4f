using System.Collections.Generic;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>Keras <c>Dense</c>: <c>(..., in) → (..., units)</c>; weights kernel (in, units), then bias (units).</summary>
internal sealed class DenseKind : LayerKind
{
    public override string AttributeName => "Dense";

    public override string DefaultName => "dense";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        int units = context.PositiveInt(spec, name, "units", 0);
        var args = context.Affine(spec, name);
        if (units <= 0) return null;

        var outputDims = (int[])input.Dims.Clone();
        outputDims[outputDims.Length - 1] = units;
        var node = new DenseNode(spec, name, input, new Shape(outputDims), units, args.Activation, args.UseBias);
        int features = input.Last;
        node.Parameters.Add(new ParameterDecl("kernel", new Shape(features, units), args.KernelInitializer, features, units));
        node.AddBias(units, args.BiasInitializer);
        return node;
    }
}

internal sealed class DenseNode : AffineNode
{
    public DenseNode(LayerSpec spec, string name, Shape input, Shape output, int units, int activation, bool useBias)
        : base(spec, name, input, output, activation, useBias) => Units = units;

    public int Units { get; }

    public override string KerasClass => "Dense";

    public override MaskUse MaskUse => InputShape.Rank > 1 ? MaskUse.Propagates : MaskUse.Drops;

    public override string Description => $"Dense({Units}{ActivationSuffix}{BiasSuffix})";

    protected override void LowerLinear(LoweringContext c, Tensor x, Tensor y)
        => c.Call(KnownKernels.DenseForward, x, Param(Parameters[0]), Bias, Out(y), Rows(InputShape), Int(InputShape.Last), Int(Units));

    protected override void LowerLinearBackwardWeights(LoweringContext c, BackwardArgs a, Tensor dz)
        => c.Call(KnownKernels.DenseBackwardWeights, a.X, dz, Grad(Parameters[0]), BiasGrad, Rows(InputShape), Int(InputShape.Last), Int(Units));

    protected override void LowerLinearBackwardInput(LoweringContext c, BackwardArgs a, Tensor dz, Tensor dx)
        => c.Call(KnownKernels.DenseBackwardInput, dz, Param(Parameters[0]), Out(dx), Rows(InputShape), Int(InputShape.Last), Int(Units));
}
