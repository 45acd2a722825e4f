using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Graph;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers;

/// <summary>
/// Shape arithmetic shared by the sliding-window layers (convolution, pooling, padding, cropping,
/// up-sampling): per-axis argument lists, input rank checks, Keras' output lengths and padding split
/// (LAYERS.md §1), and the <c>WindowGeometry</c> operand the kernels take.
/// </summary>
internal static class Window
{
    public const int Valid = (int)Shared.Padding.Valid, Same = (int)Shared.Padding.Same, Causal = (int)Shared.Padding.Causal;

    public static string[] AxisNames(int rank) => rank switch
    {
        1 => new[] { "steps" },
        2 => new[] { "height", "width" },
        _ => new[] { "depth", "height", "width" },
    };

    public static string Label(LayerSpec spec, string name) => $"{spec.Kind} '{name}'";

    /// <summary>Checks that the input is <c>(spatial..., channels)</c> with <paramref name="rank"/> spatial axes.</summary>
    public static bool CheckRank(LayerSpec spec, string name, Shape input, int rank, BuildContext context)
    {
        if (input.Rank == rank + 1) return true;
        context.Report(Descriptors.WrongRank, spec.Location, Label(spec, name), rank + 1,
            "(" + string.Join(", ", AxisNames(rank).Concat(new[] { "channels" })) + ")", input.ToString(), input.Rank);
        return false;
    }

    /// <summary>
    /// Reads a list argument that holds one value for every axis or one per axis (an empty or missing list
    /// gives <paramref name="fallback"/>); values must be ≥ <paramref name="min"/>.
    /// </summary>
    public static int[]? PerAxis(LayerSpec spec, string name, string argument, int rank, int fallback, BuildContext context, int min = 1)
    {
        var arg = spec.Find(argument);
        var values = arg?.Kind == ArgKind.Array ? arg.Items.Select(v => (int)v).ToArray()
            : arg is not null ? new[] { (int)arg.Number } : new int[0];
        if (values.Length == 0) return Enumerable.Repeat(fallback, rank).ToArray();
        if (values.Length != 1 && values.Length != rank)
        {
            context.Report(Descriptors.WrongValueCount, arg?.Location ?? spec.Location, Label(spec, name), argument, rank == 1 ? "1" : $"1 or {rank}", values.Length);
            return null;
        }
        foreach (var v in values)
        {
            if (v < min)
            {
                context.Report(Descriptors.NonPositive, arg?.Location ?? spec.Location, Label(spec, name), argument, v);
                return null;
            }
        }
        return values.Length == 1 ? Enumerable.Repeat(values[0], rank).ToArray() : values;
    }

    /// <summary>A uniform int argument (e.g. <c>Strides</c>) with an optional per-axis override (<c>StridesPerAxis</c>).</summary>
    public static int[]? Uniform(LayerSpec spec, string name, string uniform, string perAxis, int rank, int fallback, BuildContext context)
    {
        if (spec.Find(perAxis) is { Kind: ArgKind.Array })
            return PerAxis(spec, name, perAxis, rank, fallback, context);
        var arg = spec.Find(uniform);
        if (arg is null) return Enumerable.Repeat(fallback, rank).ToArray();
        int value = (int)arg.Number;
        if (value == 0 && fallback == 0) return Enumerable.Repeat(0, rank).ToArray(); // pooling: 0 means "the pool size"
        if (value < 1)
        {
            context.Report(Descriptors.NonPositive, arg?.Location ?? spec.Location, Label(spec, name), uniform, value);
            return null;
        }
        return Enumerable.Repeat(value, rank).ToArray();
    }

    /// <summary>Reads the <c>Padding</c> argument (valid by default).</summary>
    public static int Padding(LayerSpec spec) => (int)BuildContext.Number(spec, "Padding", Valid);

    /// <summary>
    /// Output length and padding before along one axis (LAYERS.md §1.1), or null after reporting NG0018 when
    /// the (dilated) window does not fit.
    /// </summary>
    public static (int Out, int Before)? Length(int n, int k, int s, int d, int padding, string axis, LayerSpec spec, string name, string windowWord, BuildContext context)
    {
        int kEff = d * (k - 1) + 1;
        switch (padding)
        {
            case Same:
            {
                int outLength = (n + s - 1) / s;
                int total = System.Math.Max((outLength - 1) * s + kEff - n, 0);
                return (outLength, total / 2);
            }
            case Causal:
            {
                int before = d * (k - 1);
                return ((n + before - kEff) / s + 1, before);
            }
            default:
            {
                if (n < kEff)
                {
                    string effective = d > 1 ? $" (dilated to {kEff})" : "";
                    context.Report(Descriptors.WindowTooLarge, spec.Location, Label(spec, name),
                        $"the {windowWord} of {k}{effective} along {axis} is larger than the input's {n}: output {axis} = floor(({n} - {kEff}) / {s}) + 1 = {(int)System.Math.Floor((n - kEff) / (double)s) + 1}, which is not positive");
                    return null;
                }
                return ((n - kEff) / s + 1, 0);
            }
        }
    }

    /// <summary>Pads per-axis values to the kernels' three axes (leading axes get <paramref name="fill"/>).</summary>
    public static int[] To3(int[] values, int fill)
    {
        var result = new int[3];
        for (int i = 0; i < 3; i++) result[i] = fill;
        for (int i = 0; i < values.Length; i++) result[3 - values.Length + i] = values[i];
        return result;
    }

    /// <summary>The current layer's <c>WindowGeometry</c> (a static field of the generated class).</summary>
    public static Operand Geometry(LoweringContext c, int[] inSpatial, int inChannels, int[] outSpatial, int outChannels,
        int[] window, int[] strides, int[] dilation, int[] before)
        => c.Geometry(GeometryValues(inSpatial, inChannels, outSpatial, outChannels, window, strides, dilation, before));

    /// <summary>The twenty constructor arguments of a <c>WindowGeometry</c>, the axes padded to three (see <see cref="To3"/>).</summary>
    public static int[] GeometryValues(int[] inSpatial, int inChannels, int[] outSpatial, int outChannels,
        int[] window, int[] strides, int[] dilation, int[] before)
    {
        var i = To3(inSpatial, 1);
        var o = To3(outSpatial, 1);
        var k = To3(window, 1);
        var s = To3(strides, 1);
        var d = To3(dilation, 1);
        var p = To3(before, 0);
        return new[]
        {
            i[0], i[1], i[2], inChannels, o[0], o[1], o[2], outChannels,
            k[0], k[1], k[2], s[0], s[1], s[2], d[0], d[1], d[2], p[0], p[1], p[2],
        };
    }

    /// <summary><c>3×3</c>, for descriptions.</summary>
    public static string Dims(int[] values) => string.Join("x", values);
}
