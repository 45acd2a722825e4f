using System.Linq;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;
using static NetGen.Generator.Lowering.LoweringContext;

namespace NetGen.Generator.Passes;

/// <summary>
/// Fuses a convolution (with its bias and activation, fused or not) and the max pooling that reads its output into
/// one call that pools each block of samples while it is in cache (<c>Fused.ConvolutionMaxPoolForward</c>), or, when the
/// pooling alone reads the convolution's output, pools straight from registers without writing that output where the
/// kernel can (<c>Fused.PooledConvolutionForward</c>). Predict
/// only (training's max-pooling backward reads the convolution's output, which stays in the arena anyway). When the
/// activation came from its own layer and wrote a new tensor, the convolution's raw output must be read by nobody else.
/// Runs after <see cref="Epilogues"/>. Operations this pass does not know are left untouched.
/// </summary>
internal static class ConvolutionPooling
{
    public static void Run(Program program)
    {
        var ops = program.Operations;
        for (int i = 0; i < ops.Count; i++)
        {
            if (ops[i] is not KernelCall conv || conv.SkipWhen is not null) continue;
            var a = conv.Args;
            Operand geometry, x, kernel, bias, batch, workspace, activation;
            Tensor output;
            if (conv.Kernel == KnownKernels.ConvolutionForward && a.Count == 7 && a[4] is TensorArg { Writes: true, Take: null } y0)
            {
                (geometry, x, kernel, bias, batch, workspace, activation, output) = (a[0], a[1], a[2], a[3], a[5], a[6], Activation(0), y0.Tensor);
            }
            else if (conv.Kernel == KnownKernels.FusedConvolutionForward && a.Count == 9 && a[4] is TensorArg { Writes: true, Take: null } z
                && a[5] is TensorArg { Writes: true, Take: null } y1)
            {
                // z is not written by the fused call: it must be y, or read by nobody but this call.
                if (z.Tensor != y1.Tensor && ops.Where((o, k) => k != i).Any(o => o.Operands.OfType<TensorArg>().Any(t => t.Tensor == z.Tensor))) continue;
                (geometry, x, kernel, bias, batch, workspace, activation, output) = (a[0], a[1], a[2], a[3], a[6], a[7], a[8], y1.Tensor);
            }
            else continue;
            int next = BatchNormFolding.Next(ops, i);
            if (next < 0 || ops[next] is not KernelCall pool || pool.Kernel != KnownKernels.MaxPoolingForward || pool.Args.Count != 4 || pool.SkipWhen is not null) continue;
            if (pool.Args[1] is not TensorArg { Writes: false, Take: null } input || input.Tensor != output || pool.Args[2] is not TensorArg { Writes: true } pooled) continue;
            // The pooling must see the convolution's samples (TimeDistributed runs both over batch·steps samples).
            if (batch is not IntArg { TimesBatch: true } cb || pool.Args[3] is not IntArg { TimesBatch: true } pb || cb.Value != pb.Value) continue;
            // When the pooling alone reads the convolution's output, the fused call may skip writing it.
            bool alone = !program.Outputs.Contains(output) && !ops.Where((o, k) => k != i && k != next).Any(o => o.Operands.OfType<TensorArg>().Any(t => t.Tensor == output));
            var fused = new KernelCall(alone ? KnownKernels.FusedPooledConvolutionForward : KnownKernels.FusedConvolutionMaxPoolForward,
                new[] { geometry, pool.Args[0], x, kernel, bias, Out(output), pooled, batch, workspace, activation })
            {
                Layer = conv.Layer,
            };
            ops[i] = fused;
            for (int k = i + 1; k < next; k++)
                if (ops[k] is LayerStart { Layer: { } layer } && layer == pool.Layer)
                    ops[k] = new LayerStart(layer, $"(fused into {conv.Layer?.Name ?? "the convolution"}'s call above)");
            ops.RemoveAt(next);
        }
    }
}
