using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>BatchNormalization</c>, <c>LayerNormalization</c> and <c>GroupNormalization</c> over the last (channel)
/// axis. Weights γ (if Scale), β (if Center); BatchNormalization adds the non-trainable moving mean and variance.
/// </summary>
internal sealed class NormalizationKind : LayerKind
{
    public enum Mode
    {
        Batch,
        Layer,
        Group,
    }

    private const int Ones = (int)Shared.Initializer.Ones;
    private readonly Mode _mode;

    public NormalizationKind(Mode mode) => _mode = mode;

    public override string AttributeName => $"{_mode}Normalization";

    public override string DefaultName => _mode switch
    {
        Mode.Batch => "batch_normalization",
        Mode.Layer => "layer_normalization",
        _ => "group_normalization",
    };

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var label = Window.Label(spec, name);
        var axisArg = spec.Find("Axis");
        int axis = (int)(axisArg?.Number ?? -1);
        int rank = input.Rank;
        if (axis == 0 || axis < -rank || axis > rank)
        {
            context.Report(Descriptors.AxisOutOfRange, axisArg?.Location ?? spec.Location, label, axis, rank);
            return null;
        }
        int axisIndex = axis < 0 ? rank + axis : axis - 1;
        if (axisIndex != rank - 1 && _mode == Mode.Group)
        {
            context.Report(Descriptors.AxisNotSupported, axisArg?.Location ?? spec.Location, label, axis);
            return null;
        }
        double epsilon = BuildContext.Number(spec, "Epsilon", 1e-3);
        double momentum = BuildContext.Number(spec, "Momentum", 0.99);
        // Keras' ranges: epsilon > 0 (it keeps 1/sqrt(variance + epsilon) finite; as a float, so at least float.Epsilon),
        // momentum in [0, 1] (the moving statistics are momentum * old + (1 - momentum) * batch).
        if (!((float)epsilon > 0))
        {
            context.Report(Descriptors.NumberOutOfRange, spec.Find("Epsilon")?.Location ?? spec.Location, label, "Epsilon", "positive (as a float)",
                epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            return null;
        }
        if (_mode == Mode.Batch && !(momentum >= 0 && momentum <= 1))
        {
            context.Report(Descriptors.NumberOutOfRange, spec.Find("Momentum")?.Location ?? spec.Location, label, "Momentum", "in [0, 1]",
                momentum.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            return null;
        }
        int channels = input.Dims[axisIndex];
        int groups = 1;
        if (_mode == Mode.Group)
        {
            var groupArg = spec.Find("groups");
            groups = (int)(groupArg?.Number ?? 32);
            if (groups == -1) groups = channels;
            if (groups <= 0)
            {
                context.Report(Descriptors.NonPositive, groupArg?.Location ?? spec.Location, label, "groups", groups);
                return null;
            }
            if (channels % groups != 0)
            {
                context.Report(Descriptors.GroupsDoNotDivide, groupArg?.Location ?? spec.Location, label, groups, channels);
                return null;
            }
        }
        int gammaInit = context.Initializer(spec, name, "GammaInitializer", Ones);
        int betaInit = context.Initializer(spec, name, "BetaInitializer", BuildContext.Zeros);
        int inner = 1;
        for (int d = axisIndex + 1; d < rank; d++) inner *= input.Dims[d];
        var node = new NormalizationNode(spec, name, input, _mode, BuildContext.Bool(spec, "Scale", true), BuildContext.Bool(spec, "Center", true), epsilon, momentum, groups, channels, inner);
        if (node.Scale) node.Parameters.Add(new ParameterDecl("gamma", new Shape(channels), gammaInit, channels, channels));
        if (node.Center) node.Parameters.Add(new ParameterDecl("beta", new Shape(channels), betaInit, channels, channels));
        if (_mode == Mode.Batch)
        {
            node.State.Add(new ParameterDecl("moving_mean", new Shape(channels), BuildContext.Zeros, channels, channels));
            node.State.Add(new ParameterDecl("moving_variance", new Shape(channels), Ones, channels, channels));
        }
        return node;
    }
}

internal sealed class NormalizationNode : LayerNode
{
    private readonly NormalizationKind.Mode _mode;
    private readonly double _epsilon, _momentum;
    private readonly int _groups;

    private readonly int _channels, _inner;

    public NormalizationNode(LayerSpec spec, string name, Shape input, NormalizationKind.Mode mode, bool scale, bool center, double epsilon, double momentum, int groups, int channels, int inner)
        : base(spec, name, input, input)
    {
        _channels = channels;
        _inner = inner;
        _mode = mode;
        Scale = scale;
        Center = center;
        _epsilon = epsilon;
        _momentum = momentum;
        _groups = groups;
    }

    public bool Scale { get; }

    public bool Center { get; }

    public override string KerasClass => Spec.Kind;

    // LayerNormalization on the feature axis works per position, so a time mask passes through; batch statistics would need it.
    public override MaskUse MaskUse => _mode == NormalizationKind.Mode.Layer && _inner == 1 ? MaskUse.Propagates : MaskUse.Drops;

    public override string Description => Spec.Kind + "(" + (_mode == NormalizationKind.Mode.Group ? $"groups {_groups}, " : "")
        + "epsilon " + _epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
        + (_mode == NormalizationKind.Mode.Batch ? ", momentum " + _momentum.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "") + ")";

    /// <summary>Size of the normalised (channel) axis.</summary>
    private int Channels => _channels;

    /// <summary>
    /// The rows and channels arguments of the kernels: <c>rows, C</c> for the last axis, or
    /// <c>outer, C, inner</c> for Batch- and LayerNormalization over an earlier axis.
    /// </summary>
    private Operand[] Extent => _inner == 1
        ? new[] { Times(InputShape.Size / Channels), Int(Channels) }
        : new[] { Times(InputShape.Size / (Channels * _inner)), Int(Channels), Int(_inner) };

    private Operand[] GroupSizes => new[] { Batch, Int(InputShape.LeadingSize), Int(Channels), Int(_groups) };

    /// <summary>Batch statistics are per channel (one set per call); layer and group statistics per row or group of each sample.</summary>
    private int StatisticsPerSample => _mode switch
    {
        NormalizationKind.Mode.Batch => Channels,
        NormalizationKind.Mode.Layer => InputShape.Size / Channels,
        _ => _groups,
    };

    private Operand Mean(LoweringContext c, bool writes) => Statistic(c, "mean", writes);

    private Operand InvStd(LoweringContext c, bool writes) => Statistic(c, "inv_std", writes);

    private Operand Statistic(LoweringContext c, string name, bool writes)
    {
        var t = c.Scratch(name, StatisticsPerSample);
        return _mode == NormalizationKind.Mode.Batch ? Take(t, Channels, writes) : new TensorArg(t, writes);
    }

    private Operand Gamma => Scale ? Param(Parameters[0]) : Empty;

    private Operand Beta => Center ? Param(Parameters[Scale ? 1 : 0]) : Empty;

    private Operand GammaGrad => Scale ? Grad(Parameters[0]) : EmptyOut;

    private Operand BetaGrad => Center ? Grad(Parameters[Scale ? 1 : 0]) : EmptyOut;

    private Operand Epsilon => Float(_epsilon);

    public override BufferUse InferenceUse => BufferUse.InPlace;

    /// <summary>BatchNormalization's inference form: <c>y = x · scale + shift</c> per channel, which the folding pass can move into the preceding layer's weights.</summary>
    public bool IsBatch => _mode == NormalizationKind.Mode.Batch;

    private static Operand[] Concat(Operand[] first, Operand[] rest)
    {
        var all = new Operand[first.Length + rest.Length];
        first.CopyTo(all, 0);
        rest.CopyTo(all, first.Length);
        return all;
    }

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        var x = xs[0];
        switch (_mode)
        {
            case NormalizationKind.Mode.Batch:
                c.Call(KnownKernels.BatchNormInference, Concat(new[] { x, Gamma, Beta, State(State[0]), State(State[1]), Out(y) }, Concat(Extent, new[] { Epsilon })));
                break;
            case NormalizationKind.Mode.Layer:
                c.Call(KnownKernels.LayerNormForward, Concat(new[] { x, Gamma, Beta, Out(y), EmptyOut, EmptyOut }, Concat(Extent, new[] { Epsilon })));
                break;
            default:
                c.Call(KnownKernels.GroupNormForward, Concat(new[] { x, Gamma, Beta, Out(y), EmptyOut, EmptyOut }, Concat(GroupSizes, new[] { Epsilon })));
                break;
        }
    }

    /// <inheritdoc/>
    public override bool DependsOnTrainingMode => IsBatch && Trainable;

    public override bool MixesSamples => IsBatch && Trainable;

    /// <summary>BatchNormalization trains in its inference form (moving statistics, not updated) when frozen or when the gradients are of inference mode.</summary>
    private bool InferenceForm(LoweringContext c) => IsBatch && (!Trainable || c.InferenceMode);

    public override void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        var x = xs[0];
        if (InferenceForm(c))
        {
            LowerInference(c, xs, y);
            return;
        }
        switch (_mode)
        {
            case NormalizationKind.Mode.Batch:
                c.Call(KnownKernels.BatchNormTraining, Concat(new[] { x, Gamma, Beta, State(State[0]), State(State[1]), Mean(c, true), InvStd(c, true), Out(y) }, Concat(Extent, new[] { Float(_momentum), Epsilon })));
                break;
            case NormalizationKind.Mode.Layer:
                c.Call(KnownKernels.LayerNormForward, Concat(new[] { x, Gamma, Beta, Out(y), Mean(c, true), InvStd(c, true) }, Concat(Extent, new[] { Epsilon })));
                break;
            default:
                c.Call(KnownKernels.GroupNormForward, Concat(new[] { x, Gamma, Beta, Out(y), Mean(c, true), InvStd(c, true) }, Concat(GroupSizes, new[] { Epsilon })));
                break;
        }
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (InferenceForm(c))
        {
            // A per-channel affine map: frozen weights get no gradient, and no call at all when no earlier layer needs dx.
            if (!Trainable && a.Dx is null) return;
            c.Call(KnownKernels.BatchNormInferenceBackward, Concat(new[] { a.X, Gamma, StateRead(State[0]), StateRead(State[1]), a.Dy,
                Trainable ? GammaGrad : EmptyOut, Trainable ? BetaGrad : EmptyOut, a.Dx is null ? EmptyOut : Out(a.Dx) }, Concat(Extent, new[] { Epsilon })));
            return;
        }
        // The kernels write dx; when no earlier layer needs it, the (discarded) result goes to dy's own tensor.
        var dx = a.Dx ?? a.Dy;
        var common = new[] { a.X, Gamma, Mean(c, false), InvStd(c, false), a.Dy, GammaGrad, BetaGrad, Out(dx) };
        switch (_mode)
        {
            case NormalizationKind.Mode.Batch:
                c.Call(KnownKernels.BatchNormBackward, Concat(common, Extent));
                break;
            case NormalizationKind.Mode.Layer:
                c.Call(KnownKernels.LayerNormBackward, Concat(common, Extent));
                break;
            default:
                c.Call(KnownKernels.GroupNormBackward, Concat(common, GroupSizes));
                break;
        }
    }
}
