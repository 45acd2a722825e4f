using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>Keras <c>Dense</c>: <c>(..., in) → (..., units)</c>; weights kernel (in, units), then bias (units).</summary>
internal sealed class DenseKind : LayerKind
{
    private const int GlorotUniform = 0;
    private const int Zeros = 6;
    private const int InitializerCount = 11;

    public override string AttributeName => "Dense";

    public override string DefaultName => "dense";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        int units = context.PositiveInt(spec, name, "units", 0);
        int activation = ActivationFunctions.Linear;
        if (spec.Find("Activation") is { } act)
        {
            if (ActivationFunctions.IsKnown(act.Number)) activation = (int)act.Number;
            else context.Report(Descriptors.UnknownActivation, act.Location ?? spec.Location, $"Dense '{name}'", act.Number);
        }
        int kernelInit = Initializer(spec, name, "KernelInitializer", GlorotUniform, context);
        int biasInit = Initializer(spec, name, "BiasInitializer", Zeros, context);
        if (units <= 0) return null;

        var outputDims = (int[])input.Dims.Clone();
        outputDims[outputDims.Length - 1] = units;
        var node = new DenseNode(spec, name, input, new Shape(outputDims), units, activation, BuildContext.Bool(spec, "UseBias", true));
        int features = input.Last;
        node.Parameters.Add(new ParameterDecl("kernel", new Shape(features, units), kernelInit, features, units));
        if (node.UseBias) node.Parameters.Add(new ParameterDecl("bias", new Shape(units), biasInit, units, units));
        return node;
    }

    private static int Initializer(LayerSpec spec, string name, string argument, int fallback, BuildContext context)
    {
        if (spec.Find(argument) is not { } arg) return fallback;
        if (arg.Number >= 0 && arg.Number < InitializerCount && arg.Number == (int)arg.Number) return (int)arg.Number;
        context.Report(Descriptors.UnknownInitializer, arg.Location ?? spec.Location, $"Dense '{name}'", arg.Number);
        return fallback;
    }
}

internal sealed class DenseNode : LayerNode
{
    private readonly int _activation;

    public DenseNode(LayerSpec spec, string name, Shape input, Shape output, int units, int activation, bool useBias)
        : base(spec, name, input, output)
    {
        Units = units;
        _activation = activation;
        UseBias = useBias;
    }

    public int Units { get; }

    public bool UseBias { get; }

    public override string KerasClass => "Dense";

    public override string Description
        => $"Dense({Units}" + (_activation != ActivationFunctions.Linear ? ", " + ActivationFunctions.KerasName(_activation) : "") + (UseBias ? "" : ", no bias") + ")";

    public override IReadOnlyList<Scratch> TrainingScratch
        => _activation == ActivationFunctions.Linear ? System.Array.Empty<Scratch>() : new[] { new Scratch("z", OutputShape.Size) };

    public override int? FinalActivation => _activation == ActivationFunctions.Linear ? null : _activation;

    public override string PreActivation(ForwardArgs args) => args["z"];

    private string Kernel(EmitContext c) => c.Param(Parameters[0]);

    private string Bias(EmitContext c) => UseBias ? c.Param(Parameters[1]) : "global::System.ReadOnlySpan<float>.Empty";

    private void EmitMatMul(EmitContext c, string x, string y)
        => c.W.Line($"global::NetGen.Kernels.Dense.Forward({x}, {Kernel(c)}, {Bias(c)}, {y}, {c.Rows(InputShape)}, {InputShape.Last}, {Units});");

    public override void EmitInference(EmitContext c, string x, string y)
    {
        EmitMatMul(c, x, y);
        ActivationFunctions.EmitForward(c, _activation, y, y, Units);
    }

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a)
    {
        if (_activation == ActivationFunctions.Linear)
        {
            EmitMatMul(c, a.X, a.Y);
            return;
        }
        EmitMatMul(c, a.X, a["z"]);
        ActivationFunctions.EmitForward(c, _activation, a["z"], a.Y, Units);
    }

    public override void EmitBackward(EmitContext c, BackwardArgs a)
    {
        if (_activation != ActivationFunctions.Linear)
            ActivationFunctions.EmitBackward(c, _activation, a["z"], a.Y, a.Dy, a.Dy, Units, a.FusedFlag);
        var biasGrad = UseBias ? c.Grad(Parameters[1]) : "global::System.Span<float>.Empty";
        c.W.Line($"global::NetGen.Kernels.Dense.BackwardWeights({a.X}, {a.Dy}, {c.Grad(Parameters[0])}, {biasGrad}, {c.Rows(InputShape)}, {InputShape.Last}, {Units});");
        if (a.Dx is not null)
            c.W.Line($"global::NetGen.Kernels.Dense.BackwardInput({a.Dy}, {Kernel(c)}, {a.Dx}, {c.Rows(InputShape)}, {InputShape.Last}, {Units});");
    }
}
