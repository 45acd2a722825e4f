using NetGen.Generator.Lowering;

namespace NetGen.Generator.Printing;

/// <summary>
/// Every runtime kernel generated code may call. Lowering names kernels through this table (never by text); the
/// printer alone spells them, as <see cref="Prefix"/> + family + method. A kernel the runtime renames breaks here, once.
/// </summary>
internal static class KnownKernels
{
    /// <summary>The namespace of the kernel families, as generated code spells it.</summary>
    public const string Prefix = "global::NetGen.Kernels.";

    public static string Spell(Kernel kernel) => Prefix + kernel.Family + "." + kernel.Method;

    private static Kernel K(string family, string method) => new(family, method);

    // Dense.cs
    public static readonly Kernel DenseForward = K("Dense", "Forward");
    public static readonly Kernel DenseBackwardWeights = K("Dense", "BackwardWeights");
    public static readonly Kernel DenseBackwardInput = K("Dense", "BackwardInput");

    // Convolution family
    public static readonly Kernel ConvolutionForward = K("Convolution", "Forward");
    public static readonly Kernel ConvolutionBackwardWeights = K("Convolution", "BackwardWeights");
    public static readonly Kernel ConvolutionBackwardInput = K("Convolution", "BackwardInput");
    public static readonly Kernel ConvolutionWorkspaceLength = K("Convolution", "WorkspaceLength");
    public static readonly Kernel TransposedConvolutionForward = K("TransposedConvolution", "Forward");
    public static readonly Kernel TransposedConvolutionBackwardWeights = K("TransposedConvolution", "BackwardWeights");
    public static readonly Kernel TransposedConvolutionBackwardInput = K("TransposedConvolution", "BackwardInput");
    public static readonly Kernel TransposedConvolutionWorkspaceLength = K("TransposedConvolution", "WorkspaceLength");
    public static readonly Kernel DepthwiseForward = K("DepthwiseConvolution", "Forward");
    public static readonly Kernel DepthwiseBackwardWeights = K("DepthwiseConvolution", "BackwardWeights");
    public static readonly Kernel DepthwiseBackwardInput = K("DepthwiseConvolution", "BackwardInput");
    public static readonly Kernel LocallyConnectedForward = K("LocallyConnected", "Forward");
    public static readonly Kernel LocallyConnectedBackwardWeights = K("LocallyConnected", "BackwardWeights");
    public static readonly Kernel LocallyConnectedBackwardInput = K("LocallyConnected", "BackwardInput");

    // Fused.cs: epilogues (bias and activation inside the producer's pass over its output)
    public static readonly Kernel FusedDenseForward = K("Fused", "DenseForward");
    public static readonly Kernel FusedConvolutionForward = K("Fused", "ConvolutionForward");
    public static readonly Kernel FusedDenseBatchNormForward = K("Fused", "DenseBatchNormForward");
    public static readonly Kernel FusedConvolutionMaxPoolForward = K("Fused", "ConvolutionMaxPoolForward");
    public static readonly Kernel FusedPooledConvolutionForward = K("Fused", "PooledConvolutionForward");

    // WinogradConvolution.cs: Predict's 3×3 stride-1 convolutions (the Winograd pass)
    public static readonly Kernel WinogradForward = K("WinogradConvolution", "Forward");
    public static readonly Kernel WinogradForwardMaxPool = K("WinogradConvolution", "ForwardMaxPool");
    public static readonly Kernel WinogradWorkspaceLength = K("WinogradConvolution", "WorkspaceLength");

    // Pooling.cs, GlobalPooling.cs, Spatial.cs
    public static readonly Kernel MaxPoolingForward = K("Pooling", "MaxForward");
    public static readonly Kernel AveragePoolingForward = K("Pooling", "AverageForward");
    public static readonly Kernel MaxPoolingBackward = K("Pooling", "MaxBackward");
    public static readonly Kernel AveragePoolingBackward = K("Pooling", "AverageBackward");
    public static readonly Kernel GlobalMaxForward = K("GlobalPooling", "MaxForward");
    public static readonly Kernel GlobalAverageForward = K("GlobalPooling", "AverageForward");
    public static readonly Kernel GlobalMaskedAverageForward = K("GlobalPooling", "MaskedAverageForward");
    public static readonly Kernel GlobalMaxBackward = K("GlobalPooling", "MaxBackward");
    public static readonly Kernel GlobalAverageBackward = K("GlobalPooling", "AverageBackward");
    public static readonly Kernel GlobalMaskedAverageBackward = K("GlobalPooling", "MaskedAverageBackward");
    public static readonly Kernel ZeroPad = K("Spatial", "ZeroPad");
    public static readonly Kernel ZeroPadBackward = K("Spatial", "ZeroPadBackward");
    public static readonly Kernel Crop = K("Spatial", "Crop");
    public static readonly Kernel CropBackward = K("Spatial", "CropBackward");
    public static readonly Kernel UpSample = K("Spatial", "UpSample");
    public static readonly Kernel UpSampleBilinear = K("Spatial", "UpSampleBilinear");
    public static readonly Kernel UpSampleBilinearBackward = K("Spatial", "UpSampleBilinearBackward");
    public static readonly Kernel UpSampleBackward = K("Spatial", "UpSampleBackward");

    // Normalization
    public static readonly Kernel BatchNormInference = K("BatchNormalization", "InferenceForward");
    public static readonly Kernel BatchNormTraining = K("BatchNormalization", "TrainingForward");
    public static readonly Kernel BatchNormBackward = K("BatchNormalization", "Backward");
    public static readonly Kernel BatchNormInferenceBackward = K("BatchNormalization", "InferenceBackward");
    public static readonly Kernel BatchNormFold = K("BatchNormalization", "Fold");
    public static readonly Kernel LayerNormForward = K("LayerNormalization", "Forward");
    public static readonly Kernel LayerNormBackward = K("LayerNormalization", "Backward");
    public static readonly Kernel GroupNormForward = K("GroupNormalization", "Forward");
    public static readonly Kernel GroupNormBackward = K("GroupNormalization", "Backward");

    // Noise, Embedding
    public static readonly Kernel DropoutForward = K("Dropout", "Forward");
    public static readonly Kernel DropoutBackward = K("Dropout", "Backward");
    public static readonly Kernel GaussianNoise = K("Noise", "GaussianNoise");
    public static readonly Kernel GaussianDropout = K("Noise", "GaussianDropout");
    public static readonly Kernel AlphaDropout = K("Noise", "AlphaDropout");
    public static readonly Kernel EmbeddingForward = K("Embedding", "Forward");
    public static readonly Kernel EmbeddingBackwardWeights = K("Embedding", "BackwardWeights");
    public static readonly Kernel EmbeddingValidate = K("Embedding", "Validate");

    // Merge.cs, Dot.cs, Permute.cs, RepeatVector.cs
    public static readonly Kernel MergeAdd = K("Merge", "Add");
    public static readonly Kernel MergeSubtract = K("Merge", "Subtract");
    public static readonly Kernel MergeMultiply = K("Merge", "Multiply");
    public static readonly Kernel MergeMaximum = K("Merge", "Maximum");
    public static readonly Kernel MergeMinimum = K("Merge", "Minimum");
    public static readonly Kernel MergeScale = K("Merge", "Scale");
    public static readonly Kernel MergeNegate = K("Merge", "Negate");
    public static readonly Kernel MergeRouteToWinner = K("Merge", "RouteToWinner");
    public static readonly Kernel MergeBroadcast = K("Merge", "Broadcast");
    public static readonly Kernel MergeSumRepeats = K("Merge", "SumRepeats");
    public static readonly Kernel ConcatenateInto = K("Merge", "ConcatenateInto");
    public static readonly Kernel SplitFrom = K("Merge", "SplitFrom");
    public static readonly Kernel DotForward = K("Dot", "Forward");
    public static readonly Kernel DotBackward = K("Dot", "Backward");
    public static readonly Kernel DotNormalize = K("Dot", "Normalize");
    public static readonly Kernel DotNormalizeBackward = K("Dot", "NormalizeBackward");
    public static readonly Kernel PermuteForward = K("Permute", "Forward");
    public static readonly Kernel PermuteBackward = K("Permute", "Backward");
    public static readonly Kernel RepeatVectorForward = K("RepeatVector", "Forward");
    public static readonly Kernel RepeatVectorBackward = K("RepeatVector", "Backward");

    // PReLU.cs
    public static readonly Kernel PReluForward = K("PRelu", "Forward");
    public static readonly Kernel PReluBackward = K("PRelu", "Backward");

    // Recurrent.cs, Masking.cs
    public static readonly Kernel SimpleRnnForward = K("Recurrent", "SimpleRnnForward");
    public static readonly Kernel SimpleRnnBackward = K("Recurrent", "SimpleRnnBackward");
    public static readonly Kernel SimpleRnnStep = K("Recurrent", "SimpleRnnStep");
    public static readonly Kernel LstmForward = K("Recurrent", "LstmForward");
    public static readonly Kernel LstmBackward = K("Recurrent", "LstmBackward");
    public static readonly Kernel LstmStep = K("Recurrent", "LstmStep");
    public static readonly Kernel GruForward = K("Recurrent", "GruForward");
    public static readonly Kernel GruBackward = K("Recurrent", "GruBackward");
    public static readonly Kernel GruStep = K("Recurrent", "GruStep");
    public static readonly Kernel RecurrentLastOutput = K("Recurrent", "LastOutput");
    public static readonly Kernel RecurrentMergeDirections = K("Recurrent", "MergeDirections");
    public static readonly Kernel RecurrentMergeDirectionsBackward = K("Recurrent", "MergeDirectionsBackward");
    public static readonly Kernel RecurrentInputDropoutForward = K("Recurrent", "InputDropoutForward");
    public static readonly Kernel RecurrentInputDropoutBackward = K("Recurrent", "InputDropoutBackward");

    // RecurrentDirections.cs
    public static readonly Kernel ReverseSteps = K("RecurrentDirections", "ReverseSteps");

    // RecurrentDropout.cs
    public static readonly Kernel RecurrentDropoutMasks = K("RecurrentDropout", "DrawMasks");
    public static readonly Kernel RecurrentDropoutForward = K("RecurrentDropout", "Forward");
    public static readonly Kernel RecurrentDropoutBackward = K("RecurrentDropout", "Backward");
    public static readonly Kernel MaskingForward = K("Masking", "Forward");
    public static readonly Kernel MaskingBackward = K("Masking", "Backward");
    public static readonly Kernel MaskingIndicator = K("Masking", "Indicator");
    public static readonly Kernel MaskingZero = K("Masking", "Zero");
    // Attention.cs, PositionEmbedding.cs
    public static readonly Kernel AttentionForward = K("Attention", "Forward");
    public static readonly Kernel AttentionBackward = K("Attention", "Backward");
    public static readonly Kernel AttentionForwardScratchSize = K("Attention", "ForwardScratchSize");
    public static readonly Kernel AttentionBackwardScratchSize = K("Attention", "BackwardScratchSize");
    public static readonly Kernel MultiHeadForward = K("Attention", "MultiHeadForward");
    public static readonly Kernel MultiHeadProjection = K("Attention", "MultiHeadProjection");
    public static readonly Kernel MultiHeadBackward = K("Attention", "MultiHeadBackward");
    public static readonly Kernel MultiHeadForwardScratchSize = K("Attention", "MultiHeadForwardScratchSize");
    public static readonly Kernel MultiHeadBackwardScratchSize = K("Attention", "MultiHeadBackwardScratchSize");
    public static readonly Kernel AttentionDropoutMask = K("Attention", "DropoutMask");
    public static readonly Kernel PositionEmbeddingForward = K("PositionEmbedding", "Forward");
    public static readonly Kernel PositionEmbeddingBackward = K("PositionEmbedding", "Backward");
    // ConvLstm.cs
    public static readonly Kernel ConvLstmForward = K("ConvLstm", "Forward");
    public static readonly Kernel ConvLstmBackward = K("ConvLstm", "Backward");
    public static readonly Kernel ConvLstmStep = K("ConvLstm", "Step");
    public static readonly Kernel ConvLstmRecurrentMasks = K("ConvLstm", "DrawRecurrentMasks");
    public static readonly Kernel ConvLstmDropoutForward = K("ConvLstm", "DropoutForward");
    public static readonly Kernel ConvLstmDropoutBackward = K("ConvLstm", "DropoutBackward");
    public static readonly Kernel ConvLstmDropoutWorkspaceLength = K("ConvLstm", "DropoutWorkspaceLength");

    // Losses.cs, Initializers.cs
    public static readonly Kernel LossCompute = K("Losses", "Compute");
    public static readonly Kernel SoftmaxCategoricalCrossentropy = K("Losses", "SoftmaxCategoricalCrossentropy");
    public static readonly Kernel SoftmaxSparseCategoricalCrossentropy = K("Losses", "SoftmaxSparseCategoricalCrossentropy");
    public static readonly Kernel SigmoidBinaryCrossentropy = K("Losses", "SigmoidBinaryCrossentropy");
    public static readonly Kernel InitializerFill = K("Initializers", "Fill");

    // Activations.cs: the activation layers' parameterised kernels (ReLU, LeakyReLU, ELU, Softmax over any axis)
    public static readonly Kernel ReluWith = K("Activations", "ReluWith");
    public static readonly Kernel ReluWithBackward = K("Activations", "ReluWithBackward");
    public static readonly Kernel LeakyReluWith = K("Activations", "LeakyReluWith");
    public static readonly Kernel LeakyReluWithBackward = K("Activations", "LeakyReluWithBackward");
    public static readonly Kernel EluWith = K("Activations", "EluWith");
    public static readonly Kernel EluWithBackward = K("Activations", "EluWithBackward");
    public static readonly Kernel SoftmaxAxis = K("Activations", "SoftmaxAxis");
    public static readonly Kernel SoftmaxAxisBackward = K("Activations", "SoftmaxAxisBackward");

    // Activations.cs: one kernel per NetGen.Activation member, named after it (Relu, ReluBackward).
    private static readonly string[] s_activation = System.Enum.GetNames(typeof(Shared.Activation));
    private static readonly Kernel[] s_forward = Activations(false);
    private static readonly Kernel[] s_backward = Activations(true);

    private static Kernel[] Activations(bool backward)
    {
        var kernels = new Kernel[s_activation.Length];
        for (int i = 0; i < kernels.Length; i++) kernels[i] = K("Activations", s_activation[i] + (backward ? "Backward" : ""));
        return kernels;
    }

    /// <summary><c>Activations.Relu</c> etc. for a <c>NetGen.Activation</c> value.</summary>
    public static Kernel ActivationForward(int activation) => s_forward[activation];

    /// <summary><c>Activations.ReluBackward</c> etc.</summary>
    public static Kernel ActivationBackward(int activation) => s_backward[activation];

    /// <summary>Whether <paramref name="kernel"/> is an activation's forward kernel; gives the activation.</summary>
    public static bool IsActivationForward(Kernel kernel, out int activation)
    {
        activation = System.Array.IndexOf(s_forward, kernel);
        return activation > 0;
    }

    /// <summary>Whether <paramref name="kernel"/> is an activation's backward kernel.</summary>
    public static bool IsActivationBackward(Kernel kernel, out int activation)
    {
        activation = System.Array.IndexOf(s_backward, kernel);
        return activation > 0;
    }
}
