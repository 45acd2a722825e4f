using System;
using System.IO;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// A whole-network reference written by a PyTorch script in tools/reference (float64): the parameters in Keras layout,
/// inputs and targets, and the outputs, mean loss and parameter gradients they must give. <see cref="Loss"/> is the loss's
/// name where the fixture records it.
/// </summary>
internal sealed record NetworkFixture(string Network, string? Loss, int Batch, float[] Parameters, float[] Input, float[] Target,
    double[] Output, double LossValue, double[] Gradients)
{
    private static readonly JsonSerializerOptions s_options = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The fixture at <c>Fixtures/{folder…}/{name}.json</c> beside the test assembly.</summary>
    public static NetworkFixture Load(string name, params string[] folders)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", Path.Combine(folders), name.EndsWith(".json", StringComparison.Ordinal) ? name : name + ".json");
        return JsonSerializer.Deserialize<NetworkFixture>(File.ReadAllText(path), s_options)!;
    }

    /// <summary>
    /// float32 against float64: 1e-5 relative, with an absolute floor of 2e-6 for values near zero (the float32 rounding of
    /// sums of a few O(1) products).
    /// </summary>
    public static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Abs(expected) + 2e-6, $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>
    /// Loads the parameters into <paramref name="net"/> and checks Predict's outputs, the loss and every parameter gradient
    /// of <see cref="INetwork.ComputeGradients"/> (and, with <paramref name="trainingOutput"/>, the training pass's outputs).
    /// </summary>
    public void AssertMatches(INetwork net, NetGen.Loss loss, bool trainingOutput)
    {
        Assert.Equal(Parameters.Length, net.ParameterCount);
        Parameters.CopyTo(net.Parameters);
        var output = new float[Output.Length];
        net.Predict(Input, output, Batch);
        for (int i = 0; i < output.Length; i++) Close(Output[i], output[i], $"output[{i}]");
        float lossValue = net.ComputeGradients(Input, Target, Batch, loss);
        Close(LossValue, lossValue, "loss");
        if (trainingOutput)
        {
            var training = net.TrainingOutput;
            for (int i = 0; i < output.Length; i++) Close(Output[i], training[i], $"training output[{i}]");
        }
        var gradients = net.Gradients;
        for (int i = 0; i < gradients.Length; i++) Close(Gradients[i], gradients[i], $"gradient[{i}]");
    }
}
