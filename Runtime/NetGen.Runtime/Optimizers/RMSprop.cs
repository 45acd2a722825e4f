using System;

namespace NetGen.Optimizers;

/// <summary>
/// Keras <c>RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)</c>:
/// <c>v ← ρv + (1−ρ)g²</c>, <c>w ← w − lr·g/√(v + ε)</c> (ε inside the root; centered subtracts the squared mean).
/// </summary>
public sealed class RMSprop : Optimizer
{
    private float[] _v = Array.Empty<float>(), _mean = Array.Empty<float>(), _momentum = Array.Empty<float>();

    /// <summary>Creates the optimizer with Keras' defaults.</summary>
    public RMSprop(float learningRate = 0.001f, double rho = 0.9, double momentum = 0, double epsilon = 1e-7, bool centered = false)
        : base(learningRate)
    {
        Rho = InRange(rho, 0, 1, nameof(rho));
        Momentum = InRange(momentum, 0, 1, nameof(momentum));
        Epsilon = PositiveEpsilon(epsilon, nameof(epsilon));
        Centered = centered;
    }

    /// <summary>Decay ρ of the squared-gradient average.</summary>
    public double Rho { get; }

    /// <summary>Momentum (0: none).</summary>
    public double Momentum { get; }

    /// <summary>ε, added inside the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Whether the gradient's running mean is subtracted from the variance.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    public override int SlotsPerWeight => 1 + (Momentum > 0 ? 1 : 0) + (Centered ? 1 : 0);

    /// <inheritdoc/>
    protected override void Build(int parameterCount)
    {
        _v = new float[parameterCount];
        if (Centered) _mean = new float[parameterCount];
        if (Momentum > 0) _momentum = new float[parameterCount];
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, int offset, long step)
    {
        float lr = LearningRate, rho = (float)Rho, oneMinusRho = (float)(1 - Rho), mu = (float)Momentum, eps = (float)Epsilon;
        var sv = _v.AsSpan(offset, w.Length);
        var smean = Centered ? _mean.AsSpan(offset, w.Length) : Span<float>.Empty;
        var smomentum = Momentum > 0 ? _momentum.AsSpan(offset, w.Length) : Span<float>.Empty;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i];
            float v = sv[i] = rho * sv[i] + oneMinusRho * gi * gi;
            float den = v;
            if (Centered)
            {
                float a = smean[i] = rho * smean[i] + oneMinusRho * gi;
                den -= a * a;
            }
            float increment = lr * gi / MathF.Sqrt(den + eps);
            if (Momentum > 0)
            {
                float s = smomentum[i] = mu * smomentum[i] + increment;
                w[i] -= s;
            }
            else
            {
                w[i] -= increment;
            }
        }
    }
}
