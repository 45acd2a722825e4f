using System;
using System.IO;

namespace NetGen.Training;

/// <summary>
/// Keras <c>TerminateOnNaN()</c>: when a batch's loss (or a gradient) is NaN or infinite, training stops quietly instead
/// of throwing. The weights and state stay as they were before that batch. The reason, naming the batch and the first
/// weight whose gradient is not finite, is written to the given writer (default: the console's error stream) and kept
/// in <see cref="Reason"/>.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    private readonly TextWriter? _writer;

    /// <summary>Creates the callback.</summary>
    public TerminateOnNaN(TextWriter? writer = null) => _writer = writer;

    /// <summary>What stopped training, or null.</summary>
    public NonFiniteTrainingException? Reason { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin() => Reason = null;

    /// <inheritdoc/>
    public override bool OnNonFinite(NonFiniteTrainingException error)
    {
        Reason = error;
        (_writer ?? Console.Error).WriteLine(error.Message);
        Current.StopTraining = true;
        return true;
    }
}
