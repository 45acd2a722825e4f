using System;

namespace NetGen.Optimizers;

/// <summary>
/// Keras <c>SGD(learning_rate=0.01, momentum=0.0, nesterov=False)</c>. With momentum μ:
/// <c>m ← μ·m − lr·g</c>, then <c>w ← w + m</c> (Nesterov: <c>w ← w + μ·m − lr·g</c>).
/// </summary>
public sealed class SGD : Optimizer
{
    private float[] _momentum = Array.Empty<float>();

    /// <summary>Creates the optimizer with Keras' defaults.</summary>
    public SGD(float learningRate = 0.01f, double momentum = 0, bool nesterov = false)
        : base(learningRate)
    {
        Momentum = InRange(momentum, 0, 1, nameof(momentum));
        Nesterov = nesterov;
    }

    /// <summary>Momentum μ in [0, 1].</summary>
    public double Momentum { get; }

    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override int SlotsPerWeight => Momentum > 0 ? 1 : 0;

    /// <inheritdoc/>
    protected override void Build(int parameterCount)
    {
        if (Momentum > 0) _momentum = new float[parameterCount];
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, int offset, long step)
    {
        float lr = LearningRate, mu = (float)Momentum;
        if (mu == 0)
        {
            for (int i = 0; i < w.Length; i++) w[i] -= lr * g[i];
            return;
        }
        var m = _momentum.AsSpan(offset, w.Length);
        for (int i = 0; i < w.Length; i++)
        {
            float next = mu * m[i] - lr * g[i];
            m[i] = next;
            w[i] += Nesterov ? mu * next - lr * g[i] : next;
        }
    }
}
