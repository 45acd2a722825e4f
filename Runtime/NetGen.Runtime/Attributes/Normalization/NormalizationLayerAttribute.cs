using System;

namespace NetGen;

/// <summary>Base of BatchNormalization, LayerNormalization and GroupNormalization: the normalised axis, ε and the affine γ, β.</summary>
public abstract class NormalizationLayerAttribute : LayerAttribute
{
    /// <summary>The normalised (channel) axis, Keras-style (1 is the first axis after the batch, −1 the last). Batch- and LayerNormalization accept any one axis; GroupNormalization only the last for now.</summary>
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
