namespace NetGen.Training;

/// <summary>Loss and accuracy of an evaluation, averaged over every sample.</summary>
/// <param name="Loss">Mean loss (Keras reduction, batch losses weighted by batch size).</param>
/// <param name="Accuracy">Fraction of correct predictions.</param>
public readonly record struct Evaluation(float Loss, float Accuracy);
