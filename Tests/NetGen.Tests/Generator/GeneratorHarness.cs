using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;

namespace NetGen.Tests.Generator;

/// <summary>Runs the generator in process over a source text, the way the compiler does.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var refs = paths.Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        refs.Add(MetadataReference.CreateFromFile(typeof(NetGen.INetwork).Assembly.Location));
        return refs.ToImmutableArray();
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Compile(params string[] sources)
        => CSharpCompilation.Create("TestAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public sealed record Result(ImmutableArray<Diagnostic> GeneratorDiagnostics, IReadOnlyList<(string HintName, string Text)> Sources, ImmutableArray<Diagnostic> CompilationDiagnostics);

    public static Result Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        var generated = run.Results.SelectMany(r => r.GeneratedSources).Select(s => (s.HintName, s.SourceText.ToString())).ToList();
        return new Result(generatorDiagnostics, generated, output.GetDiagnostics());
    }

    /// <summary>
    /// Runs the generator over <paramref name="marked"/>, a source with one span marked <c>[| |]</c>, and asserts exactly one
    /// error <paramref name="id"/> on that span and no generated source; returns it.
    /// </summary>
    public static Diagnostic SingleError(string marked, string id)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        var result = Run(marked.Replace("[|", "").Replace("|]", ""));
        var diagnostic = Xunit.Assert.Single(result.GeneratorDiagnostics);
        Xunit.Assert.Equal(id, diagnostic.Id);
        Xunit.Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Xunit.Assert.Equal(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(start, end), diagnostic.Location.SourceSpan);
        Xunit.Assert.Empty(result.Sources);
        return diagnostic;
    }
}
