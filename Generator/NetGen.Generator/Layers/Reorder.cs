using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>Keras <c>Permute(dims)</c>: output axis k is input axis <c>dims[k − 1]</c> (1-based). No weights.</summary>
internal sealed class PermuteKind : LayerKind
{
    public override string AttributeName => "Permute";

    public override string DefaultName => "permute";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        var arg = spec.Find("dims");
        var dims = arg?.Items.Select(d => (int)d).ToArray() ?? new int[0];
        if (dims.Length != input.Rank || !dims.OrderBy(d => d).SequenceEqual(Enumerable.Range(1, input.Rank)))
        {
            context.Report(Descriptors.NotAPermutation, arg?.Location ?? spec.Location, $"Permute '{name}'", "(" + string.Join(", ", dims) + ")", input.Rank, input);
            return null;
        }
        var output = new Shape(dims.Select(d => input.Dims[d - 1]).ToArray());
        return new PermuteNode(spec, name, input, output, dims);
    }
}

internal sealed class PermuteNode : LayerNode
{
    private readonly int[] _dims;

    public PermuteNode(LayerSpec spec, string name, Shape input, Shape output, int[] dims)
        : base(spec, name, input, output) => _dims = dims;

    public override string KerasClass => "Permute";

    public override string Description => $"Permute({string.Join(", ", _dims)})";

    // Constant data in the assembly image: reading these spans allocates nothing.
    private Operand Shape(LoweringContext c) => c.Ints("PermuteShape", InputShape.Dims);

    private Operand Axes(LoweringContext c) => c.Ints("PermuteAxes", _dims.Select(d => d - 1).ToArray());

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
        => c.Call(KnownKernels.PermuteForward, xs[0], Out(y), Batch, Shape(c), Axes(c));

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (a.Dx is not null) c.Call(KnownKernels.PermuteBackward, a.Dy, Out(a.Dx), Batch, Shape(c), Axes(c));
    }
}

/// <summary>Keras <c>RepeatVector(n)</c>: (F) → (n, F). No weights.</summary>
internal sealed class RepeatVectorKind : LayerKind
{
    public override string AttributeName => "RepeatVector";

    public override string DefaultName => "repeat_vector";

    public override LayerNode? Build(LayerSpec spec, string name, Shape input, BuildContext context)
    {
        int n = context.PositiveInt(spec, name, "n", 0);
        if (input.Rank != 1)
        {
            context.Report(Descriptors.WrongRank, spec.Location, $"RepeatVector '{name}'", 1, "(features)", input, input.Rank);
            return null;
        }
        if (n <= 0) return null;
        return new RepeatVectorNode(spec, name, input, new Shape(n, input.Size), n);
    }
}

internal sealed class RepeatVectorNode : LayerNode
{
    private readonly int _n;

    public RepeatVectorNode(LayerSpec spec, string name, Shape input, Shape output, int n)
        : base(spec, name, input, output) => _n = n;

    public override string KerasClass => "RepeatVector";

    public override string Description => $"RepeatVector({_n})";

    public override void LowerInference(LoweringContext c, IReadOnlyList<Tensor> xs, Tensor y)
        => c.Call(KnownKernels.RepeatVectorForward, xs[0], Out(y), Batch, Int(InputShape.Size), Int(_n));

    public override void LowerBackward(LoweringContext c, BackwardArgs a)
    {
        if (a.Dx is not null) c.Call(KnownKernels.RepeatVectorBackward, a.Dy, Out(a.Dx), Batch, Int(InputShape.Size), Int(_n));
    }
}
