// Compiled into the runtime (public NetGen.Activation) and into the source generator (internal, its own namespace), so
// the generator reads the enum's members instead of keeping a copy of them.
#if NETGEN_GENERATOR
namespace NetGen.Generator.Shared;
#else
namespace NetGen;
#endif

/// <summary>Activation functions, with Keras 3 defaults.</summary>
#if NETGEN_GENERATOR
internal
#else
public
#endif
    enum Activation
{
    /// <summary>Identity.</summary>
    Linear = 0,
    /// <summary><c>max(x, 0)</c>; derivative at 0 is 0.</summary>
    Relu = 1,
    /// <summary><c>1/(1+e^-x)</c>.</summary>
    Sigmoid = 2,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 3,
    /// <summary>Softmax along the last axis.</summary>
    Softmax = 4,
    /// <summary><c>x</c> if x &gt; 0 else <c>0.2·x</c> (Keras' <c>leaky_relu</c> activation default).</summary>
    LeakyRelu = 5,
    /// <summary><c>x</c> if x ≥ 0 else <c>e^x - 1</c>.</summary>
    Elu = 6,
    /// <summary>Scaled ELU, λ = 1.0507009873554805, α = 1.6732632423543772.</summary>
    Selu = 7,
    /// <summary><c>x·σ(x)</c> (also called SiLU).</summary>
    Swish = 8,
    /// <summary><c>log(1 + e^x)</c>, computed stably.</summary>
    Softplus = 9,
    /// <summary>Exact GELU, <c>x·Φ(x)</c> with the erf form (Keras' <c>gelu</c> activation default).</summary>
    Gelu = 10,
}
