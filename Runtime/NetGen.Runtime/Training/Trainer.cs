using System;

namespace NetGen.Training;

/// <summary>Keras-style training loop over any generated network.</summary>
public sealed class Trainer
{
    /// <summary>Creates a trainer (Keras <c>compile</c>): the optimizer, the loss and the seed of the shuffling stream.</summary>
    public Trainer(INetwork network, Optimizer optimizer, Loss loss, ulong seed)
    {
        Network = network;
        Optimizer = optimizer;
        Loss = loss;
        _ = seed;
    }

    /// <summary>The network trained.</summary>
    public INetwork Network { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The loss.</summary>
    public Loss Loss { get; }

    /// <summary>Keras <c>fit</c>.</summary>
    public History Fit(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int epochs = 1, int batchSize = 32, double validationSplit = 0.0, bool shuffle = true, Action<TrainingProgress>? callback = null)
        => throw new NotImplementedException();

    /// <summary>Keras <c>evaluate</c> (inference mode).</summary>
    public Evaluation Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize = 32)
        => throw new NotImplementedException();

    /// <summary>One training step on one batch; returns its loss.</summary>
    public float TrainOnBatch(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize)
        => throw new NotImplementedException();
}

/// <summary>Per-epoch logs of a <see cref="Trainer.Fit"/> run.</summary>
public sealed class History
{
}

/// <summary>Loss and accuracy of an evaluation.</summary>
public readonly record struct Evaluation(float Loss, float Accuracy);

/// <summary>Progress report passed to the <c>Fit</c> callback after every batch and at the end of every epoch.</summary>
public sealed record TrainingProgress
{
}
