using System;

namespace NetGen;

/// <summary>Keras <c>BatchNormalization</c>: batch statistics and moving-average updates while training, moving statistics when predicting. Weights γ, β (trainable), moving mean and variance (non-trainable state, saved with the weights).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormalizationAttribute : NormalizationLayerAttribute
{
    /// <summary>Keras momentum of the moving averages (PyTorch's momentum is 1 − this). Default 0.99.</summary>
    public double Momentum { get; set; } = 0.99;
}
