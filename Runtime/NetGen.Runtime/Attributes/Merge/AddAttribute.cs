using System;

namespace NetGen;

/// <summary>Keras <c>Add</c>: the element-wise sum of two or more inputs of equal shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute : MergeLayerAttribute
{
    /// <summary>Declares the merge of the named layers or inputs.</summary>
    public AddAttribute(params string[] inputs)
        : base(inputs)
    {
    }
}
