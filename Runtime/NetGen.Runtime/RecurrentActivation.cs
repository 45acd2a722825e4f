// Compiled into the runtime (public NetGen.RecurrentActivation) and into the source generator (internal, its own
// namespace), so the generator reads and prints the enum's members instead of keeping a copy of them.
#if NETGEN_GENERATOR
namespace NetGen.Generator.Shared;
#else
namespace NetGen;
#endif

/// <summary>
/// The activations a recurrent cell may use for <c>activation</c> and <c>recurrent_activation</c> (Keras 3 names and
/// formulas, LAYERS.md §3 and §8). Every derivative is a function of the activation's output, which is what the
/// recurrent kernels keep for backpropagation through time.
/// </summary>
#if NETGEN_GENERATOR
internal
#else
public
#endif
    enum RecurrentActivation
{
    /// <summary>Hyperbolic tangent (Keras' default <c>activation</c>).</summary>
    Tanh = 0,
    /// <summary><c>1/(1+e^-x)</c> (Keras' default <c>recurrent_activation</c>).</summary>
    Sigmoid = 1,
    /// <summary><c>max(x, 0)</c>; derivative 0 at 0.</summary>
    Relu = 2,
    /// <summary>Identity.</summary>
    Linear = 3,
    /// <summary>Keras 3 <c>hard_sigmoid</c>: <c>clip(x/6 + 1/2, 0, 1)</c> (same as PyTorch's Hardsigmoid).</summary>
    HardSigmoid = 4,
    /// <summary>Keras 2 / tfjs <c>hard_sigmoid</c>: <c>clip(0.2·x + 1/2, 0, 1)</c>, for models saved by Keras 2 (Keras 1's recurrent default).</summary>
    HardSigmoidKeras2 = 5,
}
