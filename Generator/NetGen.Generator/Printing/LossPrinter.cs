using NetGen.Generator.Layers;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Printing;

/// <summary>
/// Prints a loss: <c>Losses.Compute</c> for the loss chosen at run time, or, when the loss-fusion pass marked it, a
/// switch that takes the fused softmax/sigmoid form for the losses that have one and sets the flag the activation's
/// backward step checks.
/// </summary>
internal static class LossPrinter
{
    /// <summary>The generated property holding the weights of the current <c>ComputeWeightedGradients</c> call (empty otherwise).</summary>
    public const string SampleWeights = "CallSampleWeights";

    public static string FlagName(FusedFlag flag, int outputs) => outputs == 1 ? "fused" : "fused" + Literals.Int(flag.Output);

    public static void Print(CodeWriter w, LossOp op, System.Func<Operand, string> operand, string target, int outputs, string batch)
    {
        int k = op.Index;
        string assign = k == 0 ? "lossValue =" : "lossValue +=";
        string output = operand(op.Output);
        string gradient = op.Gradient is null ? "global::System.Span<float>.Empty" : operand(op.Gradient);
        string sizes = Literals.Times(batch, op.Rows) + ", " + Literals.Int(op.Cols) + ", " + SampleWeights + (op.Mask is null ? "" : ", " + operand(op.Mask));
        if (outputs > 1) w.Line($"// output {Literals.Int(k)}: {op.Output.Tensor.Name} {op.Output.Tensor.Shape}");
        if (op.Logits is null || op.Flag is null)
        {
            w.Line($"{assign} {KnownKernels.Spell(KnownKernels.LossCompute)}(loss, {output}, {target}, {gradient}, {sizes});");
            return;
        }
        string flag = FlagName(op.Flag, outputs);
        string logits = operand(op.Logits);
        w.Line($"bool {flag} = false;  // true when the loss wrote the gradient with respect to the logits");
        using (w.Open("switch (loss)"))
        {
            void Case(string loss, Kernel kernel)
            {
                w.Line($"case global::NetGen.Loss.{loss}:");
                using (w.Indented())
                {
                    w.Line($"{assign} {KnownKernels.Spell(kernel)}({logits}, {output}, {target}, {gradient}, {sizes});");
                    w.Line($"{flag} = true;");
                    w.Line("break;");
                }
            }
            if (op.Activation == ActivationFunctions.Softmax)
            {
                Case("CategoricalCrossentropy", KnownKernels.SoftmaxCategoricalCrossentropy);
                Case("SparseCategoricalCrossentropy", KnownKernels.SoftmaxSparseCategoricalCrossentropy);
            }
            else Case("BinaryCrossentropy", KnownKernels.SigmoidBinaryCrossentropy);
            w.Line("default:");
            using (w.Indented())
            {
                w.Line($"{assign} {KnownKernels.Spell(KnownKernels.LossCompute)}(loss, {output}, {target}, {gradient}, {sizes});");
                w.Line("break;");
            }
        }
    }
}
