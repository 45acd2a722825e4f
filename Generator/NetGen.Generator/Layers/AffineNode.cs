using System.Collections.Generic;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Layers;

/// <summary>
/// A layer computing <c>activation(linear(x) + bias)</c> (Dense and the convolution family). This base owns the
/// activation: the pre-activation <c>z</c> kept for training, the in-place inference activation, and the backward
/// through the activation (which the loss-fusion pass may skip at run time). Subclasses lower the linear part.
/// </summary>
internal abstract class AffineNode : LayerNode
{
    protected AffineNode(LayerSpec spec, string name, Shape input, Shape output, int activation, bool useBias)
        : base(spec, name, input, output)
    {
        Activation = activation;
        UseBias = useBias;
    }

    public int Activation { get; }

    public bool UseBias { get; }

    /// <summary>Adds the bias vector (when <see cref="UseBias"/>), which must be the last parameter.</summary>
    public void AddBias(int length, int initializer)
    {
        if (UseBias) Parameters.Add(new ParameterDecl("bias", new Shape(length), initializer, length, length));
    }

    /// <summary>The parameter holding the bias, when there is one (by default the last).</summary>
    protected virtual ParameterDecl? BiasParameter => UseBias ? Parameters[Parameters.Count - 1] : null;

    protected Operand Bias => BiasParameter is { } b ? Param(b) : Empty;

    protected Operand BiasGrad => BiasParameter is { } b ? Grad(b) : EmptyOut;

    /// <summary>", relu" (or nothing for linear), for descriptions.</summary>
    protected string ActivationSuffix => Activation != ActivationFunctions.Linear ? ", " + ActivationFunctions.KerasName(Activation) : "";

    protected string BiasSuffix => UseBias ? "" : ", no bias";

    /// <summary><c>y = linear(x) + bias</c>; training scratch comes from <see cref="LoweringContext.Scratch"/>.</summary>
    protected abstract void LowerLinear(LoweringContext c, Tensor x, Tensor y);

    /// <summary>The weight (and bias) gradients from <c>dz</c>.</summary>
    protected abstract void LowerLinearBackwardWeights(LoweringContext c, BackwardArgs a, Tensor dz);

    /// <summary><c>dx</c> from <c>dz</c>.</summary>
    protected abstract void LowerLinearBackwardInput(LoweringContext c, BackwardArgs a, Tensor dz, Tensor dx);

    private Tensor Z(LoweringContext c) => c.Scratch("z", OutputShape.Size, OutputShape);

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        LowerLinear(c, xs[0], y);
        ActivationFunctions.LowerForward(c, Activation, y, y, OutputShape.Last);
    }

    public override void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        if (Activation == ActivationFunctions.Linear)
        {
            LowerLinear(c, xs[0], y);
            return;
        }
        var z = Z(c);
        LowerLinear(c, xs[0], z);
        ActivationFunctions.LowerForward(c, Activation, z, y, OutputShape.Last);
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        // dz overwrites dy in place (a fused loss may already have written it: then this step is skipped).
        if (Activation != ActivationFunctions.Linear)
            ActivationFunctions.LowerBackward(c, Activation, Z(c), a.Y, a.Dy, a.Dy, OutputShape.Last);
        LowerLinearBackwardWeights(c, a, a.Dy);
        if (a.Dx is not null) LowerLinearBackwardInput(c, a, a.Dy, a.Dx);
    }
}
