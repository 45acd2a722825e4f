using System.Text;

namespace NetGen.Generator.Graph;

/// <summary>
/// Layer and input names. A name must be what Keras allows (letters, digits, '_', '.', '-'; NG0043), so that it can go
/// verbatim into string literals, comments and XML documentation; distinct names must stay distinct as the C# identifiers
/// the generated code makes of them (NG0044).
/// </summary>
internal static class Names
{
    public const int MaxLength = 100;

    public static bool IsValid(string name)
    {
        if (name.Length == 0 || name.Length > MaxLength) return false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' || i > 0 && c is '.' or '-';
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>
    /// The identifier the generated code derives from a name (EmitContext.Identifier, then the emitter's parameter-name
    /// rules: '_' before a leading digit, '_' after a name that is one of its own parameters).
    /// </summary>
    public static string IdentifierKey(string name)
    {
        var chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!char.IsLetterOrDigit(chars[i])) chars[i] = '_';
        var id = new string(chars);
        if (id.Length > 0 && char.IsDigit(id[0])) id = "_" + id;
        if (id is "batchSize" or "loss" or "input" or "output" or "target" or "samples" or "rows" or "n" or "start" or "sparse" or "entered") id += "_";
        return id;
    }

    /// <summary>A name shown in a diagnostic message: control and line-breaking characters as \uXXXX.</summary>
    public static string Printable(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name)
        {
            if (c < 0x20 || c is '\u007f' or '\u0085' or '\u2028' or '\u2029') sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Whether <paramref name="name"/> reads an extra output, <c>"owner:port"</c>: not a name itself, and its part before the last ':' is one.</summary>
    public static bool IsPortReference(string name, System.Collections.Generic.IReadOnlyDictionary<string, int> names)
    {
        int cut = name.LastIndexOf(':');
        return cut > 0 && cut < name.Length - 1 && !names.ContainsKey(name) && names.ContainsKey(name.Substring(0, cut));
    }
}
