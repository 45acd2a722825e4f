using System;
using System.Diagnostics;

namespace NetGen.Benchmarks;

/// <summary>The interleaved timing the ONNX Runtime peer drivers share (<c>--mha</c>, <c>--lstm</c>).</summary>
internal static class PeerTiming
{
    /// <summary>
    /// <c>--fastest</c>: report each side's fastest slice instead of the median. On a loaded machine the fastest slice is
    /// the least disturbed one; the slices still alternate, so both sides see the same load.
    /// </summary>
    public static bool Fastest { get; set; }

    /// <summary>Seconds per call of <paramref name="a"/> and <paramref name="b"/>: median (or fastest) of slices taken alternately.</summary>
    public static (double A, double B) Time(Action a, Action b, double seconds, int samples)
    {
        int Reps(Action action)
        {
            var sw = Stopwatch.StartNew();
            int calls = 0;
            while (calls < 50 || sw.Elapsed.TotalSeconds < 0.2)
            {
                action();
                calls++;
            }
            return Math.Max(1, (int)(seconds / samples / (sw.Elapsed.TotalSeconds / calls)));
        }
        int ra = Reps(a), rb = Reps(b);
        var sa = new double[samples];
        var sb = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < ra; r++) a();
            sa[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / ra;
            start = Stopwatch.GetTimestamp();
            for (int r = 0; r < rb; r++) b();
            sb[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / rb;
        }
        Array.Sort(sa);
        Array.Sort(sb);
        return Fastest ? (sa[0], sb[0]) : (sa[samples / 2], sb[samples / 2]);
    }
}
