using NetGen.Generator.Lowering;

namespace NetGen.Generator.Passes;

/// <summary>Which passes run (<c>[Network(Fusion = false)]</c> turns every optimisation off, so tests can compare).</summary>
internal sealed record PassOptions(bool LossFusion, bool Epilogues, bool DeadGradients, bool BatchNormFolding = false, bool ConvolutionPooling = false)
{
    public static PassOptions All { get; } = new(true, true, true, true, true);

    public static PassOptions None { get; } = new(false, false, false);
}

/// <summary>Runs the passes, in order, over the lowered programs.</summary>
internal static class PassPipeline
{
    public static void Run(Program inference, Program training, PassOptions options)
    {
        if (training.Blocked is null)
        {
            if (options.DeadGradients) DeadGradients.Run(training);
            if (options.LossFusion) LossFusion.Run(training);
            if (options.Epilogues) Epilogues.Run(training);
        }
        // Predict only: BatchNormalization into the weights before it, then epilogues, then pooling into the convolution.
        if (options.BatchNormFolding) BatchNormFolding.Run(inference);
        if (options.Epilogues) Epilogues.Run(inference);
        if (options.ConvolutionPooling) ConvolutionPooling.Run(inference);
    }
}
