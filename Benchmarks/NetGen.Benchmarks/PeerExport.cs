using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks;

/// <summary>
/// What the peer drivers (<c>--ort</c>, <c>--mha</c>, <c>--lstm</c>) share: ONNX Runtime's session options for one
/// measurement (intra-op threads as asked, sequential, every graph optimization) and the files a PyTorch export script
/// writes for a model STEM: <c>STEM.onnx</c>, <c>STEM.weights.bin</c> (the weights in NetGen's layout, float32) and
/// <c>STEM.check.bin</c> (inputs, then PyTorch's outputs for them).
/// </summary>
internal static class PeerExport
{
    public static SessionOptions Options(int threads) => new()
    {
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    /// <summary>Whether DIR holds STEM's export; if not, says which option wants what and which script writes it.</summary>
    public static bool Present([NotNullWhen(true)] string? dir, string option, string stem)
    {
        if (dir is not null && File.Exists(Path.Combine(dir, stem + ".onnx"))) return true;
        Console.Error.WriteLine($"{option} DIR: DIR must hold {stem}.onnx, {stem}.weights.bin and {stem}.check.bin (Benchmarks/peers/{stem}_onnx.py DIR writes them)");
        return false;
    }

    /// <summary>Copies <c>STEM.weights.bin</c> into the network, checking that it holds exactly its weights.</summary>
    public static void LoadWeights(string dir, string stem, INetwork net)
    {
        var weights = Floats(dir, stem + ".weights.bin");
        if (weights.Length != net.Parameters.Length)
            throw new InvalidDataException($"{stem}.weights.bin holds {weights.Length} floats, {net.GetType().Name} has {net.Parameters.Length} weights");
        weights.CopyTo(net.Parameters);
    }

    /// <summary><c>STEM.check.bin</c>: the inputs, then PyTorch's outputs for them.</summary>
    public static float[] Check(string dir, string stem) => Floats(dir, stem + ".check.bin");

    private static float[] Floats(string dir, string file) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(dir, file))).ToArray();
}
