using System;

namespace NetGen;

/// <summary>
/// Keras <c>GRU</c> (gates z, r, h): <c>h' = z⊙h + (1 − z)⊙ĥ</c>. Weights: <c>kernel (features, 3·units)</c>,
/// <c>recurrent_kernel (units, 3·units)</c>, <c>bias</c> (2, 3·units) with <see cref="ResetAfter"/> (row 0 input bias,
/// row 1 recurrent bias), else (3·units).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GRUAttribute : RecurrentLayerAttribute
{
    /// <summary>Declares a GRU layer with <paramref name="units"/> units.</summary>
    public GRUAttribute(int units)
        : base(units)
    {
    }

    /// <summary>The gates' activation (Keras <c>recurrent_activation</c>). Default <see cref="NetGen.RecurrentActivation.Sigmoid"/>.</summary>
    public RecurrentActivation RecurrentActivation { get; set; } = RecurrentActivation.Sigmoid;

    /// <summary>
    /// Apply the reset gate after the recurrent product (Keras 3's default, cuDNN's and PyTorch's GRU):
    /// <c>ĥ = act(x·W_h + b_x + r⊙(h·U_h + b_h))</c>. False: <c>ĥ = act(x·W_h + b + (r⊙h)·U_h)</c>. Default true.
    /// </summary>
    public bool ResetAfter { get; set; } = true;
}
