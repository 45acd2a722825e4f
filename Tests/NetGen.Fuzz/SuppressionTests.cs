using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Fuzz;

/// <summary>
/// Issue 11 item 13, with a real build: NetGen's warnings are silenced by <c>#pragma warning disable</c>, by
/// <c>.editorconfig</c> and by <c>NoWarn</c>, while the same warning elsewhere still shows (so the test can fail).
/// </summary>
public sealed class SuppressionTests
{
    private readonly ITestOutputHelper _output;

    public SuppressionTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async System.Threading.Tasks.Task WarningsAreSuppressibleThePragmaEditorconfigAndNoWarnWays()
    {
        var dir = Path.Combine(Path.GetTempPath(), "netgen-suppress-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var generator = typeof(NetGen.Generator.NetworkGenerator).Assembly.Location;
            var runtime = typeof(NetGen.INetwork).Assembly.Location;
            File.WriteAllText(Path.Combine(dir, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <NoWarn>$(NoWarn);NG0008</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <Reference Include="NetGen.Runtime" HintPath="{runtime}" />
                    <Analyzer Include="{generator}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(dir, ".editorconfig"), "root = true\n\n[Editorconfig.cs]\ndotnet_diagnostic.NG0036.severity = none\n");
            File.WriteAllText(Path.Combine(dir, "Pragma.cs"), """
                using NetGen;
                #pragma warning disable NG0037
                [Network, Input(2), Dense(3, Name = "unused"), Dense(1, Inputs = new[] { "input_layer" })]
                public partial class PragmaNet { }
                #pragma warning restore NG0037
                """);
            File.WriteAllText(Path.Combine(dir, "Control.cs"), """
                using NetGen;
                [Network, Input(2), Dense(3, Name = "unused"), Dense(1, Inputs = new[] { "input_layer" })]
                public partial class ControlNet { }
                """);
            File.WriteAllText(Path.Combine(dir, "Editorconfig.cs"), """
                using NetGen;
                [Network, Input(2, Name = "a"), Input(2, Name = "b"), Dense(1, Inputs = new[] { "a" })]
                public partial class EditorconfigNet { }
                """);
            File.WriteAllText(Path.Combine(dir, "NoWarn.cs"), """
                using NetGen;
                [Network, Input(4), Flatten, Dense(1)]
                public partial class NoWarnNet { }
                """);
            var start = new ProcessStartInfo("dotnet", "build -c Release -nologo -p:TreatWarningsAsErrors=false")
            {
                WorkingDirectory = dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using (var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromMinutes(8)))
                await process.WaitForExitAsync(timeout.Token);
            var text = await stdout + await stderr;
            _output.WriteLine(text);
            Assert.True(process.ExitCode == 0, "the build failed:\n" + text);
            var warnings = Regex.Matches(text, @"(\w+)\.cs\(\d+,\d+\): warning (NG\d{4})").Select(m => (File: m.Groups[1].Value, Id: m.Groups[2].Value)).Distinct().ToList();
            Assert.Contains(("Control", "NG0037"), warnings); // the control: the same warning without a pragma
            Assert.DoesNotContain(warnings, w => w.File == "Pragma");
            Assert.DoesNotContain(warnings, w => w.File == "Editorconfig");
            Assert.DoesNotContain(warnings, w => w.Id == "NG0008");
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
