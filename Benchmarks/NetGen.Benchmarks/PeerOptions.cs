using System;
using System.Globalization;

namespace NetGen.Benchmarks;

/// <summary>
/// The command line the ONNX Runtime peer drivers share: <c>FLAG DIR [--threads N] [--seconds S] [--samples K] [--fastest]</c>,
/// where FLAG (<c>--ort</c>, <c>--mha</c>, <c>--lstm</c>) names the driver and DIR holds its exported models
/// (<c>--fastest</c>: see <see cref="PeerTiming.Fastest"/>).
/// </summary>
internal sealed record PeerOptions(string? Directory, int Threads, double Seconds, int Samples)
{
    /// <summary>The options in <paramref name="args"/>, or null after printing the unknown argument.</summary>
    public static PeerOptions? Parse(string[] args, string flag)
    {
        string? dir = null;
        int threads = 1, samples = 7;
        double seconds = 0.7;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == flag) { dir = args[++i]; continue; }
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--samples": samples = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--fastest": PeerTiming.Fastest = true; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return null;
            }
        }
        return new PeerOptions(dir, threads, seconds, samples);
    }
}
