using System;
using System.Collections.Generic;

namespace NetGen.Training;

/// <summary>Loss and accuracy of an evaluation, averaged over every sample.</summary>
/// <param name="Loss">Mean loss (Keras reduction, batch losses weighted by batch size); NaN if any output was not finite.</param>
/// <param name="Accuracy">Fraction of correct predictions.</param>
public readonly record struct Evaluation(float Loss, float Accuracy)
{
    /// <summary>The compiled metrics beyond loss and accuracy, by name.</summary>
    public IReadOnlyDictionary<string, float> Metrics { get; init; } = EmptyMetrics;

    private static readonly IReadOnlyDictionary<string, float> EmptyMetrics = new Dictionary<string, float>();
}
