using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Planning;

/// <summary>Where every tensor of a program lives: an offset (floats per sample) into its arena, and each arena's size.</summary>
internal sealed class MemoryPlan
{
    private readonly Dictionary<int, int> _offsets;

    private readonly HashSet<int> _conditional;

    public MemoryPlan(Dictionary<int, int> offsets, int activationsPerSample, int gradientsPerSample, int inputGradientExtraPerSample, HashSet<int> conditional)
    {
        _offsets = offsets;
        _conditional = conditional;
        ActivationsPerSample = activationsPerSample;
        GradientsPerSample = gradientsPerSample;
        InputGradientExtraPerSample = inputGradientExtraPerSample;
    }

    /// <summary>Floats per sample of the activation arena (inference's <c>a</c>, training's <c>t</c>).</summary>
    public int ActivationsPerSample { get; }

    /// <summary>Floats per sample of the training gradient arena <c>g</c> when no input gradient is asked for.</summary>
    public int GradientsPerSample { get; }

    /// <summary>
    /// Floats per sample the gradient arena needs beyond <see cref="GradientsPerSample"/> when a gradient with respect to an
    /// input is asked for: the buffers only that gradient uses are placed after the others.
    /// </summary>
    public int InputGradientExtraPerSample { get; }

    /// <summary>Whether <paramref name="t"/> is used only for the gradient with respect to an input (and may lie beyond <see cref="GradientsPerSample"/>).</summary>
    public bool IsConditional(Tensor t) => _conditional.Contains(t.Id);

    /// <summary>The tensor's offset in its arena (per sample); external tensors have none.</summary>
    public int Offset(Tensor t) => _offsets[t.Id];

    public bool IsPlanned(Tensor t) => _offsets.ContainsKey(t.Id);
}

/// <summary>
/// Liveness over a program's operations, then offsets. Each tensor lives from the first to the last operation that
/// mentions it (to the end when it is read after the program). Tensors joined by an alias share memory; a tensor with
/// a reuse hint shares its source's memory when the source dies where it is born. Then every group of shared memory is
/// placed greedily, largest first, at the lowest offset clear of every placed group whose lifetime overlaps its own.
/// No text is involved: the printer reads offsets from the plan.
/// </summary>
internal static class Planner
{
    public static MemoryPlan Plan(Program program)
    {
        var ops = program.Operations;
        int end = ops.Count;
        var first = new Dictionary<int, int>();
        var last = new Dictionary<int, int>();
        for (int i = 0; i < ops.Count; i++)
        {
            foreach (var a in ops[i].Operands.OfType<TensorArg>())
            {
                if (!first.ContainsKey(a.Tensor.Id)) first[a.Tensor.Id] = i;
                last[a.Tensor.Id] = i;
            }
        }
        foreach (var t in program.Tensors)
            if (t.LiveOut && first.ContainsKey(t.Id)) last[t.Id] = end;

        // Groups of tensors sharing memory (union-find), with the group's lifetime.
        var parent = program.Tensors.ToDictionary(t => t.Id, t => t.Id);
        int Root(int id)
        {
            while (parent[id] != id) id = parent[id] = parent[parent[id]];
            return id;
        }
        var born = new Dictionary<int, int>(first);
        var dies = new Dictionary<int, int>(last);
        var external = new HashSet<int>(program.Tensors.Where(t => t.Arena == Arena.External).Select(t => t.Id));
        void Join(int a, int b)
        {
            int ra = Root(a), rb = Root(b);
            if (ra == rb) return;
            parent[rb] = ra;
            born[ra] = System.Math.Min(born[ra], born[rb]);
            dies[ra] = System.Math.Max(dies[ra], dies[rb]);
            if (external.Contains(rb)) external.Add(ra);
        }
        foreach (var op in ops)
            if (op is AliasOp alias && first.ContainsKey(alias.To.Tensor.Id)) Join(alias.From.Tensor.Id, alias.To.Tensor.Id);
        // Reuse hints, in program order: the source's memory must die exactly where the tensor is born.
        foreach (var t in program.Tensors)
        {
            if (t.ReuseOf is not { } source || !first.ContainsKey(t.Id) || !first.ContainsKey(source.Id)) continue;
            int rs = Root(source.Id);
            if (external.Contains(rs) || source.PerSample != t.PerSample || source.Arena != t.Arena) continue;
            if (dies[rs] == first[t.Id]) Join(source.Id, t.Id);
        }

        // Groups only the gradient with respect to an input uses (every operation mentioning them runs only when that
        // gradient is asked for): placed after the others, so a training step that does not ask needs less memory.
        var always = new HashSet<int>();
        foreach (var op in ops)
            if (op.OnlyWhenGiven is null && op is not AliasOp)
                foreach (var a in op.Operands.OfType<TensorArg>())
                    always.Add(Root(a.Tensor.Id));
        var conditionalRoots = new HashSet<int>(program.Tensors.Where(t => first.ContainsKey(t.Id)).Select(t => Root(t.Id)).Where(r => !always.Contains(r)));

        var offsets = new Dictionary<int, int>();
        int activations = Place(program, Arena.Activations, first, Root, born, dies, external, offsets, new HashSet<int>()).All;
        var (gradients, withInputGradients) = Place(program, Arena.Gradients, first, Root, born, dies, external, offsets, conditionalRoots);
        var conditional = new HashSet<int>(program.Tensors.Where(t => t.Arena == Arena.Gradients && offsets.ContainsKey(t.Id) && conditionalRoots.Contains(Root(t.Id))).Select(t => t.Id));
        return new MemoryPlan(offsets, activations, gradients, withInputGradients - gradients, conditional);
    }

    /// <summary>
    /// Places the groups of <paramref name="arena"/>, those in <paramref name="later"/> after all others; returns the high
    /// water mark before the later groups and after them.
    /// </summary>
    private static (int Always, int All) Place(Program program, Arena arena, Dictionary<int, int> mentioned, System.Func<int, int> root,
        Dictionary<int, int> born, Dictionary<int, int> dies, HashSet<int> external, Dictionary<int, int> offsets, HashSet<int> later)
    {
        // One buffer per group: its size is the largest member's.
        var groups = new Dictionary<int, int>();
        foreach (var t in program.Tensors)
        {
            if (t.Arena != arena || !mentioned.ContainsKey(t.Id)) continue;
            int r = root(t.Id);
            if (external.Contains(r)) continue;
            groups[r] = System.Math.Max(groups.TryGetValue(r, out var s) ? s : 0, t.PerSample);
        }
        var placed = new List<(int Root, int Start, int End)>();
        int highWater = 0, always = 0;
        bool laterStarted = false;
        foreach (var g in groups.Keys.OrderBy(r => later.Contains(r)).ThenByDescending(r => groups[r]).ThenBy(r => born[r]).ThenBy(r => r))
        {
            if (!laterStarted && later.Contains(g))
            {
                laterStarted = true;
                always = highWater;
            }
            int size = groups[g];
            var clashes = placed.Where(p => born[p.Root] <= dies[g] && born[g] <= dies[p.Root]).OrderBy(p => p.Start);
            int offset = 0;
            foreach (var (_, start, stop) in clashes)
            {
                if (start >= offset + size) break;
                offset = System.Math.Max(offset, stop);
            }
            placed.Add((g, offset, offset + size));
            highWater = System.Math.Max(highWater, offset + size);
        }
        if (!laterStarted) always = highWater;
        var at = placed.ToDictionary(p => p.Root, p => p.Start);
        foreach (var t in program.Tensors)
            if (t.Arena == arena && mentioned.ContainsKey(t.Id) && at.TryGetValue(root(t.Id), out var o)) offsets[t.Id] = o;
        return (always, highWater);
    }
}
