using System;

namespace NetGen;

/// <summary>Keras <c>ELU</c> layer: <c>x</c> for <c>x &gt; 0</c>, else <c>Alpha · (e^x − 1)</c>. No weights.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ELUAttribute : LayerAttribute
{
    /// <summary>Scale of the negative part; default 1.</summary>
    public double Alpha { get; set; } = 1.0;
}
