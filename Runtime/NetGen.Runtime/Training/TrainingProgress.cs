using System;
using System.Collections.Generic;

namespace NetGen.Training;

/// <summary>Progress passed to the <c>Fit</c> callback after every batch and at the end of every epoch (a struct: reporting allocates nothing).</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">The number of epochs.</param>
/// <param name="Batch">Batches done in this epoch, from 1.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Samples">Training samples seen in this epoch.</param>
/// <param name="Loss">Running mean training loss of this epoch.</param>
/// <param name="Accuracy">Running training accuracy of this epoch.</param>
/// <param name="ValLoss">Validation loss (epoch end with validation data only).</param>
/// <param name="ValAccuracy">Validation accuracy (epoch end with validation data only).</param>
/// <param name="Elapsed">Time since the epoch started.</param>
/// <param name="IsEpochEnd">True for the report that closes an epoch.</param>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, int Samples, float Loss, float Accuracy,
    float? ValLoss, float? ValAccuracy, TimeSpan Elapsed, bool IsEpochEnd)
{
    /// <summary>
    /// The compiled metrics beyond loss and accuracy, running values (at epoch end also their <c>val_</c> forms), in
    /// report order. The list belongs to the trainer and is overwritten by the next report: copy what you keep.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, float>> Metrics { get; init; } = Array.Empty<KeyValuePair<string, float>>();
}
