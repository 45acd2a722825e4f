using System;
using System.IO;
using NetGen.Data;

// Sample code, not part of the NetGen package: the Fashion-MNIST sample, the other samples, the benchmarks and the
// tests compile this file into their own assemblies (<Compile Include=".../Samples/FashionMnist/FashionMnistData.cs" />).
// The package keeps only the general IDX reader (NetGen.Data.Idx).
namespace NetGen.Samples.Data;

/// <summary>Fashion-MNIST images scaled to [0, 1] (N·784 floats, row-major 28×28) and their labels 0–9.</summary>
/// <param name="TrainImages">Training images.</param>
/// <param name="TrainLabels">Training labels.</param>
/// <param name="TestImages">Test images.</param>
/// <param name="TestLabels">Test labels.</param>
public sealed record FashionMnistData(float[] TrainImages, byte[] TrainLabels, float[] TestImages, byte[] TestLabels)
{
    /// <summary>Number of training images.</summary>
    public int TrainCount => TrainLabels.Length;

    /// <summary>Number of test images.</summary>
    public int TestCount => TestLabels.Length;
}

/// <summary>Loads Fashion-MNIST from its four IDX files (Debian: <c>apt-get install dataset-fashion-mnist</c>).</summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten class names, by label.</summary>
    public static readonly string[] ClassNames =
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>
    /// Reads <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and
    /// <c>t10k-labels-idx1-ubyte</c> (each plain or <c>.gz</c>) from <paramref name="directory"/>.
    /// </summary>
    public static FashionMnistData Load(string directory = DebianDirectory)
    {
        var (trainImages, trainLabels) = LoadSet(directory, "train");
        var (testImages, testLabels) = LoadSet(directory, "t10k");
        return new FashionMnistData(trainImages, trainLabels, testImages, testLabels);
    }

    /// <summary>One-hot rows of <paramref name="classes"/> floats for <paramref name="labels"/>.</summary>
    public static float[] OneHot(ReadOnlySpan<byte> labels, int classes)
    {
        var result = new float[labels.Length * classes];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"label {i} is {labels[i]}, not below {classes}.");
            result[i * classes + labels[i]] = 1;
        }
        return result;
    }

    private static (float[] Images, byte[] Labels) LoadSet(string directory, string prefix)
    {
        var images = Idx.Read(Find(directory, prefix + "-images-idx3-ubyte"));
        var labels = Idx.Read(Find(directory, prefix + "-labels-idx1-ubyte"));
        if (images.Shape.Length != 3 || images.Shape[1] != 28 || images.Shape[2] != 28)
            throw new InvalidDataException($"{prefix} images in '{directory}' have shape ({string.Join(", ", images.Shape)}); expected (N, 28, 28).");
        if (labels.Shape.Length != 1 || labels.Shape[0] != images.Shape[0])
            throw new InvalidDataException($"{prefix} labels in '{directory}' have shape ({string.Join(", ", labels.Shape)}); expected ({images.Shape[0]}).");
        var scaled = new float[images.Data.Length];
        for (int i = 0; i < scaled.Length; i++) scaled[i] = images.Data[i] / 255f;
        return (scaled, labels.Data);
    }

    private static string Find(string directory, string stem)
    {
        foreach (var name in new[] { stem + ".gz", stem })
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(
            $"Fashion-MNIST file '{stem}' (or '{stem}.gz') was not found in '{directory}'. " +
            $"Install the data with 'sudo apt-get install dataset-fashion-mnist' (it goes to {DebianDirectory}), " +
            "or pass --data DIR with the four IDX files.", Path.Combine(directory, stem));
    }
}
