using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks;

/// <summary>
/// <c>--ort DIR</c>: ONNX Runtime called from C# (Microsoft.ML.OnnxRuntime), the peer a .NET user would pick instead
/// of NetGen, on the models the peer driver exports to DIR (<c>mlp.onnx</c>, <c>cnn.onnx</c>: softmax included, input
/// <c>x</c>, output <c>y</c>). Input and output are bound once per workload with an <see cref="OrtIoBinding"/> over
/// pinned managed arrays, so a timed call is <c>RunWithBinding</c> alone: ORT's own work, no marshalling or
/// allocation per call. Timing as <c>--quick</c> (warm-up, median of <c>--samples</c> slices); prints one JSON object.
/// </summary>
/// <remarks>
/// <c>dotnet NetGen.Benchmarks.dll --ort DIR [--threads N] [--seconds S] [--samples K]</c>: intra-op threads N,
/// inter-op 1, sequential execution, all graph optimisations. Only the benchmarks reference ONNX Runtime.
/// </remarks>
internal static class OrtPeer
{
    public static int Run(string[] args)
    {
        if (PeerOptions.Parse(args, "--ort") is not { } peer) return 2;
        var (dir, threads, seconds, samples) = peer;
        if (dir is null || !File.Exists(Path.Combine(dir, "mlp.onnx")))
        {
            Console.Error.WriteLine("--ort DIR: DIR must hold mlp.onnx and cnn.onnx (Benchmarks/peers/compare.py exports them)");
            return 2;
        }
        var results = new List<(string Name, double Seconds)>();
        using var options = PeerExport.Options(threads);
        var rng = new Rng(11);
        foreach (var model in new[] { "mlp", "cnn" })
        {
            using var session = new InferenceSession(Path.Combine(dir, model + ".onnx"), options);
            foreach (int batch in new[] { 1, 256 })
            {
                var input = new float[batch * 784];
                for (int i = 0; i < input.Length; i++) input[i] = rng.NextFloat();
                var output = new float[batch * 10];
                long[] inShape = model == "mlp" ? new long[] { batch, 784 } : new long[] { batch, 1, 28, 28 };
                using var x = OrtValue.CreateTensorValueFromMemory(input, inShape);
                using var y = OrtValue.CreateTensorValueFromMemory(output, new long[] { batch, 10 });
                using var binding = session.CreateIoBinding();
                binding.BindInput(session.InputNames[0], x);
                binding.BindOutput(session.OutputNames[0], y);
                using var run = new RunOptions();
                session.RunWithBinding(run, binding);
                if (Math.Abs(output.AsSpan(0, 10).ToArray().Sum() - 1) > 1e-3)
                    throw new InvalidOperationException($"{model}: ORT's output through the binding does not sum to 1: the binding is wrong");
                results.Add(($"{model}_predict_b{batch}", Time(() => session.RunWithBinding(run, binding), seconds, samples)));
            }
        }
        Console.WriteLine("{\"threads\": " + threads.ToString(CultureInfo.InvariantCulture) + ", \"results\": {"
            + string.Join(", ", results.Select(r => $"\"{r.Name}\": {r.Seconds.ToString("R", CultureInfo.InvariantCulture)}")) + "}}");
        return 0;
    }

    private static double Time(Action action, double seconds, int samples)
    {
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
