using System;

namespace NetGen;

/// <summary>Applies an activation function element-wise (softmax: along the last axis). No weights.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : LayerAttribute
{
    /// <summary>Declares an activation layer.</summary>
    public ActivationAttribute(Activation activation) => Activation = activation;

    /// <summary>The activation function.</summary>
    public Activation Activation { get; }
}
