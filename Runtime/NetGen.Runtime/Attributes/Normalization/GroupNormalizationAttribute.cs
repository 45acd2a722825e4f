using System;

namespace NetGen;

/// <summary>Keras <c>GroupNormalization</c>: per sample, normalises each of <c>groups</c> contiguous channel blocks over all positions; weights γ, β per channel.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GroupNormalizationAttribute : NormalizationLayerAttribute
{
    /// <summary>Declares group normalization with <paramref name="groups"/> groups (−1: one per channel).</summary>
    public GroupNormalizationAttribute(int groups = 32) => Groups = groups;

    /// <summary>Number of channel groups; must divide the channel count.</summary>
    public int Groups { get; }
}
