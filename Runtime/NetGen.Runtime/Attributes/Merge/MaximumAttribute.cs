using System;

namespace NetGen;

/// <summary>Keras <c>Maximum</c>: the element-wise maximum of two or more inputs of equal shape; the gradient goes to the winning input, and on a tie to the first of the tied inputs (TensorFlow's rule).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaximumAttribute : MergeLayerAttribute
{
    /// <summary>Declares the merge of the named layers or inputs.</summary>
    public MaximumAttribute(params string[] inputs)
        : base(inputs)
    {
    }
}
