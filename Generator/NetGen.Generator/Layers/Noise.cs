using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
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

    private string RngField => "_rng_" + EmitContext.Identifier(Name);

    public override BufferUse InferenceUse => BufferUse.Alias;

    public override BufferUse TrainingUse => Active ? BufferUse.New : BufferUse.Alias;

    public override BufferUse BackwardUse => Active ? BufferUse.InPlace : BufferUse.Alias;

    public override IReadOnlyList<Scratch> TrainingScratch
        => Active && Multiplicative ? new[] { new Scratch("mask", InputShape.Size) } : System.Array.Empty<Scratch>();

    public override void EmitFields(EmitContext c)
    {
        if (Active) c.W.Line($"private readonly global::NetGen.Rng {RngField};");
    }

    public override void EmitConstructor(EmitContext c, int layerIndex)
    {
        if (!Active) return;
        var seed = _seed >= 0 ? $"{_seed}UL" : $"global::NetGen.Rng.DeriveSeed(unchecked((ulong)seed), {1000 + layerIndex})";
        c.W.Line($"{RngField} = new global::NetGen.Rng({seed});");
    }

    public override void EmitInference(EmitContext c, string x, string y)
    {
    }

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a)
    {
        if (!Active) return;
        string amount = EmitContext.Float(_amount);
        string kernel = _mode == NoiseKind.Mode.Dropout ? "Dropout.Forward" : "Noise." + _mode;
        c.W.Line(Multiplicative
            ? $"global::NetGen.Kernels.{kernel}({a.X}, {a.Y}, {a["mask"]}, {amount}, {RngField});"
            : $"global::NetGen.Kernels.Noise.GaussianNoise({a.X}, {a.Y}, {amount}, {RngField});");
    }

    public override void EmitBackward(EmitContext c, BackwardArgs a)
    {
        // Additive noise passes the gradient through unchanged (dx is dy's own buffer).
        if (Active && Multiplicative && a.Dx is not null)
            c.W.Line($"global::NetGen.Kernels.Dropout.Backward({a.Dy}, {a["mask"]}, {a.Dx});");
    }
}

/// <summary>
/// Keras <c>Embedding(input_dim, output_dim)</c>: token ids <c>(...)</c> → <c>(..., output_dim)</c>; weight
/// <c>embeddings (input_dim, output_dim)</c>, initialised uniform(−0.05, 0.05). Ids are checked at run time.
/// </summary>
internal sealed class EmbeddingKind : LayerKind
{
    private const int RandomUniform = 8;

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

    public override int TokenVocabulary => _inputDim;

    public override void EmitInference(EmitContext c, string x, string y)
        => c.W.Line($"global::NetGen.Kernels.Embedding.Forward({x}, {c.Param(Parameters[0])}, {y}, {c.Times(InputShape.Size)}, {_inputDim}, {_outputDim});");

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a) => EmitInference(c, a.X, a.Y);

    public override void EmitBackward(EmitContext c, BackwardArgs a)
        => c.W.Line($"global::NetGen.Kernels.Embedding.BackwardWeights({a.X}, {a.Dy}, {c.Grad(Parameters[0])}, {c.Times(InputShape.Size)}, {_inputDim}, {_outputDim});");
}
