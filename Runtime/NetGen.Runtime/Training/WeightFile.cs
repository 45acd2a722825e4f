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
/// half-written weight file (a target that is a symbolic link: beside the file it points to, which is replaced).
/// Loading validates the whole file before it copies anything. <see cref="SaveText"/> writes
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
        var bytes = ReadBounded(path);
        if (!WeightFileFormat.StartsWithMagic(bytes) && WeightFileFormat.FromText(Encoding.ASCII.GetString(bytes)) is { } decoded
            && WeightFileFormat.StartsWithMagic(decoded))
            bytes = decoded;
        if (WeightFileFormat.Check(bytes, path, out header, out var message) != WeightFileFormat.Problem.None)
            throw new InvalidDataException(message);
        return bytes;
    }

    /// <summary>Longest signature accepted (a header announcing more is corrupt): 16 MiB.</summary>
    private const int MaxSignatureBytes = 1 << 24;

    /// <summary>
    /// Reads the file, but never more than its header declares: a binary file is read up to the size its header
    /// announces (then one more byte must not exist), a text file is read only while it looks like base64 and no further
    /// than the base64 length of the size its decoded header announces. An endless stream (<c>/dev/zero</c>, a pipe)
    /// therefore ends in an error, not in memory exhaustion.
    /// </summary>
    private static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var head = new byte[12];
        int got = ReadUpTo(stream, head, 0, head.Length);
        if (got >= 4 && WeightFileFormat.StartsWithMagic(head))
        {
            if (got < 12) return head.AsSpan(0, got).ToArray(); // Check reports it truncated
            long sigLength = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8));
            if (sigLength < 0 || sigLength > MaxSignatureBytes)
                throw new InvalidDataException($"'{path}' is corrupt: its header announces a {sigLength}-byte signature.");
            var upToCount = new byte[12 + sigLength + 4];
            head.CopyTo(upToCount, 0);
            got = 12 + ReadUpTo(stream, upToCount, 12, upToCount.Length - 12);
            if (got < upToCount.Length) return upToCount.AsSpan(0, got).ToArray();
            long count = BinaryPrimitives.ReadInt32LittleEndian(upToCount.AsSpan(upToCount.Length - 4));
            long total = upToCount.Length + count * 4 + 4;
            if (count < 0 || total > Array.MaxLength)
                throw new InvalidDataException($"'{path}' is corrupt: its header announces {count} parameters.");
            var all = new byte[total];
            upToCount.CopyTo(all, 0);
            got = upToCount.Length + ReadUpTo(stream, all, upToCount.Length, all.Length - upToCount.Length);
            if (got < all.Length) return all.AsSpan(0, got).ToArray();
            if (stream.ReadByte() >= 0)
                throw new InvalidDataException($"'{path}' is corrupt: it is longer than the {total} bytes its header declares.");
            return all;
        }

        // The text form: base64 and white space only; stop at the first other byte or once past the announced size.
        var text = new MemoryStream();
        text.Write(head, 0, got);
        if (!LooksLikeBase64(head.AsSpan(0, got)))
            throw new InvalidDataException($"'{path}' is not a NetGen weight file (it does not start with NGWF, nor with its base64 text form).");
        long limit = -1;
        var chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (!LooksLikeBase64(chunk.AsSpan(0, n)))
                throw new InvalidDataException($"'{path}' is not a NetGen weight file (a byte that is neither base64 nor white space follows its start).");
            text.Write(chunk, 0, n);
            if (limit < 0) limit = AnnouncedTextLength(text, path);
            if (limit >= 0 && text.Length > limit)
                throw new InvalidDataException($"'{path}' is corrupt: it is longer than the size its header declares.");
        }
        return text.ToArray();
    }

    /// <summary>
    /// Upper bound on the length of the text form once enough of it is there to decode the header: base64 of the
    /// announced byte count plus a line break every 76 characters and some slack; −1 while undecided.
    /// </summary>
    private static long AnnouncedTextLength(MemoryStream text, string path)
    {
        var decoded = WeightFileFormat.FromText(Prefix(text, 4096));
        if (decoded is null || decoded.Length < 12) return text.Length > 8192 ? throw new InvalidDataException($"'{path}' is not a NetGen weight file.") : -1;
        if (!WeightFileFormat.StartsWithMagic(decoded)) throw new InvalidDataException($"'{path}' is not a NetGen weight file (its text does not decode to NGWF).");
        long sigLength = BinaryPrimitives.ReadInt32LittleEndian(decoded.AsSpan(8));
        if (sigLength < 0 || sigLength > MaxSignatureBytes) throw new InvalidDataException($"'{path}' is corrupt: its header announces a {sigLength}-byte signature.");
        if (decoded.Length < 12 + sigLength + 4)
        {
            decoded = WeightFileFormat.FromText(Prefix(text, (int)Math.Min(int.MaxValue / 2, (12 + sigLength + 4) * 2 + 4096)));
            if (decoded is null || decoded.Length < 12 + sigLength + 4) return text.Length > (12 + sigLength + 4) * 2 + 8192 ? throw new InvalidDataException($"'{path}' is corrupt.") : -1;
        }
        long count = BinaryPrimitives.ReadInt32LittleEndian(decoded.AsSpan((int)(12 + sigLength)));
        if (count < 0) throw new InvalidDataException($"'{path}' is corrupt: its header announces {count} parameters.");
        long bytes = 12 + sigLength + 4 + count * 4 + 4;
        long chars = (bytes + 2) / 3 * 4;
        return chars + chars / 76 * 2 + 1024;
    }

    /// <summary>The first base64 characters of <paramref name="text"/>, white space dropped, cut to a multiple of four, at most about <paramref name="max"/>.</summary>
    private static string Prefix(MemoryStream text, int max)
    {
        var buffer = text.GetBuffer();
        var sb = new StringBuilder();
        for (int i = 0; i < text.Length && sb.Length < max; i++)
            if (!char.IsWhiteSpace((char)buffer[i])) sb.Append((char)buffer[i]);
        sb.Length -= sb.Length % 4;
        return sb.ToString();
    }

    private static bool LooksLikeBase64(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
            if (!(b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'+' or (byte)'/' or (byte)'='
                  or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
                return false;
        return true;
    }

    private static int ReadUpTo(Stream stream, byte[] buffer, int offset, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = stream.Read(buffer, offset + total, count - total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Suffix of the temporary files: <c>target.{32 hex digits}.tmp</c>.</summary>
    private const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, then renames it over the target.
    /// The temporary file stays open (locked) until the rename, so a concurrent save's clean-up never deletes it; on the
    /// way in, temporary files of the same target left by an interrupted save (no longer locked by anyone) are deleted.
    /// Errors name the target, not the temporary file.
    /// </summary>
    internal static void WriteAtomically(string path, byte[] bytes)
    {
        var full = FinalTarget(Path.GetFullPath(path));
        var temporary = full + "." + Guid.NewGuid().ToString("N") + TemporarySuffix;
        try
        {
            DeleteStaleTemporaries(full);
            // FileShare.Delete: Windows lets the rename below happen while the handle is open; on Unix the handle
            // holds a shared advisory lock, which DeleteStaleTemporaries' exclusive probe cannot take.
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Delete))
            {
                var stream = WrapTemporaryStream is { } wrap ? wrap(file) : file;
                stream.Write(bytes);
                stream.Flush();
                file.Flush(flushToDisk: true);
                File.Move(temporary, full, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            var reason = e.Message.Replace(temporary, full, StringComparison.Ordinal);
            throw e is UnauthorizedAccessException
                ? new UnauthorizedAccessException($"Could not save '{full}': {reason}", e)
                : new IOException($"Could not save '{full}': {reason}", e);
        }
    }

    /// <summary>
    /// Test hook (per thread): wraps the temporary file's stream before the bytes are written, so a test can make the write
    /// fail midway as a full disk or a failing device would.
    /// </summary>
    [ThreadStatic]
    internal static Func<Stream, Stream>? WrapTemporaryStream;

    /// <summary>
    /// The file a save to <paramref name="full"/> must replace: for a symbolic link, the file it finally points to (as a
    /// plain write through the link would), so the rename replaces that file and the link stays a link.
    /// </summary>
    private static string FinalTarget(string full)
    {
        try
        {
            if (new FileInfo(full).LinkTarget is not null && File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
                return target.FullName;
        }
        catch (IOException)
        {
            // A loop of links: the write below reports it, naming the path as given.
        }
        return full;
    }

    /// <summary>Deletes <c>target.{32 hex}.tmp</c> files that no running save holds open.</summary>
    private static void DeleteStaleTemporaries(string full)
    {
        var directory = Path.GetDirectoryName(full);
        var name = Path.GetFileName(full);
        if (directory is null || !Directory.Exists(directory)) return;
        foreach (var candidate in Directory.EnumerateFiles(directory, name + ".*" + TemporarySuffix))
        {
            var middle = Path.GetFileName(candidate).AsSpan(name.Length);
            if (middle.Length != 1 + 32 + TemporarySuffix.Length || middle[0] != '.') continue;
            bool hex = true;
            foreach (var ch in middle.Slice(1, 32)) hex &= char.IsAsciiHexDigit(ch);
            if (!hex) continue;
            try
            {
                // An exclusive open fails while a save holds the file. Once it succeeded nobody can take the file
                // again: saves only create new names.
                new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1).Dispose();
                File.Delete(candidate);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
