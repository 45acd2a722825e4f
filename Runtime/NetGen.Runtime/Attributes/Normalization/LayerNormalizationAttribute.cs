using System;

namespace NetGen;

/// <summary>Keras <c>LayerNormalization</c>: per sample, normalises over the last axis; weights γ, β.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormalizationAttribute : NormalizationLayerAttribute
{
}
