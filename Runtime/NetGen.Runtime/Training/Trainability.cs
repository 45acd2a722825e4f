using System;
using System.Collections.Generic;
using System.ComponentModel;

namespace NetGen.Training;

/// <summary>Which weights train: the generated networks' <c>TrainableWeights</c> and <c>SetTrainable</c>. For generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Trainability
{
    /// <summary>The flags a new network starts with: what each weight's declaration says.</summary>
    public static bool[] Initial(IReadOnlyList<ParameterInfo> layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var flags = new bool[layout.Count];
        for (int i = 0; i < flags.Length; i++) flags[i] = layout[i].DeclaredTrainable;
        return flags;
    }

    /// <summary>Sets the flags of every weight of <paramref name="layer"/>; see <see cref="INetwork.SetTrainable"/>.</summary>
    public static void Set(IReadOnlyList<LayerInfo> layers, IReadOnlyList<ParameterInfo> layout, Span<bool> flags, string layer, bool trainable)
    {
        ArgumentNullException.ThrowIfNull(layer);
        LayerInfo? found = null;
        foreach (var l in layers)
            if (l.Name == layer) found = l;
        if (found is null) throw LayerLookup.Unknown(layer, layers, nameof(layer));
        if (trainable && !found.DeclaredTrainable)
            throw new InvalidOperationException($"Layer '{layer}' is declared Trainable = false: no gradient code was generated for its weights, so it cannot be unfrozen at run time. Remove Trainable = false from its attribute and freeze it with SetTrainable instead.");
        for (int i = 0; i < layout.Count; i++)
            if (layout[i].Layer == layer) flags[i] = trainable;
    }

    /// <summary>Whether <paramref name="layer"/> is frozen now: it has weights and none of them trains.</summary>
    internal static bool IsFrozen(INetwork network, string layer)
    {
        var flags = network.TrainableWeights;
        if (flags.IsEmpty) return false;
        bool any = false;
        var layout = network.ParameterLayout;
        for (int i = 0; i < layout.Count; i++)
        {
            if (layout[i].Layer != layer) continue;
            if (flags[i]) return false;
            any = true;
        }
        return any;
    }
}
