using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>The network-level PyTorch fixture files: a JSON object whose <c>cases</c> map a case name to its data.</summary>
internal static class FixtureCases
{
    /// <summary>The <c>cases</c> of <c>Fixtures/{folder}/{file}</c>; a missing file fails naming the script that writes it.</summary>
    public static JsonElement Load(string folder, string file, string script)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", folder, file);
        Assert.True(File.Exists(path), $"Missing fixture {path}; regenerate with tools/reference/{script}");
        using var stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.GetProperty("cases").Clone();
    }

    /// <summary>A JSON array of numbers as floats.</summary>
    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
}
