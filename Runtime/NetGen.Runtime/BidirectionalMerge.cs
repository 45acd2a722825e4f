// Compiled into the runtime (public NetGen.BidirectionalMerge) and into the source generator (internal, its own
// namespace), so the generator reads and prints the enum's members instead of keeping a copy of them.
#if NETGEN_GENERATOR
namespace NetGen.Generator.Shared;
#else
namespace NetGen;
#endif

/// <summary>
/// Keras <c>Bidirectional(merge_mode)</c> for a recurrent layer (LAYERS.md §8.1): how the forward direction's output
/// and the backward direction's output (flipped back into input time order when sequences are returned) combine.
/// </summary>
#if NETGEN_GENERATOR
internal
#else
public
#endif
    enum BidirectionalMerge
{
    /// <summary>Not bidirectional (the default).</summary>
    None = 0,
    /// <summary>Concatenated on the last axis, forward first: 2·units.</summary>
    Concat = 1,
    /// <summary>Summed.</summary>
    Sum = 2,
    /// <summary>Multiplied element-wise.</summary>
    Mul = 3,
    /// <summary>Averaged.</summary>
    Ave = 4,
    /// <summary>
    /// Keras <c>merge_mode=None</c>: not merged. The layer's output is the forward direction's; the ports
    /// <c>"name:forward"</c> (the same values) and <c>"name:backward"</c> (the backward direction's, flipped back into input
    /// time order when sequences are returned) give both, as Keras' two outputs.
    /// </summary>
    Separate = 5,
}
