using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// Whole generated networks against PyTorch (float64) fixtures written by tools/reference/make_network_fixtures.py:
/// the same parameters, inputs and targets must give the same outputs, mean loss and parameter gradients.
/// </summary>
public class PyTorchNetworkTests
{
    private sealed record Fixture(string Network, string Loss, int Batch, float[] Parameters, float[] Input, float[] Target,
        double[] Output, double LossValue, double[] Gradients);

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "networks"), "*.json").OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    private static Fixture Load(string file)
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "networks", file));
        return JsonSerializer.Deserialize<Fixture>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    private static INetwork Create(string name) => name switch
    {
        "TinySoftmaxNet" => new TinySoftmaxNet(),
        "SequenceSigmoidNet" => new SequenceSigmoidNet(),
        "ReshapeActivationLayerNet" => new ReshapeActivationLayerNet(),
        "LinearNet" => new LinearNet(), "ReluNet" => new ReluNet(), "SigmoidNet" => new SigmoidNet(), "TanhNet" => new TanhNet(),
        "SoftmaxNet" => new SoftmaxNet(), "LeakyReluNet" => new LeakyReluNet(), "EluNet" => new EluNet(), "SeluNet" => new SeluNet(),
        "SwishNet" => new SwishNet(), "SoftplusNet" => new SoftplusNet(), "GeluNet" => new GeluNet(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test network"),
    };

    /// <summary>
    /// float32 against float64: 1e-5 relative, with an absolute floor of 2e-6 for values near zero (the float32
    /// rounding of sums of a few O(1) products).
    /// </summary>
    private static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Abs(expected) + 2e-6, $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesPyTorch(string file)
    {
        var f = Load(file);
        var net = Create(f.Network);
        var loss = Enum.Parse<Loss>(f.Loss);
        Assert.Equal(f.Parameters.Length, net.ParameterCount);
        f.Parameters.CopyTo(net.Parameters);

        var output = new float[f.Output.Length];
        net.Predict(f.Input, output, f.Batch);
        for (int i = 0; i < output.Length; i++) Close(f.Output[i], output[i], $"output[{i}]");

        float lossValue = net.ComputeGradients(f.Input, f.Target, f.Batch, loss);
        Close(f.LossValue, lossValue, "loss");
        var training = net.TrainingOutput;
        for (int i = 0; i < output.Length; i++) Close(f.Output[i], training[i], $"training output[{i}]");
        var gradients = net.Gradients;
        for (int i = 0; i < gradients.Length; i++) Close(f.Gradients[i], gradients[i], $"gradient[{i}]");
    }

    [Fact]
    public void EveryTestNetworkHasAFixture()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "networks"), "*.json").Select(Path.GetFileName).ToList();
        foreach (var name in new[] { "TinySoftmaxNet", "SequenceSigmoidNet", "ReshapeActivationLayerNet", "LinearNet", "ReluNet", "SigmoidNet",
            "TanhNet", "SoftmaxNet", "LeakyReluNet", "EluNet", "SeluNet", "SwishNet", "SoftplusNet", "GeluNet" })
            Assert.Contains(files, f => f!.StartsWith(name + ".", StringComparison.Ordinal));
    }
}
