using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace NetGen.Training;

/// <summary>
/// NetGen weight files. Layout (little-endian):
/// <list type="number">
/// <item>magic: the four ASCII bytes <c>NGWF</c>;</item>
/// <item>format version (uint32, currently 1);</item>
/// <item>signature length in bytes (int32), then the network's weight signature in UTF-8 (the generated
/// <c>WeightSignature</c>: every weight's name and shape);</item>
/// <item>parameter count (int32), then that many float32 values in <c>Parameters</c> order;</item>
/// <item>CRC-32 (IEEE) of every preceding byte (uint32).</item>
/// </list>
/// Saving writes a temporary file beside the target and renames it over the target, so a crash never leaves a
/// half-written weight file. Loading validates the whole file before it copies anything. <see cref="SaveText"/> writes
/// the same bytes in base64, the form the source generator can bake into an assembly (see WeightFileFormat).
/// </summary>
public static class WeightFile
{
    /// <summary>The format version this runtime writes and reads.</summary>
    public const uint Version = WeightFileFormat.Version;

    /// <summary>Writes <paramref name="parameters"/> to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save(string path, string signature, ReadOnlySpan<float> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(signature);
        WriteAtomically(path, WeightFileFormat.Encode(signature, parameters.ToArray(), parameters.Length));
    }

    /// <summary>
    /// Writes <paramref name="parameters"/> to <paramref name="path"/> in the text form (the binary file in base64),
    /// the form <c>[Weights("...")]</c> bakes into an assembly at compile time. <see cref="Load"/> reads both forms.
    /// </summary>
    public static void SaveText(string path, string signature, ReadOnlySpan<float> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(signature);
        var text = WeightFileFormat.ToText(WeightFileFormat.Encode(signature, parameters.ToArray(), parameters.Length));
        WriteAtomically(path, Encoding.ASCII.GetBytes(text));
    }

    /// <summary>
    /// Converts a weight file written by <see cref="Save"/> (or by a network's <c>Save</c>) into the text form that
    /// <c>[Weights("...")]</c> bakes in. The file is checked completely first.
    /// </summary>
    public static void ConvertToText(string binaryPath, string textPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(binaryPath);
        ArgumentException.ThrowIfNullOrEmpty(textPath);
        var bytes = ReadChecked(binaryPath, out _);
        WriteAtomically(textPath, Encoding.ASCII.GetBytes(WeightFileFormat.ToText(bytes)));
    }

    /// <summary>
    /// Reads a file written by <see cref="Save"/> or <see cref="SaveText"/> into <paramref name="parameters"/>. A
    /// missing file, another format, another network's signature, a wrong parameter count, a truncated file or a
    /// checksum mismatch throws, and <paramref name="parameters"/> is left untouched.
    /// </summary>
    public static void Load(string path, string signature, Span<float> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(signature);
        var bytes = ReadChecked(path, out var header);
        if (header.Signature != signature)
            throw new InvalidDataException($"'{path}' holds weights of another network.\n  file:    {header.Signature}\n  network: {signature}");
        if (header.Count != parameters.Length)
            throw new InvalidDataException($"'{path}' holds {header.Count} parameters, but the network has {parameters.Length}.");
        // Everything checked: only now touch the destination.
        var span = (ReadOnlySpan<byte>)bytes;
        for (int i = 0, at = header.PayloadOffset; i < header.Count; i++, at += 4)
            parameters[i] = BinaryPrimitives.ReadSingleLittleEndian(span[at..]);
    }

    /// <summary>The bytes of a binary weight file at <paramref name="path"/> (decoding the text form), fully checked.</summary>
    private static byte[] ReadChecked(string path, out WeightFileFormat.Header header)
    {
        var bytes = File.ReadAllBytes(path);
        if (!WeightFileFormat.StartsWithMagic(bytes) && WeightFileFormat.FromText(Encoding.ASCII.GetString(bytes)) is { } decoded
            && WeightFileFormat.StartsWithMagic(decoded))
            bytes = decoded;
        if (WeightFileFormat.Check(bytes, path, out header, out var message) != WeightFileFormat.Problem.None)
            throw new InvalidDataException(message);
        return bytes;
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
