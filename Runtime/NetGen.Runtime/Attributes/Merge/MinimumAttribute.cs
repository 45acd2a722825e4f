using System;

namespace NetGen;

/// <summary>Keras <c>Minimum</c>: the element-wise minimum of two or more inputs of equal shape; the gradient goes to the winning input, and on a tie to the first of the tied inputs (TensorFlow's rule).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MinimumAttribute : MergeLayerAttribute
{
    /// <summary>Declares the merge of the named layers or inputs.</summary>
    public MinimumAttribute(params string[] inputs)
        : base(inputs)
    {
    }
}
