using System;
using System.Collections.Generic;

namespace NetGen.Generator;

/// <summary>Hint names that are unique in the compiler's sense (which ignores case).</summary>
internal static class HintNames
{
    /// <summary>
    /// Each file with its hint name, made unique: a name equal, ignoring case, to an earlier one gets <c>-2</c>, <c>-3</c>...
    /// before <c>.g.cs</c> ('-' cannot occur in a namespace or type name, so these never meet another network's name).
    /// </summary>
    public static IEnumerable<(string Hint, GeneratedSource Source)> Unique(IEnumerable<GeneratedSource> sources)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in sources)
        {
            var hint = source.HintName;
            if (!used.Add(hint))
            {
                var stem = hint.EndsWith(".g.cs", StringComparison.Ordinal) ? hint.Substring(0, hint.Length - ".g.cs".Length) : hint;
                int k = 2;
                while (!used.Add(hint = stem + "-" + k + ".g.cs")) k++;
            }
            yield return (hint, source);
        }
    }
}
