using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>
/// A layer computing <c>activation(linear(x) + bias)</c> (Dense and the convolution family). This base owns
/// the activation: the pre-activation scratch kept for training, the in-place inference activation, and the
/// backward through the activation (skipped when the loss was fused with it). Subclasses write the linear part.
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

    protected string Bias(EmitContext c) => BiasParameter is { } b ? c.Param(b) : "global::System.ReadOnlySpan<float>.Empty";

    protected string BiasGrad(EmitContext c) => BiasParameter is { } b ? c.Grad(b) : "global::System.Span<float>.Empty";

    /// <summary>", relu" (or nothing for linear), for descriptions.</summary>
    protected string ActivationSuffix => Activation != ActivationFunctions.Linear ? ", " + ActivationFunctions.KerasName(Activation) : "";

    protected string BiasSuffix => UseBias ? "" : ", no bias";

    public override IReadOnlyList<Scratch> TrainingScratch
        => Activation == ActivationFunctions.Linear ? LinearScratch : Append(LinearScratch, new Scratch("z", OutputShape.Size));

    /// <summary>Scratch the linear part keeps for its backward pass.</summary>
    protected virtual IReadOnlyList<Scratch> LinearScratch => System.Array.Empty<Scratch>();

    public override int? FinalActivation => Activation == ActivationFunctions.Linear ? null : Activation;

    public override string PreActivation(ForwardArgs args) => args["z"];

    /// <summary>Writes <c>y = linear(x) + bias</c>; <paramref name="scratch"/> holds the training scratch, or null when predicting.</summary>
    protected abstract void EmitLinear(EmitContext c, string x, string y, IReadOnlyDictionary<string, string>? scratch);

    /// <summary>Writes the weight (and bias) gradients from <c>dz</c>.</summary>
    protected abstract void EmitLinearBackwardWeights(EmitContext c, ForwardArgs a, string dz);

    /// <summary>Writes <c>dx</c> from <c>dz</c>.</summary>
    protected abstract void EmitLinearBackwardInput(EmitContext c, ForwardArgs a, string dz, string dx);

    public override void EmitInference(EmitContext c, string x, string y)
    {
        EmitLinear(c, x, y, null);
        ActivationFunctions.EmitForward(c, Activation, y, y, OutputShape.Last);
    }

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a)
    {
        if (Activation == ActivationFunctions.Linear)
        {
            EmitLinear(c, a.X, a.Y, a.ScratchRegions);
            return;
        }
        EmitLinear(c, a.X, a["z"], a.ScratchRegions);
        ActivationFunctions.EmitForward(c, Activation, a["z"], a.Y, OutputShape.Last);
    }

    public override void EmitBackward(EmitContext c, BackwardArgs a)
    {
        if (Activation != ActivationFunctions.Linear)
            ActivationFunctions.EmitBackward(c, Activation, a["z"], a.Y, a.Dy, a.Dy, OutputShape.Last, a.FusedFlag);
        EmitLinearBackwardWeights(c, a, a.Dy);
        if (a.Dx is not null) EmitLinearBackwardInput(c, a, a.Dy, a.Dx);
    }

    private static IReadOnlyList<Scratch> Append(IReadOnlyList<Scratch> list, Scratch extra)
    {
        var result = new List<Scratch>(list) { extra };
        return result;
    }
}
