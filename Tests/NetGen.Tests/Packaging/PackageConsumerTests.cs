using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Packaging;

/// <summary>
/// Uses the packed NetGen package the way a new user does: a fresh <c>dotnet new console</c> project in a temporary
/// folder, the package from a local folder source (no project reference), a network with weights baked in through
/// AdditionalFiles, built with warnings as errors and run. Catches what a project reference hides: the generator not in
/// analyzers/dotnet/cs, a missing runtime target, a generator that needs an assembly the package does not carry.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private const string Signature = "NetGen/1;dense/kernel(3,2);dense/bias(2)";
    private static readonly float[] Weights = { 0.5f, -1.25f, 2f, 0.75f, -0.5f, 0.125f, 0.1f, -0.2f }; // kernel (3, 2), then bias (2)
    private static readonly float[] Input = { 1f, -2f, 0.5f };

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("netgen-consumer-");

    public void Dispose()
    {
        try { _root.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private const string Program = """
        using System;
        using System.Globalization;
        using System.Reflection;
        using NetGen;

        var net = Tiny.FromBakedWeights();
        Span<float> output = stackalloc float[Tiny.OutputLength];
        net.Predict(new float[] { 1f, -2f, 0.5f }, output);
        var version = typeof(Tiny).GetCustomAttribute<System.CodeDom.Compiler.GeneratedCodeAttribute>()!.Version;
        Console.WriteLine($"generator {version}, {Tiny.ParameterCount} parameters from {Tiny.BakedWeightsFile}");
        Console.WriteLine("output " + output[0].ToString("R", CultureInfo.InvariantCulture) + " " + output[1].ToString("R", CultureInfo.InvariantCulture));

        [Network, Input(3), Dense(2, Activation = Activation.Softmax), Weights("tiny.weights.txt")]
        partial class Tiny { }
        """;

    /// <summary>softmax(x · W + b) in double precision, W of shape (3, 2) row-major as Keras stores a Dense kernel.</summary>
    private static double[] Expected()
    {
        var z = new double[2];
        for (int j = 0; j < 2; j++)
        {
            z[j] = Weights[6 + j];
            for (int i = 0; i < 3; i++) z[j] += (double)Input[i] * Weights[i * 2 + j];
        }
        double m = Math.Max(z[0], z[1]);
        double e0 = Math.Exp(z[0] - m), e1 = Math.Exp(z[1] - m);
        return new[] { e0 / (e0 + e1), e1 / (e0 + e1) };
    }

    [Fact]
    public void FreshConsoleProjectBuildsAndRunsWithThePackage()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_root.FullName, "feed")).FullName;
        var app = Path.Combine(_root.FullName, "app");
        // Isolated package cache: a NetGen 0.1.0 cached by an earlier run must not stand in for the one packed now.
        var cache = (Name: "NUGET_PACKAGES", Value: Path.Combine(_root.FullName, "packages"));
        var minutes = TimeSpan.FromMinutes(4);

        // Packs what the solution build produced (both target frameworks of the runtime and the generator).
        DotNet.Run(RepositoryRoot.Path, $"pack Runtime/NetGen.Runtime/NetGen.Runtime.csproj --no-build -c {Configuration} -o \"{feed}\"", minutes, cache);
        var package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
        var version = Regex.Match(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.Equal($"NetGen.{version}.nupkg", Path.GetFileName(package));

        DotNet.Run(_root.FullName, "new console -o app", minutes, cache);
        // The local folder first; the machine's usual sources (user-level NuGet.Config) stay in effect for everything else.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="netgen-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
        WeightFile.SaveText(Path.Combine(app, "tiny.weights.txt"), Signature, Weights);
        var csproj = Directory.GetFiles(app, "*.csproj").Single();
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>",
            "  <ItemGroup>\n    <AdditionalFiles Include=\"tiny.weights.txt\" />\n  </ItemGroup>\n</Project>"));
        DotNet.Run(app, $"add package NetGen --version {version}", minutes, cache);

        var output = DotNet.Run(app, "run -c Release -p:TreatWarningsAsErrors=true", minutes, cache);

        Assert.Contains($"generator {version}, 8 parameters from tiny.weights.txt", output);
        var match = Regex.Match(output, @"output (\S+) (\S+)");
        Assert.True(match.Success, output);
        var expected = Expected();
        for (int j = 0; j < 2; j++)
            Assert.Equal(expected[j], double.Parse(match.Groups[j + 1].Value, CultureInfo.InvariantCulture), 1e-6);
        Assert.True(File.Exists(Path.Combine(cache.Value, "netgen", version, "analyzers", "dotnet", "cs", "NetGen.Generator.dll")));
    }
}
