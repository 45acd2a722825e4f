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
/// half-written weight file. Loading validates the whole file before it copies anything.
/// </summary>
public static class WeightFile
{
    private static ReadOnlySpan<byte> Magic => "NGWF"u8;

    /// <summary>The format version this runtime writes and reads.</summary>
    public const uint Version = 1;

    /// <summary>Writes <paramref name="parameters"/> to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save(string path, string signature, ReadOnlySpan<float> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(signature);
        var sig = Encoding.UTF8.GetBytes(signature);
        int length = 4 + 4 + 4 + sig.Length + 4 + parameters.Length * 4 + 4;
        var bytes = new byte[length];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], sig.Length);
        sig.CopyTo(span[12..]);
        int at = 12 + sig.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], parameters.Length);
        at += 4;
        for (int i = 0; i < parameters.Length; i++, at += 4)
            BinaryPrimitives.WriteSingleLittleEndian(span[at..], parameters[i]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32.Compute(span[..at]));

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

    /// <summary>
    /// Reads a file written by <see cref="Save"/> into <paramref name="parameters"/>. A missing file, another
    /// format, another network's signature, a wrong parameter count, a truncated file or a checksum mismatch
    /// throws, and <paramref name="parameters"/> is left untouched.
    /// </summary>
    public static void Load(string path, string signature, Span<float> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(signature);
        var bytes = File.ReadAllBytes(path);
        var span = (ReadOnlySpan<byte>)bytes;
        if (span.Length < 12 || !span[..4].SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a NetGen weight file (it does not start with NGWF).");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        if (version != Version)
            throw new InvalidDataException($"'{path}' has weight-file format version {version}; this NetGen reads version {Version}.");
        int sigLength = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (sigLength < 0 || 12L + sigLength + 4 > span.Length)
            throw new InvalidDataException($"'{path}' is truncated or corrupt: its signature length {sigLength} does not fit in {span.Length} bytes.");
        int at = 12 + sigLength;
        int count = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        at += 4;
        long expectedLength = at + (long)count * 4 + 4;
        if (count < 0 || span.Length != expectedLength)
            throw new InvalidDataException($"'{path}' is truncated or corrupt: {span.Length} bytes, but its header announces {count} parameters ({expectedLength} bytes).");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(span[(span.Length - 4)..]);
        uint actual = Crc32.Compute(span[..^4]);
        if (stored != actual)
            throw new InvalidDataException($"'{path}' is corrupt: its checksum is {stored:x8} but its contents give {actual:x8}.");
        var fileSignature = Encoding.UTF8.GetString(span.Slice(12, sigLength));
        if (fileSignature != signature)
            throw new InvalidDataException($"'{path}' holds weights of another network.\n  file:    {fileSignature}\n  network: {signature}");
        if (count != parameters.Length)
            throw new InvalidDataException($"'{path}' holds {count} parameters, but the network has {parameters.Length}.");
        // Everything checked: only now touch the destination.
        for (int i = 0; i < count; i++, at += 4)
            parameters[i] = BinaryPrimitives.ReadSingleLittleEndian(span[at..]);
    }
}
