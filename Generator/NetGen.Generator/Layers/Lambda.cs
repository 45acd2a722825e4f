using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using static NetGen.Generator.Lowering.LoweringContext;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>Lambda</c>: static methods of the network class as a layer, called directly. The parser has checked the
/// methods' signatures (<see cref="LambdaMethods"/>); the output shape is declared (<c>OutputShape</c>) or equal to the
/// input's (<c>ElementWise</c>). No weights.
/// </summary>
internal sealed class LambdaKind : LayerKind
{
    public override string AttributeName => "Lambda";

    public override string DefaultName => "lambda";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var label = $"Lambda '{name}'";
        bool ok = true;
        void Fail(LocationInfo? at, string message)
        {
            context.Report(Descriptors.LambdaMethod, at ?? spec.Location, label, message);
            ok = false;
        }
        var forward = spec.Find("forward");
        if (spec.Find(LambdaMethods.ForwardProblem)?.Text is { } forwardProblem) Fail(forward?.Location, forwardProblem);
        var backward = spec.Find("Backward");
        bool inferenceOnly = BuildContext.Bool(spec, "InferenceOnly", false);
        if (spec.Find(LambdaMethods.BackwardProblem)?.Text is { } backwardProblem) Fail(backward?.Location, backwardProblem);
        if (backward?.Text is null && !inferenceOnly)
            Fail(spec.Location, $"training needs a backward method: set Backward = nameof(...) naming a {string.Format(LambdaMethods.BackwardSignature, "method")}, or InferenceOnly = true");
        if (backward?.Text is not null && inferenceOnly)
            Fail(backward.Location, "a layer with a Backward method is not InferenceOnly; drop one of the two");

        var shapeArg = spec.Find("OutputShape");
        bool elementWise = BuildContext.Bool(spec, "ElementWise", false);
        Shape output = input;
        if (shapeArg is not null && shapeArg.Items.Count > 0)
        {
            var dims = shapeArg.Items.Select(d => (int)d).ToArray();
            if (dims.Any(d => d <= 0)) Fail(shapeArg.Location, $"every OutputShape dimension must be positive, but it is ({string.Join(", ", dims)})");
            output = new Shape(dims);
            if (elementWise && !output.Equals(input))
                Fail(shapeArg.Location, $"ElementWise means the output shape is the input's {input}, but OutputShape is {output}");
        }
        else if (!elementWise)
            Fail(spec.Location, $"declare the output shape: OutputShape = new[] {{ ... }} (without the batch axis), or ElementWise = true when it is the input's {input}");
        if (!ok) return null;
        return new LambdaNode(spec, name, input, output, forward!.Text!, backward?.Text, inferenceOnly);
    }
}

internal sealed class LambdaNode : LayerNode
{
    private readonly string _forward;
    private readonly string? _backward;

    public LambdaNode(LayerSpec spec, string name, Shape input, Shape output, string forward, string? backward, bool inferenceOnly)
        : base(spec, name, input, output)
    {
        _forward = forward;
        _backward = backward;
        InferenceOnly = inferenceOnly;
    }

    public bool InferenceOnly { get; }

    public override string KerasClass => "Lambda";

    public override string Description => $"Lambda({_forward})";

    public override void LowerInference(LoweringContext c, System.Collections.Generic.IReadOnlyList<Tensor> xs, Tensor y)
        => c.CallUser(_forward, false, xs[0], Out(y), Batch);

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (a.Dx is not null && _backward is not null) c.CallUser(_backward, true, a.X, a.Y, a.Dy, Out(a.Dx), Batch);
    }
}
