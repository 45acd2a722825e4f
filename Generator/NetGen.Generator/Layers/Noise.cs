using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>Dropout</c>, <c>GaussianNoise</c>, <c>GaussianDropout</c> and <c>AlphaDropout</c>: random only while training
/// (identity when predicting), from a generator owned by the layer and seeded from <c>Seed</c> or the network seed.
/// </summary>
internal sealed class NoiseKind : LayerKind
{
    public enum Mode
    {
        Dropout,
        GaussianNoise,
        GaussianDropout,
        AlphaDropout,
    }

    private readonly Mode _mode;

    public NoiseKind(Mode mode) => _mode = mode;

    public override string AttributeName => _mode.ToString();

    public override string DefaultName => _mode switch
    {
        Mode.Dropout => "dropout",
        Mode.GaussianNoise => "gaussian_noise",
        Mode.GaussianDropout => "gaussian_dropout",
        _ => "alpha_dropout",
    };

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var label = Window.Label(spec, name);
        var arg = spec.Find(_mode == Mode.GaussianNoise ? "stddev" : "rate");
        double amount = arg?.Number ?? 0;
        string text = amount.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (_mode == Mode.GaussianNoise && !(amount >= 0))
        {
            context.Report(Descriptors.NegativeStddev, arg?.Location ?? spec.Location, label, text);
            return null;
        }
        if (_mode != Mode.GaussianNoise && !(amount >= 0 && amount < 1))
        {
            context.Report(Descriptors.RateOutOfRange, arg?.Location ?? spec.Location, label, text);
            return null;
        }
        // The parser keeps a long's exact value as text (a double cannot hold long.MaxValue).
        long seed = spec.Find("Seed") is { } s ? (s.Text is { } t ? long.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : (long)s.Number) : -1;
        return new NoiseNode(spec, name, input, _mode, amount, seed);
    }
}

internal sealed class NoiseNode : LayerNode
{
    private readonly NoiseKind.Mode _mode;
    private readonly double _amount;
    private readonly long _seed;

    public NoiseNode(LayerSpec spec, string name, Shape input, NoiseKind.Mode mode, double amount, long seed)
        : base(spec, name, input, input)
    {
        _mode = mode;
        _amount = amount;
        _seed = seed;
    }

    public override string KerasClass => Spec.Kind;

    public override MaskUse MaskUse => MaskUse.Propagates;

    public override string Description => $"{Spec.Kind}({_amount.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})";

    private bool Active => _amount > 0;

    private bool Multiplicative => _mode != NoiseKind.Mode.GaussianNoise;

    public override BufferUse InferenceUse => BufferUse.Alias;

    public override BufferUse TrainingUse => Active ? BufferUse.New : BufferUse.Alias;

    // Multiplicative noise scales the gradient in place; additive noise passes it through unchanged.
    public override BufferUse BackwardUse => Active && Multiplicative ? BufferUse.InPlace : BufferUse.Alias;

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
    }

    public override void LowerTrainingForward(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        if (!Active) return;
        var rng = c.Rng(_seed);
        if (!Multiplicative)
        {
            c.Call(KnownKernels.GaussianNoise, xs[0], Out(y), Float(_amount), rng);
            return;
        }
        var kernel = _mode switch
        {
            NoiseKind.Mode.Dropout => KnownKernels.DropoutForward,
            NoiseKind.Mode.GaussianDropout => KnownKernels.GaussianDropout,
            _ => KnownKernels.AlphaDropout,
        };
        c.Call(kernel, xs[0], Out(y), Out(c.Scratch("mask", InputShape.Size)), Float(_amount), rng);
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (Active && Multiplicative && a.Dx is not null)
            c.Call(KnownKernels.DropoutBackward, a.Dy, c.Scratch("mask", InputShape.Size), Out(a.Dx));
    }
}

/// <summary>
/// Keras <c>Embedding(input_dim, output_dim)</c>: token ids <c>(...)</c> → <c>(..., output_dim)</c>; weight
/// <c>embeddings (input_dim, output_dim)</c>, initialised uniform(−0.05, 0.05). Ids are checked at run time.
/// </summary>
internal sealed class EmbeddingKind : LayerKind
{
    private const int RandomUniform = (int)Shared.Initializer.RandomUniform;

    public override string AttributeName => "Embedding";

    public override string DefaultName => "embedding";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        int inputDim = context.PositiveInt(spec, name, "inputDim", 0);
        int outputDim = context.PositiveInt(spec, name, "outputDim", 0);
        int init = context.Initializer(spec, name, "EmbeddingsInitializer", RandomUniform);
        if (inputDim <= 0 || outputDim <= 0) return null;
        var dims = new int[input.Rank + 1];
        input.Dims.CopyTo(dims, 0);
        dims[input.Rank] = outputDim;
        var node = new EmbeddingNode(spec, name, input, new Shape(dims), inputDim, outputDim, BuildContext.Bool(spec, "MaskZero", false));
        node.Parameters.Add(new ParameterDecl("embeddings", new Shape(inputDim, outputDim), init, inputDim, outputDim));
        return node;
    }
}

internal sealed class EmbeddingNode : LayerNode
{
    private readonly int _inputDim, _outputDim;
    private readonly bool _maskZero;

    public EmbeddingNode(LayerSpec spec, string name, Shape input, Shape output, int inputDim, int outputDim, bool maskZero)
        : base(spec, name, input, output)
    {
        _inputDim = inputDim;
        _outputDim = outputDim;
        _maskZero = maskZero;
    }

    public override string KerasClass => "Embedding";

    public override string Description => $"Embedding({_inputDim}, {_outputDim}{(_maskZero ? ", mask_zero" : "")})";

    public override bool ReadsTokenIds => true;

    public override bool ProducesMask => _maskZero;

    public override Shape MaskShape => InputShape; // one value per token id

    public override int TokenVocabulary => _inputDim;

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
    {
        if (_maskZero) c.SetMask(xs[0]); // the mask is the token ids themselves: nonzero = keep
        c.Call(KnownKernels.EmbeddingForward, xs[0], Param(Parameters[0]), Out(y), Times(InputShape.Size), Int(_inputDim), Int(_outputDim));
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
        => c.Call(KnownKernels.EmbeddingBackwardWeights, a.X, a.Dy, Grad(Parameters[0]), Times(InputShape.Size), Int(_inputDim), Int(_outputDim));
}
