using System.Collections.Generic;
using NetGen.Generator.Emit;
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
}

/// <summary>A scratch region a layer keeps between its training forward and its backward pass (per sample).</summary>
internal sealed record Scratch(string Name, int PerSample);

/// <summary>
/// One layer after shape inference: its name, shapes, weights and the code it emits. Each layer kind
/// (one file under <c>Layers/</c>) derives its own node; the planner and emitter only use this surface.
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

    /// <summary>Set by the graph builder when a padding mask reaches this consuming layer.</summary>
    public bool UsesMask { get; set; }

    /// <summary>For a layer that uses a mask: the index of the token input the mask comes from.</summary>
    public int MaskInput { get; set; }

    /// <summary>For a layer that reads token ids: how many ids are valid (0 .. n − 1).</summary>
    public virtual int TokenVocabulary => 0;

    public virtual BufferUse InferenceUse => BufferUse.New;

    public virtual BufferUse TrainingUse => BufferUse.New;

    /// <summary>How the backward pass treats the gradient buffer: Alias/InPlace keep dx in dy's buffer.</summary>
    public virtual BufferUse BackwardUse => TrainingUse;

    public virtual IReadOnlyList<Scratch> TrainingScratch => System.Array.Empty<Scratch>();

    /// <summary>Scratch regions the inference pass needs while this layer runs (per sample), read through <see cref="EmitContext.Scratch"/>.</summary>
    public virtual IReadOnlyList<Scratch> InferenceScratch => System.Array.Empty<Scratch>();

    /// <summary>
    /// The activation this layer ends with, if a loss may fuse with it (softmax + categorical cross-entropy,
    /// sigmoid + binary cross-entropy); <see cref="PreActivation"/> then names the logits.
    /// </summary>
    public virtual int? FinalActivation => null;

    /// <summary>The expression of the logits for <see cref="FinalActivation"/>, given the training tensors.</summary>
    public virtual string PreActivation(ForwardArgs args) => args.X;

    /// <summary>
    /// An expression giving the floats of shared scratch this layer's kernels need (batch-independent), or null.
    /// The network allocates one workspace, the largest any layer asks for, at construction.
    /// </summary>
    public virtual string? WorkspaceLength => null;

    /// <summary>Fields the layer needs (e.g. a random generator).</summary>
    public virtual void EmitFields(EmitContext c)
    {
    }

    /// <summary>Constructor statements (e.g. seeding a random generator). <c>seed</c> is in scope.</summary>
    public virtual void EmitConstructor(EmitContext c, int layerIndex)
    {
    }

    /// <summary>Inference forward from <paramref name="x"/> to <paramref name="y"/> (equal when computed in place).</summary>
    public abstract void EmitInference(EmitContext c, string x, string y);

    /// <summary>Inference forward of a layer with several inputs; single-input layers need not override it.</summary>
    public virtual void EmitInference(EmitContext c, IReadOnlyList<string> xs, string y) => EmitInference(c, xs[0], y);

    /// <summary>Training forward: keep whatever <see cref="EmitBackward"/> reads.</summary>
    public abstract void EmitTrainingForward(EmitContext c, ForwardArgs args);

    /// <summary>Backward: weight gradients, and the input gradient when <see cref="BackwardArgs.Dx"/> is set.</summary>
    public abstract void EmitBackward(EmitContext c, BackwardArgs args);
}

/// <summary>Span expressions of one layer's training tensors.</summary>
internal class ForwardArgs
{
    public ForwardArgs(IReadOnlyList<string> xs, string y, IReadOnlyDictionary<string, string> scratch)
    {
        Xs = xs;
        Y = y;
        ScratchRegions = scratch;
    }

    /// <summary>The (first) input.</summary>
    public string X => Xs[0];

    /// <summary>Every input, in the order the layer reads them.</summary>
    public IReadOnlyList<string> Xs { get; }

    public string Y { get; }

    public IReadOnlyDictionary<string, string> ScratchRegions { get; }

    public string this[string scratch] => ScratchRegions[scratch];
}

/// <summary>Span expressions for one layer's backward pass.</summary>
internal sealed class BackwardArgs : ForwardArgs
{
    public BackwardArgs(ForwardArgs forward, string dy, IReadOnlyList<string?> dxs, string? fusedFlag)
        : base(forward.Xs, forward.Y, forward.ScratchRegions)
    {
        Dy = dy;
        Dxs = dxs;
        FusedFlag = fusedFlag;
    }

    /// <summary>Gradient of the loss with respect to this layer's output; the layer may overwrite it.</summary>
    public string Dy { get; }

    /// <summary>Where the (first) input's gradient goes, or null when no earlier layer needs it.</summary>
    public string? Dx => Dxs[0];

    /// <summary>Where each input's gradient goes (overwritten), or null where none is needed.</summary>
    public IReadOnlyList<string?> Dxs { get; }

    /// <summary>
    /// Name of a bool that is true when the loss already wrote the gradient with respect to the logits
    /// (so the final activation's backward must be skipped); null when this layer cannot be fused.
    /// </summary>
    public string? FusedFlag { get; }
}
