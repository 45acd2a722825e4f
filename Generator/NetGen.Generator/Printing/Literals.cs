using System.Globalization;

namespace NetGen.Generator.Printing;

/// <summary>How numbers and strings appear in generated code: the invariant culture, round-trip floats, escaped strings.</summary>
internal static class Literals
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float literal in invariant round-trip form.</summary>
    public static string Float(double value) => float.IsPositiveInfinity((float)value) ? "float.PositiveInfinity"
        : ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

    /// <summary><c>0</c>, <c>n</c> or <c>n * 64</c>.</summary>
    public static string Times(string batch, int perSample) => perSample switch
    {
        0 => "0",
        1 => batch,
        _ => batch + " * " + Int(perSample),
    };

    /// <summary>Thousands separated by commas, as Keras' summary prints counts.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Keras' size text: two decimals in B, KB, MB, GB (1024-based).</summary>
    public static string Bytes(long bytes)
    {
        string[] units = { "B", "KB", "MB", "GB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>Text for XML documentation.</summary>
    public static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>A C# string literal.</summary>
    public static string String(string text)
    {
        var sb = new System.Text.StringBuilder("\"");
        foreach (var ch in text)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                case '\u2028': sb.Append("\\u2028"); break;
                case '\u2029': sb.Append("\\u2029"); break;
                case '\u0085': sb.Append("\\u0085"); break;
                default:
                    if (char.IsControl(ch)) sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A shape with the batch axis named: <c>(n, 26, 26, 32)</c>.</summary>
    public static string BatchShape(Graph.Shape? shape, int perSample)
        => "(n, " + (shape is null ? Int(perSample) : string.Join(", ", System.Linq.Enumerable.Select(shape.Dims, d => Int(d)))) + ")";
}
