// Compiled into the runtime (public NetGen.Loss) and into the source generator (internal, its own namespace), so
// the generator reads the enum's members instead of keeping a copy of them.
#if NETGEN_GENERATOR
namespace NetGen.Generator.Shared;
#else
namespace NetGen;
#endif

/// <summary>
/// Training losses (Keras semantics: per-sample loss, then the mean over the batch). When the output layer
/// ends in softmax (or sigmoid) and the loss is a categorical (or binary) cross-entropy, training fuses the two
/// into the numerically stable logits form: the gradient reaching the logits is exactly <c>(p - y)/batch</c>.
/// </summary>
#if NETGEN_GENERATOR
internal
#else
public
#endif
    enum Loss
{
    /// <summary>Mean over the last axis of <c>(ŷ - y)²</c>.</summary>
    MeanSquaredError = 0,
    /// <summary><c>-Σ y·log p</c> over the class axis; targets are one-hot (or soft) vectors.</summary>
    CategoricalCrossentropy = 1,
    /// <summary>As <see cref="CategoricalCrossentropy"/> with integer class ids as targets (one float per row).</summary>
    SparseCategoricalCrossentropy = 2,
    /// <summary>Mean over the last axis of <c>-(y·log p + (1-y)·log(1-p))</c>.</summary>
    BinaryCrossentropy = 3,
}
