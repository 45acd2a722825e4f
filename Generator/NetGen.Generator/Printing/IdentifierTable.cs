using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Generator.Printing;

/// <summary>
/// Unique C# identifiers within one scope (the class's members, or one method's locals): a layer name becomes an
/// identifier (<c>c-1</c> → <c>c_1</c>), and a second wish for the same identifier gets a numbered suffix
/// (<c>c_1</c> → <c>c_1_2</c>), so layers named <c>c-1</c> and <c>c_1</c> never collide.
/// </summary>
internal sealed class IdentifierTable
{
    private readonly HashSet<string> _taken;
    private readonly Dictionary<object, string> _given = new();

    public IdentifierTable(IEnumerable<string> reserved) => _taken = new HashSet<string>(reserved, System.StringComparer.Ordinal);

    /// <summary>The identifier of <paramref name="owner"/> (the same one on every call), made from <paramref name="wanted"/>.</summary>
    public string Of(object owner, string wanted)
    {
        if (_given.TryGetValue(owner, out var name)) return name;
        var stem = Identifier(wanted);
        name = stem;
        for (int i = 2; !_taken.Add(name); i++) name = stem + "_" + Literals.Int(i);
        _given[owner] = name;
        return name;
    }

    /// <summary>A C# identifier made from any text: letters, digits and underscores, not starting with a digit, not a keyword.</summary>
    public static string Identifier(string text)
    {
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!(char.IsLetterOrDigit(chars[i]) || chars[i] == '_') || chars[i] > 127) chars[i] = '_';
        var id = new string(chars);
        if (id.Length == 0 || char.IsDigit(id[0])) id = "_" + id;
        if (SyntaxFacts.GetKeywordKind(id) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(id) != SyntaxKind.None) id += "_";
        return id;
    }
}
