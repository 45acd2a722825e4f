using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>Base of the optimizers (Keras semantics: clipping, decoupled weight decay, then the update rule).</summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimizer with the given learning rate.</summary>
    protected Optimizer(float learningRate) => LearningRate = learningRate;

    /// <summary>The learning rate.</summary>
    public float LearningRate { get; set; }

    /// <summary>Number of updates applied so far.</summary>
    public long Iterations { get; protected set; }

    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/>.</summary>
    public abstract void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, IReadOnlyList<ParameterInfo> layout);
}
