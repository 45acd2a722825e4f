namespace NetGen.Generator.Model;

/// <summary>
/// What baking the weights of one <c>[Weights("...")]</c> network needs from its graph, as plain values: where the
/// class lives, the file it names, and what the file must match (weight signature, parameter and state counts).
/// </summary>
internal sealed record BakeRequest(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string ClassName,
    string HintName,
    string File,
    LocationInfo? FileLocation,
    string Signature,
    int ParameterCount,
    int StateCount);

/// <summary>How reading one weight file went.</summary>
internal enum WeightsFileStatus
{
    Ok,
    WrongFormat,
}

/// <summary>
/// One AdditionalFiles item named by some <c>[Weights]</c>, decoded and checked: its header values and the raw
/// float32 bytes, or why it is not a usable weight file.
/// </summary>
internal sealed record WeightsFileContent(
    string Path,
    WeightsFileStatus Status,
    string Problem,
    string Signature,
    int Count,
    EquatableArray<byte> Payload);

/// <summary>What baking produces for one network: the <c>.Weights.g.cs</c> file (unless an error stopped it) and diagnostics.</summary>
internal sealed record BakeResult(GeneratedSource? Source, EquatableArray<DiagnosticInfo> Diagnostics);
