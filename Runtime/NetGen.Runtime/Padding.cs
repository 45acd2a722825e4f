// Compiled into the runtime (public NetGen.Padding) and into the source generator (internal, its own namespace), so
// the generator reads the enum's members instead of keeping a copy of them.
#if NETGEN_GENERATOR
namespace NetGen.Generator.Shared;
#else
namespace NetGen;
#endif

/// <summary>Padding modes of convolution and pooling layers (Keras <c>padding=</c>).</summary>
#if NETGEN_GENERATOR
internal
#else
public
#endif
    enum Padding
{
    /// <summary>No padding: <c>out = floor((n − k_eff)/s) + 1</c>.</summary>
    Valid = 0,
    /// <summary>Zero padding so that <c>out = ceil(n/s)</c>; an odd total pads one more after than before.</summary>
    Same = 1,
    /// <summary>Conv1D only: <c>d·(k−1)</c> zeros before, none after, so no output sees the future.</summary>
    Causal = 2,
}
