using System;

namespace NetGen;

/// <summary>
/// Base of the merge layers (Keras <c>Add</c>, <c>Subtract</c>, ...): the names of the layers or inputs merged are
/// the constructor's arguments, e.g. <c>[Add("input_layer", "dense_1")]</c>.
/// </summary>
public abstract class MergeLayerAttribute : LayerAttribute
{
    /// <summary>Declares a merge of the named layers or inputs, in this order.</summary>
    protected MergeLayerAttribute(string[] inputs) => MergedInputs = inputs;

    /// <summary>The names of the merged layers or inputs.</summary>
    public string[] MergedInputs { get; }
}
