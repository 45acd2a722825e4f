using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>Keras <c>Activation</c>: applies a function element-wise (softmax along the last axis); shape unchanged.</summary>
internal sealed class ActivationKind : LayerKind
{
    public override string AttributeName => "Activation";

    public override string DefaultName => "activation";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var arg = spec.Find("activation");
        if (arg is null || !ActivationFunctions.IsKnown(arg.Number))
        {
            context.Report(Descriptors.UnknownActivation, arg?.Location ?? spec.Location, $"Activation '{name}'", arg?.Number ?? double.NaN);
            return null;
        }
        return new ActivationNode(spec, name, input, (int)arg.Number);
    }
}

internal sealed class ActivationNode : LayerNode
{
    private readonly int _activation;

    public ActivationNode(LayerSpec spec, string name, Shape input, int activation)
        : base(spec, name, input, input) => _activation = activation;

    public override string KerasClass => "Activation";

    public override MaskUse MaskUse => MaskUse.Propagates;

    public override string Description => $"Activation({ActivationFunctions.KerasName(_activation)})";

    private bool IsLinear => _activation == ActivationFunctions.Linear;

    public override BufferUse InferenceUse => IsLinear ? BufferUse.Alias : BufferUse.InPlace;

    // Training keeps the input: some derivatives (swish, gelu, softplus) need x, not just y.
    public override BufferUse TrainingUse => IsLinear ? BufferUse.Alias : BufferUse.New;

    public override BufferUse BackwardUse => IsLinear ? BufferUse.Alias : BufferUse.InPlace;

    public override void LowerInference(LoweringContext c, System.Collections.Generic.IReadOnlyList<Tensor> xs, Tensor y)
        => ActivationFunctions.LowerForward(c, _activation, xs[0], y, InputShape.Last);

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        // In place: dx is dy (see BackwardUse), which a fused loss may already have written.
        if (a.Dx is null || IsLinear) return;
        ActivationFunctions.LowerBackward(c, _activation, a.X, a.Y, a.Dy, a.Dx, InputShape.Last);
    }
}
