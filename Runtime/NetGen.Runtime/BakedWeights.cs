using System;
using System.Buffers.Binary;
using System.Collections.Generic;
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
/// <para>
/// The compiler aligns such data only to a byte, and kernels whose loads straddle cache lines run slower (one 128-bit load
/// in four split when the data is 8 bytes off a 16-byte boundary; every 512-bit load when it is off a 64-byte one: the
/// portable CNN sample's Dense layer took 40% longer from a heap copy 8 bytes off). So data not aligned to 64 bytes is
/// copied, when the first view of it is made, into native memory at a 64-byte boundary, which every later view of the
/// same data reads too (one copy per process, kept for its lifetime like the data itself). A copy of 256 KiB or more goes
/// into transparent huge pages where Linux offers them (<c>madvise</c> mode): one fault for each 2 MiB instead of one per
/// 4 KiB page (here 0.2-0.4 ms instead of 2.5 ms for the CNN's 0.9 MB).
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly unsafe struct BakedWeightsView
{
    /// <summary>Alignment of the values read in place: a cache line, so no vector load (at most 64 bytes) straddles two.</summary>
    internal const int Alignment = 64;

    private readonly byte* _bytes;
    private readonly int _count;

    private BakedWeightsView(byte* bytes, int count)
    {
        _bytes = bytes;
        _count = count;
    }

    /// <summary>
    /// A view of <paramref name="count"/> float32 values in <paramref name="source"/> (<c>4·count</c> bytes), which must be
    /// constant data of a loaded assembly image (an RVA static: never moved nor freed), not a heap or stack buffer. Data not
    /// aligned to <see cref="Alignment"/> bytes on a little-endian machine is read from an aligned copy instead (see the
    /// remarks).
    /// </summary>
    public static BakedWeightsView InPlace(ReadOnlySpan<byte> source, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (source.Length != 4L * count)
            throw new ArgumentException($"source must hold {4L * count} bytes (4 per value), but has {source.Length}.", nameof(source));
        Pages.PopulateRead(source);
        var bytes = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(source));
        if (!BitConverter.IsLittleEndian || ((nint)bytes & (Alignment - 1)) == 0 || source.IsEmpty) return new BakedWeightsView(bytes, count);
        return new BakedWeightsView(AlignedCopy(source), count);
    }

    private static readonly object s_copiesLock = new();
    private static Dictionary<(nint Source, int Length), nint>? s_copies;

    /// <summary>
    /// The process's aligned copy of <paramref name="source"/>, made at the first call. A copy found for the same address and
    /// length is compared with the source first (constant data always matches; the check keeps a misused heap buffer that
    /// was freed and reused from getting stale values), and replaced when it differs (the old one is not freed: a view may
    /// still read it).
    /// </summary>
    private static byte* AlignedCopy(ReadOnlySpan<byte> source)
    {
        var key = ((nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(source)), source.Length);
        lock (s_copiesLock)
        {
            s_copies ??= new Dictionary<(nint, int), nint>();
            if (s_copies.TryGetValue(key, out nint found) && new ReadOnlySpan<byte>((byte*)found, source.Length).SequenceEqual(source))
                return (byte*)found;
            byte* copy = Pages.AllocateAligned(source.Length, Alignment);
            source.CopyTo(new Span<byte>(copy, source.Length));
            s_copies[key] = (nint)copy;
            return copy;
        }
    }

    /// <summary>True for the default value (no baked weights).</summary>
    public bool IsEmpty => _bytes == null;

    /// <summary>
    /// True when <see cref="Values"/> can be read without a copy into <c>Parameters</c>: not empty and the machine
    /// little-endian as the data is (then the values are aligned to <see cref="Alignment"/> bytes, in place or in the view's
    /// own copy). On a big-endian machine the first prediction copies them into <c>Parameters</c>, converting each value.
    /// </summary>
    public bool IsReadable => _bytes != null && BitConverter.IsLittleEndian && ((nint)_bytes & (Alignment - 1)) == 0;

    /// <summary>The values in place (only when <see cref="IsReadable"/>).</summary>
    public ReadOnlySpan<float> Values => IsReadable ? new ReadOnlySpan<float>(_bytes, _count) : throw new InvalidOperationException("The baked weights cannot be read in place (none, or a big-endian machine).");

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

    private const int MadvHugePage = 14;
    private const int HugePage = 2 << 20;
    // From this size a copy goes into transparent huge pages (a 2 MiB page for 64 or more 4 KiB faults).
    private const int MinHugeBytes = 256 << 10;

    /// <summary>
    /// <paramref name="bytes"/> bytes of native memory aligned to <paramref name="alignment"/>, never freed, its pages backed
    /// now: from <see cref="MinHugeBytes"/> on Linux, whole 2 MiB blocks advised as transparent huge pages (used where the
    /// system's mode is <c>always</c> or <c>madvise</c>; a hint otherwise).
    /// </summary>
    public static byte* AllocateAligned(int bytes, int alignment)
    {
        if (bytes >= MinHugeBytes && OperatingSystem.IsLinux())
        {
            nuint size = ((nuint)bytes + HugePage - 1) & ~(nuint)(HugePage - 1);
            var huge = (byte*)NativeMemory.AlignedAlloc(size, HugePage);
            Advise(huge, (long)size, MadvHugePage);
            Advise(huge, (long)size, MadvPopulateWrite);
            return huge;
        }
        var p = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), (nuint)alignment);
        Advise(p, bytes, MadvPopulateWrite);
        return p;
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
