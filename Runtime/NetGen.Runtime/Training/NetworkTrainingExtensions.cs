using System;
using System.Collections.Generic;
using System.IO;
using NetGen.Optimizers;
using NetGen.Training;

namespace NetGen;

/// <summary>
/// Keras' model-level training API (<c>compile</c>, <c>fit</c>, <c>evaluate</c>, <c>train_on_batch</c>,
/// <c>summary</c>) for any network: every generated <c>[Network]</c> class gets these as extension methods, and code
/// written against <see cref="INetwork"/> calls the same ones. The compiled <see cref="Trainer"/> is kept by the network
/// (<see cref="INetwork.CompiledTrainer"/>), so <c>Compile</c> once, then <c>Fit</c>/<c>Evaluate</c>/<c>TrainOnBatch</c>.
/// </summary>
/// <remarks>
/// Each call marks the network busy for the calling thread for its whole duration (see <see cref="INetwork.EnterBusy"/>):
/// another thread's <c>Predict</c> or training call on the same instance meanwhile throws instead of mixing its buffers
/// with this call's.
/// </remarks>
public static class NetworkTrainingExtensions
{
    /// <summary>
    /// Keras <c>compile</c>: chooses the optimizer and the loss used by <c>Fit</c>, <c>Evaluate</c> and <c>TrainOnBatch</c>;
    /// <paramref name="metrics"/> adds metrics to loss and accuracy (Keras <c>compile(metrics=[...])</c>): they appear in
    /// <see cref="History"/>, the progress line and <see cref="Evaluation"/>. The shuffling stream is seeded from the network's
    /// <see cref="INetwork.Seed"/>. Compiling again replaces the trainer (the new optimizer starts with fresh slots).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="optimizer"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="optimizer"/> is already bound to another network.</exception>
    public static void Compile(this INetwork network, Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null)
        => Compile(network, optimizer, loss, 0f, metrics);

    /// <summary>
    /// <see cref="Compile(INetwork, Optimizer, Loss, IEnumerable{Metric})"/> with Keras' <c>label_smoothing</c> of the loss
    /// (see <see cref="Trainer.LabelSmoothing"/>): <c>Compile(new Adam(), Loss.CategoricalCrossentropy, labelSmoothing: 0.1f)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is not in [0, 1], or the loss has none.</exception>
    public static void Compile(this INetwork network, Optimizer optimizer, Loss loss, float labelSmoothing, IEnumerable<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        var trainer = new Trainer(network, optimizer, loss, Rng.DeriveSeed(unchecked((ulong)network.Seed), 1), metrics) { LabelSmoothing = labelSmoothing };
        network.CompiledTrainer = trainer;
    }

    /// <summary>
    /// Keras <c>fit</c>: trains for <paramref name="epochs"/> epochs; the last <paramref name="validationSplit"/> fraction of
    /// the samples validates. <paramref name="x"/> holds N samples of <see cref="INetwork.InputLength"/> floats (packed rows
    /// for several inputs), <paramref name="y"/> N targets. See <see cref="Trainer.Fit(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, double, bool, Action{TrainingProgress})"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network was not compiled.</exception>
    public static History Fit(this INetwork network, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int epochs = 1, int batchSize = 32, double validationSplit = 0.0, bool shuffle = true, Action<TrainingProgress>? callback = null)
    {
        var trainer = TrainerOf(network);
        bool entered = network.EnterBusy();
        try { return trainer.Fit(x, y, epochs, batchSize, validationSplit, shuffle, callback); }
        finally { if (entered) network.ExitBusy(); }
    }

    /// <summary>Keras <c>fit</c> with callbacks, validation data, sample or class weights and cancellation (see <see cref="FitOptions"/>).</summary>
    /// <exception cref="InvalidOperationException">The network was not compiled.</exception>
    public static History Fit(this INetwork network, ReadOnlySpan<float> x, ReadOnlySpan<float> y, FitOptions options)
    {
        var trainer = TrainerOf(network);
        bool entered = network.EnterBusy();
        try { return trainer.Fit(x, y, options); }
        finally { if (entered) network.ExitBusy(); }
    }

    /// <summary>Keras <c>evaluate</c>: loss, accuracy and the compiled metrics in inference mode.</summary>
    /// <exception cref="InvalidOperationException">The network was not compiled (<see cref="Trainer.Evaluate(INetwork, Loss, ReadOnlySpan{float}, ReadOnlySpan{float}, int, IEnumerable{Metric})"/> evaluates without compiling).</exception>
    public static Evaluation Evaluate(this INetwork network, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize = 32)
    {
        var trainer = TrainerOf(network);
        bool entered = network.EnterBusy();
        try { return trainer.Evaluate(x, y, batchSize); }
        finally { if (entered) network.ExitBusy(); }
    }

    /// <summary>One optimizer step on one batch (Keras <c>train_on_batch</c>); returns the batch loss.</summary>
    /// <exception cref="InvalidOperationException">The network was not compiled.</exception>
    public static float TrainOnBatch(this INetwork network, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize)
        => network.TrainOnBatch(x, y, ReadOnlySpan<float>.Empty, batchSize);

    /// <summary>
    /// One optimizer step on one batch with one weight per sample (Keras <c>train_on_batch(x, y, sample_weight)</c>):
    /// <paramref name="sampleWeight"/> holds <paramref name="batchSize"/> finite, non-negative floats, or is empty.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network was not compiled.</exception>
    public static float TrainOnBatch(this INetwork network, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> sampleWeight, int batchSize)
    {
        var trainer = TrainerOf(network);
        bool entered = network.EnterBusy();
        try { return trainer.TrainOnBatch(x, y, sampleWeight, batchSize); }
        finally { if (entered) network.ExitBusy(); }
    }

    /// <summary>Prints <see cref="INetwork.SummaryText"/> (Keras <c>model.summary()</c>) to <paramref name="writer"/> (default: the console).</summary>
    public static void Summary(this INetwork network, TextWriter? writer = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        (writer ?? Console.Out).Write(network.SummaryText);
    }

    /// <summary>The trainer of the last <see cref="Compile(INetwork, Optimizer, Loss, IEnumerable{Metric})"/>.</summary>
    /// <exception cref="InvalidOperationException">The network was not compiled.</exception>
    public static Trainer TrainerOf(this INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.CompiledTrainer
            ?? throw new InvalidOperationException($"Call Compile(optimizer, loss) on the {network.GetType().Name} before Fit, Evaluate or TrainOnBatch.");
    }
}
