using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Tests.Packaging;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// Why <c>[Weights]</c> bakes a text form: what the real compiler of this SDK hands a generator for a binary
/// AdditionalFiles item. A probe generator, compiled here, reports the decoded text's encoding and that text
/// re-encoded with it; csc of the installed SDK runs it over a file holding all 256 byte values and over a real weight
/// file. A real weight file holds runs of zero bytes (its little-endian integers), so the compiler calls it binary, fails
/// the build with CS2015 and gives the generator no text at all. A binary file without such runs is decoded; re-encoding
/// gives its bytes back only when the compiler's fallback decoder is a single-byte code page (as on Windows); with the
/// UTF-8 fallback of this machine every invalid byte becomes U+FFFD and the bytes are gone.
/// </summary>
public sealed class CompilerDecodingTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("netgen-csc-");

    public void Dispose() => _dir.Delete(recursive: true);

    private const string Probe = """
        using System.Linq;
        using Microsoft.CodeAnalysis;
        [Generator]
        public sealed class DecodingProbe : IIncrementalGenerator
        {
            private static readonly DiagnosticDescriptor Report = new("PROBE1", "probe", "{0} {1} {2}", "probe", DiagnosticSeverity.Warning, true);
            public void Initialize(IncrementalGeneratorInitializationContext context)
                => context.RegisterSourceOutput(context.AdditionalTextsProvider, static (spc, file) =>
                {
                    var text = file.GetText();
                    var encoding = text?.Encoding;
                    var bytes = encoding is null ? new byte[0] : encoding.GetBytes(text!.ToString());
                    spc.ReportDiagnostic(Diagnostic.Create(Report, Location.None, System.IO.Path.GetFileName(file.Path),
                        encoding?.WebName ?? "none", string.Concat(bytes.Select(b => b.ToString("x2")))));
                });
        }
        """;

    private string CompileProbe()
    {
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll")
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(Compilation).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(CSharpCompilation).Assembly.Location));
        var compilation = CSharpCompilation.Create("DecodingProbe", new[] { CSharpSyntaxTree.ParseText(Probe) }, refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var path = Path.Combine(_dir.FullName, "DecodingProbe.dll");
        var result = compilation.Emit(path);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return path;
    }

    private static string CscPath()
    {
        var sdkVersion = DotNet.Run(RepositoryRoot.Path, "--version", TimeSpan.FromMinutes(1)).Trim();
        var dotnetRoot = Path.GetDirectoryName(Path.GetFullPath(DotNet.Executable == "dotnet" ? FindOnPath("dotnet") : DotNet.Executable))!;
        var csc = Path.Combine(dotnetRoot, "sdk", sdkVersion, "Roslyn", "bincore", "csc.dll");
        Assert.True(File.Exists(csc), "no compiler at " + csc);
        return csc;
    }

    private static string FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return new FileInfo(candidate).LinkTarget is { } target ? Path.Combine(dir, target) : candidate;
        }
        throw new FileNotFoundException(name + " is not on PATH");
    }

    [Fact]
    public void BinaryAdditionalFilesSurviveOnlyASingleByteFallback()
    {
        var every = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var everyPath = Path.Combine(_dir.FullName, "every-byte.bin");
        File.WriteAllBytes(everyPath, every);
        var weightsPath = Path.Combine(_dir.FullName, "real.weights");
        var real = Convert.FromBase64String(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "baked", "baked-norm-net.weights.txt")));
        File.WriteAllBytes(weightsPath, real);
        var source = Path.Combine(_dir.FullName, "Empty.cs");
        File.WriteAllText(source, "public static class Empty { }\n");

        var arguments = $"exec \"{CscPath()}\" -nologo -noconfig -nostdlib -target:library -out:\"{Path.Combine(_dir.FullName, "out.dll")}\" " +
            $"-reference:\"{typeof(object).Assembly.Location}\" -analyzer:\"{CompileProbe()}\" -additionalfile:\"{everyPath}\" -additionalfile:\"{weightsPath}\" \"{source}\"";
        var (exitCode, output) = DotNet.Start(DotNet.Executable, _dir.FullName, arguments, TimeSpan.FromMinutes(2));

        // The real weight file: refused as binary, and the generator gets no text.
        Assert.NotEqual(0, exitCode);
        Assert.Matches(@"error CS2015: '[^']*real\.weights' is a binary file instead of a text file", output);
        Assert.Contains("warning PROBE1: real.weights none \n", output.Replace("\r\n", "\n"));
        Assert.DoesNotContain("every-byte.bin' is a binary file", output);

        foreach (var (name, original) in new[] { ("every-byte.bin", every) })
        {
            var match = Regex.Match(output, $@"warning PROBE1: {Regex.Escape(name)} (\S+) ([0-9a-f]*)");
            Assert.True(match.Success, output);
            var encoding = match.Groups[1].Value;
            var back = Convert.FromHexString(match.Groups[2].Value);
            if (encoding == "utf-8")
            {
                // Lossy: 0x80..0xFF of the 256-byte file (not valid UTF-8 on their own) each came back as U+FFFD.
                Assert.Equal(every.Take(128), back.Take(128));
                Assert.Equal(Enumerable.Range(0, 128).SelectMany(_ => new byte[] { 0xEF, 0xBF, 0xBD }), back.Skip(128));
            }
            else
            {
                Assert.Equal(original, back); // a single-byte code page maps every byte to a character and back
            }
        }
    }
}
