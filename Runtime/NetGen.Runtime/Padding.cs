namespace NetGen;

/// <summary>Padding modes of convolution and pooling layers (Keras <c>padding=</c>).</summary>
public enum Padding
{
    /// <summary>No padding: <c>out = floor((n − k_eff)/s) + 1</c>.</summary>
    Valid = 0,
    /// <summary>Zero padding so that <c>out = ceil(n/s)</c>; an odd total pads one more after than before.</summary>
    Same = 1,
    /// <summary>Conv1D only: <c>d·(k−1)</c> zeros before, none after, so no output sees the future.</summary>
    Causal = 2,
}
