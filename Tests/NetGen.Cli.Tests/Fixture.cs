using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NetGen.Cli.Tests;

/// <summary>A model's reference inputs and outputs from tools/reference/make_import_fixtures.py (PyTorch layout).</summary>
internal sealed class Fixture
{
    public required int[] InputShape { get; init; }
    public required float[] Input { get; init; }
    public required int[] OutputShape { get; init; }
    public required float[] Output { get; init; }

    public static string Dir(string kind) => Path.Combine(AppContext.BaseDirectory, "Fixtures", kind);

    public static string Path_(string kind, string file) => Path.Combine(Dir(kind), file);

    public static Fixture Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("onnx"), name + ".json")));
        var r = doc.RootElement;
        return new Fixture
        {
            InputShape = r.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            Input = r.GetProperty("input").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
            OutputShape = r.GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            Output = r.GetProperty("output").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
        };
    }

    public int Batch => InputShape[0];

    /// <summary>(N, C, spatial...) → (N, spatial..., C); tensors of rank 2 or less are returned as they are.</summary>
    public static float[] ChannelsLast(float[] data, int[] shape)
    {
        if (shape.Length < 3) return data;
        int n = shape[0], c = shape[1], s = data.Length / (n * c);
        var result = new float[data.Length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < s; i++)
                    result[(b * s + i) * c + ch] = data[(b * c + ch) * s + i];
        return result;
    }

    public static float MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths {a.Length} and {b.Length} differ");
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
