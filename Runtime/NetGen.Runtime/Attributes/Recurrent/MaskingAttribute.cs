using System;

namespace NetGen;

/// <summary>
/// Keras <c>Masking</c>: a step whose features all equal <see cref="MaskValue"/> is padding. The output is the input
/// with padded steps set to zero, and the layer starts a padding mask (batch, steps) that the recurrent layers read
/// (a padded step keeps the previous state and output). Input <c>(steps, features)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaskingAttribute : LayerAttribute
{
    /// <summary>The value that marks a padded step. Default 0.</summary>
    public double MaskValue { get; set; }
}
