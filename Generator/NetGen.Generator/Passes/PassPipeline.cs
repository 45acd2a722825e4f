using NetGen.Generator.Lowering;

namespace NetGen.Generator.Passes;

/// <summary>
/// Which passes run (<c>[Network(Fusion = false)]</c> turns every optimisation off, so tests can compare;
/// <c>[Network(Winograd = false)]</c> only the Winograd convolutions).
/// </summary>
internal sealed record PassOptions(bool LossFusion, bool Epilogues, bool DeadGradients, bool BatchNormFolding = false, bool ConvolutionPooling = false, bool Winograd = false)
{
    public static PassOptions All { get; } = new(true, true, true, true, true, true);

    public static PassOptions None { get; } = new(false, false, false);
}

/// <summary>Runs the passes, in order, over the lowered programs.</summary>
internal static class PassPipeline
{
    public static void Run(Program inference, Program training, PassOptions options, Resources? resources = null)
    {
        if (training.Blocked is null)
        {
            if (options.DeadGradients) DeadGradients.Run(training);
            if (options.LossFusion) LossFusion.Run(training);
            if (options.Epilogues) Epilogues.Run(training);
        }
        // Predict only: BatchNormalization into the weights before it, then epilogues, then pooling into the convolution,
        // then the 3×3 convolutions (with their epilogue and pooling) to Winograd's algorithm.
        if (options.BatchNormFolding) BatchNormFolding.Run(inference);
        if (options.Epilogues) Epilogues.Run(inference);
        if (options.ConvolutionPooling) ConvolutionPooling.Run(inference);
        if (options.Winograd && resources is not null) Winograd.Run(inference, resources);
    }
}
