using System;
using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// Copies weights baked into an assembly (<c>[Weights]</c>, little-endian float32 bytes in read-only data) into a network's
/// arrays; called by the generated <c>FromBakedWeights()</c>.
/// </summary>
/// <remarks>
/// Start-up of a native binary is dominated by page faults: each first write to a fresh page of the heap traps into the
/// kernel, and on a virtual machine such a trap costs 10-60 µs (measured on the machine in README's embedded table, a
/// Firecracker VM, against about 0.1 µs per page when the kernel fills the pages in one call). The CNN sample's 0.9 MB of
/// weights are 220 such pages. So on Linux the destination's pages are first populated in one <c>madvise(MADV_POPULATE_WRITE)</c>
/// call (Linux 5.14+; on older kernels, other systems or when libc cannot be found it is skipped and the copy faults the pages
/// in as before). The values are the same either way.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BakedWeights
{
    /// <summary>
    /// Copies <paramref name="source"/> (little-endian float32, <c>4·destination.Length</c> bytes) into <paramref name="destination"/>.
    /// </summary>
    public static void Copy(ReadOnlySpan<byte> source, float[] destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (source.Length != 4L * destination.Length)
            throw new ArgumentException($"source must hold {4L * destination.Length} bytes (4 per float of destination), but has {source.Length}.", nameof(source));
        Pages.PopulateRead(source);
        Pages.Populate(destination);
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(destination.AsSpan()));
        }
        else
        {
            for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(4 * i));
        }
    }

    /// <summary>
    /// Asks the OS to back every page of <paramref name="buffer"/> now, in one system call, instead of one page fault per
    /// page when the first prediction writes it (Linux; a hint: a no-op elsewhere or when it cannot). Called by
    /// <c>FromBakedWeights()</c> for the buffers Predict writes (activations, workspace, cached transformed kernels).
    /// </summary>
    public static void Populate(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Pages.Populate(buffer);
    }
}

/// <summary>
/// Baked weights read where they lie: the little-endian float32 values in an assembly's read-only data (the generated
/// <c>BakedWeightBytes</c>, an RVA static), held by a network made by <c>FromBakedWeights()</c> so that Predict reads them
/// without first copying them into <c>Parameters</c>; <see cref="ToArray"/> makes the writable copy that <c>Parameters</c>,
/// <c>Load</c> and training need, when they are first used.
/// </summary>
/// <remarks>
/// On the machine of README's embedded table the first touch of each 4 KiB page costs 5-11 µs (a trap into the hypervisor
/// even when the kernel populated the page in advance): a copy of the CNN sample's 0.9 MB touches 220 pages of the binary
/// and 220 fresh pages of the heap before the first prediction, reading in place only the first 220.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly unsafe struct BakedWeightsView
{
    private readonly byte* _bytes;
    private readonly int _count;

    private BakedWeightsView(byte* bytes, int count)
    {
        _bytes = bytes;
        _count = count;
    }

    /// <summary>
    /// A view of <paramref name="count"/> float32 values in <paramref name="source"/> (<c>4·count</c> bytes), which must be
    /// constant data of a loaded assembly image (an RVA static: never moved nor freed), not a heap or stack buffer.
    /// </summary>
    public static BakedWeightsView InPlace(ReadOnlySpan<byte> source, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (source.Length != 4L * count)
            throw new ArgumentException($"source must hold {4L * count} bytes (4 per value), but has {source.Length}.", nameof(source));
        Pages.PopulateRead(source);
        return new BakedWeightsView((byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(source)), count);
    }

    /// <summary>True for the default value (no baked weights).</summary>
    public bool IsEmpty => _bytes == null;

    /// <summary>
    /// True when <see cref="Values"/> can be read in place: not empty, the machine little-endian as the data is, and the data
    /// aligned to 16 bytes. The compiler aligns such data only to a byte; kernels reading weights 8 bytes off a 16-byte
    /// boundary split one 128-bit load in four across cache lines (the portable MLP sample ran 10% slower so), so
    /// misaligned data is copied into <c>Parameters</c> at the first prediction instead, as on a big-endian machine.
    /// </summary>
    public bool IsReadable => _bytes != null && BitConverter.IsLittleEndian && ((nint)_bytes & 15) == 0;

    /// <summary>The values in place (only when <see cref="IsReadable"/>).</summary>
    public ReadOnlySpan<float> Values => IsReadable ? new ReadOnlySpan<float>(_bytes, _count) : throw new InvalidOperationException("The baked weights cannot be read in place (none, a big-endian machine, or not aligned to 16 bytes).");

    /// <summary>A new writable array of <paramref name="count"/> floats holding the values (zeros when the view is empty).</summary>
    public float[] ToArray(int count)
    {
        var array = new float[count];
        if (_bytes != null)
        {
            if (count != _count) throw new ArgumentException($"count must be {_count}, the number of baked values, but is {count}.", nameof(count));
            BakedWeights.Copy(new ReadOnlySpan<byte>(_bytes, 4 * _count), array);
        }
        return array;
    }
}

/// <summary>Fills the pages of a fresh array in one system call instead of one page fault per page (Linux; a no-op elsewhere).</summary>
internal static unsafe class Pages
{
    private const int MadvPopulateRead = 22; // Linux 5.14+
    private const int MadvPopulateWrite = 23; // Linux 5.14+
    // Below this many bytes a few faults cost less than looking the function up; once it is found, two pages are worth a call
    // (a fault costs 5-11 µs on the VM of README's embedded table, populating 0.5 µs per page and the call about 1 µs).
    private const int MinBytes = 1 << 16;
    private const int MinBytesResolved = 2 << 12;

    private static delegate* unmanaged<nint, nuint, int, int> s_madvise;
    private static int s_state; // 0: not looked up yet, 1: available, -1: unavailable

    /// <summary>Asks the kernel to back every page of <paramref name="array"/> now (a hint: nothing changes when it cannot).</summary>
    public static void Populate(float[] array)
    {
        fixed (float* p = array)
        {
            // The pages at either end belong to the committed heap around the array: populating them is harmless.
            Advise(p, 4L * array.Length, MadvPopulateWrite);
        }
    }

    /// <summary>
    /// Asks the kernel to map every page of <paramref name="data"/> (read-only data of the executable, file-backed) now:
    /// one call instead of a fault per few pages on the first read (a hint, as <see cref="Populate"/>).
    /// </summary>
    public static void PopulateRead(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data) Advise(p, data.Length, MadvPopulateRead);
    }

    private static void Advise(void* p, long bytes, int advice)
    {
        if (bytes < (s_state == 1 ? MinBytesResolved : MinBytes) || !OperatingSystem.IsLinux()) return;
        if (s_state == 0) Resolve();
        if (s_state < 0) return;
        nint page = Environment.SystemPageSize;
        nint start = (nint)p & ~(page - 1);
        nint end = ((nint)p + (nint)bytes + page - 1) & ~(page - 1);
        _ = s_madvise(start, (nuint)(end - start), advice);
    }

    private static void Resolve()
    {
        try
        {
            if ((NativeLibrary.TryLoad("libc.so.6", out var libc) || NativeLibrary.TryLoad("libc.musl-x86_64.so.1", out libc) || NativeLibrary.TryLoad("libc.musl-aarch64.so.1", out libc))
                && NativeLibrary.TryGetExport(libc, "madvise", out var f))
            {
                s_madvise = (delegate* unmanaged<nint, nuint, int, int>)f;
                s_state = 1;
                return;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
        }
        s_state = -1;
    }
}
