using System;
using System.Collections.Generic;
using System.Threading;

namespace NetGen.Training;

/// <summary>The arguments of Keras <c>fit</c> beyond x and y, for <see cref="Trainer.Fit(ReadOnlySpan{float}, ReadOnlySpan{float}, FitOptions)"/>.</summary>
public sealed class FitOptions
{
    /// <summary>Epochs to train (at least 1).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>
    /// Samples per step. A value above the number of training samples trains on all of them as one batch (as Keras
    /// does); the last batch of an epoch may be smaller.
    /// </summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Fraction in [0, 1) of the samples, taken from the end before any shuffling, held out for validation.</summary>
    public double ValidationSplit { get; init; }

    /// <summary>Validation inputs (Keras <c>validation_data</c>); used instead of a split. Set with <see cref="ValidationY"/>.</summary>
    public ReadOnlyMemory<float> ValidationX { get; init; }

    /// <summary>Validation targets for <see cref="ValidationX"/>.</summary>
    public ReadOnlyMemory<float> ValidationY { get; init; }

    /// <summary>
    /// One weight per sample of x (Keras <c>sample_weight</c>), finite and non-negative: each sample's loss, and its
    /// gradient, is multiplied by its weight, and a batch's loss is the weighted sum divided by the batch size (Keras'
    /// default reduction). Empty: every sample weighs 1. The reported metrics are not weighted (Keras <c>metrics</c>,
    /// not <c>weighted_metrics</c>), nor is the validation loss. Not together with <see cref="ClassWeight"/>.
    /// </summary>
    public ReadOnlyMemory<float> SampleWeight { get; init; }

    /// <summary>
    /// A weight per class id (Keras <c>class_weight</c>): every sample weighs what its class does, the class being the
    /// target's class id (sparse loss), the index of its largest target value (one-hot), or the target rounded to 0 or 1
    /// (one column). Every class present in y needs an entry. Needs one output with one row per sample; not together
    /// with <see cref="SampleWeight"/>.
    /// </summary>
    public IReadOnlyDictionary<int, float>? ClassWeight { get; init; }

    /// <summary>Whether the training samples are reshuffled every epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Keras callbacks, called in list order.</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = Array.Empty<Callback>();

    /// <summary>Called after every batch and at the end of every epoch (e.g. <see cref="ConsoleProgress.Report"/>).</summary>
    public Action<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Checked before every batch: cancelling throws <see cref="OperationCanceledException"/> between two steps, with the
    /// weights of the last finished step.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }
}
