namespace NetGen;

/// <summary>One output of a network, as it sits in the packed output and target rows.</summary>
/// <param name="Name">The output layer's name.</param>
/// <param name="Length">Floats per sample.</param>
/// <param name="Rows">Rows the loss sees per sample (every axis but the last): class ids per sample for sparse targets.</param>
public sealed record OutputInfo(string Name, int Length, int Rows);
