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
    /// <summary>Mean over the last axis of <c>|ŷ − y|</c>.</summary>
    MeanAbsoluteError = 4,
    /// <summary>Keras <c>Huber(delta=1.0)</c>: mean over the last axis of <c>½e²</c> where <c>|e| ≤ 1</c>, else <c>|e| − ½</c> (e = ŷ − y).</summary>
    Huber = 5,
    /// <summary>Keras <c>KLDivergence</c>: <c>Σ y·log(y/ŷ)</c> over the last axis, both clipped to [1e-7, 1].</summary>
    KLDivergence = 6,
    /// <summary>Keras <c>Hinge</c>: mean over the last axis of <c>max(1 − y·ŷ, 0)</c>; 0/1 targets (the whole batch) are mapped to −1/1.</summary>
    Hinge = 7,
    /// <summary>
    /// Keras <c>CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0)</c>: <c>−Σ α(1 − p)^γ·y·log p</c> over the class axis,
    /// p renormalised and clipped as for <see cref="CategoricalCrossentropy"/>.
    /// </summary>
    CategoricalFocalCrossentropy = 8,

    /// <summary>
    /// Keras <c>CategoricalCrossentropy(from_logits=True)</c>: the outputs are logits (a linear last layer), softmax is
    /// taken inside the loss: per row <c>Σ_j y_j·(logsumexp(z) − z_j)</c>, gradient <c>(Σy)·softmax(z) − y</c>, no clipping
    /// (PyTorch's <c>cross_entropy</c> with probability targets). Accuracy reads the logits' argmax.
    /// </summary>
    CategoricalCrossentropyFromLogits = 9,

    /// <summary>
    /// Keras <c>SparseCategoricalCrossentropy(from_logits=True)</c> (PyTorch's <c>cross_entropy</c>): class ids as targets
    /// (one float per output row), logits as outputs; per row <c>logsumexp(z) − z_label</c>.
    /// </summary>
    SparseCategoricalCrossentropyFromLogits = 10,

    /// <summary>
    /// Keras <c>BinaryCrossentropy(from_logits=True)</c> (PyTorch's <c>binary_cross_entropy_with_logits</c>): per element
    /// <c>max(z, 0) − z·y + log(1 + e^−|z|)</c>, averaged over the last axis, then over rows. Keras' "accuracy" still
    /// thresholds the raw outputs at 0.5, as Keras does.
    /// </summary>
    BinaryCrossentropyFromLogits = 11,
}
