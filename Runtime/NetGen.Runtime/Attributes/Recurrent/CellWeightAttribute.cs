using System;

namespace NetGen;

/// <summary>
/// One weight of an <see cref="IRecurrentCell"/>, declared on the cell struct (in order: the cell's methods receive its
/// weights concatenated in declaration order). The network names it <c>layer/name</c> in its parameter layout and weight
/// files, and initialises it with <see cref="Initializer"/> (fan in: the product of all axes but the last; fan out:
/// the last axis).
/// </summary>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class CellWeightAttribute : Attribute
{
    /// <summary>Declares the weight <paramref name="name"/> (letters, digits, underscores) of shape <paramref name="shape"/>.</summary>
    public CellWeightAttribute(string name, params int[] shape)
    {
        Name = name;
        Shape = shape;
    }

    /// <summary>The weight's name, e.g. <c>kernel</c>.</summary>
    public string Name { get; }

    /// <summary>The weight's shape (every axis positive).</summary>
    public int[] Shape { get; }

    /// <summary>How the weight is initialised. Default <see cref="NetGen.Initializer.GlorotUniform"/>.</summary>
    public Initializer Initializer { get; set; } = Initializer.GlorotUniform;
}
