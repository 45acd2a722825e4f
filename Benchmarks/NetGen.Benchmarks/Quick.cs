using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using NetGen.Kernels;

namespace NetGen.Benchmarks;

/// <summary>
/// <c>--quick</c>: a Stopwatch timing of the workloads the peer driver (<c>Benchmarks/peers/compare.py</c>)
/// compares, printed as one JSON object of seconds per call. Each workload is warmed up, then timed in
/// <c>--samples</c> slices of about <c>--seconds</c>/samples each; the figure is the median slice.
/// </summary>
/// <remarks>
/// <c>dotnet NetGen.Benchmarks.dll --quick [--threads N] [--seconds S] [--samples K] [--only a,b]</c>.
/// Workload names: mlp_predict_b1, mlp_predict_b256, cnn_predict_b1, cnn_predict_b256, mlp_train_b32,
/// cnn_train_b32, sgemm1024.
/// </remarks>
internal static class Quick
{
    public static int Run(string[] args)
    {
        int threads = 1, samples = 7;
        double seconds = 0.7;
        HashSet<string>? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--samples": samples = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--only": only = new HashSet<string>(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        Parallelism.MaxThreads = threads;

        var work = Workloads();
        var results = new List<(string Name, double Seconds)>();
        foreach (var (name, action) in work)
        {
            if (only != null && !only.Contains(name)) continue;
            results.Add((name, Time(action, seconds, samples)));
        }
        var sb = new StringBuilder();
        sb.Append("{\"threads\": ").Append(threads.ToString(CultureInfo.InvariantCulture)).Append(", \"results\": {");
        sb.Append(string.Join(", ", results.Select(r => $"\"{r.Name}\": {r.Seconds.ToString("R", CultureInfo.InvariantCulture)}")));
        sb.Append("}}");
        Console.WriteLine(sb.ToString());
        return 0;
    }

    private static List<(string, Action)> Workloads()
    {
        var rng = new Rng(5);
        float[] Random(int n)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++) a[i] = rng.NextFloat();
            return a;
        }
        float[] OneHot(int batch)
        {
            var t = new float[batch * 10];
            for (int b = 0; b < batch; b++) t[b * 10 + b % 10] = 1;
            return t;
        }
        var mlp = new Mlp(1);
        var cnn = new Cnn(1);
        var mlpAdam = new Adam();
        var cnnAdam = new Adam();
        float[] x1 = Random(784), x32 = Random(32 * 784), x256 = Random(256 * 784);
        float[] y1 = new float[10], y256 = new float[256 * 10], t32 = OneHot(32);
        float[] ga = Random(1024 * 1024), gb = Random(1024 * 1024), gc = new float[1024 * 1024];
        return new List<(string, Action)>
        {
            ("mlp_predict_b1", () => mlp.Predict(x1, y1, 1)),
            ("mlp_predict_b256", () => mlp.Predict(x256, y256, 256)),
            ("cnn_predict_b1", () => cnn.Predict(x1, y1, 1)),
            ("cnn_predict_b256", () => cnn.Predict(x256, y256, 256)),
            ("mlp_train_b32", () =>
            {
                mlp.ComputeGradients(x32, t32, 32, Loss.CategoricalCrossentropy);
                mlpAdam.Apply(mlp.Parameters, mlp.Gradients, Mlp.ParameterLayout);
            }),
            ("cnn_train_b32", () =>
            {
                cnn.ComputeGradients(x32, t32, 32, Loss.CategoricalCrossentropy);
                cnnAdam.Apply(cnn.Parameters, cnn.Gradients, Cnn.ParameterLayout);
            }),
            ("sgemm1024", () => Gemm.MatMul(ga, gb, gc, 1024, 1024, 1024)),
        };
    }

    /// <summary>Median seconds per call over <paramref name="samples"/> slices after a warm-up.</summary>
    private static double Time(Action action, double seconds, int samples)
    {
        // Warm up (tiered JIT reaches its optimised code after ~30 calls and a background delay) and
        // estimate the cost of one call.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (calls < 50 || sw.Elapsed.TotalSeconds < 0.25)
        {
            action();
            calls++;
        }
        double perCall = sw.Elapsed.TotalSeconds / calls;
        int reps = Math.Max(1, (int)(seconds / samples / perCall));
        var slices = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < reps; r++) action();
            slices[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
        }
        Array.Sort(slices);
        return slices[samples / 2];
    }
}
