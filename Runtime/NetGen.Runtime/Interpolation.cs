// Compiled into the runtime (public NetGen.Interpolation) and into the source generator (internal, its own namespace),
// so the generator reads the enum's members instead of keeping a copy of them.
#if NETGEN_GENERATOR
namespace NetGen.Generator.Shared;
#else
namespace NetGen;
#endif

/// <summary>How <c>UpSampling2D</c> fills the new positions (Keras <c>interpolation=</c>).</summary>
#if NETGEN_GENERATOR
internal
#else
public
#endif
    enum Interpolation
{
    /// <summary>Each output position repeats the input position it falls in (Keras <c>"nearest"</c>).</summary>
    Nearest = 0,

    /// <summary>
    /// Linear along each spatial axis between the two nearest input centres, with half-pixel centres: output position o
    /// reads input coordinate <c>(o + ½)/factor − ½</c>, clamped to the first and last positions (Keras <c>"bilinear"</c>,
    /// PyTorch <c>interpolate(mode="bilinear", align_corners=False)</c>).
    /// </summary>
    Bilinear = 1,
}
