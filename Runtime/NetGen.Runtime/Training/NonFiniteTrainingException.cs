using System;

namespace NetGen.Training;

/// <summary>
/// A training step met a NaN or an infinity in its loss or its gradients. It is thrown before the optimizer
/// step, with the network's weights, its state (BatchNormalization's moving statistics) and the optimizer
/// exactly as they were before that batch; earlier batches stay applied (as in Keras).
/// </summary>
public sealed class NonFiniteTrainingException : ArithmeticException
{
    /// <summary>Creates the exception; <see cref="Trainer"/> fills in the details.</summary>
    public NonFiniteTrainingException(string message, int epoch, int batch, float loss, string? weight, long? inputSample, long? targetSample)
        : base(message)
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        Weight = weight;
        InputSample = inputSample;
        TargetSample = targetSample;
    }

    /// <summary>The epoch, from 1 (0 for <c>TrainOnBatch</c>).</summary>
    public int Epoch { get; }

    /// <summary>The batch within the epoch, from 1.</summary>
    public int Batch { get; }

    /// <summary>The batch's loss (possibly finite when only a gradient is not).</summary>
    public float Loss { get; }

    /// <summary>The first weight (parameter-layout order, e.g. <c>dense_1/kernel</c>) whose gradient is not finite, or null if all are.</summary>
    public string? Weight { get; }

    /// <summary>The first layer whose weight gradient is not finite (the part of <see cref="Weight"/> before the slash), or null.</summary>
    public string? Layer => Weight is null ? null : Weight.Contains('/') ? Weight[..Weight.LastIndexOf('/')] : Weight;

    /// <summary>Index (in the x passed to Fit) of the first sample of the batch whose input holds a NaN or infinity, or null.</summary>
    public long? InputSample { get; }

    /// <summary>Index (in the y passed to Fit) of the first sample of the batch whose target holds a NaN or infinity, or null.</summary>
    public long? TargetSample { get; }
}
