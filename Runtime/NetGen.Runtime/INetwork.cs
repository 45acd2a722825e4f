using System;
using System.Collections.Generic;
using System.ComponentModel;

namespace NetGen;

/// <summary>
/// What the training loop, the optimizers and the weight files need from a generated network. Every
/// <c>[Network]</c> class implements it; user code normally calls the generated members directly.
/// </summary>
public interface INetwork
{
    /// <summary>Floats in one input sample.</summary>
    int InputLength { get; }

    /// <summary>Floats in one output sample.</summary>
    int OutputLength { get; }

    /// <summary>Number of rows the loss sees per sample: the product of the output shape without its last axis (1 for a flat output).</summary>
    int OutputRowsPerSample { get; }

    /// <summary>Number of trainable parameters.</summary>
    int ParameterCount { get; }

    /// <summary>All trainable parameters, in Keras <c>get_weights()</c> order and layout.</summary>
    Span<float> Parameters { get; }

    /// <summary>Gradients of the last <see cref="ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Loss)"/> call, laid out as <see cref="Parameters"/>.</summary>
    ReadOnlySpan<float> Gradients { get; }

    /// <summary>Where each weight lives in <see cref="Parameters"/>.</summary>
    IReadOnlyList<ParameterInfo> ParameterLayout { get; }

    /// <summary>A text identifying the parameter layout; weight files record it and refuse to load into another network.</summary>
    string WeightSignature { get; }

    /// <summary>The outputs of the last <see cref="ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Loss)"/> call (training mode), <c>batchSize · OutputLength</c> floats.</summary>
    ReadOnlySpan<float> TrainingOutput { get; }

    /// <summary>Writes the weights (and any non-trainable state) to a versioned file: a temporary file, then a rename.</summary>
    void Save(string path);

    /// <summary>Reads a file written by <see cref="Save"/>; on any error throws and leaves the network untouched.</summary>
    void Load(string path);

    /// <summary>Inference: writes <c>batchSize · OutputLength</c> floats to <paramref name="output"/>.</summary>
    void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize = 1);

    /// <summary>
    /// The outputs in the order they sit in a packed output (and target) row. A network with one output has one entry;
    /// with several, the loss is the sum of the outputs' losses and accuracy the mean of their accuracies.
    /// </summary>
    IReadOnlyList<OutputInfo> Outputs => new[] { new OutputInfo("output", OutputLength, OutputRowsPerSample) };

    /// <summary>
    /// For a network whose one output carries a padding mask (an <c>Embedding(MaskZero = true)</c> or <c>Masking</c>
    /// passed on to it): the mask values per sample, each covering the output rows of one step; 0 for every other network.
    /// The losses, accuracy and metrics skip the padded rows, as Keras' do.
    /// </summary>
    int OutputMaskLength => 0;

    /// <summary>The output's padding mask (1 = real step, 0 = padding) of the last training-mode <c>ComputeGradients</c> call; empty without one.</summary>
    ReadOnlySpan<float> TrainingOutputMask => ReadOnlySpan<float>.Empty;

    /// <summary>
    /// <see cref="Predict"/> that also writes the output's padding mask, <c>batchSize · OutputMaskLength</c> floats of
    /// 1 (a real step) and 0 (padding), to <paramref name="outputMask"/>; only for a network with
    /// <see cref="OutputMaskLength"/> above zero.
    /// </summary>
    void PredictWithMask(ReadOnlySpan<float> input, Span<float> output, Span<float> outputMask, int batchSize = 1)
        => throw new NotSupportedException($"The {GetType().Name}'s output carries no padding mask.");

    /// <summary>
    /// Non-trainable state (BatchNormalization's moving statistics), saved with the weights; empty for a network
    /// without state. Generated networks with state implement it with their public <c>State</c> property.
    /// </summary>
    Span<float> State => Span<float>.Empty;

    /// <summary>
    /// <see cref="ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Loss, Span{float})"/>; with
    /// <paramref name="training"/> false, the gradients of the inference-mode forward (Keras <c>training=False</c> under a
    /// gradient tape): dropout and noise off, BatchNormalization with its moving statistics (left unchanged).
    /// </summary>
    float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int batchSize, Loss loss, Span<float> inputGradient, bool training)
        => training ? ComputeGradients(input, target, batchSize, loss, inputGradient)
            : throw new NotSupportedException($"The {GetType().Name} has no inference-mode gradients.");

    /// <summary>
    /// Per weight of <see cref="ParameterLayout"/>, whether the optimizer updates it now (see <see cref="SetTrainable"/>);
    /// empty means every weight trains.
    /// </summary>
    ReadOnlySpan<bool> TrainableWeights => ReadOnlySpan<bool>.Empty;

    /// <summary>
    /// Freezes (<paramref name="trainable"/> false) or unfreezes the weights of the layer named <paramref name="layer"/>
    /// for fine-tuning: the optimizer skips frozen weights (and their slots), and the trainer keeps a frozen layer's state
    /// (BatchNormalization's moving statistics) as it was. A layer declared <c>Trainable = false</c> has no gradient code
    /// and cannot be unfrozen.
    /// </summary>
    /// <exception cref="ArgumentException">No layer has that name.</exception>
    /// <exception cref="InvalidOperationException">Unfreezing a layer declared <c>Trainable = false</c>.</exception>
    void SetTrainable(string layer, bool trainable) => throw new NotSupportedException($"The {GetType().Name} does not support freezing layers.");

    /// <summary>Every layer in declaration order: name, Keras class, output shape (Keras <c>model.layers</c>).</summary>
    IReadOnlyList<LayerInfo> Layers => Array.Empty<LayerInfo>();

    /// <summary>Where each non-trainable state variable (BatchNormalization's moving statistics) lives in <see cref="State"/>.</summary>
    IReadOnlyList<ParameterInfo> StateLayout => Array.Empty<ParameterInfo>();

    /// <summary>The Keras-style <c>model.summary()</c> table.</summary>
    string SummaryText => "";

    /// <summary>The network as a Graphviz DOT graph (<c>dot -Tsvg</c> renders it).</summary>
    string Diagram => "";

    /// <summary>The network as a Mermaid flowchart (GitHub renders it in a <c>```mermaid</c> block).</summary>
    string MermaidDiagram => "";

    /// <summary>
    /// Inference that writes the output of the layer named <paramref name="layer"/> (see <see cref="Layers"/>) to
    /// <paramref name="output"/>, <c>batchSize</c> times that layer's output floats (Keras <c>Model(inputs, layer.output)</c>).
    /// </summary>
    void PredictLayer(string layer, ReadOnlySpan<float> input, Span<float> output, int batchSize = 1)
        => throw new NotSupportedException($"The {GetType().Name} does not expose its layers' outputs.");

    /// <summary>The seed the network was created with: its weight initialisation and, after <c>Compile</c>, its shuffling stream derive from it.</summary>
    int Seed => 0;

    /// <summary>
    /// The trainer of the last <c>Compile</c> (<see cref="NetworkTrainingExtensions.Compile(INetwork, Optimizers.Optimizer, Loss, System.Collections.Generic.IEnumerable{Training.Metric})"/>), or null. Generated networks
    /// keep it in a field; code normally goes through <c>Compile</c> and <see cref="NetworkTrainingExtensions.TrainerOf"/>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    Training.Trainer? CompiledTrainer
    {
        get => null;
        set => throw new NotSupportedException($"The {GetType().Name} cannot keep a compiled trainer; create a NetGen.Training.Trainer and call it directly.");
    }

    /// <summary>
    /// Marks the instance busy for the calling thread while a whole <c>Fit</c>, <c>Evaluate</c> or <c>TrainOnBatch</c> runs;
    /// returns false when that thread already holds the mark (a nested call, which then must not call <see cref="ExitBusy"/>),
    /// and throws <see cref="InvalidOperationException"/> when another thread holds it. Networks without the guard return false.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    bool EnterBusy() => false;

    /// <summary>Clears the mark set by an <see cref="EnterBusy"/> that returned true.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    void ExitBusy()
    {
    }

    /// <summary>Training-mode forward and full backward pass; fills <see cref="Gradients"/> and returns the mean loss over the batch.</summary>
    float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int batchSize, Loss loss);

    /// <summary>
    /// <see cref="ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Loss)"/> with one weight per sample (Keras
    /// <c>sample_weight</c>): each sample's loss is multiplied by its weight and the sum divided by the batch size (Keras'
    /// default "sum over batch size" reduction), and so are the gradients. <paramref name="sampleWeight"/> holds
    /// <paramref name="batchSize"/> floats, or is empty (unweighted). Generated networks implement it.
    /// </summary>
    float ComputeWeightedGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> sampleWeight, int batchSize, Loss loss)
        => sampleWeight.IsEmpty ? ComputeGradients(input, target, batchSize, loss)
            : throw new NotSupportedException($"The {GetType().Name} does not implement sample weights.");

    /// <summary>
    /// <see cref="ComputeGradients(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Loss)"/> that also writes d(loss)/d(input)
    /// to <paramref name="inputGradient"/> (<c>batchSize · InputLength</c> floats laid out as <paramref name="input"/>; empty:
    /// none). The weight gradients are the same either way. Networks reading token ids have no input gradient.
    /// </summary>
    /// <exception cref="NotSupportedException">A non-empty <paramref name="inputGradient"/> for a network without input gradients (token ids).</exception>
    float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int batchSize, Loss loss, Span<float> inputGradient)
        => inputGradient.IsEmpty ? ComputeGradients(input, target, batchSize, loss)
            : throw new NotSupportedException($"The {GetType().Name} reads token ids, which have no gradient.");
}
