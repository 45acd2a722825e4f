using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen.Optimizers;

/// <summary>
/// Keras <c>Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False)</c> in Keras'
/// "epsilon-hat" form: <c>m ← m + (1−β1)(g − m)</c>, <c>v ← v + (1−β2)(g² − v)</c>,
/// <c>w ← w − lr·√(1−β2^t)/(1−β1^t)·m/(√v + ε)</c>.
/// </summary>
public class Adam : Optimizer
{
    private float[] _m = Array.Empty<float>(), _v = Array.Empty<float>(), _vMax = Array.Empty<float>();

    /// <summary>Creates the optimizer with Keras' defaults.</summary>
    public Adam(float learningRate = 0.001f, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
        : base(learningRate)
    {
        Beta1 = DecayRate(beta1, nameof(beta1));
        Beta2 = DecayRate(beta2, nameof(beta2));
        Epsilon = PositiveEpsilon(epsilon, nameof(epsilon));
        Amsgrad = amsgrad;
    }

    /// <summary>β1, decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>β2, decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>ε ("epsilon hat").</summary>
    public double Epsilon { get; }

    /// <summary>Whether the maximum of past second moments is used (AMSGrad).</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc/>
    public override int SlotsPerWeight => Amsgrad ? 3 : 2;

    /// <inheritdoc/>
    protected override void Build(int parameterCount)
    {
        _m = new float[parameterCount];
        _v = new float[parameterCount];
        if (Amsgrad) _vMax = new float[parameterCount];
    }

    /// <summary>
    /// Moments smaller than this (2⁻¹⁰⁰) are stored as zero. A weight whose gradient stays zero (a border pixel
    /// every image leaves black) has its first moment decay by β₁ per step into subnormal floats, and subnormal
    /// arithmetic costs about a hundred cycles per operation on x86 without flush-to-zero (which .NET cannot
    /// switch on): measured here, that made the seed MLP's Adam step grow from 0.1 ms to 3 ms within two
    /// epochs. The update a flushed moment would have made is below 2⁻¹⁰⁰/ε ≈ 10⁻²³, below half an ulp of any
    /// weight larger than 10⁻¹⁵ in magnitude.
    /// </summary>
    internal const float FlushBelow = 7.888609e-31f; // 2^-100

    /// <summary>The first and second moments (test hook).</summary>
    internal (float[] M, float[] V) Moments => (_m, _v);

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, int offset, long step)
    {
        float alpha = (float)(LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step)));
        // Coefficients in double, rounded once: 1 - 0.999f in float would be off by 1e-5 relative.
        float b1 = (float)(1 - Beta1), b2 = (float)(1 - Beta2), eps = (float)Epsilon;
        var sm = _m.AsSpan(offset, w.Length);
        var sv = _v.AsSpan(offset, w.Length);
        var svMax = Amsgrad ? _vMax.AsSpan(offset, w.Length) : Span<float>.Empty;
        int i = 0;
        if (!Amsgrad && Vector.IsHardwareAccelerated)
        {
            var wv = MemoryMarshal.Cast<float, Vector<float>>(w);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(sm);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(sv);
            var vb1 = new Vector<float>(b1);
            var vb2 = new Vector<float>(b2);
            var valpha = new Vector<float>(alpha);
            var veps = new Vector<float>(eps);
            var vtiny = new Vector<float>(FlushBelow);
            for (int k = 0; k < wv.Length; k++)
            {
                var gk = gv[k];
                var m = mv[k] + vb1 * (gk - mv[k]);
                var v = vv[k] + vb2 * (gk * gk - vv[k]);
                m = Vector.AndNot(m, Vector.LessThan(Vector.Abs(m), vtiny).As<int, float>());
                v = Vector.AndNot(v, Vector.LessThan(v, vtiny).As<int, float>());
                mv[k] = m;
                vv[k] = v;
                wv[k] -= valpha * m / (Vector.SquareRoot(v) + veps);
            }
            i = wv.Length * Lanes;
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i];
            float m = sm[i] + b1 * (gi - sm[i]);
            float v = sv[i] + b2 * (gi * gi - sv[i]);
            if (MathF.Abs(m) < FlushBelow) m = 0;
            if (v < FlushBelow) v = 0;
            sm[i] = m;
            sv[i] = v;
            if (Amsgrad) v = svMax[i] = MathF.Max(svMax[i], v);
            w[i] -= alpha * m / (MathF.Sqrt(v) + eps);
        }
    }
}
