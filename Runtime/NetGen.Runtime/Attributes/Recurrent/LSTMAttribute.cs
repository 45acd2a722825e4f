using System;

namespace NetGen;

/// <summary>
/// Keras <c>LSTM</c> (gates i, f, c, o): <c>c' = f⊙c + i⊙g</c>, <c>h' = o⊙activation(c')</c>; the output is h.
/// Weights: <c>kernel (features, 4·units)</c>, <c>recurrent_kernel (units, 4·units)</c>, <c>bias (4·units)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LSTMAttribute : RecurrentLayerAttribute
{
    /// <summary>Declares an LSTM layer with <paramref name="units"/> units.</summary>
    public LSTMAttribute(int units)
        : base(units)
    {
    }

    /// <summary>The gates' activation (Keras <c>recurrent_activation</c>). Default <see cref="NetGen.RecurrentActivation.Sigmoid"/>.</summary>
    public RecurrentActivation RecurrentActivation { get; set; } = RecurrentActivation.Sigmoid;

    /// <summary>Set the forget gate's bias block to ones after the bias initializer (Keras <c>unit_forget_bias</c>). Default true.</summary>
    public bool UnitForgetBias { get; set; } = true;
}
