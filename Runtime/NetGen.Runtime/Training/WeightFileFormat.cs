using System;
using System.Text;

namespace NetGen.Training;

/// <summary>
/// The header, checksum and text form of NetGen weight files, in one place. This file is compiled into both the
/// runtime (<see cref="WeightFile"/>) and the source generator (which bakes weights into assemblies), so it sticks to
/// what netstandard2.0 offers: arrays, no spans.
/// <para>Binary layout (little-endian): the ASCII magic <c>NGWF</c>; format version (uint32); signature length in
/// bytes (int32) and the signature in UTF-8; value count (int32) and that many float32 values; CRC-32 (IEEE) of every
/// preceding byte (uint32).</para>
/// <para>Text form: the same bytes in base64, wrapped at 76 characters (white space is ignored when reading). The
/// compiler hands AdditionalFiles to source generators only as decoded text: it refuses a file with runs of zero bytes
/// as binary (CS2015) and decodes other non-UTF-8 bytes with a lossy UTF-8 fallback (on Linux), so only a text form
/// survives the trip into the generator intact.</para>
/// </summary>
internal static class WeightFileFormat
{
    /// <summary>The format version this code writes and reads.</summary>
    public const uint Version = 1;

    /// <summary>The first four bytes of every binary weight file.</summary>
    public const string Magic = "NGWF";

    /// <summary>How a weight file failed the checks.</summary>
    public enum Problem
    {
        None,
        NotWeightFile,
        WrongVersion,
        Truncated,
        Checksum,
    }

    /// <summary>What the header of a valid weight file says.</summary>
    public readonly struct Header
    {
        public Header(string signature, int count, int payloadOffset)
        {
            Signature = signature;
            Count = count;
            PayloadOffset = payloadOffset;
        }

        /// <summary>The weight signature of the network that wrote the file.</summary>
        public string Signature { get; }

        /// <summary>Number of float32 values stored.</summary>
        public int Count { get; }

        /// <summary>Offset of the first float32 value.</summary>
        public int PayloadOffset { get; }
    }

    /// <summary>Encodes <paramref name="values"/> under <paramref name="signature"/> as a complete binary weight file.</summary>
    public static byte[] Encode(string signature, float[] values, int count)
    {
        var sig = Encoding.UTF8.GetBytes(signature);
        int length = 4 + 4 + 4 + sig.Length + 4 + count * 4 + 4;
        var bytes = new byte[length];
        for (int i = 0; i < 4; i++) bytes[i] = (byte)Magic[i];
        WriteUInt32(bytes, 4, Version);
        WriteUInt32(bytes, 8, (uint)sig.Length);
        Array.Copy(sig, 0, bytes, 12, sig.Length);
        int at = 12 + sig.Length;
        WriteUInt32(bytes, at, (uint)count);
        at += 4;
        for (int i = 0; i < count; i++, at += 4)
            WriteUInt32(bytes, at, SingleBits(values[i]));
        WriteUInt32(bytes, at, Crc32(bytes, 0, at));
        return bytes;
    }

    /// <summary>
    /// Checks magic, version, lengths and checksum of a binary weight file. Returns <see cref="Problem.None"/> and
    /// the header, or the problem and a message that names <paramref name="name"/>.
    /// </summary>
    public static Problem Check(byte[] bytes, string name, out Header header, out string message)
    {
        header = default;
        message = "";
        if (bytes.Length < 12 || !StartsWithMagic(bytes))
        {
            message = $"'{name}' is not a NetGen weight file (it does not start with NGWF).";
            return Problem.NotWeightFile;
        }
        uint version = ReadUInt32(bytes, 4);
        if (version != Version)
        {
            message = $"'{name}' has weight-file format version {version}; this NetGen reads version {Version}.";
            return Problem.WrongVersion;
        }
        int sigLength = (int)ReadUInt32(bytes, 8);
        if (sigLength < 0 || 12L + sigLength + 4 > bytes.Length)
        {
            message = $"'{name}' is truncated or corrupt: its signature length {sigLength} does not fit in {bytes.Length} bytes.";
            return Problem.Truncated;
        }
        int at = 12 + sigLength;
        int count = (int)ReadUInt32(bytes, at);
        at += 4;
        long expectedLength = at + (long)count * 4 + 4;
        if (count < 0 || bytes.Length != expectedLength)
        {
            message = $"'{name}' is truncated or corrupt: {bytes.Length} bytes, but its header announces {count} parameters ({expectedLength} bytes).";
            return Problem.Truncated;
        }
        uint stored = ReadUInt32(bytes, bytes.Length - 4);
        uint actual = Crc32(bytes, 0, bytes.Length - 4);
        if (stored != actual)
        {
            message = $"'{name}' is corrupt: its checksum is {stored:x8} but its contents give {actual:x8}.";
            return Problem.Checksum;
        }
        header = new Header(Encoding.UTF8.GetString(bytes, 12, sigLength), count, at);
        return Problem.None;
    }

    /// <summary>Whether <paramref name="bytes"/> begins with the binary magic <c>NGWF</c>.</summary>
    public static bool StartsWithMagic(byte[] bytes)
    {
        if (bytes.Length < 4) return false;
        for (int i = 0; i < 4; i++)
            if (bytes[i] != (byte)Magic[i]) return false;
        return true;
    }

    /// <summary>The text form of a binary weight file: base64, 76 characters a line, a final newline.</summary>
    public static string ToText(byte[] bytes)
    {
        var base64 = Convert.ToBase64String(bytes);
        var sb = new StringBuilder(base64.Length + base64.Length / 76 + 2);
        for (int i = 0; i < base64.Length; i += 76)
            sb.Append(base64, i, Math.Min(76, base64.Length - i)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Decodes the text form back to the bytes of a binary weight file; null if the text is not base64.</summary>
    public static byte[]? FromText(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>CRC-32 with the IEEE polynomial (reflected 0xEDB88320), as zip and PNG use.</summary>
    public static uint Crc32(byte[] data, int offset, int count)
    {
        var table = s_crcTable;
        uint crc = 0xFFFFFFFFu;
        for (int i = offset; i < offset + count; i++) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static readonly uint[] s_crcTable = CreateCrcTable();

    private static uint[] CreateCrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public static uint ReadUInt32(byte[] bytes, int at)
        => bytes[at] | (uint)bytes[at + 1] << 8 | (uint)bytes[at + 2] << 16 | (uint)bytes[at + 3] << 24;

    private static void WriteUInt32(byte[] bytes, int at, uint value)
    {
        bytes[at] = (byte)value;
        bytes[at + 1] = (byte)(value >> 8);
        bytes[at + 2] = (byte)(value >> 16);
        bytes[at + 3] = (byte)(value >> 24);
    }

    /// <summary>The IEEE-754 bits of <paramref name="value"/> (netstandard2.0 has no BitConverter.SingleToUInt32Bits).</summary>
    private static uint SingleBits(float value) => unchecked((uint)BitConverter.ToInt32(BitConverter.GetBytes(value), 0));

    /// <summary>The float whose IEEE-754 bits are the four little-endian bytes at <paramref name="at"/>.</summary>
    public static float ReadSingle(byte[] bytes, int at)
    {
        uint bits = ReadUInt32(bytes, at);
        var b = BitConverter.GetBytes(bits);
        return BitConverter.ToSingle(b, 0);
    }
}
