using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// The generated recurrent test networks (EndToEnd/RecurrentNetworks.cs) against PyTorch float64 fixtures written by
/// tools/reference/make_recurrent_network_fixtures.py: same weights (Keras layouts), inputs and targets must give the
/// same outputs (Predict and training mode), mean squared error and parameter gradients. Covers SimpleRNN, LSTM and GRU
/// (reset_after true and false), return_sequences, return_state (ports read by later layers), go_backwards, no bias,
/// and masks from Masking (values 0 and −1) and Embedding(MaskZero).
/// </summary>
public class RecurrentNetworkFixtureTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "recurrent-networks");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder, "*.json").OrderBy(p => p, StringComparer.Ordinal)) data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesPyTorch(string file)
    {
        var f = NetworkFixture.Load("recurrent-networks", file);
        f.AssertMatches(RecurrentGradientTests.Create(f.Network));
    }

    [Fact]
    public void EveryRecurrentTestNetworkHasAFixture()
    {
        var files = Directory.GetFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        foreach (var name in RecurrentGradientTests.Networks()) Assert.Contains(name, files);
    }
}
