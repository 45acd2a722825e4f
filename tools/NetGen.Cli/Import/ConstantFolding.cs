using System;
using System.Collections.Generic;
using System.Linq;
using Onnx;
using Constant = NetGen.Cli.Import.OnnxImporter.Constant;

namespace NetGen.Cli.Import;

/// <summary>
/// Evaluates the small shape computations PyTorch's exporter leaves in a graph (the pads of F.pad, target shapes):
/// nodes whose inputs are all constants.
/// </summary>
internal static class ConstantFolding
{
    public static readonly string[] Operators = { "Cast", "ConstantOfShape", "Concat", "Gather", "Identity", "Reshape", "Slice", "Squeeze", "Transpose", "Unsqueeze" };

    public static bool TryFold(NodeProto node, Dictionary<string, Constant> constants, out Constant result)
    {
        result = null!;
        Constant In(int i) => constants[node.Input[i]];
        bool Has(int i) => i < node.Input.Count && node.Input[i].Length > 0;
        long[]? IntsAttr(string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray();
        long IntAttr(string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;
        switch (node.OpType)
        {
            case "Identity":
                result = In(0);
                return true;
            case "Cast":
            {
                var to = (TensorProto.Types.DataType)IntAttr("to", 1);
                var v = Values(In(0));
                bool isInt = to is TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Int16;
                result = Make(In(0).Dims, isInt ? v.Select(Math.Truncate).ToArray() : v, isInt);
                return true;
            }
            case "ConstantOfShape":
            {
                var dims = In(0).IntValues.Select(d => (int)d).ToArray();
                double fill = 0;
                bool isInt = false;
                if (node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } t)
                {
                    var c = ToConstantForFold(t);
                    fill = Values(c)[0];
                    isInt = c.Ints is not null;
                }
                result = Make(dims, Enumerable.Repeat(fill, TensorOps.Product(dims)).ToArray(), isInt);
                return true;
            }
            case "Concat":
            {
                var parts = node.Input.Select(n => constants[n]).ToArray();
                int rank = parts[0].Dims.Length;
                int axis = (int)IntAttr("axis", 0);
                if (axis < 0) axis += rank;
                int outer = TensorOps.Product(parts[0].Dims.Take(axis).ToArray());
                var values = new List<double>();
                for (int o = 0; o < outer; o++)
                    foreach (var p in parts)
                    {
                        int chunk = TensorOps.Product(p.Dims.Skip(axis).ToArray());
                        values.AddRange(Values(p).Skip(o * chunk).Take(chunk));
                    }
                var dims = parts[0].Dims.ToArray();
                dims[axis] = parts.Sum(p => p.Dims[axis]);
                result = Make(dims, values.ToArray(), parts.All(p => p.Ints is not null));
                return true;
            }
            case "Reshape":
            {
                var input = In(0);
                var target = In(1).IntValues;
                var dims = target.Select((d, i) => d == 0 ? input.Dims[i] : (int)d).ToArray();
                int known = dims.Where(d => d != -1).Aggregate(1, (a, b) => a * b);
                int count = TensorOps.Product(input.Dims);
                dims = dims.Select(d => d == -1 ? count / Math.Max(known, 1) : d).ToArray();
                result = Make(dims, Values(input), input.Ints is not null);
                return true;
            }
            case "Transpose":
            {
                var input = In(0);
                var perm = IntsAttr("perm")?.Select(v => (int)v).ToArray() ?? Enumerable.Range(0, input.Dims.Length).Reverse().ToArray();
                var v2 = TensorOps.Transpose(Values(input), input.Dims, perm, out var dims);
                result = Make(dims, v2, input.Ints is not null);
                return true;
            }
            case "Unsqueeze":
            case "Squeeze":
            {
                var input = In(0);
                var axes = IntsAttr("axes") ?? (Has(1) ? In(1).IntValues : null);
                var dims = input.Dims.ToList();
                if (node.OpType == "Unsqueeze")
                {
                    if (axes is null) return false;
                    int outRank = dims.Count + axes.Length;
                    foreach (var a in axes.Select(a => a < 0 ? a + outRank : a).OrderBy(a => a)) dims.Insert((int)a, 1);
                }
                else
                {
                    var remove = axes?.Select(a => (int)(a < 0 ? a + dims.Count : a)).ToHashSet() ?? Enumerable.Range(0, dims.Count).Where(i => dims[i] == 1).ToHashSet();
                    dims = dims.Where((_, i) => !remove.Contains(i)).ToList();
                }
                result = Make(dims.ToArray(), Values(input), input.Ints is not null);
                return true;
            }
            case "Gather":
            {
                var data = In(0);
                var indices = In(1);
                int axis = (int)IntAttr("axis", 0);
                if (axis < 0) axis += data.Dims.Length;
                if (axis != 0) return false;
                int inner = TensorOps.Product(data.Dims.Skip(1).ToArray());
                var values = new List<double>();
                var src = Values(data);
                foreach (var i in indices.IntValues)
                {
                    long k = i < 0 ? i + data.Dims[0] : i;
                    values.AddRange(src.Skip((int)k * inner).Take(inner));
                }
                var dims = indices.Dims.Concat(data.Dims.Skip(1)).ToArray();
                result = Make(dims, values.ToArray(), data.Ints is not null);
                return true;
            }
            case "Slice":
            {
                var data = In(0);
                int rank = data.Dims.Length;
                var starts = In(1).IntValues;
                var ends = In(2).IntValues;
                var axes = Has(3) ? In(3).IntValues.Select(a => (int)(a < 0 ? a + rank : a)).ToArray() : Enumerable.Range(0, starts.Length).ToArray();
                var steps = Has(4) ? In(4).IntValues : Enumerable.Repeat(1L, starts.Length).ToArray();
                var ranges = Enumerable.Range(0, rank).Select(d => Enumerable.Range(0, data.Dims[d]).ToArray()).ToArray();
                for (int j = 0; j < axes.Length; j++)
                {
                    int d = axes[j], n = data.Dims[d];
                    long step = steps[j];
                    long s = starts[j] < 0 ? starts[j] + n : starts[j];
                    long e = ends[j] < 0 ? ends[j] + n : ends[j];
                    var list = new List<int>();
                    if (step > 0)
                    {
                        s = Math.Clamp(s, 0, n);
                        e = Math.Clamp(e, 0, n);
                        for (long i = s; i < e; i += step) list.Add((int)i);
                    }
                    else
                    {
                        s = Math.Clamp(s, -1, n - 1);
                        e = Math.Clamp(e, -1, n - 1);
                        for (long i = s; i > e; i += step) list.Add((int)i);
                    }
                    ranges[d] = list.ToArray();
                }
                var src = Values(data);
                var strides = TensorOps.Strides(data.Dims);
                var dims = ranges.Select(r => r.Length).ToArray();
                var values = new double[TensorOps.Product(dims)];
                var index = new int[rank];
                for (int o = 0; o < values.Length; o++)
                {
                    int at = 0;
                    for (int d = 0; d < rank; d++) at += ranges[d][index[d]] * strides[d];
                    values[o] = src[at];
                    for (int d = rank - 1; d >= 0; d--)
                    {
                        if (++index[d] < dims[d]) break;
                        index[d] = 0;
                    }
                }
                result = Make(dims, values, data.Ints is not null);
                return true;
            }
            default:
                return false;
        }
    }

    private static double[] Values(Constant c) => c.Ints is not null ? c.Ints.Select(v => (double)v).ToArray() : c.Floats.Select(v => (double)v).ToArray();

    private static Constant Make(int[] dims, double[] values, bool isInt)
        => new() { Dims = dims, Floats = values.Select(v => (float)v).ToArray(), Ints = isInt ? values.Select(v => (long)v).ToArray() : null };

    private static Constant ToConstantForFold(TensorProto t) => OnnxImporter.ConstantFromTensor(t);
}
