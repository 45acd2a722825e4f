using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;

namespace NetGen.Fuzz;

/// <summary>
/// Runs the generator in process over one random declaration, the way the compiler does, and classifies what
/// happened: a crash (an exception out of the driver, or CS8785), an internal error (NG0009), generated code that
/// does not compile although no error was reported, or a declaration that got neither code nor a diagnostic.
/// </summary>
internal static class Harness
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

    public static CSharpCompilation Compile(string source, string assemblyName = "FuzzAssembly")
        => CSharpCompilation.Create(assemblyName,
            new[] { CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Declaration.cs") },
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release, allowUnsafe: true));

    /// <summary>What one run of the generator over one declaration gave.</summary>
    public sealed record Outcome(
        string Source,
        Exception? Crash,
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        IReadOnlyList<(string HintName, string Text)> Generated,
        ImmutableArray<Diagnostic> SourceErrors,
        ImmutableArray<Diagnostic> NewErrors,
        CSharpCompilation Output)
    {
        public bool ReportedError => GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

        /// <summary>The first broken promise, or null when the generator behaved.</summary>
        public string? Failure(bool expectsNetwork)
        {
            if (Crash is not null) return "generator threw: " + Crash;
            var crash = GeneratorDiagnostics.FirstOrDefault(d => d.Id == "CS8785");
            if (crash is not null) return "CS8785 (generator crash): " + crash.GetMessage();
            var internalError = GeneratorDiagnostics.FirstOrDefault(d => d.Id == "NG0009");
            if (internalError is not null) return "NG0009: " + internalError.GetMessage();
            if (!ReportedError && SourceErrors.IsEmpty && !NewErrors.IsEmpty)
                return "generated code does not compile although no error was reported:\n  "
                    + string.Join("\n  ", NewErrors.Take(5).Select(d => d.ToString() + LineOf(d)));
            if (expectsNetwork && Generated.Count == 0 && GeneratorDiagnostics.IsEmpty && SourceErrors.IsEmpty)
                return "silently ignored: no generated code and no diagnostic";
            return null;
        }

        private string LineOf(Diagnostic d)
        {
            var tree = d.Location.SourceTree;
            if (tree is null) return "";
            var line = tree.GetText().Lines.GetLineFromPosition(d.Location.SourceSpan.Start).ToString().Trim();
            return "   ⟵ " + (line.Length > 160 ? line.Substring(0, 160) + "…" : line);
        }
    }

    /// <summary>
    /// Runs the generator; binds the whole output only when no error was reported (the compile check), and the source
    /// alone only when needed to tell the user's own errors from the generated code's.
    /// </summary>
    public static Outcome Run(string source)
    {
        var compilation = Compile(source);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
        try
        {
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
            var run = driver.GetRunResult();
            var exception = run.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null);
            var generated = run.Results.SelectMany(r => r.GeneratedSources).Select(s => (s.HintName, s.SourceText.ToString())).ToList();
            bool reported = generatorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
            var outputErrors = reported ? ImmutableArray<Diagnostic>.Empty
                : output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
            bool needSource = !outputErrors.IsEmpty || generated.Count == 0 && generatorDiagnostics.IsEmpty;
            var sourceErrors = needSource
                ? compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray()
                : ImmutableArray<Diagnostic>.Empty;
            var known = new HashSet<string>(sourceErrors.Select(Key));
            var newErrors = outputErrors.Where(d => !known.Contains(Key(d))).ToImmutableArray();
            return new Outcome(source, exception, generatorDiagnostics, generated, sourceErrors, newErrors, (CSharpCompilation)output);
        }
        catch (Exception e)
        {
            return new Outcome(source, e, ImmutableArray<Diagnostic>.Empty, Array.Empty<(string, string)>(), ImmutableArray<Diagnostic>.Empty,
                ImmutableArray<Diagnostic>.Empty, compilation);
        }
    }

    private static string Key(Diagnostic d) => d.Id + "@" + d.Location.SourceTree?.FilePath + ":" + d.Location.SourceSpan;

    /// <summary>Per-kind counters of a fuzz run, for the summary line.</summary>
    public sealed class Tally
    {
        private readonly object _gate = new();
        public int Declarations, Crashes, InternalErrors, CompileErrors, Silent, Generated, Diagnosed, GradientChecks;

        public void Add(Outcome o, bool expectsNetwork)
        {
            lock (_gate)
            {
                Declarations++;
                if (o.Crash is not null || o.GeneratorDiagnostics.Any(d => d.Id == "CS8785")) Crashes++;
                if (o.GeneratorDiagnostics.Any(d => d.Id == "NG0009")) InternalErrors++;
                if (!o.ReportedError && o.SourceErrors.IsEmpty && !o.NewErrors.IsEmpty) CompileErrors++;
                if (expectsNetwork && o.Generated.Count == 0 && o.GeneratorDiagnostics.IsEmpty && o.SourceErrors.IsEmpty) Silent++;
                if (o.Generated.Count > 0) Generated++;
                if (!o.GeneratorDiagnostics.IsEmpty) Diagnosed++;
            }
        }

        public void AddGradientCheck()
        {
            lock (_gate) GradientChecks++;
        }

        public override string ToString()
            => $"{Declarations} declarations: {Crashes} crashes, {InternalErrors} internal errors (NG0009), {CompileErrors} generated-code compile errors, "
             + $"{Silent} silent declarations; {Generated} generated code, {Diagnosed} got diagnostics, {GradientChecks} gradient checks";
    }
}
