using System;
using System.Buffers.Binary;
using System.ComponentModel;
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
}

/// <summary>Fills the pages of a fresh array in one system call instead of one page fault per page (Linux; a no-op elsewhere).</summary>
internal static unsafe class Pages
{
    private const int MadvPopulateRead = 22; // Linux 5.14+
    private const int MadvPopulateWrite = 23; // Linux 5.14+
    // Below this many bytes a few faults cost less than looking the function up.
    private const int MinBytes = 1 << 16;

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
        if (bytes < MinBytes || !OperatingSystem.IsLinux()) return;
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
