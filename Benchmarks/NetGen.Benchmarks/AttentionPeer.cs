using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks;

/// <summary>The benchmarked MultiHeadAttention: self-attention, 4 heads of 16, over 16 tokens of 64 (the Transformer sample's block).</summary>
[Network(InferenceBatchCapacity = 32)]
[Input(16, 64)]
[MultiHeadAttention(4, 16)]
public partial class MhaBench
{
}

/// <summary>
/// <c>--mha DIR</c>: MultiHeadAttention Predict at batch 1 and 32, NetGen (<see cref="MhaBench"/>) against ONNX Runtime
/// from C# on PyTorch's <c>nn.MultiheadAttention</c> exported by <c>Benchmarks/peers/mha_onnx.py DIR</c>, with the same
/// weights (converted to the Keras layout by the script). Both are first checked against PyTorch's output for one input;
/// then timed interleaved (ORT bound once with an <see cref="OrtIoBinding"/>; warm-up, median of <c>--samples</c> slices),
/// plus NetGen's training step (ComputeGradients) at batch 32. Prints one JSON object with the ratios.
/// </summary>
/// <remarks><c>dotnet NetGen.Benchmarks.dll --mha DIR [--threads N] [--seconds S] [--samples K]</c> (threads for both).</remarks>
internal static class AttentionPeer
{
    public static int Run(string[] args)
    {
        if (PeerOptions.Parse(args, "--mha") is not { } peer) return 2;
        var (dir, threads, seconds, samples) = peer;
        if (!PeerExport.Present(dir, "--mha", "mha")) return 2;
        Parallelism.MaxThreads = threads;
        var net = new MhaBench();
        PeerExport.LoadWeights(dir, "mha", net);
        var check = PeerExport.Check(dir, "mha");
        int n = MhaBench.InputLength;
        var checkX = check.AsSpan(0, 2 * n).ToArray();
        var expected = check.AsSpan(2 * n, 2 * n).ToArray();

        using var options = PeerExport.Options(threads);
        using var session = new InferenceSession(Path.Combine(dir, "mha.onnx"), options);
        var results = new Dictionary<string, double>();
        var rng = new Rng(5);
        foreach (int batch in new[] { 2, 1, 32 })
        {
            var input = batch == 2 ? checkX : Enumerable.Range(0, batch * n).Select(_ => rng.NextFloat() * 2 - 1).ToArray();
            var ours = new float[batch * n];
            var theirs = new float[batch * n];
            using var x = OrtValue.CreateTensorValueFromMemory(input, new long[] { batch, 16, 64 });
            using var y = OrtValue.CreateTensorValueFromMemory(theirs, new long[] { batch, 16, 64 });
            using var binding = session.CreateIoBinding();
            binding.BindInput(session.InputNames[0], x);
            binding.BindOutput(session.OutputNames[0], y);
            using var run = new RunOptions();
            session.RunWithBinding(run, binding);
            net.Predict(input, ours, batch);
            double worst = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
            if (worst > 1e-4) throw new InvalidOperationException($"batch {batch}: NetGen and ORT differ by {worst}");
            if (batch == 2)
            {
                double off = ours.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
                if (off > 1e-4) throw new InvalidOperationException($"NetGen differs from PyTorch's output by {off}");
                continue;
            }
            // Interleaved: NetGen, ORT, NetGen, ORT, ... slices.
            var (netgen, ort) = PeerTiming.Time(() => net.Predict(input, ours, batch), () => session.RunWithBinding(run, binding), seconds, samples);
            results[$"netgen_predict_b{batch}"] = netgen;
            results[$"ort_predict_b{batch}"] = ort;
            results[$"ratio_predict_b{batch}"] = netgen / ort;
        }
        var tx = Enumerable.Range(0, 32 * n).Select(_ => rng.NextFloat() * 2 - 1).ToArray();
        var ty = Enumerable.Range(0, 32 * n).Select(_ => rng.NextFloat() * 2 - 1).ToArray();
        results["netgen_gradients_b32"] = PeerTiming.Time(() => net.ComputeGradients(tx, ty, 32, Loss.MeanSquaredError), () => { }, seconds, samples).A;
        Console.WriteLine("{\"threads\": " + threads.ToString(CultureInfo.InvariantCulture) + ", \"results\": {"
            + string.Join(", ", results.Select(r => $"\"{r.Key}\": {r.Value.ToString("G4", CultureInfo.InvariantCulture)}")) + "}}");
        return 0;
    }
}
