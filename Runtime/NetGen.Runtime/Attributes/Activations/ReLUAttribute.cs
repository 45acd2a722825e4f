using System;

namespace NetGen;

/// <summary>
/// Keras <c>ReLU</c> layer: <c>min(x, MaxValue)</c> for <c>x &gt; Threshold</c>, else <c>NegativeSlope · (x − Threshold)</c>.
/// With the defaults it is <c>max(x, 0)</c>. No weights.
/// </summary>
/// <remarks>
/// As in Keras, values just above a positive threshold keep their value (the threshold is not subtracted), so the
/// function jumps there. Every parameter must be at least 0 (Keras' <c>ReLU</c> refuses negative ones).
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute
{
    /// <summary>
    /// The largest output; at least 0. The default, <c>float.MaxValue</c> (3.4028234663852886E+38), means no cap, as Keras'
    /// <c>max_value=None</c> (+∞ inputs stay +∞).
    /// </summary>
    public double MaxValue { get; set; } = float.MaxValue;

    /// <summary>Slope below the threshold; default 0. At least 0.</summary>
    public double NegativeSlope { get; set; }

    /// <summary>Inputs at or below it take the negative slope; default 0. At least 0.</summary>
    public double Threshold { get; set; }
}
