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
    public static IdxArray Read(string path)
    {
        var raw = File.ReadAllBytes(path);
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            using var input = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            try
            {
                input.CopyTo(output);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{path}': the gzip data is corrupt ({e.Message}).", e);
            }
            raw = output.ToArray();
        }
        return Parse(raw, path);
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
