using System;

namespace NetGen;

/// <summary>
/// Keras <c>UpSampling2D</c>: enlarges height and width by integer factors, repeating every element (nearest neighbour) or
/// interpolating bilinearly between neighbours (<see cref="Interpolation"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class UpSampling2DAttribute : LayerAttribute
{
    /// <summary>Declares up-sampling: no value repeats 2 times along every axis; one value for every axis, or one per axis.</summary>
    public UpSampling2DAttribute(params int[] size) => Size = size;

    /// <summary>Repeat factors.</summary>
    public int[] Size { get; }

    /// <summary>
    /// How the new positions are filled: <see cref="NetGen.Interpolation.Nearest"/> (the default, Keras' too) or
    /// <see cref="NetGen.Interpolation.Bilinear"/> (half-pixel centres, edges clamped, as Keras and PyTorch's
    /// <c>align_corners=False</c>).
    /// </summary>
    public Interpolation Interpolation { get; set; } = Interpolation.Nearest;
}
