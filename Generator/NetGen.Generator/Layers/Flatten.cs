using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>Keras <c>Flatten</c>: <c>(d1, ..., dn) → (d1·...·dn)</c>, a row-major reinterpretation (no code).</summary>
internal sealed class FlattenKind : LayerKind
{
    public override string AttributeName => "Flatten";

    public override string DefaultName => "flatten";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        if (input.Rank == 1)
            context.Report(Descriptors.FlattenOfFlat, spec.Location, $"Flatten '{name}'", input.ToString());
        return new ReinterpretNode(spec, name, input, new Shape(input.Size), "Flatten", "Flatten");
    }
}

/// <summary>A layer whose output is its input with another shape: Flatten, Reshape.</summary>
internal sealed class ReinterpretNode : LayerNode
{
    private readonly string _description;

    public ReinterpretNode(LayerSpec spec, string name, Shape input, Shape output, string kerasClass, string description)
        : base(spec, name, input, output)
    {
        KerasClass = kerasClass;
        _description = description;
    }

    public override string KerasClass { get; }

    public override string Description => _description;

    public override BufferUse InferenceUse => BufferUse.Alias;

    public override BufferUse TrainingUse => BufferUse.Alias;

    public override void LowerInference(LoweringContext c, System.Collections.Generic.IReadOnlyList<Tensor> xs, Tensor y)
    {
    }

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
    }
}
