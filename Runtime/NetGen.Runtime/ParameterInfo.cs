namespace NetGen;

/// <summary>One weight of a network: its Keras-style name (<c>dense/kernel</c>), shape, and place in the flat parameter buffer.</summary>
/// <param name="Name">Layer name and weight name, separated by a slash.</param>
/// <param name="Offset">Offset of the first element in <see cref="INetwork.Parameters"/>.</param>
/// <param name="Length">Number of elements (the product of <paramref name="Shape"/>).</param>
/// <param name="Shape">The weight's shape, row-major.</param>
public sealed record ParameterInfo(string Name, int Offset, int Length, int[] Shape);
