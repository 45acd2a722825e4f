using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>Options of <see cref="SafetensorsExtensions.LoadSafetensors"/> and <see cref="SafetensorsExtensions.SaveSafetensors"/>.</summary>
public sealed class SafetensorsOptions
{
    /// <summary>Keras (default) or PyTorch state_dict names and layouts.</summary>
    public SafetensorsNaming Naming { get; init; } = SafetensorsNaming.Keras;

    /// <summary>PyTorch only: the module name of each NetGen layer that has weights, in layer order (e.g. <c>conv1, conv2, fc1, fc2</c>).</summary>
    public IReadOnlyList<string>? ModuleNames { get; init; }

    /// <summary>
    /// PyTorch only: Dense layers that read a flattened channels-first tensor (PyTorch's <c>flatten</c> of (C, H, W)
    /// features), by NetGen layer name, with the channels-last shape NetGen flattens, e.g. <c>["dense"] = (5, 5, 64)</c>:
    /// the kernel rows are reordered from (C, H, W) order to NetGen's (H, W, C).
    /// </summary>
    public IReadOnlyDictionary<string, int[]>? FlattenedChannelsLast { get; init; }
}
