using System;

namespace NetGen;

/// <summary>
/// Keras' <c>L1</c>, <c>L2</c> and <c>L1L2</c> weight regularizers: training adds <c>L1·Σ|w| + L2·Σw²</c> over the weight
/// to the loss (not scaled by the batch), and so <c>L1·sign(w) + 2·L2·w</c> to its gradient. Set on a layer with its
/// attribute's <c>KernelRegularizer</c>, <c>BiasRegularizer</c>, ... (<c>"l2(1e-4)"</c>).
/// </summary>
public sealed record WeightRegularizer
{
    /// <summary>A regularizer with the given factors (finite, not negative).</summary>
    public WeightRegularizer(float l1, float l2)
    {
        if (!float.IsFinite(l1) || l1 < 0) throw new ArgumentOutOfRangeException(nameof(l1), l1, "l1 must be a finite factor ≥ 0.");
        if (!float.IsFinite(l2) || l2 < 0) throw new ArgumentOutOfRangeException(nameof(l2), l2, "l2 must be a finite factor ≥ 0.");
        L1 = l1;
        L2 = l2;
    }

    /// <summary>The factor of <c>Σ|w|</c>.</summary>
    public float L1 { get; }

    /// <summary>The factor of <c>Σw²</c> (Keras' L2 has no ½).</summary>
    public float L2 { get; }

    /// <summary><c>L1·Σ|w| + L2·Σw²</c> over <paramref name="weights"/>.</summary>
    public float Penalty(ReadOnlySpan<float> weights)
    {
        double abs = 0, squares = 0;
        foreach (float w in weights)
        {
            abs += Math.Abs(w);
            squares += (double)w * w;
        }
        return (float)(L1 * abs + L2 * squares);
    }

    /// <summary>
    /// Adds the penalty's gradient <c>L1·sign(w) + 2·L2·w</c> (sign(0) = 0) to <paramref name="gradients"/> and returns the
    /// penalty (<see cref="Penalty"/>).
    /// </summary>
    public float AddGradient(ReadOnlySpan<float> weights, Span<float> gradients)
    {
        if (gradients.Length != weights.Length)
            throw new ArgumentException($"gradients must hold {weights.Length} floats (one per weight), but has {gradients.Length}.", nameof(gradients));
        double abs = 0, squares = 0;
        float twoL2 = 2 * L2;
        for (int i = 0; i < weights.Length; i++)
        {
            float w = weights[i];
            abs += Math.Abs(w);
            squares += (double)w * w;
            gradients[i] += L1 * MathF.Sign(w) + twoL2 * w;
        }
        return (float)(L1 * abs + L2 * squares);
    }

    /// <summary>Keras' spelling: <c>l1(0.01)</c>, <c>l2(0.001)</c> or <c>l1_l2(l1=0.01, l2=0.001)</c>.</summary>
    public override string ToString()
        => L1 == 0 ? $"l2({L2.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})"
            : L2 == 0 ? $"l1({L1.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})"
            : $"l1_l2(l1={L1.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, l2={L2.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})";
}
