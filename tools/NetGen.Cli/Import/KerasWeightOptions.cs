using System.Globalization;
using System.Linq;
using System.Text.Json;
using NetGen.Cli.Model;

namespace NetGen.Cli.Import;

/// <summary>
/// A Keras layer's per-weight regularizers and constraints (<c>kernel_regularizer</c>, <c>kernel_constraint</c>, ...) as
/// NetGen's <c>KernelRegularizer = "l2(0.01)"</c>, ... Serialized as Keras 3 and 2 write them (<c>{"class_name": "L2",
/// "config": {"l2": 0.01}}</c>), as TensorFlow.js writes them (camelCase keys) or as a bare name (<c>"l2"</c>). Kinds NetGen
/// does not have (OrthogonalRegularizer, a custom class) and activity regularizers are refused, naming the layer: they
/// change what training computes, so dropping them would import a different model.
/// </summary>
internal static class KerasWeightOptions
{
    private static readonly (string Keras, string NetGen)[] Roles =
    {
        ("kernel", "Kernel"), ("bias", "Bias"), ("recurrent", "Recurrent"), ("depthwise", "Depthwise"), ("pointwise", "Pointwise"),
        ("embeddings", "Embeddings"), ("gamma", "Gamma"), ("beta", "Beta"), ("alpha", "Alpha"),
    };

    /// <summary>Sets the layer's regularizer and constraint properties from its configuration <paramref name="c"/>.</summary>
    public static void Apply(ImportedLayer l, JsonElement c, string name, string cls)
    {
        if (c.ValueKind != JsonValueKind.Object) return;
        foreach (var key in new[] { "activity_regularizer", "activityRegularizer" })
            if (c.TryGetProperty(key, out var a) && a.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                throw new ImportException($"Layer '{name}' ({cls}) has an activity_regularizer ({Describe(a)}); NetGen has no activity regularizers.");
        foreach (var (keras, netgen) in Roles)
        {
            string camel = keras + "Regularizer", camelC = keras + "Constraint";
            if (Find(c, keras + "_regularizer", camel) is { } r) l.Set(netgen + "Regularizer", DeclarationWriter.Quote(Regularizer(r, name, cls, keras)));
            if (Find(c, keras + "_constraint", camelC) is { } q) l.Set(netgen + "Constraint", DeclarationWriter.Quote(Constraint(q, name, cls, keras)));
        }
    }

    private static JsonElement? Find(JsonElement c, string snake, string camel)
    {
        foreach (var key in new[] { snake, camel })
            if (c.TryGetProperty(key, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)) return v;
        return null;
    }

    private static (string Class, JsonElement Config) Split(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.String) return (v.GetString()!, default);
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("class_name", out var cn) && cn.ValueKind == JsonValueKind.String)
            return (cn.GetString()!, v.TryGetProperty("config", out var cfg) ? cfg : default);
        return ("", default);
    }

    private static string Canonical(string cls) => cls.Replace("_", "").ToLowerInvariant();

    private static double Number(JsonElement config, double fallback, params string[] keys)
    {
        if (config.ValueKind != JsonValueKind.Object) return fallback;
        foreach (var k in keys)
            if (config.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number) return v.GetDouble();
        return fallback;
    }

    private static string F(double v) => ((float)v).ToString("R", CultureInfo.InvariantCulture);

    private static string Regularizer(JsonElement v, string name, string cls, string role)
    {
        var (kind, config) = Split(v);
        switch (Canonical(kind))
        {
            case "l1": return $"l1({F(Number(config, 0.01, "l1"))})";
            case "l2": return $"l2({F(Number(config, 0.01, "l2"))})";
            case "l1l2": return $"l1_l2(l1={F(Number(config, 0, "l1"))}, l2={F(Number(config, 0, "l2"))})";
            default:
                throw new ImportException($"Layer '{name}' ({cls}) has the {role}_regularizer {Describe(v)}; NetGen has L1, L2 and L1L2.");
        }
    }

    private static string Constraint(JsonElement v, string name, string cls, string role)
    {
        var (kind, config) = Split(v);
        string Axis()
        {
            if (config.ValueKind != JsonValueKind.Object || !(config.TryGetProperty("axis", out var a)))
                return "0";
            if (a.ValueKind == JsonValueKind.Number) return a.GetInt32().ToString(CultureInfo.InvariantCulture);
            if (a.ValueKind == JsonValueKind.Array) return "[" + string.Join(", ", a.EnumerateArray().Select(e => e.GetInt32().ToString(CultureInfo.InvariantCulture))) + "]";
            throw new ImportException($"Layer '{name}' ({cls}) has the {role}_constraint {Describe(v)} with an axis that is not an integer or a list of them.");
        }
        switch (Canonical(kind))
        {
            case "maxnorm": return $"max_norm({F(Number(config, 2, "max_value", "maxValue"))}, axis={Axis()})";
            case "nonneg": return "non_neg";
            case "unitnorm": return $"unit_norm(axis={Axis()})";
            case "minmaxnorm":
                return $"min_max_norm({F(Number(config, 0, "min_value", "minValue"))}, {F(Number(config, 1, "max_value", "maxValue"))}, rate={F(Number(config, 1, "rate"))}, axis={Axis()})";
            default:
                throw new ImportException($"Layer '{name}' ({cls}) has the {role}_constraint {Describe(v)}; NetGen has MaxNorm, NonNeg, UnitNorm and MinMaxNorm.");
        }
    }

    private static string Describe(JsonElement v)
    {
        var (kind, _) = Split(v);
        return kind.Length > 0 ? "'" + kind + "'" : v.GetRawText();
    }
}
