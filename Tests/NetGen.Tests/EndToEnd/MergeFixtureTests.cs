using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Kernels;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// Whole generated networks against PyTorch: every case of <c>Fixtures/merge/merge.json</c>
/// (<c>tools/reference/make_merge_fixtures.py</c>: the merge layers on two and three (32,) inputs, Concatenate and Dot on
/// higher ranks, Minimum on the (2, 2) example, Permute, RepeatVector) is declared as a network
/// (<see cref="AddFixtureNet"/> ...) whose inputs pass through identity probes. Forward: <c>Predict</c> on the packed
/// inputs equals PyTorch's output. Backward: for each sample, an MSE target chosen so that the gradient reaching the
/// output is PyTorch's upstream gradient; the probes' bias gradients are then exactly the gradients reaching the
/// layer's inputs, compared with PyTorch's autograd. Tolerance 1e-5 relative + 1e-6 absolute (float arithmetic against
/// float64 references; a wrong formula moves values by 1e-2 or more).
/// </summary>
public class MergeFixtureTests
{
    private const double Rel = 1e-5, Abs = 1e-6;

    private static readonly Dictionary<string, Func<INetwork>> s_networks = new()
    {
        ["add"] = () => new AddFixtureNet(),
        ["subtract"] = () => new SubtractFixtureNet(),
        ["multiply"] = () => new MultiplyFixtureNet(),
        ["average"] = () => new AverageFixtureNet(),
        ["maximum"] = () => new MaximumFixtureNet(),
        ["minimum"] = () => new MinimumFixtureNet(),
        ["concatenate"] = () => new ConcatenateFixtureNet(),
        ["dot"] = () => new DotFixtureNet(),
        ["dot_normalize"] = () => new DotNormalizeFixtureNet(),
        ["add3"] = () => new Add3FixtureNet(),
        ["multiply3"] = () => new Multiply3FixtureNet(),
        ["average3"] = () => new Average3FixtureNet(),
        ["maximum3"] = () => new Maximum3FixtureNet(),
        ["minimum3"] = () => new Minimum3FixtureNet(),
        ["concatenate_axis1"] = () => new ConcatenateAxis1FixtureNet(),
        ["concatenate_last"] = () => new ConcatenateLastFixtureNet(),
        ["dot_3d_axes2"] = () => new Dot3dAxes2FixtureNet(),
        ["dot_3d_axes1"] = () => new Dot3dAxes1FixtureNet(),
        ["minimum_2x2"] = () => new Minimum2x2FixtureNet(),
        ["permute"] = () => new PermuteFixtureNet(),
        ["repeat_vector"] = () => new RepeatVectorFixtureNet(),
    };

    private static readonly Lazy<JsonElement> s_cases = new(() => FixtureCases.Load("merge", "merge.json", "make_merge_fixtures.py"));

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

    /// <summary>A fixture network with identity probe kernels and zero biases.</summary>
    internal static INetwork Probed(string name)
    {
        var net = s_networks[name]();
        net.Parameters.Clear();
        foreach (var p in net.ParameterLayout.Where(p => p.Name.EndsWith("/kernel", StringComparison.Ordinal)))
            for (int i = 0; i < p.Shape[0]; i++) net.Parameters[p.Offset + i * p.Shape[1] + i] = 1f;
        return net;
    }

    /// <summary>Packs per-input batches into rows of every input of a sample, as the single-span entry points take them.</summary>
    private static float[] Pack(IReadOnlyList<float[]> inputs, int batch, int sample = -1)
    {
        var rows = new List<float>();
        for (int b = 0; b < batch; b++)
        {
            if (sample >= 0 && b != sample) continue;
            foreach (var x in inputs)
            {
                int size = x.Length / batch;
                rows.AddRange(x.Skip(b * size).Take(size));
            }
        }
        return rows.ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesPyTorch(string name)
    {
        var c = s_cases.Value.GetProperty(name);
        int batch = c.GetProperty("batch").GetInt32();
        var inputs = c.GetProperty("inputs").EnumerateArray().Select(Floats).ToList();
        var net = Probed(name);
        var y = new float[batch * net.OutputLength];
        net.Predict(Pack(inputs, batch), y, batch);
        TestUtil.AllClose(TestUtil.ToDouble(Floats(c.GetProperty("y"))), y, Rel, Abs, $"{name} forward");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesPyTorch(string name)
    {
        var c = s_cases.Value.GetProperty(name);
        int batch = c.GetProperty("batch").GetInt32();
        var inputs = c.GetProperty("inputs").EnumerateArray().Select(Floats).ToList();
        var y = Floats(c.GetProperty("y"));
        var dy = Floats(c.GetProperty("dy"));
        var dx = c.GetProperty("dx").EnumerateArray().Select(Floats).ToList();
        var net = Probed(name);
        int cols = net.OutputLength;
        var biases = net.ParameterLayout.Where(p => p.Name.EndsWith("/bias", StringComparison.Ordinal)).ToList();
        Assert.Equal(inputs.Count, biases.Count);
        for (int s = 0; s < batch; s++)
        {
            // MSE's gradient at batch 1 and one row is 2 (y − t) / cols: this target makes it PyTorch's dy.
            var target = new float[cols];
            for (int j = 0; j < cols; j++) target[j] = (float)(y[s * cols + j] - dy[s * cols + j] * cols / 2.0);
            net.ComputeGradients(Pack(inputs, batch, s), target, 1, Loss.MeanSquaredError);
            for (int k = 0; k < inputs.Count; k++)
            {
                int size = biases[k].Length;
                var expected = dx[k].Skip(s * size).Take(size).ToArray();
                var actual = net.Gradients.Slice(biases[k].Offset, size).ToArray();
                TestUtil.AllClose(TestUtil.ToDouble(expected), actual, Rel, Abs, $"{name} dx{k}, sample {s}");
            }
        }
    }

    [Fact]
    public void MinimumOfTheSeedExample()
    {
        // The seed's Minimum example: [[1, 2], [3, 4]] and [[4, 3], [2, 1]] give [[1, 2], [2, 1]].
        var net = Probed("minimum_2x2");
        var y = new float[4];
        net.Predict(new float[] { 1, 2, 3, 4, 4, 3, 2, 1 }, y);
        Assert.Equal(new float[] { 1, 2, 2, 1 }, y);
    }
}
