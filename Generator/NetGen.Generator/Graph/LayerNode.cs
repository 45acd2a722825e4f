using System.Collections.Generic;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Graph;

/// <summary>How a layer's output relates to its input's memory.</summary>
internal enum BufferUse
{
    /// <summary>The output is the input, reinterpreted (Flatten, Reshape): no code, no buffer.</summary>
    Alias,
    /// <summary>The output may overwrite the input (element-wise layers).</summary>
    InPlace,
    /// <summary>The output needs its own buffer.</summary>
    New,
}

/// <summary>What a layer does with a Keras padding mask (from <c>Embedding(MaskZero = true)</c>) reaching its input.</summary>
internal enum MaskUse
{
    /// <summary>The layer ignores masks: the mask stops here (the generator warns).</summary>
    Drops,
    /// <summary>The layer keeps the time axis and passes the mask on unchanged.</summary>
    Propagates,
    /// <summary>The layer uses the mask (and it stops here).</summary>
    Consumes,
    /// <summary>The layer uses the mask and keeps the time axis, so the mask goes on (a recurrent layer returning sequences).</summary>
    ConsumesAndPropagates,
}

/// <summary>
/// One layer after shape inference: its name, shapes, weights and the code it emits. Each layer kind
/// (one file under <c>Layers/</c>) derives its own node and lowers itself to operations (<see cref="LoweringContext"/>); nothing downstream asks which kind it is.
/// </summary>
internal abstract class LayerNode
{
    protected LayerNode(LayerSpec spec, string name, Shape input, Shape output)
        : this(spec, name, new[] { input }, output)
    {
    }

    protected LayerNode(LayerSpec spec, string name, IReadOnlyList<Shape> inputs, Shape output)
    {
        Spec = spec;
        Name = name;
        InputShapes = inputs;
        OutputShape = output;
    }

    public LayerSpec Spec { get; }

    public string Name { get; }

    /// <summary>The (first) input's shape.</summary>
    public Shape InputShape => InputShapes[0];

    /// <summary>Every input's shape, in the order the layer reads them (one for all but the merge layers).</summary>
    public IReadOnlyList<Shape> InputShapes { get; }

    /// <summary>The values this layer reads (see <see cref="NetworkGraph"/>: inputs and layers share one numbering), set by the graph builder.</summary>
    public int[] Sources { get; set; } = System.Array.Empty<int>();

    /// <summary>This layer's own value number, set by the graph builder.</summary>
    public int Id { get; set; }

    public Shape OutputShape { get; }

    /// <summary>
    /// False for a layer declared <c>Trainable = false</c> (read for every kind by the graph builder): its weights get no
    /// gradient code and no updates, and a layer whose training forward differs from inference (BatchNormalization)
    /// runs in inference mode, as Keras 3 does.
    /// </summary>
    public bool Trainable { get; set; } = true;

    /// <summary>Keras class name shown by Summary, e.g. <c>Dense</c>.</summary>
    public abstract string KerasClass { get; }

    /// <summary>Short description for comments, e.g. <c>Dense(128, relu)</c>.</summary>
    public abstract string Description { get; }

    public List<ParameterDecl> Parameters { get; } = new();

    /// <summary>Non-trainable state saved with the weights (e.g. BatchNormalization's moving statistics).</summary>
    public List<ParameterDecl> State { get; } = new();

    /// <summary>Whether this layer reads token ids (Embedding); only such a layer may follow a token-id input.</summary>
    public virtual bool ReadsTokenIds => false;

    /// <summary>How this layer treats a padding mask reaching it.</summary>
    public virtual MaskUse MaskUse => MaskUse.Drops;

    /// <summary>Whether this layer starts a padding mask (Embedding with MaskZero).</summary>
    public virtual bool ProducesMask => false;

    /// <summary>For a layer that starts a padding mask: the mask's shape per sample (the time axis, or every token id).</summary>
    public virtual Shape MaskShape => new(OutputShape.Dims[0]);

    /// <summary>Set by the graph builder when a padding mask reaches this consuming layer.</summary>
    public bool UsesMask { get; set; }

    /// <summary>For a layer that uses a mask: the index of the token input the mask comes from.</summary>
    public int MaskInput { get; set; }

    /// <summary>For a layer that uses a mask: the value number of the layer that starts it (its lowering registers the mask tensor, <see cref="LoweringContext.SetMask"/>).</summary>
    public int MaskSource { get; set; } = -1;

    /// <summary>For a layer that uses masks: per input (<see cref="Sources"/>), the value number of the layer starting the mask that reaches it, or -1.</summary>
    public int[] SourceMasks { get; set; } = System.Array.Empty<int>();

    /// <summary>
    /// The extra outputs other layers may read as <c>"name:port"</c> (a recurrent layer's final states with
    /// <c>return_state</c>), with their shapes; empty for most layers.
    /// </summary>
    public virtual IReadOnlyList<(string Port, Shape Shape)> Ports => System.Array.Empty<(string, Shape)>();

    /// <summary>Why <see cref="Ports"/> is empty or which ports exist, for the unknown-port diagnostic.</summary>
    public virtual string PortsHint => "it has no extra outputs";

    /// <summary>For a layer that reads token ids: how many ids are valid (0 .. n − 1).</summary>
    public virtual int TokenVocabulary => 0;

    /// <summary>
    /// Whether the layer computes differently in training and inference (dropout and noise are the identity at
    /// inference; BatchNormalization uses its moving statistics): such a layer makes the network generate gradients of
    /// its inference mode as well (<c>ComputeGradients(..., training: false)</c>).
    /// </summary>
    public virtual bool DependsOnTrainingMode => InferenceUse == BufferUse.Alias && TrainingUse != BufferUse.Alias;

    /// <summary>
    /// Whether the training forward of one sample reads other samples of the batch (a trainable BatchNormalization's batch
    /// statistics). Every other layer computes each sample on its own, which is what lets TimeDistributed run a layer as
    /// one batch of batch·steps samples.
    /// </summary>
    public virtual bool MixesSamples => false;

    public virtual BufferUse InferenceUse => BufferUse.New;

    public virtual BufferUse TrainingUse => BufferUse.New;

    /// <summary>How the backward pass treats the gradient buffer: Alias/InPlace keep dx in dy's buffer.</summary>
    public virtual BufferUse BackwardUse => TrainingUse;

    /// <summary>Lowers inference (training = false) from <paramref name="xs"/> to <paramref name="y"/>.</summary>
    public abstract void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y);

    /// <summary>Lowers the training forward pass; what the backward pass reads is kept by asking for it again there (<see cref="LoweringContext.Scratch"/>).</summary>
    public virtual void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y) => LowerInference(c, xs, y);

    /// <summary>Lowers the backward pass: weight gradients, and each input's gradient where <see cref="BackwardArgs.Dxs"/> has a tensor.</summary>
    public abstract void LowerBackward(LoweringContext c, BackwardArgs a);
}

/// <summary>The tensors of one layer's backward pass.</summary>
internal sealed class BackwardArgs
{
    public BackwardArgs(IReadOnlyList<Tensor> xs, Tensor y, Tensor dy, IReadOnlyList<Tensor?> dxs)
    {
        Xs = xs;
        Y = y;
        Dy = dy;
        Dxs = dxs;
    }

    /// <summary>The (first) input.</summary>
    public Tensor X => Xs[0];

    /// <summary>Every input, in the order the layer reads them.</summary>
    public IReadOnlyList<Tensor> Xs { get; }

    public Tensor Y { get; }

    /// <summary>Gradient of the loss with respect to this layer's output; the layer may overwrite it.</summary>
    public Tensor Dy { get; }

    /// <summary>Where the (first) input's gradient goes, or null when no layer can read it.</summary>
    public Tensor? Dx => Dxs[0];

    /// <summary>Where each input's gradient goes (overwritten), or null where none is needed. A layer whose <see cref="LayerNode.BackwardUse"/> is InPlace gets <see cref="Dy"/> itself.</summary>
    public IReadOnlyList<Tensor?> Dxs { get; }
}
