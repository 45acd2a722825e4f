using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Diagnostics;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>Every diagnostic has its own section in docs/diagnostics.md, and its help link points at that section.</summary>
public class DiagnosticsDocumentTests
{
    private static DiagnosticDescriptor[] All => typeof(Descriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor)).Select(f => (DiagnosticDescriptor)f.GetValue(null)!).ToArray();

    [Fact]
    public void EveryIdHasASectionAndALinkToIt()
    {
        var document = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics.md")).Replace("\r\n", "\n");
        Assert.True(All.Length >= 40);
        foreach (var d in All)
        {
            Assert.Contains("\n## " + d.Id + "\n", document);
            Assert.Equal("docs/diagnostics.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
        }
        // No section for an id that does not exist.
        var sections = document.Split('\n').Where(l => l.StartsWith("## NG", System.StringComparison.Ordinal)).Select(l => l.Substring(3)).ToList();
        Assert.Equal(All.Select(d => d.Id).OrderBy(i => i), sections.OrderBy(i => i));
    }
}
