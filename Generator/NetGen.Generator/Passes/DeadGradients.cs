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
internal static class DeadGradients
{
    public static void Run(Program program)
    {
        var groups = new AliasGroups(program);
        var live = new HashSet<int>(program.Tensors.Where(t => t.LiveOut || t.Arena == Arena.External && t.Writable).Select(groups.Root));
        var ops = program.Operations;
        var kept = new List<Operation>(ops.Count);
        for (int i = ops.Count - 1; i >= 0; i--)
        {
            var op = ops[i];
            var args = op.Operands.OfType<TensorArg>().ToList();
            var writes = args.Where(a => a.Writes).Select(a => groups.Root(a.Tensor)).ToList();
            if (!op.HasSideEffects && writes.Count > 0 && writes.All(w => !live.Contains(w))) continue;
            if (op is LossOp { Gradient: { } gradient } loss && !live.Contains(groups.Root(gradient.Tensor))) loss.Gradient = null;
            foreach (var a in op.Operands.OfType<TensorArg>().Where(a => !a.Writes || op is AccumulateOp))
                live.Add(groups.Root(a.Tensor));
            // An in-place operation reads what it writes.
            foreach (var a in args.Where(a => a.Writes && args.Any(r => !r.Writes && r.Tensor == a.Tensor))) live.Add(groups.Root(a.Tensor));
            kept.Add(op);
        }
        kept.Reverse();
        ops.Clear();
        ops.AddRange(DropEmptyHeadings(kept));
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
