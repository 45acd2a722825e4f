using System;

namespace NetGen;

/// <summary>Keras <c>Average</c>: the element-wise mean of two or more inputs of equal shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AverageAttribute : MergeLayerAttribute
{
    /// <summary>Declares the merge of the named layers or inputs.</summary>
    public AverageAttribute(params string[] inputs)
        : base(inputs)
    {
    }
}
