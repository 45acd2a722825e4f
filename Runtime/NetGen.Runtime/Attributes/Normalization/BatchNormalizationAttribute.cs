using System;

namespace NetGen;

/// <summary>Keras <c>BatchNormalization</c>: batch statistics and moving-average updates while training, moving statistics when predicting. Weights γ, β (trainable), moving mean and variance (non-trainable state, saved with the weights).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormalizationAttribute : LayerAttribute
{
    /// <summary>Keras momentum of the moving averages (PyTorch's momentum is 1 − this). Default 0.99.</summary>
    public double Momentum { get; set; } = 0.99;

    /// <summary>The normalised (channel) axis, Keras-style: −1 is the last. Only the last axis is supported for now.</summary>
    public int Axis { get; set; } = -1;

    /// <summary>Added to the variance. Default 1e-3 (PyTorch uses 1e-5).</summary>
    public double Epsilon { get; set; } = 0.001;

    /// <summary>Learn the offset β. Default true.</summary>
    public bool Center { get; set; } = true;

    /// <summary>Learn the scale γ. Default true.</summary>
    public bool Scale { get; set; } = true;

    /// <summary>β initializer. Default zeros.</summary>
    public Initializer BetaInitializer { get; set; } = Initializer.Zeros;

    /// <summary>γ initializer. Default ones.</summary>
    public Initializer GammaInitializer { get; set; } = Initializer.Ones;
}
