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
    private sealed record Fixture(string Network, string Loss, int Batch, float[] Parameters, float[] Input, float[] Target,
        double[] Output, double LossValue, double[] Gradients);

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "recurrent-networks");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder, "*.json").OrderBy(p => p, StringComparer.Ordinal)) data.Add(Path.GetFileName(path));
        return data;
    }

    /// <summary>float32 through six recurrent steps against float64: 2e-5 relative with an absolute floor of 5e-6.</summary>
    private static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 2e-5 * Math.Abs(expected) + 5e-6, $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesPyTorch(string file)
    {
        var f = JsonSerializer.Deserialize<Fixture>(File.ReadAllText(Path.Combine(Folder, file)), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var net = RecurrentGradientTests.Create(f.Network);
        Assert.Equal(f.Parameters.Length, net.ParameterCount);
        f.Parameters.CopyTo(net.Parameters);
        var output = new float[f.Output.Length];
        net.Predict(f.Input, output, f.Batch);
        for (int i = 0; i < output.Length; i++) Close(f.Output[i], output[i], $"output[{i}]");
        float loss = net.ComputeGradients(f.Input, f.Target, f.Batch, Enum.Parse<Loss>(f.Loss));
        Close(f.LossValue, loss, "loss");
        for (int i = 0; i < output.Length; i++) Close(f.Output[i], net.TrainingOutput[i], $"training output[{i}]");
        var layout = net.ParameterLayout;
        for (int i = 0; i < f.Gradients.Length; i++)
            Close(f.Gradients[i], net.Gradients[i], $"gradient[{i}] ({layout.Last(p => p.Offset <= i).Name})");
    }

    [Fact]
    public void EveryRecurrentTestNetworkHasAFixture()
    {
        var files = Directory.GetFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        foreach (var name in RecurrentGradientTests.Networks()) Assert.Contains(name, files);
    }
}
