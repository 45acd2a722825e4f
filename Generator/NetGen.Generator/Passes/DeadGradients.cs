using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Passes;

/// <summary>
/// Drops gradients nobody reads: an operation without side effects whose every written tensor is read by no later
/// operation (and is not kept after the program) is removed, sweeping backwards so that whole chains go (an input
/// gradient of the first layer, a gradient through layers that depend on no weight). A loss whose output gradient
/// nobody reads stops writing it. Layer headings left without operations in the backward part go too.
/// </summary>
/// <remarks>
/// The gradients with respect to the network inputs (<see cref="Program.InputGradients"/>) are read only when the caller
/// asks for them: the sweep runs once without them and once per input with that input's span live. An operation kept
/// only by the latter sweeps stays, marked <see cref="Operation.OnlyWhenGiven"/> with the spans it serves, and
/// runs only when one of them was asked for: a training step that does not ask costs what it cost before.
/// </remarks>
internal static class DeadGradients
{
    public static void Run(Program program)
    {
        var groups = new AliasGroups(program);
        var sinks = new HashSet<int>(program.InputGradients.Where(t => t is not null).Select(t => groups.Root(t!)));
        var always = new HashSet<int>(program.Tensors.Where(t => t.LiveOut || t.Arena == Arena.External && t.Writable).Select(groups.Root).Where(r => !sinks.Contains(r)));
        var (kept, lossGradients) = Sweep(program, groups, always);
        var serves = new Dictionary<Operation, List<Tensor>>();
        for (int k = 0; k < program.InputGradients.Count; k++)
        {
            if (program.InputGradients[k] is not { } sink) continue;
            var live = new HashSet<int>(always) { groups.Root(sink) };
            var (forInput, lossForInput) = Sweep(program, groups, live);
            lossGradients.UnionWith(lossForInput);
            foreach (var op in forInput)
            {
                if (kept.Contains(op)) continue;
                if (!serves.TryGetValue(op, out var inputs)) serves[op] = inputs = new List<Tensor>();
                inputs.Add(sink);
            }
        }
        var result = new List<Operation>(program.Operations.Count);
        foreach (var op in program.Operations)
        {
            if (serves.TryGetValue(op, out var inputs))
            {
                // An alias is a name, not code: it is declared whatever runs.
                if (op is not AliasOp) op.OnlyWhenGiven = inputs;
            }
            else if (!kept.Contains(op)) continue;
            if (op is LossOp loss && !lossGradients.Contains(loss)) loss.Gradient = null;
            result.Add(op);
        }
        program.Operations.Clear();
        program.Operations.AddRange(DropEmptyHeadings(result));
    }

    /// <summary>The operations a backward sweep keeps when <paramref name="liveAtEnd"/> (alias roots) are read after the program, and the losses whose gradient is read.</summary>
    private static (HashSet<Operation> Kept, HashSet<LossOp> LossGradients) Sweep(Program program, AliasGroups groups, HashSet<int> liveAtEnd)
    {
        var live = new HashSet<int>(liveAtEnd);
        var ops = program.Operations;
        var kept = new HashSet<Operation>();
        var lossGradients = new HashSet<LossOp>();
        for (int i = ops.Count - 1; i >= 0; i--)
        {
            var op = ops[i];
            var args = op.Operands.OfType<TensorArg>().ToList();
            var writes = args.Where(a => a.Writes).Select(a => groups.Root(a.Tensor)).ToList();
            // An operation that writes only the gradients of frozen weights writes no tensor and has no side effect: it goes too.
            if (!op.HasSideEffects && writes.All(w => !live.Contains(w))) continue;
            bool lossGradientRead = op is LossOp { Gradient: { } gradient } && live.Contains(groups.Root(gradient.Tensor));
            if (lossGradientRead) lossGradients.Add((LossOp)op);
            foreach (var a in args.Where(a => !a.Writes || op is AccumulateOp))
                live.Add(groups.Root(a.Tensor));
            // An in-place operation reads what it writes.
            foreach (var a in args.Where(a => a.Writes && args.Any(r => !r.Writes && r.Tensor == a.Tensor))) live.Add(groups.Root(a.Tensor));
            kept.Add(op);
        }
        return (kept, lossGradients);
    }

    private static IEnumerable<Operation> DropEmptyHeadings(List<Operation> ops)
    {
        bool backward = false;
        for (int i = 0; i < ops.Count; i++)
        {
            if (ops[i] is SectionOp s) backward = s.Section == Section.Backward;
            if (backward && ops[i] is LayerStart && (i + 1 == ops.Count || ops[i + 1] is LayerStart)) continue;
            yield return ops[i];
        }
    }
}
