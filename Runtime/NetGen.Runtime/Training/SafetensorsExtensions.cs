using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using NetGen.Training;

namespace NetGen;

/// <summary>
/// Weights in the safetensors format (an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
/// shape and byte range, then the raw little-endian data) for every generated network: Keras names by default, or a
/// PyTorch state_dict's names and layouts. Reads F32, F16, BF16 (and F64); writes F32.
/// </summary>
public static class SafetensorsExtensions
{
    private sealed record Entry(string Name, int[] Shape, bool IsState);

    private sealed record FileTensor(string Name, string DType, int[] Shape, long Begin, long End);

    /// <summary>
    /// Writes every weight (and BatchNormalization's moving statistics) of <paramref name="network"/> to
    /// <paramref name="path"/> as F32 tensors named as <paramref name="options"/> says: a temporary file, then a rename.
    /// </summary>
    public static void SaveSafetensors(this INetwork network, string path, SafetensorsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new SafetensorsOptions();
        var (entries, values) = Snapshot(network);
        var names = FileNames(entries, options, available: null);
        var tensors = new List<(string Name, int[] Shape, float[] Data)>();
        int at = 0;
        foreach (var (e, i) in entries.Select((e, i) => (e, i)))
        {
            int count = Product(e.Shape);
            var data = values.AsSpan(at, count).ToArray();
            at += count;
            var (shape, converted) = options.Naming == SafetensorsNaming.PyTorch ? ToPyTorch(e, data, options) : (e.Shape, data);
            tensors.Add((names[i], shape, converted));
        }
        WeightFile.WriteAtomically(path, Encode(tensors)); // temporary file + rename, errors naming the target
    }

    /// <summary>
    /// Reads weights from a safetensors file into <paramref name="network"/>. A missing tensor, a wrong shape (both shapes
    /// are given), an unsupported dtype or a truncated/corrupt file throws <see cref="InvalidDataException"/> and leaves
    /// the network's weights as they were.
    /// </summary>
    public static void LoadSafetensors(this INetwork network, string path, SafetensorsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new SafetensorsOptions();
        var bytes = ReadBounded(path);
        var (tensors, dataStart) = ParseHeader(bytes, path);
        var (entries, _) = Snapshot(network);
        var names = FileNames(entries, options, tensors.Keys.ToList());
        var all = new List<float>();
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (!tensors.TryGetValue(names[i], out var t))
                throw new InvalidDataException($"'{path}' has no tensor '{names[i]}' (for {e.Name}, shape {ShapeText(e.Shape)}).");
            var data = Decode(bytes, dataStart, t, path);
            if (options.Naming == SafetensorsNaming.PyTorch)
                data = FromPyTorch(e, t, data, options, path);
            else if (!t.Shape.SequenceEqual(e.Shape))
                throw new InvalidDataException($"'{path}': tensor '{t.Name}' has shape {ShapeText(t.Shape)}, but the network's {e.Name} has shape {ShapeText(e.Shape)}.");
            all.AddRange(data);
        }
        // Parameters in ParameterLayout order, then state: the weight file's order. Entries are in signature order
        // (layer by layer), so split them back.
        var parameters = new List<float>();
        var state = new List<float>();
        int at = 0;
        foreach (var e in entries)
        {
            int count = Product(e.Shape);
            (e.IsState ? state : parameters).AddRange(all.Skip(at).Take(count));
            at += count;
        }
        var values = parameters.Concat(state).ToArray();
        // Everything checked: hand the values to the network through its own loader (which also restores state).
        var temporary = Path.Combine(Path.GetTempPath(), "netgen-" + Guid.NewGuid().ToString("N") + ".weights");
        try
        {
            WeightFile.Save(temporary, network.WeightSignature, values);
            network.Load(temporary);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // ---------------------------------------------------------------- the network's tensors

    /// <summary>Every weight and state tensor in signature (layer) order, and the network's current values (parameters, then state).</summary>
    private static (List<Entry> Entries, float[] Values) Snapshot(INetwork network)
    {
        var trainable = new HashSet<string>(network.ParameterLayout.Select(p => p.Name), StringComparer.Ordinal);
        var entries = new List<Entry>();
        foreach (var item in network.WeightSignature.Split(';').Skip(1))
        {
            int open = item.LastIndexOf('(');
            if (open <= 0 || !item.EndsWith(')')) throw new InvalidOperationException($"Unexpected weight signature entry '{item}'.");
            var name = item[..open];
            var dims = item[(open + 1)..^1];
            var shape = dims.Length == 0 ? Array.Empty<int>() : dims.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
            entries.Add(new Entry(name, shape, !trainable.Contains(name)));
        }
        var temporary = Path.Combine(Path.GetTempPath(), "netgen-" + Guid.NewGuid().ToString("N") + ".weights");
        byte[] bytes;
        try
        {
            network.Save(temporary);
            bytes = File.ReadAllBytes(temporary);
        }
        finally
        {
            File.Delete(temporary);
        }
        if (WeightFileFormat.Check(bytes, "network", out var header, out var message) != WeightFileFormat.Problem.None)
            throw new InvalidOperationException(message);
        var all = new float[header.Count];
        for (int i = 0; i < all.Length; i++) all[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(header.PayloadOffset + 4 * i));
        // Reorder into signature order: parameters are in ParameterLayout order, state after them in signature order.
        var ordered = new float[all.Length];
        var offsets = network.ParameterLayout.ToDictionary(p => p.Name, p => p.Offset, StringComparer.Ordinal);
        int stateAt = network.ParameterCount, write = 0;
        foreach (var e in entries)
        {
            int count = Product(e.Shape);
            int from = e.IsState ? stateAt : offsets[e.Name];
            if (e.IsState) stateAt += count;
            Array.Copy(all, from, ordered, write, count);
            write += count;
        }
        return (entries, ordered);
    }

    // ---------------------------------------------------------------- names

    private static string[] FileNames(List<Entry> entries, SafetensorsOptions options, List<string>? available)
    {
        if (options.Naming == SafetensorsNaming.Keras) return entries.Select(e => e.Name).ToArray();
        var layers = entries.Select(e => Layer(e.Name)).Distinct().ToList();
        IReadOnlyList<string> modules;
        if (options.ModuleNames is not null) modules = options.ModuleNames;
        else if (available is not null)
        {
            modules = available.Where(n => n.Contains('.') && !n.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                .Select(n => n[..n.LastIndexOf('.')]).Distinct().OrderBy(n => n, NaturalComparer.Instance).ToList();
        }
        else modules = layers;
        if (modules.Count != layers.Count)
            throw new InvalidDataException($"The network has {layers.Count} layers with weights ({string.Join(", ", layers)}), but the PyTorch names give {modules.Count} modules ({string.Join(", ", modules)}); pass SafetensorsOptions.ModuleNames.");
        return entries.Select(e => modules[layers.IndexOf(Layer(e.Name))] + "." + PyTorchVariable(Variable(e.Name))).ToArray();
    }

    private static string Layer(string name) => name[..name.LastIndexOf('/')];

    private static string Variable(string name) => name[(name.LastIndexOf('/') + 1)..];

    private static string PyTorchVariable(string keras) => keras switch
    {
        "kernel" or "gamma" or "embeddings" or "depthwise_kernel" => "weight",
        "bias" or "beta" => "bias",
        "moving_mean" => "running_mean",
        "moving_variance" => "running_var",
        _ => keras,
    };

    /// <summary>Orders <c>layers.2</c> before <c>layers.10</c>.</summary>
    private sealed class NaturalComparer : IComparer<string>
    {
        public static readonly NaturalComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            x ??= "";
            y ??= "";
            int i = 0, j = 0;
            while (i < x.Length && j < y.Length)
            {
                if (char.IsDigit(x[i]) && char.IsDigit(y[j]))
                {
                    int si = i, sj = j;
                    while (i < x.Length && char.IsDigit(x[i])) i++;
                    while (j < y.Length && char.IsDigit(y[j])) j++;
                    var a = x[si..i].TrimStart('0');
                    var b = y[sj..j].TrimStart('0');
                    int c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
                    if (c != 0) return c;
                }
                else
                {
                    int c = x[i].CompareTo(y[j]);
                    if (c != 0) return c;
                    i++;
                    j++;
                }
            }
            return (x.Length - i).CompareTo(y.Length - j);
        }
    }

    // ---------------------------------------------------------------- PyTorch layouts

    private static (int[] Shape, float[] Data) ToPyTorch(Entry e, float[] data, SafetensorsOptions options)
    {
        var s = e.Shape;
        if (Variable(e.Name) is not ("kernel" or "depthwise_kernel")) return (s, data);
        if (s.Length == 2)
        {
            if (options.FlattenedChannelsLast?.TryGetValue(Layer(e.Name), out var flat) == true)
                data = PermuteRows(data, s[1], flat, toChannelsFirst: true);
            return (new[] { s[1], s[0] }, Transpose(data, s, new[] { 1, 0 }));
        }
        // (k..., in, out) -> (out, in, k...)
        int r = s.Length;
        var perm = new[] { r - 1, r - 2 }.Concat(Enumerable.Range(0, r - 2)).ToArray();
        return (perm.Select(p => s[p]).ToArray(), Transpose(data, s, perm));
    }

    private static float[] FromPyTorch(Entry e, FileTensor t, float[] data, SafetensorsOptions options, string path)
    {
        var s = e.Shape;
        int[] expected;
        float[] result;
        if (Variable(e.Name) is not ("kernel" or "depthwise_kernel") || s.Length < 2)
        {
            expected = s;
            result = data;
        }
        else if (s.Length == 2)
        {
            expected = new[] { s[1], s[0] };
            result = t.Shape.SequenceEqual(expected) ? Transpose(data, expected, new[] { 1, 0 }) : data;
            if (options.FlattenedChannelsLast?.TryGetValue(Layer(e.Name), out var flat) == true && t.Shape.SequenceEqual(expected))
                result = PermuteRows(result, s[1], flat, toChannelsFirst: false);
        }
        else
        {
            int r = s.Length;
            var perm = new[] { r - 1, r - 2 }.Concat(Enumerable.Range(0, r - 2)).ToArray();
            expected = perm.Select(p => s[p]).ToArray();
            var depthwise = r == 4 ? new[] { s[2] * s[3], 1, s[0], s[1] } : null;
            if (t.Shape.SequenceEqual(expected))
                result = Transpose(data, expected, Inverse(perm));
            else if (depthwise is not null && t.Shape.SequenceEqual(depthwise))
            {
                // (C·M, 1, kh, kw) as (C, M, kh, kw) -> (kh, kw, C, M)
                result = Transpose(data, new[] { s[2], s[3], s[0], s[1] }, new[] { 2, 3, 0, 1 });
                expected = depthwise;
            }
            else
                result = data;
        }
        if (!t.Shape.SequenceEqual(expected))
            throw new InvalidDataException($"'{path}': tensor '{t.Name}' has shape {ShapeText(t.Shape)}, but the network's {e.Name} {ShapeText(s)} needs {ShapeText(expected)} in PyTorch layout.");
        return result;
    }

    /// <summary>Reorders the rows of a (H·W·C, units) kernel between channels-last and channels-first flattening.</summary>
    private static float[] PermuteRows(float[] kernel, int units, int[] channelsLast, bool toChannelsFirst)
    {
        int c = channelsLast[^1];
        int spatial = Product(channelsLast) / c;
        var result = new float[kernel.Length];
        for (int s = 0; s < spatial; s++)
            for (int ch = 0; ch < c; ch++)
            {
                int last = s * c + ch, first = ch * spatial + s;
                int from = toChannelsFirst ? last : first, to = toChannelsFirst ? first : last;
                Array.Copy(kernel, from * units, result, to * units, units);
            }
        return result;
    }

    private static int[] Inverse(int[] perm)
    {
        var inv = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        return inv;
    }

    private static float[] Transpose(float[] data, int[] shape, int[] perm)
    {
        int rank = shape.Length;
        var outShape = perm.Select(p => shape[p]).ToArray();
        var strides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        var result = new float[data.Length];
        var index = new int[rank];
        for (int o = 0; o < result.Length; o++)
        {
            int src = 0;
            for (int k = 0; k < rank; k++) src += index[k] * strides[perm[k]];
            result[o] = data[src];
            for (int k = rank - 1; k >= 0; k--)
            {
                if (++index[k] < outShape[k]) break;
                index[k] = 0;
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- the format

    /// <summary>Longest header accepted: 100 MB, the limit of the safetensors format.</summary>
    private const ulong MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// The file's bytes. A regular file is read whole (its length bounds the read); a pipe or device (no length) is read
    /// up to what its header announces, then must end: an endless stream such as <c>/dev/zero</c> is refused instead of
    /// being read into memory until it runs out.
    /// </summary>
    private static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (stream.CanSeek && stream.Length > 0)
        {
            if (stream.Length > Array.MaxLength) throw new InvalidDataException($"'{path}' is {stream.Length} bytes, more than one array holds.");
            var whole = new byte[stream.Length];
            return whole.AsSpan(0, stream.ReadAtLeast(whole, whole.Length, throwOnEndOfStream: false)).ToArray();
        }
        var head = new byte[8];
        int got = stream.ReadAtLeast(head, 8, throwOnEndOfStream: false);
        if (got < 8) return head.AsSpan(0, got).ToArray(); // ParseHeader reports it
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(head);
        if (headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"'{path}' is not a safetensors file: its header announces {headerLength} bytes (the format allows {MaxHeaderBytes}).");
        var header = new byte[8 + (int)headerLength];
        head.CopyTo(header, 0);
        got = 8 + stream.ReadAtLeast(header.AsSpan(8), (int)headerLength, throwOnEndOfStream: false);
        if (got < header.Length) return header.AsSpan(0, got).ToArray();
        var (tensors, _) = ParseHeader(header, path, checkData: false);
        long dataLength = 0;
        foreach (var t in tensors.Values) dataLength = Math.Max(dataLength, t.End);
        long total = header.Length + dataLength;
        if (total > Array.MaxLength) throw new InvalidDataException($"'{path}': its header announces {total} bytes, more than one array holds.");
        var all = new byte[total];
        header.CopyTo(all, 0);
        got = header.Length + stream.ReadAtLeast(all.AsSpan(header.Length), (int)dataLength, throwOnEndOfStream: false);
        if (got < all.Length) return all.AsSpan(0, got).ToArray();
        if (stream.ReadByte() >= 0)
            throw new InvalidDataException($"'{path}' is corrupt: it is longer than the {total} bytes its header declares.");
        return all;
    }

    private static (Dictionary<string, FileTensor> Tensors, long DataStart) ParseHeader(byte[] bytes, string path, bool checkData = true)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"'{path}' is not a safetensors file: {bytes.Length} bytes, shorter than the 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"'{path}' is truncated or not a safetensors file: its header announces {headerLength} bytes, but only {bytes.Length - 8} follow.");
        long dataStart = 8 + (long)headerLength;
        var tensors = new Dictionary<string, FileTensor>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(8, (int)headerLength));
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "the header is not a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, $"'{name}' is not an object");
                if (name == "__metadata__")
                {
                    reader.Skip();
                    continue;
                }
                string? dtype = null;
                int[]? shape = null;
                long[]? offsets = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string key = reader.GetString()!;
                    reader.Read();
                    switch (key)
                    {
                        case "dtype":
                            dtype = reader.GetString();
                            break;
                        case "shape":
                            shape = ReadLongs(ref reader).Select(v => checked((int)v)).ToArray();
                            break;
                        case "data_offsets":
                            offsets = ReadLongs(ref reader);
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }
                Expect(dtype is not null && shape is not null && offsets is { Length: 2 }, $"tensor '{name}' lacks dtype, shape or data_offsets");
                var t = new FileTensor(name, dtype!, shape!, offsets![0], offsets[1]);
                long size = DTypeSize(t.DType);
                if (size > 0 && (t.End - t.Begin != Product(t.Shape) * size || t.Begin < 0 || (checkData && dataStart + t.End > bytes.Length)))
                    throw new InvalidDataException($"'{path}' is truncated or corrupt: tensor '{name}' ({t.DType}, shape {ShapeText(t.Shape)}) claims bytes {t.Begin}..{t.End} of {bytes.Length - dataStart}.");
                tensors[name] = t;
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file: its header is not valid JSON ({e.Message}).", e);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file: {e.Message}.", e);
        }
        return (tensors, dataStart);
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException(what);
    }

    private static long[] ReadLongs(ref Utf8JsonReader reader)
    {
        Expect(reader.TokenType == JsonTokenType.StartArray, "expected an array");
        var list = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) list.Add(reader.GetInt64());
        return list.ToArray();
    }

    private static long DTypeSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        "F64" => 8,
        _ => 0,
    };

    private static float[] Decode(byte[] bytes, long dataStart, FileTensor t, string path)
    {
        int count = Product(t.Shape);
        var span = bytes.AsSpan((int)(dataStart + t.Begin), (int)(t.End - t.Begin));
        var result = new float[count];
        switch (t.DType)
        {
            case "F32":
                for (int i = 0; i < count; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(4 * i)..]);
                break;
            case "F16":
                for (int i = 0; i < count; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(span[(2 * i)..]);
                break;
            case "BF16":
                for (int i = 0; i < count; i++) result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(span[(2 * i)..]) << 16);
                break;
            case "F64":
                for (int i = 0; i < count; i++) result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(span[(8 * i)..]);
                break;
            default:
                throw new InvalidDataException($"'{path}': tensor '{t.Name}' has dtype {t.DType}; NetGen reads F32, F16, BF16 and F64.");
        }
        return result;
    }

    private static byte[] Encode(List<(string Name, int[] Shape, float[] Data)> tensors)
    {
        var header = new MemoryStream();
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            writer.WriteString("format", "pt");
            writer.WriteString("producer", "NetGen");
            writer.WriteEndObject();
            long offset = 0;
            foreach (var (name, shape, data) in tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (var d in shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + 4L * data.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += 4L * data.Length;
            }
            writer.WriteEndObject();
        }
        int length = (int)header.Length;
        int padded = (length + 7) / 8 * 8;
        long total = 8 + padded + tensors.Sum(t => 4L * t.Data.Length);
        var bytes = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        header.GetBuffer().AsSpan(0, length).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + length, padded - length).Fill((byte)' ');
        int at = 8 + padded;
        foreach (var (_, _, data) in tensors)
            foreach (var v in data)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), v);
                at += 4;
            }
        return bytes;
    }

    private static int Product(int[] shape)
    {
        int n = 1;
        foreach (var d in shape) n = checked(n * d);
        return n;
    }

    private static string ShapeText(int[] shape) => "(" + string.Join(", ", shape) + ")";
}
