using System;

namespace NetGen;

/// <summary>Keras <c>Multiply</c>: the element-wise product of two or more inputs of equal shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MultiplyAttribute : MergeLayerAttribute
{
    /// <summary>Declares the merge of the named layers or inputs.</summary>
    public MultiplyAttribute(params string[] inputs)
        : base(inputs)
    {
    }
}
