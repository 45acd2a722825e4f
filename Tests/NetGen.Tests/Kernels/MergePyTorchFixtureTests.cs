using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Kernels;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// Every case of <c>Fixtures/merge/merge.json</c> (written by <c>tools/reference/make_merge_fixtures.py</c>: PyTorch in
/// float64, rounded to float32) through the kernels, forward and backward, composed the way a generated network
/// composes them. Tolerance as in <see cref="PyTorchFixtureTests"/>: 1e-5 relative plus 1e-6 absolute.
/// </summary>
public class MergePyTorchFixtureTests
{
    private const double Rel = 1e-5, Abs = 1e-6;

    private static JsonElement Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "merge", "merge.json");
        Assert.True(File.Exists(path), $"Missing fixture {path}; regenerate with tools/reference/make_merge_fixtures.py");
        using FileStream stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    private static float[] Floats(JsonElement e)
    {
        var v = new float[e.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in e.EnumerateArray()) v[i++] = (float)item.GetDouble();
        return v;
    }

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static int Product(ReadOnlySpan<int> shape)
    {
        int p = 1;
        foreach (int s in shape) p *= s;
        return p;
    }

    public static IEnumerable<object[]> CaseNames()
    {
        foreach (JsonProperty p in Load().GetProperty("cases").EnumerateObject()) yield return new object[] { p.Name };
    }

    [Fact]
    public void FixtureHasEveryRequiredCase()
    {
        string[] required =
        {
            "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot", "dot_normalize",
            "add3", "multiply3", "average3", "maximum3", "minimum3", "concatenate_axis1", "concatenate_last",
            "dot_3d_axes2", "dot_3d_axes1", "minimum_2x2", "permute", "repeat_vector",
        };
        var names = CaseNames().Select(n => (string)n[0]).ToHashSet();
        foreach (string name in required) Assert.Contains(name, names);
        JsonElement m = Load().GetProperty("cases").GetProperty("minimum_2x2");
        Assert.Equal(new float[] { 1, 2, 2, 1 }, Floats(m.GetProperty("y")));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ForwardAndBackward(string name)
    {
        JsonElement c = Load().GetProperty("cases").GetProperty(name);
        int batch = c.GetProperty("batch").GetInt32();
        int[][] shapes = c.GetProperty("input_shapes").EnumerateArray().Select(Ints).ToArray();
        float[][] xs = c.GetProperty("inputs").EnumerateArray().Select(Floats).ToArray();
        float[][] expectedDx = c.GetProperty("dx").EnumerateArray().Select(Floats).ToArray();
        float[] dy = Floats(c.GetProperty("dy")), expectedY = Floats(c.GetProperty("y"));
        int[] yShape = Ints(c.GetProperty("y_shape"));
        JsonElement p = c.GetProperty("params");
        string layer = p.GetProperty("layer").GetString()!;
        Assert.Equal(batch * Product(yShape), expectedY.Length);
        for (int k = 0; k < xs.Length; k++) Assert.Equal(batch * Product(shapes[k]), xs[k].Length);

        var y = new float[expectedY.Length];
        float[][] dx = xs.Select(x => new float[x.Length]).ToArray();
        switch (layer)
        {
            case "Add":
            case "Average":
                xs[0].CopyTo(y, 0);
                for (int k = 1; k < xs.Length; k++) Merge.Add(y, xs[k], y);
                if (layer == "Average") Merge.Scale(y, 1f / xs.Length, y);
                foreach (float[] d in dx)
                    if (layer == "Average") Merge.Scale(dy, 1f / xs.Length, d);
                    else dy.CopyTo(d, 0);
                break;
            case "Subtract":
                Merge.Subtract(xs[0], xs[1], y);
                dy.CopyTo(dx[0], 0);
                Merge.Negate(dy, dx[1]);
                break;
            case "Multiply":
                xs[0].CopyTo(y, 0);
                for (int k = 1; k < xs.Length; k++) Merge.Multiply(y, xs[k], y);
                for (int k = 0; k < xs.Length; k++)
                {
                    dy.CopyTo(dx[k], 0);
                    for (int j = 0; j < xs.Length; j++)
                        if (j != k) Merge.Multiply(dx[k], xs[j], dx[k]);
                }
                break;
            case "Maximum":
            case "Minimum":
                xs[0].CopyTo(y, 0);
                for (int k = 1; k < xs.Length; k++)
                    if (layer == "Maximum") Merge.Maximum(y, xs[k], y);
                    else Merge.Minimum(y, xs[k], y);
                float[] remaining = (float[])dy.Clone();
                for (int k = 0; k < xs.Length; k++) Merge.RouteToWinner(xs[k], y, remaining, dx[k]);
                break;
            case "Concatenate":
            {
                int axis = p.GetProperty("axis").GetInt32();
                int rank = yShape.Length;
                int a = axis < 0 ? axis + rank : axis - 1; // Keras' axis counts the batch axis
                int outer = batch * Product(yShape.AsSpan(0, a)), yBlock = Product(yShape.AsSpan(a));
                int offset = 0;
                for (int k = 0; k < xs.Length; k++)
                {
                    int xBlock = Product(shapes[k].AsSpan(a));
                    Merge.ConcatenateInto(xs[k], y, outer, xBlock, yBlock, offset);
                    Merge.SplitFrom(dy, dx[k], outer, xBlock, yBlock, offset);
                    offset += xBlock;
                }
                break;
            }
            case "Dot":
                RunDot(p, batch, shapes, xs, dy, y, dx);
                break;
            case "Permute":
            {
                int[] dims = Ints(p.GetProperty("dims")).Select(d => d - 1).ToArray(); // Keras' dims are 1-based
                Permute.Forward(xs[0], y, batch, shapes[0], dims);
                Permute.Backward(dy, dx[0], batch, shapes[0], dims);
                break;
            }
            case "RepeatVector":
            {
                int repeats = p.GetProperty("n").GetInt32();
                RepeatVector.Forward(xs[0], y, batch, shapes[0][0], repeats);
                RepeatVector.Backward(dy, dx[0], batch, shapes[0][0], repeats);
                break;
            }
            default:
                throw new InvalidOperationException($"No kernel for fixture layer '{layer}' (case {name}).");
        }

        TestUtil.AllClose(TestUtil.ToDouble(expectedY), y, Rel, Abs, $"{name} y");
        for (int k = 0; k < xs.Length; k++)
            TestUtil.AllClose(TestUtil.ToDouble(expectedDx[k]), dx[k], Rel, Abs, $"{name} dx{k}");
    }

    /// <summary>Keras axes (counting the batch axis) to the kernel's (p, k, q) split of each per-sample shape.</summary>
    private static void RunDot(JsonElement p, int batch, int[][] shapes, float[][] xs, float[] dy, float[] y, float[][] dx)
    {
        int[] axes = Ints(p.GetProperty("axes"));
        bool normalize = p.GetProperty("normalize").GetBoolean();
        var pk = new (int P, int K, int Q)[2];
        for (int i = 0; i < 2; i++)
        {
            int[] s = shapes[i];
            int a = (axes[i] < 0 ? axes[i] + s.Length + 1 : axes[i]) - 1;
            pk[i] = (Product(s.AsSpan(0, a)), s[a], Product(s.AsSpan(a + 1)));
        }
        Assert.Equal(pk[0].K, pk[1].K);
        var (p0, k, q0) = pk[0];
        var (p1, _, q1) = pk[1];
        float[] x0 = xs[0], x1 = xs[1];
        if (normalize)
        {
            x0 = new float[xs[0].Length];
            x1 = new float[xs[1].Length];
            Dot.Normalize(xs[0], x0, batch * p0, k, q0);
            Dot.Normalize(xs[1], x1, batch * p1, k, q1);
        }
        Dot.Forward(x0, x1, y, batch, p0, k, q0, p1, q1);
        Dot.Backward(x0, x1, dy, dx[0], dx[1], batch, p0, k, q0, p1, q1);
        if (normalize)
        {
            Dot.NormalizeBackward(xs[0], x0, dx[0], dx[0], batch * p0, k, q0);
            Dot.NormalizeBackward(xs[1], x1, dx[1], dx[1], batch * p1, k, q1);
        }
    }
}
