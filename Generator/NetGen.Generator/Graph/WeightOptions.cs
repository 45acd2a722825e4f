using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Graph;

/// <summary>A regularizer read from a layer attribute: Keras' <c>L1L2(l1, l2)</c>.</summary>
internal sealed record RegularizerSpec(double L1, double L2);

/// <summary>A constraint read from a layer attribute: kind (WeightConstraintKind's order), bounds, rate and axes.</summary>
internal sealed record ConstraintSpec(int Kind, double Min, double Max, double Rate, int[] Axes);

/// <summary>
/// Keras' per-weight regularizers and constraints (<c>kernel_regularizer</c>, <c>kernel_constraint</c>, ...), properties of
/// every layer attribute (LayerAttribute.KernelRegularizer, ...): each names a weight by its Keras name, and applies to
/// every weight of the layer whose name ends with it (a bidirectional layer's two directions, MultiHeadAttention's four
/// kernels), as in Keras.
/// </summary>
internal static class WeightOptions
{
    // Attribute property prefix and the weight name it reaches (after the weight name's last slash).
    private static readonly (string Property, string Weight)[] Roles =
    {
        ("Kernel", "kernel"), ("Bias", "bias"), ("Recurrent", "recurrent_kernel"), ("Depthwise", "depthwise_kernel"),
        ("Pointwise", "pointwise_kernel"), ("Embeddings", "embeddings"), ("Gamma", "gamma"), ("Beta", "beta"), ("Alpha", "alpha"),
    };

    /// <summary>Attaches the layer's regularizers and constraints to its weights; false after reporting an error.</summary>
    public static bool Apply(LayerSpec spec, LayerNode node, string layer, BuildContext context)
    {
        bool ok = true;
        string label = $"{spec.Kind} '{layer}'";
        foreach (var (prefix, weight) in Roles)
        {
            foreach (bool constraint in new[] { false, true })
            {
                string property = prefix + (constraint ? "Constraint" : "Regularizer");
                if (spec.Find(property) is not { Kind: ArgKind.Text, Text: { } text } arg) continue;
                // Keras 3's DepthwiseConv names its one kernel 'kernel' and sets it with depthwise_regularizer and
                // depthwise_constraint: Depthwise* reach it there (and Kernel* too, the weight's own name).
                bool depthwise = node.KerasClass.StartsWith("DepthwiseConv", System.StringComparison.Ordinal);
                var targets = node.Parameters.Where(p => Last(p.Name) == weight || (depthwise && prefix == "Depthwise" && Last(p.Name) == "kernel")).ToList();
                if (targets.Count == 0)
                {
                    string have = node.Parameters.Count == 0 ? "none" : string.Join(", ", node.Parameters.Select(p => p.Name));
                    context.Report(Descriptors.WeightOptionWithoutWeight, arg.Location ?? spec.Location, label, property, weight, have);
                    ok = false;
                    continue;
                }
                if (!constraint)
                {
                    if (ParseRegularizer(text, out var r, out string? why)) foreach (var p in targets) p.Regularizer = r;
                    else { context.Report(Descriptors.WeightOptionInvalid, arg.Location ?? spec.Location, label, property, text, why!); ok = false; }
                    continue;
                }
                if (!ParseConstraint(text, out var c, out string? problem))
                {
                    context.Report(Descriptors.WeightOptionInvalid, arg.Location ?? spec.Location, label, property, text, problem!);
                    ok = false;
                    continue;
                }
                foreach (var p in targets)
                {
                    int rank = p.Shape.Rank;
                    var outside = c!.Axes.Where(a => a < -rank || a >= rank).ToList();
                    if (outside.Count > 0)
                    {
                        int bad = outside[0];
                        context.Report(Descriptors.WeightOptionInvalid, arg.Location ?? spec.Location, label, property, text,
                            $"has axis {bad}, outside the weight '{p.Name}' of shape {p.Shape} (rank {rank}: axes -{rank} to {rank - 1})");
                        ok = false;
                        break;
                    }
                    p.Constraint = c;
                }
            }
        }
        return ok;
    }

    private static string Last(string name) => name.Substring(name.LastIndexOf('/') + 1);

    private const string RegularizerForms = "use l1(x), l2(x) or l1_l2(l1=x, l2=y) with finite factors x, y ≥ 0";
    private const string ConstraintForms = "use max_norm(max_value=2, axis=0), non_neg, unit_norm(axis=0) or min_max_norm(min_value=0, max_value=1, rate=1, axis=0), axis an integer or a list of them";

    /// <summary>Keras' regularizer spellings: <c>l1</c>, <c>l2</c>, <c>l1_l2</c> (or L1, L2, L1L2), with or without arguments.</summary>
    public static bool ParseRegularizer(string text, out RegularizerSpec? result, out string? why)
    {
        result = null;
        why = "is not a regularizer: " + RegularizerForms;
        if (!Call.TryParse(text, out var call)) return false;
        string name = call!.Name;
        string[] keys;
        double[] values;
        if (name == "l1") { keys = new[] { "l1" }; values = new[] { 0.01 }; }
        else if (name == "l2") { keys = new[] { "l2" }; values = new[] { 0.01 }; }
        else if (name == "l1l2") { keys = new[] { "l1", "l2" }; values = new[] { 0.0, 0.0 }; }
        else return false;
        if (!Bind(call, keys, values, null, out _, out string? problem)) { why = problem + ": " + RegularizerForms; return false; }
        if (values.Any(v => double.IsNaN(v) || double.IsInfinity(v) || v < 0 || (float)v > float.MaxValue)) { why = "has a factor that is negative or not finite: " + RegularizerForms; return false; }
        result = name == "l1" ? new RegularizerSpec(values[0], 0) : name == "l2" ? new RegularizerSpec(0, values[0]) : new RegularizerSpec(values[0], values[1]);
        why = null;
        return true;
    }

    /// <summary>Keras' constraint spellings: <c>max_norm</c>, <c>non_neg</c>, <c>unit_norm</c>, <c>min_max_norm</c> (or their class names).</summary>
    public static bool ParseConstraint(string text, out ConstraintSpec? result, out string? why)
    {
        result = null;
        why = "is not a constraint: " + ConstraintForms;
        if (!Call.TryParse(text, out var call)) return false;
        int[] axes = { 0 };
        switch (call!.Name)
        {
            case "maxnorm":
            {
                var values = new[] { 2.0 };
                if (!Bind(call, new[] { "max_value" }, values, "axis", out var a, out string? p)) { why = p + ": " + ConstraintForms; return false; }
                if (a is not null) axes = a;
                if (!Finite(values[0]) || values[0] < 0) { why = "has a max_value that is negative or not finite"; return false; }
                result = new ConstraintSpec(0, 0, values[0], 1, axes);
                break;
            }
            case "nonneg":
                if (call.Arguments.Count > 0) { why = "takes no arguments"; return false; }
                result = new ConstraintSpec(1, 0, 0, 1, new int[0]);
                break;
            case "unitnorm":
            {
                if (!Bind(call, new string[0], new double[0], "axis", out var a, out string? p)) { why = p + ": " + ConstraintForms; return false; }
                if (a is not null) axes = a;
                result = new ConstraintSpec(2, 1, 1, 1, axes);
                break;
            }
            case "minmaxnorm":
            {
                var values = new[] { 0.0, 1.0, 1.0 };
                if (!Bind(call, new[] { "min_value", "max_value", "rate" }, values, "axis", out var a, out string? p)) { why = p + ": " + ConstraintForms; return false; }
                if (a is not null) axes = a;
                if (!Finite(values[0]) || !Finite(values[1]) || values[0] < 0 || values[1] < values[0]) { why = "needs finite bounds with 0 ≤ min_value ≤ max_value"; return false; }
                if (!Finite(values[2]) || values[2] < 0 || values[2] > 1) { why = "needs a rate in [0, 1]"; return false; }
                result = new ConstraintSpec(3, values[0], values[1], values[2], axes);
                break;
            }
            default:
                return false;
        }
        if (result.Axes.Length == 0 && result.Kind != 1) { why = "needs at least one axis"; result = null; return false; }
        if (result.Axes.Distinct().Count() != result.Axes.Length) { why = "names an axis twice"; result = null; return false; }
        why = null;
        return true;
        bool Finite(double v) => !double.IsNaN(v) && !double.IsInfinity(v) && System.Math.Abs(v) <= float.MaxValue;
    }

    /// <summary>
    /// Binds a call's arguments: the numbers <paramref name="keys"/> (positionally first, then by name) into
    /// <paramref name="values"/> (which hold the defaults), and an optional list argument <paramref name="listKey"/>.
    /// </summary>
    private static bool Bind(Call call, string[] keys, double[] values, string? listKey, out int[]? list, out string? problem)
    {
        list = null;
        problem = null;
        var seen = new HashSet<string>();
        int position = 0;
        foreach (var (key, value) in call.Arguments)
        {
            string k = key ?? (position < keys.Length ? keys[position] : listKey ?? "");
            if (key is null) position++;
            if (!seen.Add(k)) { problem = $"gives '{k}' twice"; return false; }
            int index = System.Array.IndexOf(keys, k);
            if (index >= 0)
            {
                if (value.Length != 1 || value.IsList) { problem = $"'{k}' must be one number"; return false; }
                values[index] = value.Numbers[0];
            }
            else if (listKey is not null && k == listKey)
            {
                if (value.Numbers.Any(v => v != System.Math.Floor(v) || System.Math.Abs(v) > 64)) { problem = $"'{k}' must be integers"; return false; }
                list = value.Numbers.Select(v => (int)v).ToArray();
            }
            else { problem = key is null ? "has too many arguments" : $"has no argument '{key}'"; return false; }
        }
        return true;
    }

    /// <summary><c>name</c> or <c>name(arg, key=arg, ...)</c>, an argument a number or a list of numbers in [] or ().</summary>
    private sealed class Call
    {
        public string Name = "";
        public List<(string? Key, Value Value)> Arguments = new();

        public sealed class Value
        {
            public List<double> Numbers = new();
            public bool IsList;
            public int Length => Numbers.Count;
        }

        public static bool TryParse(string text, out Call? call)
        {
            call = null;
            int i = 0;
            string s = text.Trim();
            var c = new Call();
            int start = i;
            while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
            if (i == start) return false;
            // Keras accepts the function names (l1_l2, max_norm) and the class names (L1L2, MaxNorm): compare without case and underscores.
            c.Name = s.Substring(start, i - start).Replace("_", "").ToLowerInvariant();
            Skip(s, ref i);
            if (i == s.Length) { call = c; return true; }
            if (s[i] != '(') return false;
            i++;
            Skip(s, ref i);
            if (i < s.Length && s[i] == ')') { i++; Skip(s, ref i); if (i != s.Length) return false; call = c; return true; }
            while (true)
            {
                Skip(s, ref i);
                string? key = null;
                int k = i;
                if (k < s.Length && char.IsLetter(s[k])) while (k < s.Length && (char.IsLetterOrDigit(s[k]) || s[k] == '_')) k++;
                if (k > i)
                {
                    int e = k;
                    Skip(s, ref e);
                    if (e >= s.Length || s[e] != '=') return false;
                    key = s.Substring(i, k - i);
                    i = e + 1;
                    Skip(s, ref i);
                }
                var v = new Value();
                if (i < s.Length && (s[i] == '[' || s[i] == '('))
                {
                    char close = s[i] == '[' ? ']' : ')';
                    v.IsList = true;
                    i++;
                    Skip(s, ref i);
                    if (i < s.Length && s[i] == close) i++;
                    else
                        while (true)
                        {
                            if (!Number(s, ref i, out double d)) return false;
                            v.Numbers.Add(d);
                            Skip(s, ref i);
                            if (i < s.Length && s[i] == ',') { i++; Skip(s, ref i); if (i < s.Length && s[i] == close) { i++; break; } continue; }
                            if (i < s.Length && s[i] == close) { i++; break; }
                            return false;
                        }
                }
                else
                {
                    if (!Number(s, ref i, out double d)) return false;
                    v.Numbers.Add(d);
                }
                c.Arguments.Add((key, v));
                Skip(s, ref i);
                if (i < s.Length && s[i] == ',') { i++; continue; }
                if (i < s.Length && s[i] == ')') { i++; break; }
                return false;
            }
            Skip(s, ref i);
            if (i != s.Length) return false;
            call = c;
            return true;
        }

        private static void Skip(string s, ref int i)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        }

        private static bool Number(string s, ref int i, out double value)
        {
            int start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.' || s[i] == '-' || s[i] == '+' || s[i] == 'e' || s[i] == 'E')) i++;
            return double.TryParse(s.Substring(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && i > start;
        }
    }
}
