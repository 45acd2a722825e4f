using System;
using System.Collections;
using System.Diagnostics;
using System.Text;

namespace NetGen.Tests.Packaging;

/// <summary>Runs the <c>dotnet</c> CLI in a clean environment (no MSBuild variables inherited from the test host).</summary>
internal static class DotNet
{
    public static string Executable => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static string Run(string workingDirectory, string arguments, TimeSpan timeout, params (string Name, string Value)[] environment)
        => Run(Executable, workingDirectory, arguments, timeout, environment);

    public static string Run(string fileName, string workingDirectory, string arguments, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var (exitCode, output) = Start(fileName, workingDirectory, arguments, timeout, environment);
        if (exitCode != 0)
            throw new InvalidOperationException($"'{fileName} {arguments}' in {workingDirectory} exited with {exitCode}:\n{output}");
        return output;
    }

    /// <summary>Runs <paramref name="fileName"/> and returns its exit code and output (stdout and stderr interleaved).</summary>
    public static (int ExitCode, string Output) Start(string fileName, string workingDirectory, string arguments, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var name = (string)e.Key;
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name is "DOTNET_HOST_PATH" or "MsBuildSDKsPath" or "MSBuildExtensionsPath")
                start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + fileName);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, a) => { if (a.Data is not null) lock (output) output.AppendLine(a.Data); };
        process.ErrorDataReceived += (_, a) => { if (a.Data is not null) lock (output) output.AppendLine(a.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {arguments}' did not finish within {timeout}:\n{output}");
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }
}
