using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Cli.Tests;

/// <summary>
/// Compiles a generated declaration in process with NetGen's source generator (the way the compiler runs it), loads the
/// assembly and creates the network. Generator errors or compile errors fail with their messages.
/// </summary>
internal static class Compiled
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var refs = paths.Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        refs.Add(MetadataReference.CreateFromFile(typeof(INetwork).Assembly.Location));
        return refs.ToImmutableArray();
    });

    /// <summary>The generator(s) of NetGen.Generator.dll, found by interface so that a renamed class still works.</summary>
    private static ISourceGenerator[] Generators()
    {
        var assembly = Assembly.Load("NetGen.Generator");
        return assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t))
            .Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t)!).AsSourceGenerator())
            .ToArray();
    }

    /// <summary>Generates and compiles <paramref name="source"/>, then creates <paramref name="typeName"/> (seed 0).</summary>
    public static INetwork Create(string source, string typeName)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("Imported" + Guid.NewGuid().ToString("N"),
            new[] { CSharpSyntaxTree.ParseText(source, parse, path: "Imported.cs") }, s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create(Generators(), parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var problems = generatorDiagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (problems.Count > 0) throw new InvalidOperationException("The imported declaration does not compile cleanly:\n" + string.Join("\n", problems) + "\n" + source);
        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        if (!emitted.Success) throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
        stream.Position = 0;
        var context = new AssemblyLoadContext("imported-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        var type = context.LoadFromStream(stream).GetType(typeName, throwOnError: true)!;
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var args = ctor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : 0).ToArray();
        return (INetwork)ctor.Invoke(args);
    }
}
