using System;

namespace NetGen;

/// <summary>Keras <c>Subtract</c>: the element-wise difference <c>x0 − x1</c> of exactly two inputs of equal shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SubtractAttribute : MergeLayerAttribute
{
    /// <summary>Declares the merge of the named layers or inputs.</summary>
    public SubtractAttribute(params string[] inputs)
        : base(inputs)
    {
    }
}
