using System.Collections.Generic;

namespace NetGen.Generator.Layers;

/// <summary>Maps attribute names to layer kinds. Adding a layer means adding its file and one line here.</summary>
internal static class LayerRegistry
{
    private static readonly Dictionary<string, LayerKind> s_kinds = Create(
        new DenseKind(),
        new ActivationKind(),
        new FlattenKind(),
        new ReshapeKind(),
        new DropoutKind());

    private static Dictionary<string, LayerKind> Create(params LayerKind[] kinds)
    {
        var map = new Dictionary<string, LayerKind>();
        foreach (var kind in kinds) map.Add(kind.AttributeName, kind);
        return map;
    }

    public static LayerKind? Find(string attributeName) => s_kinds.TryGetValue(attributeName, out var kind) ? kind : null;

    public static IEnumerable<string> AttributeNames => s_kinds.Keys;
}
