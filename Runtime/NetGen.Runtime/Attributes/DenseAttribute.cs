using System;

namespace NetGen;

/// <summary>
/// Fully connected layer (Keras <c>Dense</c>): <c>y = activation(x·kernel + bias)</c> on the last axis.
/// Weights: <c>kernel (in, units)</c> then <c>bias (units)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Declares a dense layer with <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units) => Units = units;

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <summary>Activation applied after the bias add. Default <see cref="NetGen.Activation.Linear"/>.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>Whether the layer has a bias vector. Default true.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Kernel initializer. Default <see cref="Initializer.GlorotUniform"/>.</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Bias initializer. Default <see cref="Initializer.Zeros"/>.</summary>
    public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
}
