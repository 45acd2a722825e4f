using System;

namespace NetGen.Training;

/// <summary>Progress passed to the <c>Fit</c> callback after every batch and at the end of every epoch (a struct: reporting allocates nothing).</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">The number of epochs.</param>
/// <param name="Batch">Batches done in this epoch, from 1.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Samples">Training samples seen in this epoch.</param>
/// <param name="Loss">Running mean training loss of this epoch.</param>
/// <param name="Accuracy">Running training accuracy of this epoch.</param>
/// <param name="ValLoss">Validation loss (epoch end with a validation split only).</param>
/// <param name="ValAccuracy">Validation accuracy (epoch end with a validation split only).</param>
/// <param name="Elapsed">Time since the epoch started.</param>
/// <param name="IsEpochEnd">True for the report that closes an epoch.</param>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, int Samples, float Loss, float Accuracy,
    float? ValLoss, float? ValAccuracy, TimeSpan Elapsed, bool IsEpochEnd);
