using System;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// Whole generated networks against PyTorch (float64) fixtures written by tools/reference/make_network_fixtures.py:
/// the same parameters, inputs and targets must give the same outputs, mean loss and parameter gradients.
/// </summary>
public class PyTorchNetworkTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "networks"), "*.json").OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    private static NetworkFixture Load(string file) => NetworkFixture.Load(file, "networks");

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

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesPyTorch(string file)
    {
        var f = Load(file);
        f.AssertMatches(Create(f.Network), Enum.Parse<Loss>(f.Loss!), trainingOutput: true);
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
