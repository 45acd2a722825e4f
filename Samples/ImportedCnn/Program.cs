// A CNN trained in PyTorch on Fashion-MNIST (tools/reference/train_imported_cnn.py), exported to ONNX and imported with
// `netgen import fashion_cnn.onnx --class ImportedFashionCnn --namespace ImportedCnn --bake`: ImportedFashionCnn.cs is
// the generated declaration, ImportedFashionCnn.weights.txt the baked weights. This program classifies the Fashion-MNIST
// test set with it and compares with what PyTorch measured on the same model.
using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Data;
using NetGen.Samples.Data;

namespace ImportedCnn;

internal static class Program
{
    private static int Main(string[] args)
    {
        string data = args.Length > 0 ? args[0] : FashionMnist.DebianDirectory;
        FashionMnistData set;
        try
        {
            set = FashionMnist.Load(data);
        }
        catch (FileNotFoundException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        var net = ImportedFashionCnn.FromBakedWeights();
        Console.WriteLine($"ImportedFashionCnn: {ImportedFashionCnn.ParameterCount} parameters, imported from PyTorch via ONNX, weights baked in.");

        // NetGen is channels-last; a (1, 28, 28) image is (28, 28, 1): the same bytes, so no transpose is needed here.
        int n = set.TestCount;
        var probabilities = new float[n * ImportedFashionCnn.OutputLength];
        var started = System.Diagnostics.Stopwatch.StartNew();
        net.Predict(set.TestImages, probabilities, n);
        double seconds = started.Elapsed.TotalSeconds;
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            var row = probabilities.AsSpan(i * 10, 10);
            int best = 0;
            for (int c = 1; c < 10; c++)
                if (row[c] > row[best]) best = c;
            if (best == set.TestLabels[i]) correct++;
        }
        double accuracy = (double)correct / n;
        Console.WriteLine($"Test accuracy: {accuracy:F4} on {n} images ({seconds:F2} s for the whole set)");

        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "pytorch-reference.json")));
        double torchAccuracy = reference.RootElement.GetProperty("testAccuracy").GetDouble();
        var first8 = reference.RootElement.GetProperty("first8").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        float maxDiff = 0;
        for (int i = 0; i < first8.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(first8[i] - probabilities[i]));
        Console.WriteLine($"PyTorch on the same model: test accuracy {torchAccuracy:F4}; first 8 images' probabilities differ by at most {maxDiff:E1}");
        for (int i = 0; i < 5; i++)
        {
            var row = probabilities.AsSpan(i * 10, 10);
            int best = 0;
            for (int c = 1; c < 10; c++)
                if (row[c] > row[best]) best = c;
            Console.WriteLine($"  image {i}: {FashionMnist.ClassNames[best]} ({row[best]:F3}), label {FashionMnist.ClassNames[set.TestLabels[i]]}");
        }
        return maxDiff <= 1e-5f && Math.Abs(accuracy - torchAccuracy) < 1e-3 ? 0 : 2;
    }
}
