using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;

namespace NetGen.Training;

/// <summary>Errors of the generated members that take a layer by name. For generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LayerLookup
{
    /// <summary>The error for a layer name the network does not have: it lists the names there are.</summary>
    public static ArgumentException Unknown(string? name, IReadOnlyList<LayerInfo> layers, string parameterName)
        => new($"The network has no layer named '{name}'; its layers are {string.Join(", ", layers.Select(l => l.Name))}.", parameterName);
}
