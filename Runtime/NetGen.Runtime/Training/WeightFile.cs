using System;

namespace NetGen.Training;

/// <summary>Versioned binary weight files recording the network's weight signature.</summary>
public static class WeightFile
{
    /// <summary>Writes <paramref name="parameters"/> to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save(string path, string signature, ReadOnlySpan<float> parameters) => throw new NotImplementedException();

    /// <summary>Reads a file written by <see cref="Save"/> into <paramref name="parameters"/>; on any error throws and leaves them untouched.</summary>
    public static void Load(string path, string signature, Span<float> parameters) => throw new NotImplementedException();
}
