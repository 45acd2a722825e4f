using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>Attention</c> (Luong: score modes dot and concat) and <c>AdditiveAttention</c> (Bahdanau), LAYERS.md §13.1-13.2.
/// Inputs (Keras' call order): query (Tq, dim), value (Tv, valueDim), optionally key (Tv, dim), key = value otherwise.
/// Output (Tq, valueDim). Weights: Attention <c>scale ()</c> (use_scale, ones) and <c>concat_score_weight ()</c> (concat,
/// ones); AdditiveAttention <c>scale (dim,)</c> (use_scale, glorot_uniform).
/// </summary>
internal sealed class AttentionKind : MultiInputKind
{
    // NetGen.AttentionScore's values (a runtime enum the generator prints by name).
    private const int Dot = 0, Concat = 1, Additive = 2;

    private readonly bool _additive;

    public AttentionKind(bool additive) => _additive = additive;

    public override string AttributeName => _additive ? "AdditiveAttention" : "Attention";

    public override string DefaultName => _additive ? "additive_attention" : "attention";

    public override LayerNode? Build(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, BuildContext context)
    {
        var label = $"{AttributeName} '{name}'";
        var inputsLocation = spec.Find("Inputs")?.Location ?? spec.Location;
        if (inputs.Count < 2 || inputs.Count > 3)
        {
            context.Report(Descriptors.InputCount, inputsLocation, label, "it reads a query and a value, and optionally a key (Inputs = new[] { query, value, key })", inputs.Count);
            return null;
        }
        int score = Additive;
        if (!_additive)
        {
            var mode = spec.Find("ScoreMode");
            score = mode is null ? Dot : (int)mode.Number;
            if (score != Dot && score != Concat)
            {
                context.Report(Descriptors.ValueNotAllowed, mode!.Location ?? spec.Location, label, "ScoreMode",
                    score == Additive ? "AttentionScore.Additive" : Literals.Int(score), "AttentionScore.Dot or AttentionScore.Concat (additive scores: use [AdditiveAttention])");
                return null;
            }
        }
        double rate = AttentionArguments.Rate(spec, label, context);
        if (context.HasErrors) return null;
        var q = inputs[0];
        var v = inputs[1];
        var k = inputs.Count > 2 ? inputs[2] : v;
        string keyName = inputs.Count > 2 ? "key" : "value (the key)";
        if (q.Rank != 2 || v.Rank != 2 || k.Rank != 2)
        {
            var (what, shape) = q.Rank != 2 ? ("query", q) : v.Rank != 2 ? ("value", v) : ("key", k);
            context.Report(Descriptors.AttentionShapes, inputsLocation, label, what, shape, what == "query" ? "value" : "query", what == "query" ? v : q,
                "every input must be a (positions, features) sequence");
            return null;
        }
        if (inputs.Count > 2 && k.Dims[0] != v.Dims[0])
        {
            context.Report(Descriptors.AttentionShapes, inputsLocation, label, "value", v, "key", k, "key and value must have the same number of positions");
            return null;
        }
        if (q.Last != k.Last)
        {
            context.Report(Descriptors.AttentionShapes, inputsLocation, label, "query", q, keyName, k, "query and key must have the same number of features");
            return null;
        }
        bool useScale = BuildContext.Bool(spec, "UseScale", _additive);
        var node = new AttentionNode(spec, name, inputs, new Shape(q.Dims[0], v.Last), score, useScale, BuildContext.Bool(spec, "UseCausalMask", false),
            rate, AttentionArguments.Seed(spec), BuildContext.Bool(spec, "ReturnAttentionScores", false));
        if (useScale)
        {
            node.Parameters.Add(_additive
                ? new ParameterDecl("scale", new Shape(q.Last), BuildContext.GlorotUniform, q.Last, q.Last)
                : new ParameterDecl("scale", new Shape(), (int)Shared.Initializer.Ones, 1, 1));
        }
        if (score == Concat) node.Parameters.Add(new ParameterDecl("concat_score_weight", new Shape(), (int)Shared.Initializer.Ones, 1, 1));
        return node;
    }
}

internal sealed class AttentionNode : LayerNode
{
    private readonly int _score, _tq, _tv, _dim, _valueDim;
    private readonly bool _useScale, _causal;
    private readonly double _rate;
    private readonly long _seed;
    private readonly bool _returnScores;

    public AttentionNode(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, Shape output, int score, bool useScale, bool causal, double rate, long seed,
        bool returnScores)
        : base(spec, name, inputs, output)
    {
        _returnScores = returnScores;
        _score = score;
        _useScale = useScale;
        _causal = causal;
        _rate = rate;
        _seed = seed;
        _tq = inputs[0].Dims[0];
        _tv = inputs[1].Dims[0];
        _dim = inputs[0].Last;
        _valueDim = inputs[1].Last;
        // Keras' scores of Attention/AdditiveAttention: the weights after dropout, (Tq, Tv).
        Ports = returnScores ? new[] { ("scores", new Shape(_tq, _tv)) } : System.Array.Empty<(string, Shape)>();
    }

    /// <summary>The attention scores, read as <c>"name:scores"</c> (a port node aliases the layer's "scores" buffer).</summary>
    public override IReadOnlyList<(string Port, Shape Shape)> Ports { get; }

    public override string PortsHint => _returnScores ? "its only extra output is 'scores'" : AttentionArguments.ScoresHint;

    public override string KerasClass => Spec.Kind;

    public override string Description
        => (_score == 2 ? "AdditiveAttention(" + (_useScale ? "" : "no scale") : "Attention(" + (_score == 1 ? "concat" : "dot") + (_useScale ? ", scale" : ""))
            + (_causal ? ", causal" : "") + (_rate > 0 ? $", dropout={_rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" : "")
            + (_seed >= 0 ? $", seed={Literals.Int(_seed)}" : "") + (_returnScores ? ", scores" : "") + ")";

    /// <summary>Uses the masks reaching query, value and key; the output carries the query's mask (Keras).</summary>
    public override MaskUse MaskUse => MaskUse.ConsumesAndPropagates;

    private Operand ScoreMode => new LiteralArg("global::NetGen.AttentionScore." + (_score == 0 ? "Dot" : _score == 1 ? "Concat" : "Additive"));

    private Operand Scale(bool gradient) => !_useScale ? (gradient ? EmptyOut : Empty) : gradient ? Grad(Parameters[0]) : Param(Parameters[0]);

    private Operand ConcatWeight(bool gradient) => _score != 1 ? (gradient ? EmptyOut : Empty) : gradient ? Grad(Parameters[Parameters.Count - 1]) : Param(Parameters[Parameters.Count - 1]);

    private Tensor Key(IReadOnlyList<Tensor> xs) => xs.Count > 2 ? xs[2] : xs[1];

    private Operand[] Masks(LoweringContext c)
        => new[] { AttentionArguments.Mask(this, c, 0), AttentionArguments.Mask(this, c, 1), BoolArg.Of(_causal) };

    private Operand[] Sizes => new[] { Batch, Int(_tq), Int(_tv), Int(_dim), Int(_valueDim) };

    private Tensor Probabilities(LoweringContext c) => c.Scratch("probabilities", _tq * _tv, new Shape(_tq, _tv));

    private Tensor DropoutMask(LoweringContext c) => c.Scratch("dropout_mask", _tq * _tv, new Shape(_tq, _tv));

    private static Operand[] Join(params Operand[][] parts) => System.Linq.Enumerable.ToArray(System.Linq.Enumerable.SelectMany(parts, p => p));

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => Lower(c, xs, y, training: false);

    /// <summary>Attention dropout is off in inference mode (gradients with <c>training: false</c> too).</summary>
    public override bool DependsOnTrainingMode => _rate > 0;

    public override void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => Lower(c, xs, y, training: !c.InferenceMode);

    private void Lower(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y, bool training)
    {
        Operand dropout = Empty;
        if (training && _rate > 0)
        {
            var mask = DropoutMask(c);
            c.Call(KnownKernels.AttentionDropoutMask, Out(mask), Float(_rate), c.Rng(_seed));
            dropout = mask;
        }
        c.Call(KnownKernels.AttentionForward, Join(
            new Operand[] { ScoreMode, xs[0], Key(xs), xs[1], Scale(false), ConcatWeight(false) }, Masks(c),
            new Operand[] { dropout, Out(y), Out(Probabilities(c)), _returnScores ? Out(c.Scratch("scores", _tq * _tv, new Shape(_tq, _tv))) : EmptyOut, c.Workspace(KnownKernels.AttentionForwardScratchSize, Int(_tq), Int(_tv)) },
            Sizes));
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        // The kernel writes all three input gradients; an input nobody differentiates gets a temporary.
        var dQuery = a.Dxs[0] ?? c.Scratch("d_query", _tq * _dim, InputShapes[0]);
        var dValue = a.Dxs[1] ?? c.Scratch("d_value", _tv * _valueDim, InputShapes[1]);
        // Key = value: a distinct buffer for the key's gradient, summed into the value's afterwards.
        var dKey = a.Xs.Count > 2 ? a.Dxs[2] ?? c.Scratch("d_key", _tv * _dim, InputShapes[2]) : c.Scratch("d_key", _tv * _dim, InputShapes[1]);
        Operand dropout = _rate > 0 && !c.InferenceMode ? DropoutMask(c) : Empty;
        c.Call(KnownKernels.AttentionBackward, Join(
            new Operand[] { ScoreMode, a.Xs[0], Key(a.Xs), a.Xs[1], Scale(false), ConcatWeight(false) }, Masks(c),
            new Operand[] { dropout, Probabilities(c), a.Dy, c.ScratchOf(this, "d_scores") is { } dScores ? dScores : Empty, Out(dQuery), Out(dKey), Out(dValue), Scale(true), ConcatWeight(true),
                c.Workspace(KnownKernels.AttentionBackwardScratchSize, Int(_tq), Int(_tv), Int(_dim), Int(_valueDim)) },
            Sizes));
        if (a.Xs.Count == 2 && a.Dxs[1] is { } dx) c.Accumulate(dx, dKey);
    }
}
