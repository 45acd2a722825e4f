using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;

namespace NetGen.Benchmarks;

/// <summary>
/// Compile-time cost: one full run of the source generator (a fresh driver, so nothing is cached) over a
/// project holding one <c>[Network]</c> of 200 layers: Input(64), then 100 × (Dense(64, relu), Dropout(0.1)).
/// The target is under 100 ms.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;

    /// <summary>Layers in the network (the Input layer included).</summary>
    public const int Layers = 200;

    [GlobalSetup]
    public void Setup() => _compilation = CreateCompilation();

    [Benchmark]
    public int Generate200Layers() => Run(_compilation);

    /// <summary>Runs the generator once over <paramref name="compilation"/>; returns the characters generated (and checks there were no errors).</summary>
    public static int Run(CSharpCompilation compilation)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options);
        driver = driver.RunGenerators(compilation);
        var result = driver.GetRunResult();
        if (result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            throw new InvalidOperationException("generator reported: " + string.Join("; ", result.Diagnostics));
        int chars = result.Results.Sum(r => r.GeneratedSources.Sum(s => s.SourceText.Length));
        if (chars < 100 * Layers) throw new InvalidOperationException($"the generator produced only {chars} characters for {Layers} layers");
        return chars;
    }

    public static CSharpCompilation CreateCompilation()
    {
        var source = new StringBuilder();
        source.AppendLine("using NetGen;");
        source.AppendLine("namespace Deep;");
        source.AppendLine("[Network]");
        source.AppendLine("[Input(64)]");
        for (int i = 0; i < (Layers - 1) / 2; i++)
        {
            source.AppendLine("[Dense(64, Activation = Activation.Relu)]");
            source.AppendLine("[Dropout(0.1)]");
        }
        source.AppendLine("[Dense(10, Activation = Activation.Softmax)]");
        source.AppendLine("public partial class Deep200 { }");
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = paths
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(INetwork).Assembly.Location))
            .ToImmutableArray();
        return CSharpCompilation.Create("Deep", new[] { CSharpSyntaxTree.ParseText(source.ToString(), parse) }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }
}
