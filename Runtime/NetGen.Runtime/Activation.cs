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
    /// <summary><c>e^x</c> (Keras' <c>exponential</c>).</summary>
    Exponential = 11,
    /// <summary>Keras 3 <c>hard_sigmoid</c>: <c>relu6(x + 3)/6</c> = <c>clip(x/6 + 0.5, 0, 1)</c> (Keras 2 used 0.2·x + 0.5).</summary>
    HardSigmoid = 12,
    /// <summary><c>x·hard_sigmoid(x)</c> (Keras' <c>hard_silu</c>, alias <c>hard_swish</c>).</summary>
    HardSilu = 13,
    /// <summary><c>x/(1 + |x|)</c>.</summary>
    Softsign = 14,
    /// <summary><c>min(max(x, 0), 6)</c>.</summary>
    Relu6 = 15,
    /// <summary><c>x·tanh(softplus(x))</c>.</summary>
    Mish = 16,
    /// <summary>Log of the softmax along the last axis, <c>x − log Σ e^x</c> (computed stably). Not fused with a loss: a
    /// cross-entropy expects probabilities, so train with <see cref="Softmax"/> or a linear output instead.</summary>
    LogSoftmax = 17,
    /// <summary><c>x·σ(x)</c>: Keras' name for <see cref="Swish"/> (the same function and kernels).</summary>
    Silu = 18,
    /// <summary>GELU's tanh approximation, Keras' <c>gelu(x, approximate=True)</c>:
    /// <c>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>. <see cref="Gelu"/> is the exact form.</summary>
    GeluTanh = 19,
}
