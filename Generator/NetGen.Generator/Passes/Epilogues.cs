using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Passes;

/// <summary>
/// Fuses bias and activation into the producer's epilogue: a Dense or convolution forward writing <c>z</c>, directly
/// followed by the activation <c>y = f(z)</c> (of the same layer, or of an Activation layer right after it: only
/// layer headings between them), becomes one fused call that applies <c>f</c> block by block while the block is in
/// cache (<c>Fused.DenseForward</c>, <c>Fused.ConvolutionForward</c>). The fused call still writes <c>z</c> in full, so
/// later readers of <c>z</c> (a backward pass) are unaffected. Runs after the loss fusion, which looks for the
/// activation that produces an output.
/// </summary>
internal static class Epilogues
{
    public static void Run(Program program)
    {
        var ops = program.Operations;
        for (int i = 0; i < ops.Count; i++)
        {
            int next = BatchNormFolding.Next(ops, i);
            if (next < 0 || ops[i] is not KernelCall producer || ops[next] is not KernelCall activation) continue;
            if (producer.SkipWhen is not null || activation.SkipWhen is not null) continue;
            if (!KnownKernels.IsActivationForward(activation.Kernel, out int function) || activation.Args.Count > 3) continue; // x, y (, cols): no extra arguments
            if (activation.Args[0] is not TensorArg { Take: null } input || activation.Args[1] is not TensorArg { Writes: true, Take: null } output) continue;
            var fused = Fuse(producer, input.Tensor, output.Tensor, function);
            if (fused is null) continue;
            fused.Layer = producer.Layer;
            ops[i] = fused;
            for (int k = i + 1; k < next; k++)
                if (ops[k] is LayerStart { Layer: { } layer } && layer == activation.Layer && layer != producer.Layer)
                    ops[k] = new LayerStart(layer, $"(fused into {producer.Layer?.Name ?? "the layer before"}'s call above)");
            ops.RemoveAt(next);
        }
    }

    private static KernelCall? Fuse(KernelCall producer, Tensor z, Tensor y, int activation)
    {
        var a = producer.Args;
        if (producer.Kernel == KnownKernels.DenseForward && a.Count == 7 && a[3] is TensorArg { Writes: true } dz && dz.Tensor == z)
            return new KernelCall(KnownKernels.FusedDenseForward, new[] { a[0], a[1], a[2], Out(z), Out(y), a[4], a[5], a[6], Activation(activation) });
        if (producer.Kernel == KnownKernels.ConvolutionForward && a.Count == 7 && a[4] is TensorArg { Writes: true } cz && cz.Tensor == z)
            return new KernelCall(KnownKernels.FusedConvolutionForward, new[] { a[0], a[1], a[2], a[3], Out(z), Out(y), a[5], a[6], Activation(activation) });
        return null;
    }
}
