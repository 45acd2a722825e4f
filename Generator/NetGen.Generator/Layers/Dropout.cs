using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras <c>Dropout(rate, seed)</c>: inverted dropout while training, identity when predicting. The mask
/// comes from a generator owned by the layer, seeded from <c>Seed</c> or from the network's seed.
/// </summary>
internal sealed class DropoutKind : LayerKind
{
    public override string AttributeName => "Dropout";

    public override string DefaultName => "dropout";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var arg = spec.Find("rate");
        double rate = arg?.Number ?? 0;
        if (!(rate >= 0 && rate < 1))
        {
            context.Report(Descriptors.RateOutOfRange, arg?.Location ?? spec.Location, $"Dropout '{name}'",
                rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            return null;
        }
        long seed = (long)BuildContext.Number(spec, "Seed", -1);
        return new DropoutNode(spec, name, input, rate, seed);
    }
}

internal sealed class DropoutNode : LayerNode
{
    private readonly double _rate;
    private readonly long _seed;

    public DropoutNode(LayerSpec spec, string name, Shape input, double rate, long seed)
        : base(spec, name, input, input)
    {
        _rate = rate;
        _seed = seed;
    }

    public override string KerasClass => "Dropout";

    public override string Description => "Dropout(" + _rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ")";

    private bool Active => _rate > 0;

    private string RngField => "_rng_" + EmitContext.Identifier(Name);

    public override BufferUse InferenceUse => BufferUse.Alias;

    public override BufferUse TrainingUse => Active ? BufferUse.New : BufferUse.Alias;

    public override BufferUse BackwardUse => Active ? BufferUse.InPlace : BufferUse.Alias;

    public override IReadOnlyList<Scratch> TrainingScratch
        => Active ? new[] { new Scratch("mask", InputShape.Size) } : System.Array.Empty<Scratch>();

    public override void EmitFields(EmitContext c)
    {
        if (Active) c.W.Line($"private readonly global::NetGen.Rng {RngField};");
    }

    public override void EmitConstructor(EmitContext c, int layerIndex)
    {
        if (!Active) return;
        var seed = _seed >= 0
            ? $"{_seed}UL"
            : $"global::NetGen.Rng.DeriveSeed(unchecked((ulong)seed), {1000 + layerIndex})";
        c.W.Line($"{RngField} = new global::NetGen.Rng({seed});");
    }

    public override void EmitInference(EmitContext c, string x, string y)
    {
    }

    public override void EmitTrainingForward(EmitContext c, ForwardArgs a)
    {
        if (Active)
            c.W.Line($"global::NetGen.Kernels.Dropout.Forward({a.X}, {a.Y}, {a["mask"]}, {EmitContext.Float(_rate)}, {RngField});");
    }

    public override void EmitBackward(EmitContext c, BackwardArgs a)
    {
        if (Active && a.Dx is not null)
            c.W.Line($"global::NetGen.Kernels.Dropout.Backward({a.Dy}, {a["mask"]}, {a.Dx});");
    }
}
