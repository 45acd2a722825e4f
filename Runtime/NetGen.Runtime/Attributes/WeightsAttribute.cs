using System;

namespace NetGen;

/// <summary>
/// Bakes trained weights into the assembly at compile time. Name a weight file in the text form (written by
/// <see cref="Training.WeightFile.SaveText"/> or <see cref="NetworkWeightsExtensions.SaveText"/>) that the project
/// passes to the compiler as <c>&lt;AdditionalFiles Include="..." /&gt;</c>; the generator checks it against the network's
/// weight signature and parameter count (a mismatch is a compile error) and adds a static
/// <c>FromBakedWeights()</c> that constructs the network from read-only data in the binary, with no file access.
/// </summary>
/// <remarks>
/// The name is matched against the end of each AdditionalFiles path, so <c>"fashion.weights.txt"</c> finds
/// <c>Models/fashion.weights.txt</c>. Only the text form works: the compiler gives generators decoded text, not bytes,
/// and a binary file does not survive that decoding.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class WeightsAttribute : Attribute
{
    /// <summary>Bakes the weights of <paramref name="file"/> (an AdditionalFiles item) into the network.</summary>
    public WeightsAttribute(string file) => File = file;

    /// <summary>The weight file, as named in the attribute.</summary>
    public string File { get; }
}
