using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Printing;

/// <summary>
/// Prints one planned program as statements: every tensor becomes a named local declared where it is first used
/// (<c>var dense_1 = a.Slice(0, n * 64);  // (n, 64)</c>), then each operation becomes a call.
/// </summary>
internal sealed class OperationPrinter
{
    /// <summary>Locals and parameters of the generated methods that tensor names must not take.</summary>
    private static readonly string[] s_reserved =
    {
        "x", "y", "n", "p", "dp", "st", "a", "t", "g", "input", "target", "output", "loss", "lossValue", "batchSize", "fused",
        "start", "rows", "sparse", "targetRow", "targetAt", "samples", "chunk", "ids", "workspace", "all",
    };

    private readonly CodeWriter _w;
    private readonly NetworkGraph _g;
    private readonly Program _program;
    private readonly MemoryPlan _plan;
    private readonly IdentifierTable _members;
    private readonly IdentifierTable _locals;
    private readonly HashSet<int> _declared = new();
    private readonly bool _training;
    private readonly IReadOnlyList<string> _targets;

    public OperationPrinter(CodeWriter w, NetworkGraph g, Program program, MemoryPlan plan, IdentifierTable members, bool training, IReadOnlyList<string> targets)
    {
        _w = w;
        _g = g;
        _program = program;
        _plan = plan;
        _members = members;
        _training = training;
        _targets = targets;
        var reserved = new List<string>(s_reserved);
        // A local named like a member would hide it (CS0844 where the member is read before the local's declaration).
        reserved.AddRange(NetworkPrinter.ReservedMembers);
        reserved.Add("inputGradient");
        for (int i = 0; i < g.Layers.Count; i++) reserved.Add(NetworkLowering.Tap(i));
        for (int i = 0; i < 16; i++) reserved.AddRange(new[] { "x" + i, "y" + i, "input" + i, "target" + i, "fused" + i, "t" + i, "targetLength" + i, "inputGradient" + i, "dx" + i });
        _locals = new IdentifierTable(reserved);
    }

    private string Batch => "n";

    // ------------------------------------------------------------------ the program

    public void PrintBody()
    {
        Operation? previous = null;
        var ops = _program.Operations;
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            if (!_training && op.Layer is null && previous?.Layer is not null) _w.Line();
            switch (op)
            {
                case SectionOp s:
                    PrintSection(s, ops, i);
                    break;
                case LayerStart start:
                    if (!_training) _w.Line();
                    _w.Line(Comment(start.Layer!));
                    if (start.NoCode is not null) _w.Line("// " + start.NoCode);
                    break;
                case LossOp loss:
                    Declare(op);
                    LossPrinter.Print(_w, loss, Operand, _targets[loss.Index], _program.Outputs.Count, Batch);
                    break;
                default:
                    Declare(op);
                    var statement = Statement(op);
                    if (statement is null) break;
                    var conditions = new List<string>();
                    if (op.SkipWhen is { } flag) conditions.Add("!" + LossPrinter.FlagName(flag, _program.Outputs.Count));
                    if (op.OnlyWhenGiven is { } given)
                    {
                        var spans = given.Select(t => $"!{Local(t)}.IsEmpty").ToList();
                        conditions.Add(spans.Count == 1 || conditions.Count == 0 ? string.Join(" || ", spans) : "(" + string.Join(" || ", spans) + ")");
                    }
                    if (conditions.Count > 0)
                    {
                        _w.Line($"if ({string.Join(" && ", conditions)}){(op.OnlyWhenGiven is not null && _training ? "  // only for the gradient with respect to the input" : "")}");
                        using (_w.Indented()) _w.Line(statement);
                    }
                    else _w.Line(statement);
                    break;
            }
            previous = op;
        }
    }

    private void PrintSection(SectionOp s, List<Operation> ops, int at)
    {
        switch (s.Section)
        {
            case Section.Forward:
                _w.Line(_program.InferenceMode ? "// ---------------- forward (training = false: gradients of the inference mode) ----------------" : "// ---------------- forward (training = true) ----------------");
                break;
            case Section.Loss:
                _w.Line();
                _w.Line("// ---------------- loss ----------------");
                _w.Line("float lossValue;");
                break;
            default:
                _w.Line();
                _w.Line("// ---------------- backward ----------------");
                if (at + 1 == ops.Count) _w.Line("// (no layer has weights: nothing to differentiate)");
                break;
        }
    }

    /// <summary>The comment heading a layer's code: name, description, shapes, and in a graph the layers it reads.</summary>
    public static string Comment(NetworkGraph g, LayerNode l)
    {
        var text = $"// {l.Name}: {l.Description}  {string.Join(" + ", l.InputShapes.Select(s => s.ToString()))} -> {l.OutputShape}";
        return g.IsSequential ? text : text + $"  <- {string.Join(", ", l.Sources.Select(g.NameOf))}";
    }

    private string Comment(LayerNode l) => Comment(_g, l);

    /// <summary>Declares the locals of the tensors <paramref name="op"/> mentions first.</summary>
    private void Declare(Operation op)
    {
        if (op is AliasOp) return; // the alias statement declares its target
        foreach (var a in op.Operands.OfType<TensorArg>())
        {
            var t = a.Tensor;
            if (t.Arena == Arena.External || !_plan.IsPlanned(t) || !_declared.Add(t.Id)) continue;
            string arena = t.Arena == Arena.Gradients ? "g" : _training ? "t" : "a";
            string offset = _training ? Literals.Times(Batch, _plan.Offset(t)) : Literals.Int((long)_g.Spec.InferenceBatchCapacity * _plan.Offset(t));
            string slice = $"{arena}.Slice({offset}, {Literals.Times(Batch, t.PerSample)})";
            if (_plan.IsConditional(t) && op.OnlyWhenGiven is { } given)
            {
                // Beyond GradientFloatsPerSample: the arena holds it only when the input gradient is asked for.
                _w.Line($"var {Local(t)} = {string.Join(" || ", given.Select(s => $"!{Local(s)}.IsEmpty"))} ? {slice} : default;  // {Literals.BatchShape(t.Shape, t.PerSample)}, only for the gradient with respect to the input");
                continue;
            }
            _w.Line($"var {Local(t)} = {slice};  // {Literals.BatchShape(t.Shape, t.PerSample)}");
        }
    }

    private string Local(Tensor t) => t.External ?? _locals.Of(t, t.Name);

    private string? Statement(Operation op)
    {
        switch (op)
        {
            case KernelCall k:
                return Call(k) + ";";
            case UserCall u:
                return $"{u.Method}({string.Join(", ", u.Args.Select(Operand))});";
            case CopyOp c:
                return $"{Operand(c.From)}.CopyTo({Operand(c.To)});";
            case ClearOp clear:
                return $"{Operand(clear.Target)}.Clear();  // the loss does not depend on this input";
            case AccumulateOp acc:
                return $"{KnownKernels.Spell(KnownKernels.MergeAdd)}({Operand(acc.Target)}, {Operand(acc.Addend)}, {Operand(acc.Target)});  // sum of the gradients of a tensor read by several layers";
            case AliasOp alias:
            {
                var to = alias.To.Tensor;
                _declared.Add(to.Id);
                string shape = to.Shape is null ? "" : "  // " + Literals.BatchShape(to.Shape, to.PerSample);
                return $"var {Local(to)} = {Operand(alias.From)};{shape}";
            }
            default:
                return null;
        }
    }

    public string Call(KernelCall k) => $"{KnownKernels.Spell(k.Kernel)}({string.Join(", ", k.Args.Select(Operand))})";

    public string Operand(Operand o) => o switch
    {
        TensorArg { Take: { } take } a => $"{Local(a.Tensor)}.Slice(0, {Literals.Int(take)})",
        TensorArg a => Local(a.Tensor),
        WeightArg { Role: WeightRole.Parameter } w => $"p.Slice({Literals.Int(w.Decl.Offset)}, {Literals.Int(w.Decl.Length)})",
        WeightArg { Role: WeightRole.Gradient } w => $"dp.Slice({Literals.Int(w.Decl.Offset)}, {Literals.Int(w.Decl.Length)})",
        WeightArg w => $"st.Slice({Literals.Int(w.Decl.Offset)}, {Literals.Int(w.Decl.Length)})",
        EmptyArg { IsWritable: true } => "global::System.Span<float>.Empty",
        EmptyArg => "global::System.ReadOnlySpan<float>.Empty",
        IntArg { TimesBatch: true } i => Literals.Times(Batch, i.Value),
        IntArg i => Literals.Int(i.Value),
        FloatArg f => Literals.Float(f.Value),
        BoolArg b => b.Value ? "true" : "false",
        BidirectionalMergeArg m => "global::NetGen.BidirectionalMerge." + ((Shared.BidirectionalMerge)m.Value).ToString(),
        RecurrentActivationArg r => "global::NetGen.RecurrentActivation." + ((Shared.RecurrentActivation)r.Value).ToString(),
        GeometryArg geometry => "in " + ResourceNames.Geometry(_members, geometry.Geometry),
        RngArg r => ResourceNames.Rng(_members, r.Source),
        WorkspaceArg => "_workspace",
        Passes.FoldedArg f => $"new global::System.{(f.Writes ? "" : "ReadOnly")}Span<float>(_folded, {Literals.Int(f.Offset)}, {Literals.Int(f.Length)})",
        IntsArg ints => ResourceNames.Ints(_members, ints.Ints),
        ActivationArg act => "global::NetGen.Activation." + ActivationNames.Of(act.Value),
        LiteralArg literal => literal.Text,
        LossKindArg => "loss",
        TargetArg target => _targets[target.Index],
        _ => throw new System.InvalidOperationException("unknown operand " + o.GetType().Name),
    };
}

/// <summary>The class members that operations refer to, named uniquely through the class's <see cref="Names"/>.</summary>
internal static class ResourceNames
{
    public static string Geometry(IdentifierTable members, Geometry g) => members.Of(g, "s_geometry_" + g.Layer);

    public static string Rng(IdentifierTable members, RandomSource r) => members.Of(r, "_rng_" + r.Layer);

    public static string Ints(IdentifierTable members, ConstantInts c) => members.Of(c, c.Name);
}

/// <summary>The names of the runtime's <c>NetGen.Activation</c> members, by value.</summary>
internal static class ActivationNames
{
    public static string Of(int value) => ((Shared.Activation)value).ToString();
}
