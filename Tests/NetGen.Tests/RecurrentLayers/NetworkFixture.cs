using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.RecurrentLayers;

/// <summary>
/// A PyTorch float64 fixture of a whole test network, as the recurrent fixture scripts in tools/reference/ write them
/// (Fixtures/&lt;folder&gt;/&lt;network&gt;.json): the weights in Keras layouts, an input and a target, and the expected
/// output, loss and every parameter gradient.
/// </summary>
internal sealed record NetworkFixture(string Network, string Loss, int Batch, float[] Parameters, float[] Input, float[] Target,
    double[] Output, double LossValue, double[] Gradients)
{
    public static NetworkFixture Load(string folder, string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", folder, file);
        Assert.True(File.Exists(path), $"Missing fixture {path}; regenerate it with its script in tools/reference/");
        return JsonSerializer.Deserialize<NetworkFixture>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    /// <summary>float32 through several recurrent steps against float64: 2e-5 relative with an absolute floor of 5e-6.</summary>
    public static void Close(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 2e-5 * Math.Abs(expected) + 5e-6, $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>
    /// Loads the weights into <paramref name="net"/>, then checks Predict's output, the training step's loss and outputs,
    /// and every parameter gradient (named by its weight).
    /// </summary>
    public void AssertMatches(INetwork net)
    {
        Assert.Equal(Parameters.Length, net.ParameterCount);
        Parameters.CopyTo(net.Parameters);
        var output = new float[Output.Length];
        net.Predict(Input, output, Batch);
        for (int i = 0; i < output.Length; i++) Close(Output[i], output[i], $"output[{i}]");
        float loss = net.ComputeGradients(Input, Target, Batch, Enum.Parse<Loss>(Loss));
        Close(LossValue, loss, "loss");
        for (int i = 0; i < output.Length; i++) Close(Output[i], net.TrainingOutput[i], $"training output[{i}]");
        Assert.Equal(Gradients.Length, net.Gradients.Length);
        var layout = net.ParameterLayout;
        for (int i = 0; i < Gradients.Length; i++)
            Close(Gradients[i], net.Gradients[i], $"gradient[{i}] ({layout.Last(p => p.Offset <= i).Name})");
    }
}
