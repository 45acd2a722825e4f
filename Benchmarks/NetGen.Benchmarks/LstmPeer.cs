using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks;

/// <summary>
/// The Fashion-MNIST sample's LSTM (Samples/FashionMnist/FashionLstm.cs): 28 steps of 28 features, LSTM(128), its last
/// output into Dense(10, softmax). The arena holds a whole batch of 256, so that batch runs as one call.
/// </summary>
[Network(InferenceBatchCapacity = 256)]
[Input(28, 28)]
[LSTM(128)]
[Dense(10, Activation = Activation.Softmax)]
public partial class LstmBench
{
}

/// <summary>
/// <c>--lstm DIR</c>: LSTM Predict at batch 1 (latency) and 256 (throughput), NetGen (<see cref="LstmBench"/>) against
/// ONNX Runtime from C# on the same network in PyTorch (<c>nn.LSTM(28, 128, batch_first=True)</c> + Linear + softmax)
/// exported by <c>Benchmarks/peers/lstm_onnx.py DIR</c> with the same weights. Both are checked first against PyTorch's
/// output for one input and against each other at every batch size (1e-4); then timed interleaved (ORT bound once with
/// an <see cref="OrtIoBinding"/>; warm-up, median of <c>--samples</c> slices). Prints one JSON object with the ratios:
/// <c>ratio_latency_b1</c> = NetGen time / ORT time (issue 13's target ≤ 0.7), <c>ratio_throughput_b256</c> = ORT time /
/// NetGen time (target ≥ 1.0).
/// </summary>
/// <remarks><c>dotnet NetGen.Benchmarks.dll --lstm DIR [--threads N] [--seconds S] [--samples K]</c> (threads for both).</remarks>
internal static class LstmPeer
{
    private const int Classes = 10;

    public static int Run(string[] args)
    {
        if (PeerOptions.Parse(args, "--lstm") is not { } peer) return 2;
        var (dir, threads, seconds, samples) = peer;
        if (!PeerExport.Present(dir, "--lstm", "lstm")) return 2;
        Parallelism.MaxThreads = threads;
        var net = new LstmBench();
        PeerExport.LoadWeights(dir, "lstm", net);
        var check = PeerExport.Check(dir, "lstm");
        int n = LstmBench.InputLength;
        var checkX = check.AsSpan(0, 2 * n).ToArray();
        var expected = check.AsSpan(2 * n, 2 * Classes).ToArray();

        using var options = PeerExport.Options(threads);
        using var session = new InferenceSession(Path.Combine(dir, "lstm.onnx"), options);
        var results = new Dictionary<string, double>();
        var rng = new Rng(5);
        foreach (int batch in new[] { 2, 1, 256 })
        {
            var input = batch == 2 ? checkX : Enumerable.Range(0, batch * n).Select(_ => rng.NextFloat()).ToArray();
            var ours = new float[batch * Classes];
            var theirs = new float[batch * Classes];
            using var x = OrtValue.CreateTensorValueFromMemory(input, new long[] { batch, 28, 28 });
            using var y = OrtValue.CreateTensorValueFromMemory(theirs, new long[] { batch, Classes });
            using var binding = session.CreateIoBinding();
            binding.BindInput(session.InputNames[0], x);
            binding.BindOutput(session.OutputNames[0], y);
            using var run = new RunOptions();
            session.RunWithBinding(run, binding);
            net.Predict(input, ours, batch);
            double worst = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
            if (worst > 1e-4) throw new InvalidOperationException($"batch {batch}: NetGen and ORT differ by {worst}");
            results[$"max_abs_difference_b{batch}"] = worst;
            if (batch == 2)
            {
                double off = ours.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
                if (off > 1e-4) throw new InvalidOperationException($"NetGen differs from PyTorch's output by {off}");
                results["max_abs_difference_pytorch"] = off;
                continue;
            }
            // Interleaved: NetGen, ORT, NetGen, ORT, ... slices.
            var (netgen, ort) = PeerTiming.Time(() => net.Predict(input, ours, batch), () => session.RunWithBinding(run, binding), seconds, samples);
            results[$"netgen_predict_b{batch}"] = netgen;
            results[$"ort_predict_b{batch}"] = ort;
        }
        results["ratio_latency_b1"] = results["netgen_predict_b1"] / results["ort_predict_b1"];
        results["ratio_throughput_b256"] = results["ort_predict_b256"] / results["netgen_predict_b256"];
        Console.WriteLine("{\"threads\": " + threads.ToString(CultureInfo.InvariantCulture) + ", \"results\": {"
            + string.Join(", ", results.Select(r => $"\"{r.Key}\": {r.Value.ToString("G4", CultureInfo.InvariantCulture)}")) + "}}");
        return 0;
    }
}
