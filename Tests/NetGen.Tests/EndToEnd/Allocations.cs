using System;

namespace NetGen.Tests.EndToEnd;

/// <summary>Managed bytes a piece of code allocates on the current thread.</summary>
internal static class Allocations
{
    /// <summary>
    /// The fewest bytes <paramref name="body"/> allocated in any of three runs. The runtime occasionally allocates on
    /// the calling thread for its own reasons (a method's tier-up while the machine is loaded), which would make a
    /// single window flaky; an allocation the code itself makes shows in every window, so the minimum still catches it.
    /// </summary>
    public static long Fewest(Action body)
    {
        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < 3 && fewest > 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            body();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
