using System.Collections.Generic;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Passes;

/// <summary>Tensors that are one memory under several names (joined by <see cref="AliasOp"/>): a union-find over tensor ids.</summary>
internal sealed class AliasGroups
{
    private readonly Dictionary<int, int> _parent = new();

    public AliasGroups(Program program)
    {
        foreach (var op in program.Operations)
            if (op is AliasOp a) Join(a.From.Tensor.Id, a.To.Tensor.Id);
    }

    public int Root(int id)
    {
        while (_parent.TryGetValue(id, out var p) && p != id) id = p;
        return id;
    }

    public int Root(Tensor t) => Root(t.Id);

    private void Join(int a, int b)
    {
        int ra = Root(a), rb = Root(b);
        if (ra != rb) _parent[rb] = ra;
    }
}
