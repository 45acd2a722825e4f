using System.Linq;
using NetGen.Generator.Layers;
using NetGen.Generator.Lowering;
using NetGen.Generator.Printing;

namespace NetGen.Generator.Passes;

/// <summary>
/// Fuses a loss with the softmax or sigmoid that produces its output: when the output tensor is written by that
/// activation from logits <c>z</c>, and the output's gradient goes only to the activation's in-place backward, the loss
/// is marked with the logits (softmax + (sparse) categorical cross-entropy and sigmoid + binary cross-entropy then
/// write the gradient with respect to the logits directly, which is both faster and exact for saturated outputs), and
/// the activation's backward is skipped at run time when the fused form ran (the loss is chosen at run time).
/// </summary>
internal static class LossFusion
{
    public static void Run(Program program)
    {
        var ops = program.Operations;
        foreach (var loss in ops.OfType<LossOp>().ToList())
        {
            if (loss.Gradient is null) continue;
            var y = loss.Output.Tensor;
            var dy = loss.Gradient.Tensor;
            int at = ops.IndexOf(loss);
            var producer = ops.Take(at).OfType<KernelCall>().LastOrDefault(k => k.Args.OfType<TensorArg>().Any(a => a.Writes && a.Tensor == y));
            if (producer is null || !KnownKernels.IsActivationForward(producer.Kernel, out int activation)) continue;
            if (activation is not (ActivationFunctions.Softmax or ActivationFunctions.Sigmoid)) continue;
            var z = ((TensorArg)producer.Args[0]).Tensor;
            if (z == y) continue; // the logits were overwritten (inference form)
            // The gradient's only reader must be the matching backward, in place (dx = dy), right after the loss wrote it.
            var readers = ops.Skip(at + 1).Where(o => o.Operands.OfType<TensorArg>().Any(a => a.Tensor == dy)).ToList();
            if (readers.Count == 0 || readers[0] is not KernelCall backward) continue;
            if (!KnownKernels.IsActivationBackward(backward.Kernel, out int back) || back != activation) continue;
            var args = backward.Args.OfType<TensorArg>().ToList();
            if (args.Count < 4 || args[0].Tensor != z || args[1].Tensor != y || args[2].Tensor != dy || args[3].Tensor != dy) continue;
            // The output must be read by nobody else (its value is what the fused loss skips computing the gradient of).
            if (ops.Any(o => o != loss && o != producer && o != backward && o is not LayerStart && o.Operands.OfType<TensorArg>().Any(a => a.Tensor == y) && !(o is KernelCall k && k.Kernel == KnownKernels.ConcatenateInto)))
                continue;
            var flag = new FusedFlag(loss.Index);
            loss.Logits = new TensorArg(z, false);
            loss.Activation = activation;
            loss.Flag = flag;
            backward.SkipWhen = flag;
        }
    }
}
