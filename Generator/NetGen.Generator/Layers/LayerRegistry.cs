using System.Collections.Generic;

namespace NetGen.Generator.Layers;

/// <summary>Maps attribute names to layer kinds. Adding a layer means adding its file and one line here.</summary>
internal static class LayerRegistry
{
    private static readonly Dictionary<string, LayerKind> s_kinds = Create();

    private static IEnumerable<LayerKind> Kinds()
    {
        yield return new DenseKind();
        yield return new ActivationKind();
        yield return new PReluKind();
        yield return new FlattenKind();
        yield return new ReshapeKind();
        yield return new NoiseKind(NoiseKind.Mode.Dropout);
        yield return new TransposedConvolutionKind();
        yield return new DepthwiseConvolutionKind();
        yield return new SeparableConvolutionKind();
        yield return new NormalizationKind(NormalizationKind.Mode.Batch);
        yield return new NormalizationKind(NormalizationKind.Mode.Layer);
        yield return new NormalizationKind(NormalizationKind.Mode.Group);
        yield return new NoiseKind(NoiseKind.Mode.GaussianNoise);
        yield return new NoiseKind(NoiseKind.Mode.GaussianDropout);
        yield return new NoiseKind(NoiseKind.Mode.AlphaDropout);
        yield return new EmbeddingKind();
        foreach (MergeKind.Op op in System.Enum.GetValues(typeof(MergeKind.Op))) yield return new MergeKind(op);
        yield return new ConcatenateKind();
        yield return new DotKind();
        yield return new PermuteKind();
        yield return new RepeatVectorKind();
        yield return new LambdaKind();
        yield return new RecurrentKind(Cell.SimpleRnn);
        yield return new RecurrentKind(Cell.Lstm);
        yield return new RecurrentKind(Cell.Gru);
        yield return new MaskingKind();
        yield return new ConvLstmKind(1);
        yield return new ConvLstmKind(2);
        yield return new ConvLstmKind(3);
        yield return new RnnKind();
        yield return new MultiHeadAttentionKind();
        yield return new AttentionKind(additive: false);
        yield return new AttentionKind(additive: true);
        yield return new PositionEmbeddingKind();
        foreach (ActivationLayerKind.Op op in System.Enum.GetValues(typeof(ActivationLayerKind.Op))) yield return new ActivationLayerKind(op);
        for (int rank = 1; rank <= 3; rank++)
        {
            yield return new ConvolutionKind(rank);
            yield return new PoolingKind(max: true, rank);
            yield return new PoolingKind(max: false, rank);
            yield return new GlobalPoolingKind(max: true, rank);
            yield return new GlobalPoolingKind(max: false, rank);
            yield return new SpatialKind(SpatialKind.Op.ZeroPadding, rank);
            yield return new SpatialKind(SpatialKind.Op.Cropping, rank);
            yield return new SpatialKind(SpatialKind.Op.UpSampling, rank);
            if (rank <= 2) yield return new LocallyConnectedKind(rank);
        }
    }

    private static Dictionary<string, LayerKind> Create()
    {
        var map = new Dictionary<string, LayerKind>();
        foreach (var kind in Kinds()) map.Add(kind.AttributeName, kind);
        return map;
    }

    public static LayerKind? Find(string attributeName) => s_kinds.TryGetValue(attributeName, out var kind) ? kind : null;

    public static IEnumerable<string> AttributeNames => s_kinds.Keys;
}
