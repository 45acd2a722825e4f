using System;
using System.Diagnostics;
using System.Threading;

namespace NetGen;

/// <summary>
/// How many threads the kernels may use. Large matrix products and convolutions (a batch of 32 or more, or
/// a product big enough to repay the hand-off) are split over up to <see cref="MaxThreads"/> threads: the
/// calling thread and <c>MaxThreads − 1</c> pooled background workers. Small work (batch-1 inference of
/// small layers) always stays on the calling thread.
/// </summary>
/// <remarks>
/// The workers are started on first use and never exit; between jobs they spin for a fraction of a
/// millisecond (consecutive layers follow each other closely), then block. Handing a job to them allocates
/// nothing. Kernels called from several threads at once are safe: a call that finds the pool busy simply
/// runs on its own thread.
/// </remarks>
public static unsafe class Parallelism
{
    private static int s_maxThreads = Math.Clamp(Environment.ProcessorCount, 1, ThreadLimit);

    /// <summary>Largest accepted <see cref="MaxThreads"/>: each thread beyond the first is a worker that lives as long as the process.</summary>
    public const int ThreadLimit = 256;

    /// <summary>
    /// Upper bound on the threads one kernel call uses, including the calling thread; 1 to <see cref="ThreadLimit"/>.
    /// Defaults to <see cref="Environment.ProcessorCount"/> (at most <see cref="ThreadLimit"/>); set it to 1 for strictly
    /// single-threaded kernels. Values above the processor count are allowed (the workers then share cores).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above <see cref="ThreadLimit"/>.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set
        {
            if (value < 1 || value > ThreadLimit)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"MaxThreads must be in [1, {ThreadLimit}], but was {value}.");
            Volatile.Write(ref s_maxThreads, value);
        }
    }

    // ------------------------------------------------------------------ the job

    private static readonly object s_gate = new();
    private static Thread?[] s_workers = Array.Empty<Thread?>();
    private static int s_busy;      // 1 while a job is being handed out (one job at a time)
    private static int s_sleepers;  // workers blocked in Monitor.Wait

    // ticket = (generation << 32) | next item; workers claim items by compare-exchange within one generation.
    private static long s_ticket;
    private static delegate*<int, void*, void> s_body;
    private static void* s_state;
    private static int s_count;
    private static int s_workerLimit;
    private static int s_completed;

    /// <summary>
    /// Runs <c>body(i, state)</c> for every <c>i</c> in <c>[0, count)</c> on up to <paramref name="threads"/>
    /// threads (the caller included) and returns when all have finished. <paramref name="state"/> must stay
    /// valid until then (a pointer to the caller's stack is fine: the caller waits).
    /// </summary>
    internal static void For(int count, int threads, delegate*<int, void*, void> body, void* state)
    {
        if (count <= 0) return;
        threads = Math.Min(threads, count);
        if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int i = 0; i < count; i++) body(i, state);
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            s_body = body;
            s_state = state;
            s_count = count;
            s_workerLimit = threads - 1;
            s_completed = 0;
            long gen = (s_ticket >> 32) + 1;
            Interlocked.Exchange(ref s_ticket, gen << 32); // publishes the fields above
            if (Volatile.Read(ref s_sleepers) > 0)
            {
                lock (s_gate) Monitor.PulseAll(s_gate);
            }
            int done = RunItems(gen);
            if (done > 0) Interlocked.Add(ref s_completed, done);
            var spin = new SpinWait();
            while (Volatile.Read(ref s_completed) < count) spin.SpinOnce(-1);
            // Close the generation before the job fields can be rewritten, so a worker that read them late
            // can never claim an item against a newer job's fields.
            Volatile.Write(ref s_ticket, (gen << 32) | int.MaxValue);
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>Claims and runs items of generation <paramref name="gen"/> until none are left; returns how many it ran.</summary>
    /// <remarks>The caller has read <paramref name="gen"/> from the ticket before this reads the job fields.</remarks>
    private static int RunItems(long gen)
    {
        var body = s_body;
        void* state = s_state;
        int count = s_count, done = 0;
        while (true)
        {
            long t = Volatile.Read(ref s_ticket);
            if (t >> 32 != gen) return done;
            int i = (int)(t & 0xFFFFFFFF);
            if (i >= count) return done;
            if (Interlocked.CompareExchange(ref s_ticket, t + 1, t) != t) continue;
            body(i, state);
            done++;
        }
    }

    private static void EnsureWorkers(int needed)
    {
        if (s_workers.Length >= needed) return;
        lock (s_gate)
        {
            if (s_workers.Length >= needed) return;
            var workers = new Thread?[needed];
            Array.Copy(s_workers, workers, s_workers.Length);
            for (int w = s_workers.Length; w < needed; w++)
            {
                int index = w;
                var thread = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"NetGen worker {index + 1}" };
                workers[w] = thread;
                thread.Start();
            }
            s_workers = workers;
        }
    }

    private static void WorkerLoop(int index)
    {
        long seen = Volatile.Read(ref s_ticket) >> 32;
        long spinTicks = Stopwatch.Frequency / 5000; // 200 µs
        while (true)
        {
            // Wait for a new generation: spin first, then block.
            long start = Stopwatch.GetTimestamp();
            var spin = new SpinWait();
            while (Volatile.Read(ref s_ticket) >> 32 == seen && Stopwatch.GetTimestamp() - start < spinTicks) spin.SpinOnce(-1);
            if (Volatile.Read(ref s_ticket) >> 32 == seen)
            {
                lock (s_gate)
                {
                    Interlocked.Increment(ref s_sleepers);
                    while (Volatile.Read(ref s_ticket) >> 32 == seen) Monitor.Wait(s_gate);
                    Interlocked.Decrement(ref s_sleepers);
                }
            }
            long gen = Volatile.Read(ref s_ticket) >> 32;
            seen = gen;
            if (index >= Volatile.Read(ref s_workerLimit)) continue;
            int done = RunItems(gen);
            if (done > 0) Interlocked.Add(ref s_completed, done);
        }
    }
}
