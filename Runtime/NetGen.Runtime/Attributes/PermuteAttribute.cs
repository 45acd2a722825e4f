using System;

namespace NetGen;

/// <summary>
/// Keras <c>Permute(dims)</c>: reorders the per-sample axes; <c>dims</c> is a permutation of 1..rank
/// (1-based, as in Keras): output axis k is input axis <c>dims[k − 1]</c>, so <c>[Permute(2, 1)]</c> maps (T, F) to (F, T).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PermuteAttribute : LayerAttribute
{
    /// <summary>Declares the permutation.</summary>
    public PermuteAttribute(params int[] dims) => Dims = dims;

    /// <summary>The 1-based permutation of the per-sample axes.</summary>
    public int[] Dims { get; }
}
