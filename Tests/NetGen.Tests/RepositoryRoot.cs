using System;
using System.IO;

namespace NetGen.Tests;

/// <summary>Finds the repository root (the folder holding NetGen.sln) from the test's output directory.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "NetGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("NetGen.sln not found above " + AppContext.BaseDirectory);
    }
}
