using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// Our snapshot helper (no Verify package is available here). The baseline is
/// <c>Snapshots/{name}.g.cs.txt</c> beside this file. A mismatch writes <c>{name}.received.cs</c> next to it
/// and fails; with <c>NETGEN_ACCEPT_SNAPSHOTS=1</c> the baseline is rewritten, and the test still fails so
/// an accepted change is always looked at.
/// </summary>
internal static class Snapshot
{
    public static void Match(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        var baseline = Path.Combine(directory, name + ".g.cs.txt");
        var received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("NETGEN_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(baseline, actual);
            if (File.Exists(received)) File.Delete(received);
            Assert.Fail($"Snapshot '{name}' rewritten at {baseline}; unset NETGEN_ACCEPT_SNAPSHOTS and run again.");
        }
        var expected = File.Exists(baseline) ? File.ReadAllText(baseline).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(directory);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot '{name}' yet: wrote {received}. Review it, then accept with NETGEN_ACCEPT_SNAPSHOTS=1."
            : $"Snapshot '{name}' differs from {baseline}: wrote {received}. {FirstDifference(expected, actual)}");
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end>";
            var al = i < a.Length ? a[i] : "<end>";
            if (el != al) return $"First difference at line {i + 1}:\n  expected: {el}\n  actual:   {al}";
        }
        return "";
    }
}
