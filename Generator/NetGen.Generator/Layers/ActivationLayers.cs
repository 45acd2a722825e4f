using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras' weight-less activation layers with parameters: <c>ReLU(max_value, negative_slope, threshold)</c>,
/// <c>LeakyReLU(negative_slope)</c>, <c>ELU(alpha)</c> and <c>Softmax(axis)</c>. Shape unchanged. Where the
/// parameters are those of an <c>Activation</c> member (ReLU(), ReLU(max_value=6), LeakyReLU(0.2), ELU(1), Softmax over
/// the last axis) the layer calls that member's kernels, so it runs exactly as <c>[Activation(...)]</c> would (and
/// a Softmax output still fuses with a cross-entropy loss).
/// </summary>
internal sealed class ActivationLayerKind : LayerKind
{
    public enum Op
    {
        ReLU,
        LeakyReLU,
        ELU,
        Softmax,
    }

    private readonly Op _op;

    public ActivationLayerKind(Op op) => _op = op;

    public override string AttributeName => _op.ToString();

    // Keras' to_snake_case of the class name.
    public override string DefaultName => _op switch
    {
        Op.ReLU => "re_lu",
        Op.LeakyReLU => "leaky_re_lu",
        Op.ELU => "elu",
        _ => "softmax",
    };

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var label = Window.Label(spec, name);
        switch (_op)
        {
            case Op.ReLU:
            {
                // NaN and infinite arguments are refused for every layer (NG0047). MaxValue's default, float.MaxValue,
                // means no cap (Keras' None): the kernels get +∞, so +∞ inputs stay +∞.
                double maxValue = BuildContext.Number(spec, "MaxValue", float.MaxValue);
                if (!AtLeastZero(spec, "MaxValue", maxValue, label, context)) return null;
                if ((float)maxValue == float.MaxValue) maxValue = double.PositiveInfinity;
                double slope = BuildContext.Number(spec, "NegativeSlope", 0);
                if (!AtLeastZero(spec, "NegativeSlope", slope, label, context)) return null;
                double threshold = BuildContext.Number(spec, "Threshold", 0);
                if (!AtLeastZero(spec, "Threshold", threshold, label, context)) return null;
                return new ActivationLayerNode(spec, name, input, _op, new[] { slope, maxValue, threshold }, axis: -1);
            }
            case Op.LeakyReLU:
            {
                double slope = BuildContext.Number(spec, "NegativeSlope", 0.3);
                if (!AtLeastZero(spec, "NegativeSlope", slope, label, context)) return null;
                return new ActivationLayerNode(spec, name, input, _op, new[] { slope }, axis: -1);
            }
            case Op.ELU:
                return new ActivationLayerNode(spec, name, input, _op, new[] { BuildContext.Number(spec, "Alpha", 1.0) }, axis: -1);
            default:
            {
                var axisArg = spec.Find("Axis");
                int axis = axisArg is null ? -1 : (int)axisArg.Number;
                int rank = input.Rank;
                if (axis == 0 || axis < -rank || axis > rank)
                {
                    context.Report(Descriptors.AxisOutOfRange, axisArg?.Location ?? spec.Location, label, axis, rank);
                    return null;
                }
                return new ActivationLayerNode(spec, name, input, _op, System.Array.Empty<double>(), axis);
            }
        }
    }

    private static bool AtLeastZero(LayerSpec spec, string argument, double value, string label, BuildContext context)
    {
        if (value >= 0) return true;
        context.Report(Descriptors.NumberOutOfRange, spec.Find(argument)?.Location ?? spec.Location, label, argument, "at least 0",
            value.ToString("R", CultureInfo.InvariantCulture));
        return false;
    }
}

internal sealed class ActivationLayerNode : LayerNode
{
    private readonly ActivationLayerKind.Op _op;
    private readonly double[] _values;
    private readonly int _kerasAxis;
    private readonly int _axis;       // 0-based over the input's dims (no batch axis)
    private readonly int _activation; // the Activation member computing exactly this layer, or −1

    public ActivationLayerNode(LayerSpec spec, string name, Shape input, ActivationLayerKind.Op op, double[] values, int axis)
        : base(spec, name, input, input)
    {
        _op = op;
        _values = values;
        _kerasAxis = axis;
        _axis = axis < 0 ? input.Rank + axis : axis - 1;
        _activation = Member();
    }

    /// <summary>The <c>Activation</c> member equal to this layer, or −1 when it needs its parameterised kernel.</summary>
    private int Member()
    {
        switch (_op)
        {
            case ActivationLayerKind.Op.ReLU:
                if (_values[0] == 0 && _values[2] == 0)
                {
                    if (double.IsPositiveInfinity(_values[1])) return (int)Shared.Activation.Relu;
                    if ((float)_values[1] == 6f) return (int)Shared.Activation.Relu6;
                }
                return -1;
            case ActivationLayerKind.Op.LeakyReLU:
                return (float)_values[0] == 0.2f ? (int)Shared.Activation.LeakyRelu : -1;
            case ActivationLayerKind.Op.ELU:
                return (float)_values[0] == 1f ? (int)Shared.Activation.Elu : -1;
            default:
                return _axis == InputShape.Rank - 1 ? ActivationFunctions.Softmax : -1;
        }
    }

    public override string KerasClass => _op.ToString();

    public override string Description
    {
        get
        {
            static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            switch (_op)
            {
                case ActivationLayerKind.Op.ReLU:
                    var parts = new List<string>();
                    if (!double.IsPositiveInfinity(_values[1])) parts.Add("max_value=" + N(_values[1]));
                    if (_values[0] != 0) parts.Add("negative_slope=" + N(_values[0]));
                    if (_values[2] != 0) parts.Add("threshold=" + N(_values[2]));
                    return parts.Count == 0 ? "ReLU" : $"ReLU({string.Join(", ", parts)})";
                case ActivationLayerKind.Op.LeakyReLU:
                    return $"LeakyReLU(negative_slope={N(_values[0])})";
                case ActivationLayerKind.Op.ELU:
                    return $"ELU(alpha={N(_values[0])})";
                default:
                    return $"Softmax(axis={Literals.Int(_kerasAxis)})";
            }
        }
    }

    // A padding mask passes through the element-wise layers; Softmax would have to apply it (Keras zeroes masked
    // entries), which it does not yet, so there the mask stops with a warning.
    public override MaskUse MaskUse => _op == ActivationLayerKind.Op.Softmax ? MaskUse.Drops : MaskUse.Propagates;

    public override BufferUse InferenceUse => BufferUse.InPlace;

    // Training keeps the input: the ReLU family's derivatives are functions of x (y cannot tell which side of a
    // positive threshold x was on).
    public override BufferUse TrainingUse => BufferUse.New;

    public override BufferUse BackwardUse => BufferUse.InPlace;

    /// <summary>(outer per sample, length, inner) of a softmax along a middle axis.</summary>
    private (int Outer, int Length, int Inner) AxisSizes()
    {
        var dims = InputShape.Dims;
        int outer = 1, inner = 1;
        for (int d = 0; d < _axis; d++) outer *= dims[d];
        for (int d = _axis + 1; d < dims.Length; d++) inner *= dims[d];
        return (outer, dims[_axis], inner);
    }

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        var x = xs[0];
        if (_activation >= 0)
        {
            ActivationFunctions.LowerForward(c, _activation, x, y, InputShape.Last);
            return;
        }
        switch (_op)
        {
            case ActivationLayerKind.Op.ReLU:
                c.Call(KnownKernels.ReluWith, x, Out(y), Float(_values[0]), Float(_values[1]), Float(_values[2]));
                break;
            case ActivationLayerKind.Op.LeakyReLU:
                c.Call(KnownKernels.LeakyReluWith, x, Out(y), Float(_values[0]));
                break;
            case ActivationLayerKind.Op.ELU:
                c.Call(KnownKernels.EluWith, x, Out(y), Float(_values[0]));
                break;
            default:
                var (outer, length, inner) = AxisSizes();
                c.Call(KnownKernels.SoftmaxAxis, x, Out(y), Times(outer), Int(length), Int(inner));
                break;
        }
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        // In place: dx is dy (see BackwardUse), which a fused loss may already have written.
        if (a.Dx is null) return;
        if (_activation >= 0)
        {
            ActivationFunctions.LowerBackward(c, _activation, a.X, a.Y, a.Dy, a.Dx, InputShape.Last);
            return;
        }
        switch (_op)
        {
            case ActivationLayerKind.Op.ReLU:
                c.Call(KnownKernels.ReluWithBackward, a.X, a.Y, a.Dy, Out(a.Dx), Float(_values[0]), Float(_values[1]), Float(_values[2]));
                break;
            case ActivationLayerKind.Op.LeakyReLU:
                c.Call(KnownKernels.LeakyReluWithBackward, a.X, a.Y, a.Dy, Out(a.Dx), Float(_values[0]));
                break;
            case ActivationLayerKind.Op.ELU:
                c.Call(KnownKernels.EluWithBackward, a.X, a.Y, a.Dy, Out(a.Dx), Float(_values[0]));
                break;
            default:
                var (outer, length, inner) = AxisSizes();
                c.Call(KnownKernels.SoftmaxAxisBackward, a.X, a.Y, a.Dy, Out(a.Dx), Times(outer), Int(length), Int(inner));
                break;
        }
    }
}
