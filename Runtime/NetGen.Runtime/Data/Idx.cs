using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace NetGen.Data;

/// <summary>An IDX array of unsigned bytes (the MNIST file format): its dimensions and row-major data.</summary>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Data">Row-major values.</param>
public sealed record IdxArray(int[] Shape, byte[] Data);

/// <summary>Reads IDX files (<c>00 00 08 rank</c>, big-endian dimensions, bytes), plain or gzip-compressed (detected by content).</summary>
public static class Idx
{
    /// <summary>Reads the IDX file at <paramref name="path"/>.</summary>
    /// <remarks>
    /// Decompresses straight into the one array it returns, sized from the header: no growing buffer and no copies (each
    /// fresh page written costs a page fault, which dominates a native program's start-up on a VM).
    /// </remarks>
    public static IdxArray Read(string path)
    {
        using var reader = Open(path);
        if (reader.Count > Array.MaxLength)
            throw new InvalidDataException($"'{path}' announces {reader.Count} values, more than one array holds.");
        var data = GC.AllocateUninitializedArray<byte>((int)reader.Count);
        reader.ReadValues(data);
        reader.EnsureEnd();
        return new IdxArray(reader.Shape, data);
    }

    /// <summary>
    /// Opens the IDX file at <paramref name="path"/> (plain or gzip) and reads its header: the values can then be read
    /// piecewise (<see cref="IdxReader.ReadValues"/>), e.g. the first image before decoding the rest.
    /// </summary>
    public static IdxReader Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            Stream stream = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b
                ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: false)
                : new BufferedStream(file, 16384);
            return new IdxReader(stream, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Parses IDX bytes; <paramref name="name"/> appears in error messages.</summary>
    public static IdxArray Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"'{name}' is not an IDX file (it must start with two zero bytes).");
        if (bytes[2] != 0x08)
            throw new InvalidDataException($"'{name}' holds IDX type 0x{bytes[2]:x2}; only unsigned bytes (0x08) are supported.");
        int rank = bytes[3];
        if (rank == 0 || bytes.Length < 4 + 4 * rank)
            throw new InvalidDataException($"'{name}' is truncated: its header announces {rank} dimensions.");
        var shape = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 + 4 * i)..]);
            if (d > int.MaxValue) throw new InvalidDataException($"'{name}': dimension {i} is {d}, too large.");
            shape[i] = (int)d;
            count *= d;
        }
        int offset = 4 + 4 * rank;
        if (bytes.Length - offset != count)
            throw new InvalidDataException($"'{name}' is truncated or corrupt: its header announces {count} values but it holds {bytes.Length - offset}.");
        return new IdxArray(shape, bytes[offset..].ToArray());
    }
}

/// <summary>
/// An IDX file being read: its <see cref="Shape"/> (from the header) and its values, read in order in as many pieces as the
/// caller likes. From <see cref="Idx.Open"/>.
/// </summary>
public sealed class IdxReader : IDisposable
{
    private readonly Stream _stream;
    private readonly string _name;
    private long _read;

    internal IdxReader(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
        try
        {
            Span<byte> head = stackalloc byte[4];
            Fill(head, "header");
            if (head[0] != 0 || head[1] != 0)
                throw new InvalidDataException($"'{name}' is not an IDX file (it must start with two zero bytes).");
            if (head[2] != 0x08)
                throw new InvalidDataException($"'{name}' holds IDX type 0x{head[2]:x2}; only unsigned bytes (0x08) are supported.");
            int rank = head[3];
            if (rank == 0) throw new InvalidDataException($"'{name}' is truncated: its header announces {rank} dimensions.");
            Span<byte> dims = stackalloc byte[4 * rank];
            Fill(dims, "header");
            Shape = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++)
            {
                uint d = BinaryPrimitives.ReadUInt32BigEndian(dims[(4 * i)..]);
                if (d > int.MaxValue) throw new InvalidDataException($"'{name}': dimension {i} is {d}, too large.");
                Shape[i] = (int)d;
                count *= d;
            }
            Count = count;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>Values the header announces (the product of <see cref="Shape"/>).</summary>
    public long Count { get; }

    /// <summary>Reads the next <c>destination.Length</c> values; throws <see cref="InvalidDataException"/> if the file ends first.</summary>
    public void ReadValues(Span<byte> destination)
    {
        if (_read + destination.Length > Count)
            throw new ArgumentException($"'{_name}' has {Count - _read} values left to read, not {destination.Length}.", nameof(destination));
        int got = Read(destination);
        _read += got;
        if (got < destination.Length)
            throw new InvalidDataException($"'{_name}' is truncated or corrupt: its header announces {Count} values but it holds {_read}.");
    }

    /// <summary>Throws <see cref="InvalidDataException"/> unless every value has been read and nothing follows them.</summary>
    public void EnsureEnd()
    {
        Span<byte> extra = stackalloc byte[256];
        long more = 0;
        int got;
        while ((got = Read(extra)) > 0) more += got;
        if (_read != Count || more > 0)
            throw new InvalidDataException($"'{_name}' is truncated or corrupt: its header announces {Count} values but it holds {_read + more}.");
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    private void Fill(Span<byte> destination, string what)
    {
        if (Read(destination) < destination.Length)
            throw new InvalidDataException($"'{_name}' is truncated: it ends inside its {what}.");
    }

    private int Read(Span<byte> destination)
    {
        try
        {
            return _stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{_name}': the gzip data is corrupt ({e.Message}).", e);
        }
    }
}
