namespace NetGen.Optimizers;

/// <summary>
/// Keras <c>AdamW(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7)</c>:
/// decoupled decay <c>w ← w − lr·wd·w</c>, then the <see cref="Adam"/> update.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer with Keras' defaults.</summary>
    public AdamW(float learningRate = 0.001f, float weightDecay = 0.004f, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
        : base(learningRate, beta1, beta2, epsilon, amsgrad)
        => WeightDecay = weightDecay >= 0 && float.IsFinite(weightDecay)
            ? weightDecay
            : throw new System.ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"weightDecay must be a finite value ≥ 0, but is {weightDecay}.");
}
