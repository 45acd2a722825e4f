// Compiled into the runtime (public NetGen.Initializer) and into the source generator (internal, its own namespace), so
// the generator reads the enum's members instead of keeping a copy of them.
#if NETGEN_GENERATOR
namespace NetGen.Generator.Shared;
#else
namespace NetGen;
#endif

/// <summary>Weight initializers with Keras' default arguments (see Keras' <c>keras.initializers</c>).</summary>
#if NETGEN_GENERATOR
internal
#else
public
#endif
    enum Initializer
{
    /// <summary>U(-L, L), L = sqrt(6/(fan_in + fan_out)).</summary>
    GlorotUniform = 0,
    /// <summary>Normal truncated at ±2σ, σ = sqrt(2/(fan_in + fan_out)) / 0.8796256610342398.</summary>
    GlorotNormal = 1,
    /// <summary>U(-L, L), L = sqrt(6/fan_in).</summary>
    HeUniform = 2,
    /// <summary>Normal truncated at ±2σ, σ = sqrt(2/fan_in) / 0.8796256610342398.</summary>
    HeNormal = 3,
    /// <summary>U(-L, L), L = sqrt(3/fan_in).</summary>
    LecunUniform = 4,
    /// <summary>Normal truncated at ±2σ, σ = sqrt(1/fan_in) / 0.8796256610342398.</summary>
    LecunNormal = 5,
    /// <summary>All zeros.</summary>
    Zeros = 6,
    /// <summary>All ones.</summary>
    Ones = 7,
    /// <summary>U(-0.05, 0.05).</summary>
    RandomUniform = 8,
    /// <summary>N(0, 0.05²).</summary>
    RandomNormal = 9,
    /// <summary>N(0, 0.05²) truncated at ±2σ (re-drawn).</summary>
    TruncatedNormal = 10,
    /// <summary>
    /// Keras' <c>Orthogonal(gain=1)</c>, the recurrent layers' default <c>recurrent_initializer</c>: the weight viewed as a
    /// (rows, cols) matrix with cols = its last axis has orthonormal rows or columns (whichever are fewer).
    /// </summary>
    Orthogonal = 11,
}
