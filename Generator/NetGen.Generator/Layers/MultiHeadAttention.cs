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
/// Keras <c>MultiHeadAttention(num_heads, key_dim)</c>, LAYERS.md §13.3. Inputs (Keras' call order): query, value and
/// optionally key (key = value); without named inputs, self-attention on the layer above. Inputs are (T…, D) with attention
/// over every axis between the batch and the features jointly (Keras' default <c>attention_axes</c>), so the positions
/// are the product of the leading axes. Lowered as docs/recurrent-attention-kernels.md says: three projections
/// (<c>Attention.MultiHeadProjection</c>, a Dense product over all samples' rows at once), <c>Attention.MultiHeadForward</c>,
/// the output projection; weights in Keras' order and shapes. The backward uses the Dense backward kernels.
/// </summary>
internal sealed class MultiHeadAttentionKind : MultiInputKind
{
    public override string AttributeName => "MultiHeadAttention";

    public override string DefaultName => "multi_head_attention";

    public override bool ReadsPreviousByDefault => true;

    public override LayerNode? Build(LayerSpec spec, string name, IReadOnlyList<Shape> sources, BuildContext context)
    {
        var label = $"MultiHeadAttention '{name}'";
        var inputsLocation = spec.Find("Inputs")?.Location ?? spec.Location;
        // AttentionMask: the graph builder appends the value it names after the query, value and key.
        var maskArg = spec.Find("AttentionMask") is { Text: not null } m ? m : null;
        var inputs = maskArg is null ? sources : sources.Take(sources.Count - 1).ToList();
        if (inputs.Count > 3)
        {
            context.Report(Descriptors.InputCount, inputsLocation, label, "it reads a query, a value and optionally a key (Inputs = new[] { query, value, key })", inputs.Count);
            return null;
        }
        int heads = context.PositiveInt(spec, name, "numHeads", 0);
        int keyDim = context.PositiveInt(spec, name, "keyDim", 0);
        int valueDim = Optional(spec, name, "ValueDim", keyDim, context);
        int outputDim = Optional(spec, name, "OutputShape", inputs[0].Last, context);
        double rate = AttentionArguments.Rate(spec, label, context);
        int kernelInit = context.Initializer(spec, name, "KernelInitializer", BuildContext.GlorotUniform);
        int biasInit = context.Initializer(spec, name, "BiasInitializer", BuildContext.Zeros);
        if (context.HasErrors || heads <= 0 || keyDim <= 0) return null;

        var q = inputs[0];
        var v = inputs.Count > 1 ? inputs[1] : q;
        var k = inputs.Count > 2 ? inputs[2] : v;
        if (q.Rank < 2)
        {
            context.Report(Descriptors.AttentionShapes, inputsLocation, label, "query", q, "value", v, "the query needs positions before its features, (T, dim)");
            return null;
        }
        if (v.Rank != q.Rank)
        {
            context.Report(Descriptors.AttentionShapes, inputsLocation, label, "query", q, "value", v, "query and value must have the same rank");
            return null;
        }
        if (!k.Dims.Take(k.Rank - 1).SequenceEqual(v.Dims.Take(v.Rank - 1)))
        {
            context.Report(Descriptors.AttentionShapes, inputsLocation, label, "value", v, "key", k, "key and value must have the same positions (every axis but the last)");
            return null;
        }
        // attention_axes: the default (every axis between the batch and the features), or the last few of them; the axes
        // before those are batch-like (attention runs over the attention axes separately for each of their positions).
        int rank = q.Rank + 1; // Keras counts the batch axis
        int outerAxes = 0;
        if (spec.Find("AttentionAxes") is { Items.Count: > 0 } axesArg)
        {
            var axes = new List<int>();
            foreach (var raw in axesArg.Items)
            {
                int a = (int)raw;
                int normal = a < 0 ? rank + a : a;
                if (normal < 1 || normal > rank - 2)
                {
                    context.Report(Descriptors.AttentionAxesNotSupported, axesArg.Location ?? spec.Location, label, AttentionArguments.Axes(axesArg.Items),
                        $"is out of range: axis {a} is not between the batch and the feature axis of the rank-{rank} query (batch included); use 1..{rank - 2}");
                    return null;
                }
                axes.Add(normal);
            }
            var sorted = axes.Distinct().OrderBy(a => a).ToList();
            if (!sorted.SequenceEqual(Enumerable.Range(rank - 1 - sorted.Count, sorted.Count)))
            {
                context.Report(Descriptors.AttentionAxesNotSupported, axesArg.Location ?? spec.Location, label, AttentionArguments.Axes(axesArg.Items),
                    $"are not implemented: the attention axes must be the last ones before the features (for this rank-{rank} query: "
                    + string.Join(", ", Enumerable.Range(1, rank - 2).Reverse().Select(first => "[" + string.Join(", ", Enumerable.Range(first, rank - 1 - first)) + "]"))
                    + "); put the others first with a Permute layer");
                return null;
            }
            outerAxes = rank - 2 - sorted.Count;
            if (!q.Dims.Take(outerAxes).SequenceEqual(v.Dims.Take(outerAxes)))
            {
                context.Report(Descriptors.AttentionShapes, inputsLocation, label, "query", q, "value", v,
                    $"the axes outside the attention axes ({string.Join(", ", Enumerable.Range(1, outerAxes))}) must be the same for query and value");
                return null;
            }
        }
        if (maskArg is not null)
        {
            var mask = sources[sources.Count - 1];
            var expected = new Shape(q.Dims.Take(q.Rank - 1).Concat(v.Dims.Take(v.Rank - 1)).ToArray());
            string? why = outerAxes > 0 ? "an attention mask with AttentionAxes naming fewer than all the axes is not implemented"
                : !mask.Equals(expected) ? $"the attention mask must be (query positions, key positions) = {expected}"
                : null;
            if (why is not null)
            {
                context.Report(Descriptors.AttentionShapes, maskArg.Location ?? spec.Location, label, "query", q, $"attention mask '{maskArg.Text}'", mask, why);
                return null;
            }
        }
        bool causal = BuildContext.Bool(spec, "UseCausalMask", false);
        if (causal && q.Rank > 2)
        {
            context.Report(Descriptors.CausalMaskNotAllowed, spec.Find("UseCausalMask")?.Location ?? spec.Location, label,
                $"the query {q} has {q.Rank - 1} attention axes (Keras builds the causal mask from axis 1 alone)");
            return null;
        }

        var outDims = (int[])q.Dims.Clone();
        outDims[outDims.Length - 1] = outputDim;
        bool useBias = BuildContext.Bool(spec, "UseBias", true);
        var node = new MultiHeadAttentionNode(spec, name, sources, new Shape(outDims), heads, keyDim, valueDim, outputDim, useBias, causal, rate,
            AttentionArguments.Seed(spec), BuildContext.Bool(spec, "ReturnAttentionScores", false), outerAxes, maskArg is not null);
        void Projection(string sub, int features, int size)
        {
            node.Parameters.Add(new ParameterDecl(sub + "/kernel", new Shape(features, heads, size), kernelInit, heads * features, size * features));
            if (useBias) node.Parameters.Add(new ParameterDecl(sub + "/bias", new Shape(heads, size), biasInit, heads, size));
        }
        // Keras creates them in this order (query, key, value, attention_output), kernel then bias; fans as its compute_fans.
        Projection("query", q.Last, keyDim);
        Projection("key", k.Last, keyDim);
        Projection("value", v.Last, valueDim);
        node.Parameters.Add(new ParameterDecl("attention_output/kernel", new Shape(heads, valueDim, outputDim), kernelInit, valueDim * heads, outputDim * heads));
        if (useBias) node.Parameters.Add(new ParameterDecl("attention_output/bias", new Shape(outputDim), biasInit, outputDim, outputDim));
        return node;
    }

    /// <summary>A size that defaults when 0 (not given); negative is NG0004.</summary>
    private static int Optional(LayerSpec spec, string name, string argument, int fallback, BuildContext context)
    {
        var arg = spec.Find(argument);
        int value = arg is null ? 0 : (int)arg.Number;
        if (value == 0) return fallback;
        if (value < 0)
        {
            context.Report(Descriptors.NonPositive, arg!.Location ?? spec.Location, $"{spec.Kind} '{name}'", argument + " (0 for the default)", value);
            return fallback;
        }
        return value;
    }
}

/// <summary>Arguments the attention layers share.</summary>
internal static class AttentionArguments
{
    /// <summary>The <c>Dropout</c> rate, NG0005 unless in [0, 1).</summary>
    public static double Rate(LayerSpec spec, string label, BuildContext context)
    {
        var arg = spec.Find("Dropout");
        double rate = arg?.Number ?? 0;
        if (!(rate >= 0 && rate < 1))
        {
            context.Report(Descriptors.RateOutOfRange, arg?.Location ?? spec.Location, label, rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }
        return rate;
    }

    public static string Axes(EquatableArray<double> items) => "[" + string.Join(", ", items.Select(x => Literals.Int((int)x))) + "]";

    public static long Seed(LayerSpec spec)
        => spec.Find("Seed") is { } s ? (s.Text is { } t ? long.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : (long)s.Number) : -1;

    /// <summary>The padding mask reaching input <paramref name="k"/> (nonzero = keep), or an empty span.</summary>
    public static Operand Mask(LayerNode node, LoweringContext c, int k)
        => node.UsesMask && k < node.SourceMasks.Length && node.SourceMasks[k] >= 0 ? c.MaskStartedBy(node.SourceMasks[k]) : Empty;

    public const string ScoresHint = "its attention scores are an output only with ReturnAttentionScores = true";
}

internal sealed class MultiHeadAttentionNode : LayerNode
{
    private readonly int _heads, _keyDim, _valueDim, _outputDim, _t, _s, _dq, _dk, _dv;

    /// <summary>
    /// Positions per sample of the axes outside the attention axes (Keras <c>attention_axes</c> naming only the last
    /// ones): attention runs separately for each, lowered as that many times the samples over the same memory.
    /// </summary>
    private readonly int _outer, _outerAxes;
    private readonly bool _useBias, _causal;
    private readonly double _rate;
    private readonly long _seed;
    private readonly bool _returnScores;

    /// <summary>Whether the last source is Keras' attention_mask (query positions, key positions), read but not differentiated.</summary>
    private readonly bool _attentionMask;

    /// <summary>The number of sources that are query, value and key (all but an attention mask).</summary>
    private readonly int _roles;

    public MultiHeadAttentionNode(LayerSpec spec, string name, IReadOnlyList<Shape> sources, Shape output, int heads, int keyDim, int valueDim,
        int outputDim, bool useBias, bool causal, double rate, long seed, bool returnScores, int outerAxes, bool attentionMask)
        : base(spec, name, sources, output)
    {
        _attentionMask = attentionMask;
        _roles = sources.Count - (attentionMask ? 1 : 0);
        var inputs = sources.Take(_roles).ToList();
        _returnScores = returnScores;
        _heads = heads;
        _keyDim = keyDim;
        _valueDim = valueDim;
        _outputDim = outputDim;
        _useBias = useBias;
        _causal = causal;
        _rate = rate;
        _seed = seed;
        var q = inputs[0];
        var v = inputs.Count > 1 ? inputs[1] : q;
        var k = inputs.Count > 2 ? inputs[2] : v;
        _outerAxes = outerAxes;
        var outer = q.Dims.Take(outerAxes).ToArray();
        _outer = outer.Aggregate(1, (a, b) => a * b);
        _t = q.LeadingSize / _outer;
        _s = v.LeadingSize / _outer;
        _dq = q.Last;
        _dv = v.Last;
        _dk = k.Last;
        // Keras' scores: (other axes..., heads, query positions..., key positions...), the probabilities before dropout.
        Ports = returnScores
            ? new[] { ("scores", new Shape(outer.Concat(new[] { heads }).Concat(q.Dims.Skip(outerAxes).Take(q.Rank - 1 - outerAxes)).Concat(v.Dims.Skip(outerAxes).Take(v.Rank - 1 - outerAxes)).ToArray())) }
            : System.Array.Empty<(string, Shape)>();
    }

    /// <summary>The attention scores, read as <c>"name:scores"</c> (a port node aliases the layer's "scores" buffer).</summary>
    public override IReadOnlyList<(string Port, Shape Shape)> Ports { get; }

    public override string PortsHint => _returnScores ? "its only extra output is 'scores'" : AttentionArguments.ScoresHint;

    public override string KerasClass => "MultiHeadAttention";

    public override string Description
        => $"MultiHeadAttention(heads={Literals.Int(_heads)}, key_dim={Literals.Int(_keyDim)}"
            + (_valueDim != _keyDim ? $", value_dim={Literals.Int(_valueDim)}" : "")
            + (_outputDim != _dq ? $", output_shape={Literals.Int(_outputDim)}" : "")
            + (_useBias ? "" : ", no bias")
            + (_causal ? ", causal" : "")
            + (_rate > 0 ? $", dropout={_rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" : "")
            + (_seed >= 0 ? $", seed={Literals.Int(_seed)}" : "") + (_returnScores ? ", scores" : "")
            + (_outerAxes > 0 ? $", attention_axes=[{string.Join(", ", Enumerable.Range(_outerAxes + 1, InputShapes[0].Rank - 1 - _outerAxes).Select(a => Literals.Int(a)))}]" : "")
            + (_attentionMask ? ", attention_mask" : "") + ")";

    /// <summary>Uses the masks reaching query, value and key; the output carries the query's mask (Keras).</summary>
    public override MaskUse MaskUse => MaskUse.ConsumesAndPropagates;

    /// <summary>Which input (index into the sources) plays query (0), value (1) and key (2).</summary>
    private int Source(int role) => role switch
    {
        0 => 0,
        1 => System.Math.Min(1, _roles - 1),
        _ => _roles > 2 ? 2 : System.Math.Min(1, _roles - 1),
    };

    private int Stride => _useBias ? 2 : 1;

    private ParameterDecl Kernel(int projection) => Parameters[projection * Stride];

    private Operand Bias(int projection) => _useBias ? Param(Parameters[projection * Stride + 1]) : Empty;

    private Operand BiasGrad(int projection) => _useBias ? Grad(Parameters[projection * Stride + 1]) : EmptyOut;

    // Projections in Keras order: 0 query, 1 key, 2 value, 3 attention_output.
    private (int Rows, int In, int Out) Sizes(int projection) => projection switch
    {
        0 => (_t, _dq, _heads * _keyDim),
        1 => (_s, _dk, _heads * _keyDim),
        2 => (_s, _dv, _heads * _valueDim),
        _ => (_t, _heads * _valueDim, _outputDim),
    };

    /// <summary>The source index of projection 0..2's input (query, key, value).</summary>
    private int ProjectionSource(int projection) => Source(projection switch { 0 => 0, 1 => 2, _ => 1 });

    private Tensor Q(LoweringContext c) => c.Scratch("q", _t * _heads * _keyDim, new Shape(_t, _heads, _keyDim));

    private Tensor K(LoweringContext c) => c.Scratch("k", _s * _heads * _keyDim, new Shape(_s, _heads, _keyDim));

    private Tensor V(LoweringContext c) => c.Scratch("v", _s * _heads * _valueDim, new Shape(_s, _heads, _valueDim));

    private Tensor Core(LoweringContext c) => c.Scratch("core", _t * _heads * _valueDim, new Shape(_t, _heads, _valueDim));

    /// <summary>The softmax probabilities: the scores output when it is returned, else a buffer of the layer.</summary>
    private Tensor Probabilities(LoweringContext c) => c.Scratch(_returnScores ? "scores" : "probabilities", _heads * _t * _s, new Shape(_heads, _t, _s));

    private Tensor DropoutMask(LoweringContext c) => c.Scratch("dropout_mask", _heads * _t * _s, new Shape(_heads, _t, _s));

    private Operand[] CoreSizes => new[] { Batch, Int(_t), Int(_s), Int(_heads), Int(_keyDim), Int(_valueDim) };

    private Operand[] Masks(LoweringContext c, IReadOnlyList<Tensor> xs)
        => new[] { _attentionMask ? xs[_roles] : Empty, AttentionArguments.Mask(this, c, Source(0)), AttentionArguments.Mask(this, c, Source(1)), AttentionArguments.Mask(this, c, Source(2)), BoolArg.Of(_causal) };

    private static Operand[] Join(params Operand[][] parts) => parts.SelectMany(p => p).ToArray();

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => Lower(c, xs, y, training: false);

    /// <summary>Attention dropout is off in inference mode (gradients with <c>training: false</c> too).</summary>
    public override bool DependsOnTrainingMode => _rate > 0;

    public override void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => Lower(c, xs, y, training: !c.InferenceMode);

    private void Lower(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y, bool training)
    {
        // Axes outside the attention axes: each of their positions is a sample of its own (the memory is the same).
        c.BatchScale = _outer;
        LowerScaled(c, xs, y, training);
        c.BatchScale = 1;
    }

    private void LowerScaled(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y, bool training)
    {
        var projected = new[] { Q(c), K(c), V(c) };
        for (int p = 0; p < 3; p++)
        {
            var (rows, inputs, units) = Sizes(p);
            c.Call(KnownKernels.MultiHeadProjection, xs[ProjectionSource(p)], Param(Kernel(p)), Bias(p), Out(projected[p]), Times(rows), Int(inputs), Int(units));
        }
        Operand dropout = Empty;
        if (training && _rate > 0)
        {
            var mask = DropoutMask(c);
            c.Call(KnownKernels.AttentionDropoutMask, Out(mask), Float(_rate), c.Rng(_seed));
            dropout = mask;
        }
        var core = Core(c);
        c.Call(KnownKernels.MultiHeadForward, Join(
            new Operand[] { projected[0], projected[1], projected[2] }, Masks(c, xs),
            new Operand[] { dropout, Out(core), Out(Probabilities(c)), c.Workspace(KnownKernels.MultiHeadForwardScratchSize, Int(_t), Int(_s), Int(_keyDim), Int(_valueDim)) },
            CoreSizes));
        var (r, i, u) = Sizes(3);
        c.Call(KnownKernels.MultiHeadProjection, core, Param(Kernel(3)), Bias(3), Out(y), Times(r), Int(i), Int(u));
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        c.BatchScale = _outer;
        LowerBackwardScaled(c, a);
        c.BatchScale = 1;
    }

    private void LowerBackwardScaled(LoweringContext c, BackwardArgs a)
    {
        var core = Core(c);
        var (r, i, u) = Sizes(3);
        c.Call(KnownKernels.DenseBackwardWeights, core, a.Dy, Grad(Kernel(3)), BiasGrad(3), Times(r), Int(i), Int(u));
        var dCore = c.Scratch("d_core", _t * _heads * _valueDim, new Shape(_t, _heads, _valueDim));
        c.Call(KnownKernels.DenseBackwardInput, a.Dy, Param(Kernel(3)), Out(dCore), Times(r), Int(i), Int(u));
        var dq = c.Scratch("d_q", _t * _heads * _keyDim, new Shape(_t, _heads, _keyDim));
        var dk = c.Scratch("d_k", _s * _heads * _keyDim, new Shape(_s, _heads, _keyDim));
        var dv = c.Scratch("d_v", _s * _heads * _valueDim, new Shape(_s, _heads, _valueDim));
        Operand dropout = _rate > 0 && !c.InferenceMode ? DropoutMask(c) : Empty;
        c.Call(KnownKernels.MultiHeadBackward, Join(
            new Operand[] { Q(c), K(c), V(c) }, Masks(c, a.Xs),
            new Operand[] { dropout, Probabilities(c), dCore, c.ScratchOf(this, "d_scores") is { } dScores ? dScores : Empty, Out(dq), Out(dk), Out(dv),
                c.Workspace(KnownKernels.MultiHeadBackwardScratchSize, Int(_t), Int(_s), Int(_keyDim), Int(_valueDim)) },
            CoreSizes));
        // The attention mask is not differentiable (Keras takes no gradient through it): its source gets zeros (before the
        // projections' input gradients, which overwrite them should the same value also be a query, value or key).
        if (_attentionMask && a.Dxs[_roles] is { } dMask)
            c.Call(KnownKernels.MaskingZero, Out(dMask), Times(InputShapes[_roles].Size));
        var dProjected = new[] { dq, dk, dv };
        var written = new bool[a.Dxs.Count];
        for (int p = 0; p < 3; p++)
        {
            var (rows, inputs, units) = Sizes(p);
            int source = ProjectionSource(p);
            c.Call(KnownKernels.DenseBackwardWeights, a.Xs[source], dProjected[p], Grad(Kernel(p)), BiasGrad(p), Times(rows), Int(inputs), Int(units));
            if (a.Dxs[source] is not { } dx) continue;
            // An input playing several roles (self-attention: query = key = value) gets the sum of their gradients.
            if (!written[source])
            {
                c.Call(KnownKernels.DenseBackwardInput, dProjected[p], Param(Kernel(p)), Out(dx), Times(rows), Int(inputs), Int(units));
                written[source] = true;
                continue;
            }
            var part = c.Scratch("d_x" + p, rows * inputs, new Shape(InputShapes[source].Dims.Skip(_outerAxes).ToArray()));
            c.Call(KnownKernels.DenseBackwardInput, dProjected[p], Param(Kernel(p)), Out(part), Times(rows), Int(inputs), Int(units));
            c.Accumulate(dx, part);
        }
    }
}
