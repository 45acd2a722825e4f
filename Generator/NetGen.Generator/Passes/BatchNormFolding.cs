using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Passes;

/// <summary>
/// Folds a BatchNormalization's inference form (<c>y = (z − mean)·γ/sqrt(var + ε) + β</c> with the moving statistics)
/// into the Dense or convolution whose output <c>z</c> it alone reads (the producer has no activation of its own:
/// otherwise the activation stands between them). Predict only: training normalises with batch statistics.
/// <para>
/// The fold is computed <b>per Predict call</b> from the current weights and moving statistics, never cached: weights
/// change through Fit, SetWeights, Load and the writable <c>Parameters</c>/<c>State</c> spans, and no cache keyed on
/// those can be proven fresh. Per call it is cheap where it pays: a convolution's fold costs one pass over its kernel
/// (<c>k·Cin·Cout</c> multiplies, against <c>k·Cin·Cout</c> multiply-adds per output position and sample for the
/// convolution itself), written to the network's <c>_folded</c> buffer by <c>BatchNormalization.Fold</c> just
/// before the convolution reads it. A Dense layer's fold costs as much as one row of its GEMM, so
/// <c>Fused.DenseBatchNormForward</c> folds only when the rows outnumber the input features and otherwise applies the
/// normalisation to each block of rows while it is in cache.
/// </para>
/// Operations this pass does not know (recurrent, attention, user code) are left untouched.
/// </summary>
internal static class BatchNormFolding
{
    public static void Run(Program program)
    {
        var ops = program.Operations;
        for (int i = 0; i < ops.Count; i++)
        {
            if (ops[i] is not KernelCall bn || bn.Kernel != KnownKernels.BatchNormInference || bn.Args.Count != 9) continue; // channels last only
            if (bn.Args[0] is not TensorArg { Take: null, Writes: false } z || bn.Args[5] is not TensorArg { Take: null, Writes: true } y) continue;
            if (bn.Args[7] is not IntArg { TimesBatch: false } channelsArg || bn.Args[8] is not FloatArg epsilon) continue;
            int at = Previous(ops, i);
            if (at < 0 || ops[at] is not KernelCall producer || producer.SkipWhen is not null) continue;
            // Nobody else may read z: after the fold it is never written.
            if (ops.Where((o, k) => k != at && k != i).Any(o => o.Operands.OfType<TensorArg>().Any(a => a.Tensor == z.Tensor))) continue;
            int channels = channelsArg.Value;
            var a = producer.Args;
            Operation[]? replacement = null;
            if (producer.Kernel == KnownKernels.DenseForward && a.Count == 7 && a[3] is TensorArg { Writes: true } dz && dz.Tensor == z.Tensor
                && a[5] is IntArg { TimesBatch: false } features && a[6] is IntArg { TimesBatch: false } units && units.Value == channels)
            {
                replacement = new Operation[]
                {
                    new KernelCall(KnownKernels.FusedDenseBatchNormForward, new[]
                    {
                        a[0], a[1], a[2], bn.Args[1], bn.Args[2], bn.Args[3], bn.Args[4], Out(y.Tensor), a[4], a[5], a[6], epsilon,
                        new FoldedArg(0, features.Value * channels + channels, writes: true),
                    }),
                };
            }
            else if (producer.Kernel == KnownKernels.ConvolutionForward && a.Count == 7 && a[4] is TensorArg { Writes: true } cz && cz.Tensor == z.Tensor
                && a[2] is WeightArg { Role: WeightRole.Parameter } kernel && kernel.Decl.Length % channels == 0)
            {
                int kernelLength = kernel.Decl.Length;
                replacement = new Operation[]
                {
                    new KernelCall(KnownKernels.BatchNormFold, new[]
                    {
                        a[2], a[3], bn.Args[1], bn.Args[2], bn.Args[3], bn.Args[4], new FoldedArg(0, kernelLength + channels, writes: true),
                        Int(kernelLength / channels), Int(channels), epsilon,
                    }),
                    new KernelCall(KnownKernels.ConvolutionForward, new[]
                    {
                        a[0], a[1], new FoldedArg(0, kernelLength, writes: false), new FoldedArg(kernelLength, channels, writes: false), Out(y.Tensor), a[5], a[6],
                    }),
                };
            }
            if (replacement is null) continue;
            foreach (var op in replacement) op.Layer = producer.Layer;
            // The normalisation's heading stays, saying where it went.
            int heading = i - 1;
            while (heading > at && ops[heading] is not LayerStart) heading--;
            ops.RemoveAt(i);
            if (heading > at && ops[heading] is LayerStart { Layer: { } layer } && layer == bn.Layer)
                ops[heading] = new LayerStart(layer, $"(folded into {producer.Layer?.Name ?? "the layer before"}'s weights: see the call above)");
            ops.RemoveAt(at);
            ops.InsertRange(at, replacement);
        }
    }

    /// <summary>The index of the operation before <paramref name="at"/>, skipping layer headings, or -1.</summary>
    internal static int Previous(List<Operation> ops, int at)
    {
        for (int k = at - 1; k >= 0; k--)
            if (ops[k] is not LayerStart) return k;
        return -1;
    }

    /// <summary>The index of the operation after <paramref name="at"/>, skipping layer headings, or -1.</summary>
    internal static int Next(List<Operation> ops, int at)
    {
        for (int k = at + 1; k < ops.Count; k++)
            if (ops[k] is not LayerStart) return k;
        return -1;
    }

    /// <summary>Floats of the network's <c>_folded</c> buffer the program needs (0: none).</summary>
    public static int FoldedFloats(Program program)
        => program.Operations.SelectMany(o => o.Operands).OfType<FoldedArg>().Select(f => f.Offset + f.Length).DefaultIfEmpty(0).Max();
}

/// <summary>A region of the network's <c>_folded</c> buffer (weights folded at Predict time), batch-independent.</summary>
internal sealed class FoldedArg : Operand
{
    public FoldedArg(int offset, int length, bool writes)
    {
        Offset = offset;
        Length = length;
        Writes = writes;
    }

    public int Offset { get; }

    public int Length { get; }

    public bool Writes { get; }
}
