using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Kernels;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// MultiHeadAttention, Attention, AdditiveAttention and PositionEmbedding as generated networks against PyTorch:
/// every case of <c>Fixtures/attention/layers.json</c> (<c>tools/reference/make_attention_layer_fixtures.py</c>, float64,
/// Keras layouts) has a network in <see cref="MhaSelfFixtureNet"/>'s file. Its weights are loaded by Keras name; Predict
/// must give PyTorch's output, and ComputeGradients (mean squared error against the fixture's target) its loss and the
/// gradient of every weight, including the Dense layers in front of the attention inputs (so the gradients reaching
/// query, key and value, summed where one tensor plays several roles, are checked too). Tolerance: 2e-5 relative +
/// 2e-6 absolute for the output and loss, 1e-4 relative + 1e-5 absolute for the gradients (float32 sums over a few
/// dozen terms against float64; a wrong formula, a transposed kernel or a missing mask moves values by 1e-2 or more).
/// Finite differences through each network check the same gradients without PyTorch.
/// </summary>
public class AttentionLayerTests
{
    private static readonly Dictionary<string, Func<INetwork>> s_networks = new()
    {
        ["mha_self"] = () => new MhaSelfFixtureNet(),
        ["mha_cross"] = () => new MhaCrossFixtureNet(),
        ["mha_causal"] = () => new MhaCausalFixtureNet(),
        ["mha_key_default"] = () => new MhaKeyDefaultFixtureNet(),
        ["mha_mask"] = () => new MhaMaskFixtureNet(),
        ["attention_dot"] = () => new AttentionDotFixtureNet(),
        ["attention_concat"] = () => new AttentionConcatFixtureNet(),
        ["additive_mask"] = () => new AdditiveMaskFixtureNet(),
        ["position"] = () => new PositionFixtureNet(),
        ["mha_scores"] = () => new MhaScoresFixtureNet(),
        ["attention_scores"] = () => new AttentionScoresFixtureNet(),
        ["mha_tiles"] = () => new MhaTilesFixtureNet(),
        ["mha_tiles_mask"] = () => new MhaTilesMaskFixtureNet(),
        ["mha_attention_mask"] = () => new MhaAttentionMaskFixtureNet(),
        ["mha_long_attention_mask"] = () => new MhaLongAttentionMaskFixtureNet(),
    };

    private static readonly Lazy<JsonElement> s_cases = new(() => FixtureCases.Load("attention", "layers.json", "make_attention_layer_fixtures.py"));

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in s_networks.Keys) data.Add(name);
        return data;
    }

    [Fact]
    public void EveryFixtureCaseHasANetwork()
        => Assert.Equal(s_cases.Value.EnumerateObject().Select(p => p.Name).OrderBy(n => n), s_networks.Keys.OrderBy(n => n));

    private static float[] Floats(JsonElement e) => FixtureCases.Floats(e);

    /// <summary>Packs per-input batches into rows of every input of a sample, as the single-span entry points take them.</summary>
    internal static float[] Pack(IReadOnlyList<float[]> inputs, int batch)
    {
        var rows = new List<float>();
        for (int b = 0; b < batch; b++)
            foreach (var x in inputs)
            {
                int size = x.Length / batch;
                rows.AddRange(x.Skip(b * size).Take(size));
            }
        return rows.ToArray();
    }

    /// <summary>The case's network with the fixture's weights, loaded by Keras name; every weight of the network is in the fixture and the other way round.</summary>
    internal static (INetwork Net, JsonElement Case, float[] X, int Batch) Load(string name)
    {
        var c = s_cases.Value.GetProperty(name);
        var net = s_networks[name]();
        var parameters = c.GetProperty("params");
        Assert.Equal(parameters.EnumerateObject().Select(p => p.Name).OrderBy(n => n), net.ParameterLayout.Select(p => p.Name).OrderBy(n => n));
        foreach (var p in net.ParameterLayout)
        {
            var values = Floats(parameters.GetProperty(p.Name));
            Assert.Equal(p.Length, values.Length);
            values.CopyTo(net.Parameters.Slice(p.Offset, p.Length));
        }
        int batch = c.GetProperty("batch").GetInt32();
        var x = Pack(c.GetProperty("inputs").EnumerateArray().Select(Floats).ToList(), batch);
        return (net, c, x, batch);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesPyTorch(string name)
    {
        var (net, c, x, batch) = Load(name);
        var y = new float[batch * net.OutputLength];
        net.Predict(x, y, batch);
        TestUtil.AllClose(TestUtil.ToDouble(Floats(c.GetProperty("y"))), y, 2e-5, 2e-6, $"{name} output");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchPyTorch(string name)
    {
        var (net, c, x, batch) = Load(name);
        double loss = net.ComputeGradients(x, Floats(c.GetProperty("target")), batch, Loss.MeanSquaredError);
        TestUtil.Close(c.GetProperty("loss").GetDouble(), loss, 2e-5, 2e-6, $"{name} loss");
        var grads = c.GetProperty("grads");
        foreach (var p in net.ParameterLayout)
            TestUtil.AllClose(TestUtil.ToDouble(Floats(grads.GetProperty(p.Name))), net.Gradients.Slice(p.Offset, p.Length), 1e-4, 1e-5, $"{name} d{p.Name}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var (net, c, x, batch) = Load(name);
        double worst = GradientCheck.MaxError(net, x, Floats(c.GetProperty("target")), batch, Loss.MeanSquaredError);
        Assert.True(worst <= 1, $"{name}: finite differences disagree with the analytic gradient: worst error is {worst:F2}× the bound");
    }

    [Fact]
    public void ScoresAloneTrainThroughTheScoresPort()
    {
        // mha's main output is unused, so its gradient is zero; the gradient reaches pre only through the scores.
        var net = new MhaScoresOnlyNet(3);
        Assert.Equal(2 * 4 * 2, MhaScoresOnlyNet.OutputLength); // scores (heads 2, T 4, S 4) through Dense(2): (2, 4, 2)
        const int batch = 2;
        var x = GradientCheck.Random(batch * MhaScoresOnlyNet.InputLength, 11);
        var y = GradientCheck.Random(batch * MhaScoresOnlyNet.OutputLength, 12, 0.5f);
        double worst = GradientCheck.MaxError(net, x, y, batch, Loss.MeanSquaredError);
        Assert.True(worst <= 1, $"finite differences disagree with the analytic gradient: worst error is {worst:F2}× the bound");
        var pre = MhaScoresOnlyNet.ParameterLayout.Single(p => p.Name == "pre/kernel");
        Assert.Contains(net.Gradients.Slice(pre.Offset, pre.Length).ToArray(), g => g != 0);
        var output = MhaScoresOnlyNet.ParameterLayout.Single(p => p.Name == "mha/attention_output/kernel");
        Assert.All(net.Gradients.Slice(output.Offset, output.Length).ToArray(), g => Assert.Equal(0f, g));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PredictAndTrainingStepAllocateNothing(string name)
    {
        var (net, c, x, batch) = Load(name);
        var y = new float[batch * net.OutputLength];
        var target = Floats(c.GetProperty("target"));
        net.Predict(x, y, batch);
        net.ComputeGradients(x, target, batch, Loss.MeanSquaredError);
        Assert.Equal(0, Allocations.Fewest(() => net.Predict(x, y, batch)));
        Assert.Equal(0, Allocations.Fewest(() => net.ComputeGradients(x, target, batch, Loss.MeanSquaredError)));
    }

    [Fact]
    public void MaskingHidesPaddedStepsAsIfTheyWereNotThere()
    {
        // Keras: a padded step is masked as a key (the other queries ignore it) and as a query (no key allowed: zero
        // weights, so its output row is the output bias). So the unpadded rows equal attention over the shorter sequence.
        var padded = new MhaMaskingNet();
        var shorter = new MhaShortNet();
        Assert.Equal(MhaShortNet.ParameterCount, MhaMaskingNet.ParameterCount);
        var weights = GradientCheck.Random(MhaMaskingNet.ParameterCount, 21, 0.8f);
        weights.CopyTo(padded.Parameters);
        weights.CopyTo(shorter.Parameters);
        const int batch = 2;
        var x4 = GradientCheck.Random(batch * 12, 22);
        var x5 = new float[batch * 15];
        for (int b = 0; b < batch; b++) x4.AsSpan(b * 12, 12).CopyTo(x5.AsSpan(b * 15, 12)); // step 4 stays 0: padded
        var y4 = new float[batch * 12];
        var y5 = new float[batch * 15];
        shorter.Predict(x4, y4, batch);
        padded.Predict(x5, y5, batch);
        var bias = MhaMaskingNet.ParameterLayout.Single(p => p.Name == "mha/attention_output/bias");
        for (int b = 0; b < batch; b++)
        {
            TestUtil.AllClose(TestUtil.ToDouble(y4.AsSpan(b * 12, 12)), y5.AsSpan(b * 15, 12), 1e-5, 1e-6, $"sample {b}, unpadded rows");
            TestUtil.AllClose(TestUtil.ToDouble(weights.AsSpan(bias.Offset, 3)), y5.AsSpan(b * 15 + 12, 3), 0, 0, $"sample {b}, padded row");
        }
        // Negative control: without the Masking layer the padded step is attended to and moves the other rows.
        var unmasked = new MhaUnmaskedNet();
        weights.CopyTo(unmasked.Parameters);
        var yu = new float[batch * 15];
        unmasked.Predict(x5, yu, batch);
        Assert.Contains(Enumerable.Range(0, 12), i => Math.Abs(yu[i] - y4[i]) > 1e-3);
    }
}
