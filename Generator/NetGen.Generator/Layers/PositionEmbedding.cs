using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Graph;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Layers;

/// <summary>
/// Keras Hub <c>PositionEmbedding(sequence_length)</c>: weight <c>embeddings (sequence_length, dim)</c> (glorot_uniform);
/// for a (T, dim) input the output is the weight's first T rows broadcast over the batch (the input's values are not
/// read, as in Keras Hub; add the two with a merge layer). T ≤ sequence_length (NG0063).
/// </summary>
internal sealed class PositionEmbeddingKind : LayerKind
{
    public override string AttributeName => "PositionEmbedding";

    public override string DefaultName => "position_embedding";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var label = $"PositionEmbedding '{name}'";
        int length = context.PositiveInt(spec, name, "sequenceLength", 0);
        int init = context.Initializer(spec, name, "EmbeddingsInitializer", BuildContext.GlorotUniform);
        if (length <= 0) return null;
        if (input.Rank != 2)
        {
            context.Report(Descriptors.WrongRank, spec.Location, label, 2, "(positions, features)", input, input.Rank);
            return null;
        }
        if (input.Dims[0] > length)
        {
            context.Report(Descriptors.SequenceTooLong, spec.Find("sequenceLength")?.Location ?? spec.Location, label, input, input.Dims[0], length);
            return null;
        }
        var node = new PositionEmbeddingNode(spec, name, input, length);
        node.Parameters.Add(new ParameterDecl("embeddings", new Shape(length, input.Last), init, length, input.Last));
        return node;
    }
}

internal sealed class PositionEmbeddingNode : LayerNode
{
    private readonly int _length;

    public PositionEmbeddingNode(LayerSpec spec, string name, Shape input, int length)
        : base(spec, name, input, input) => _length = length;

    public override string KerasClass => "PositionEmbedding";

    public override string Description => $"PositionEmbedding({Literals.Int(_length)})";

    private Operand[] Sizes => new[] { Batch, Int(InputShape.Dims[0]), Int(InputShape.Last) };

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
        => c.Call(KnownKernels.PositionEmbeddingForward, new[] { Param(Parameters[0]), Out(y) }.Then(Sizes));

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
        // The output does not depend on the input's values: its gradient is zero (written, since the first reader writes it).
        => c.Call(KnownKernels.PositionEmbeddingBackward, new[] { a.Dy, Grad(Parameters[0]), a.Dx is { } dx ? Out(dx) : EmptyOut }.Then(Sizes));
}

internal static class OperandLists
{
    public static Operand[] Then(this Operand[] first, Operand[] rest)
    {
        var all = new Operand[first.Length + rest.Length];
        first.CopyTo(all, 0);
        rest.CopyTo(all, first.Length);
        return all;
    }
}
